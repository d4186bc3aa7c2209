import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication


def token_expired(token: Any) -> bool:
    max_age = settings.API_TOKEN_MAX_AGE_DAYS
    return max_age > 0 and token.created < timezone.now() - dt.timedelta(days=max_age)


class TokenExpired(exceptions.AuthenticationFailed):
    # Read by core.api.exception_handler, which gives the message in both languages.
    problem_code = "token_expired"
    problem_message = _("The API token has expired: ask for a new one at /api/v1/auth/token/.")


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF tokens that stop working after API_TOKEN_MAX_AGE_DAYS; a new one is had by signing in."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        user, token = super().authenticate_credentials(key)
        if token_expired(token):
            raise TokenExpired(TokenExpired.problem_message)
        return user, token
