"""Idempotency-Key for machine writes: a retry gets the first answer and writes nothing new.

The key is scoped to the user; reusing a key with a different body or path is an error (422), as
in the IETF httpapi Idempotency-Key draft. The record is written in the same transaction as the
change, so a crash cannot leave a change without its record or the other way round.
"""

import functools
import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from rest_framework.request import Request
from rest_framework.response import Response

from rongngan.core.errors import Problem
from rongngan.core.models import IdempotencyRecord

KEY_REUSED = _("This Idempotency-Key was already used for a different request.")
KEY_INVALID = _("An Idempotency-Key has 1 to 128 visible characters.")


class _LostRace(Exception):
    pass


def _replay(record: IdempotencyRecord) -> Response:
    response = Response(record.response, status=record.status_code)
    response["Idempotent-Replayed"] = "true"
    return response


# Bodies of these types are fingerprinted as sent (bytes): cheap for a large batch of readings.
RAW_TYPES = ("application/json", "text/csv")


def _hash(request: Request) -> str:
    """The request's fingerprint: method, path and body. A JSON or CSV body counts as sent (the
    same bytes); any other body (a form, an upload) by its parsed content."""
    head = f"{request.method} {request.path}\n".encode()
    content_type = (request.content_type or "").split(";")[0].strip().lower()
    if content_type in RAW_TYPES and not request._request._read_started:
        # Read before the view parses it; DRF then parses from the bytes kept here.
        return hashlib.sha256(head + request._request.body).hexdigest()
    try:
        body = json.dumps(request.data, sort_keys=True, default=str)
    except TypeError:
        body = repr(request.data)
    return hashlib.sha256(head + body.encode()).hexdigest()


def idempotent(view: Callable[..., Response]) -> Callable[..., Response]:
    @functools.wraps(view)
    def wrapper(self: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = request.headers.get("Idempotency-Key")
        if key is None or not request.user.is_authenticated:
            return view(self, request, *args, **kwargs)
        if not 0 < len(key) <= 128 or not key.isprintable():
            return Response(
                {"errors": [Problem("Idempotency-Key", "invalid", KEY_INVALID).as_dict()]}, 400
            )
        digest = _hash(request)
        previous = IdempotencyRecord.objects.filter(user=request.user, key=key).first()
        if previous is not None:
            if previous.request_hash != digest:
                problem = Problem("Idempotency-Key", "key_reused", KEY_REUSED)
                return Response({"errors": [problem.as_dict()]}, status=422)
            return _replay(previous)
        try:
            with transaction.atomic():
                response = view(self, request, *args, **kwargs)
                if 200 <= response.status_code < 300:
                    try:
                        with transaction.atomic():
                            IdempotencyRecord.objects.create(
                                user=request.user,
                                key=key,
                                method=request.method,
                                path=request.path[:500],
                                request_hash=digest,
                                status_code=response.status_code,
                                response=json.loads(json.dumps(response.data, default=str)),
                            )
                    except IntegrityError as exc:
                        # A concurrent retry with the same key won the race: undo this one.
                        raise _LostRace from exc
        except _LostRace:
            return _replay(IdempotencyRecord.objects.get(user=request.user, key=key))
        return response

    return wrapper
