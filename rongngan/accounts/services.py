"""Sign-in rules: lock an account name after repeated failures, and record every attempt."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils import timezone

from rongngan.accounts.models import LoginAttempt
from rongngan.core import audit
from rongngan.core.middleware import client_ip


def login_locked_until(username: str) -> dt.datetime | None:
    """When the lock ends, if `username` has had too many failures since its last success."""
    window_start = timezone.now() - dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    recent = list(
        LoginAttempt.objects.filter(username__iexact=username, at__gte=window_start)
        .order_by("-at")
        .values_list("succeeded", "at")[: settings.LOGIN_MAX_FAILURES]
    )
    if len(recent) < settings.LOGIN_MAX_FAILURES or any(ok for ok, _ in recent):
        return None
    return recent[0][1] + dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)


class LoginLocked(Exception):
    def __init__(self, until: dt.datetime) -> None:
        super().__init__(f"locked until {until.isoformat()}")
        self.until = until


def login_check(request: HttpRequest | None, *, username: str, password: str) -> Any:
    """The user for these credentials, or None; raises LoginLocked while the name is locked.

    Failures against a locked name are not checked at all, so guessing cannot go on.
    """
    until = login_locked_until(username)
    if until is not None:
        raise LoginLocked(until)
    user = authenticate(request, username=username, password=password)
    ip = client_ip(request) if request is not None else None
    LoginAttempt.objects.create(username=username[:150], ip=ip, succeeded=user is not None)
    if user is None:
        audit.record(actor=None, action="login_failed", object_repr=username[:150])
    else:
        audit.record(actor=user, action="login", obj=user)
    return user
