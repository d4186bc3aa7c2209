"""Who is acting and from where, for the audit trail and the logs.

Held in context variables so that services need not thread the request through every call; the
middleware sets them per request and management commands set them per run.
"""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str = "-"
    ip: str | None = None
    source: str = "system"


# The default is a frozen dataclass, so sharing it between contexts is safe.
_current: ContextVar[RequestContext] = ContextVar(
    "rongngan_request",
    default=RequestContext(),  # noqa: B039
)


def current() -> RequestContext:
    return _current.get()


def new_request_id() -> str:
    return uuid.uuid4().hex[:16]


@contextmanager
def bind(*, request_id: str | None = None, ip: str | None = None, source: str) -> Iterator[None]:
    token = _current.set(RequestContext(request_id or new_request_id(), ip, source))
    try:
        yield
    finally:
        _current.reset(token)
