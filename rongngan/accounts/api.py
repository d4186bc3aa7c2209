import datetime as dt
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions, serializers
from rest_framework.authtoken.models import Token
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from rongngan.accounts.authentication import token_expired
from rongngan.accounts.services import LoginLocked, login_check
from rongngan.core.api import problem_response
from rongngan.core.errors import Problem

BAD_LOGIN = _("Wrong username or password.")
LOCKED = _("Too many failed sign-ins for this account; try again later.")


class TokenView(APIView):
    """Exchange a username and password for an API token (the same lockout as the web page)."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list[Any] = []

    @extend_schema(
        request=inline_serializer(
            "TokenRequest",
            {"username": serializers.CharField(), "password": serializers.CharField()},
        ),
        responses={
            200: inline_serializer(
                "TokenResponse",
                {
                    "token": serializers.CharField(),
                    "expires_at": serializers.DateTimeField(allow_null=True),
                },
            )
        },
    )
    def post(self, request: Request) -> Response:
        username = str(request.data.get("username") or "")
        password = str(request.data.get("password") or "")
        try:
            user = login_check(request._request, username=username, password=password)
        except LoginLocked:
            return problem_response([Problem("username", "locked", LOCKED)], 429)
        if user is None or not user.is_active:
            return problem_response([Problem(None, "invalid_login", BAD_LOGIN)], 400)
        token, _created = Token.objects.get_or_create(user=user)
        if token_expired(token):
            token.delete()
            token = Token.objects.create(user=user)
        expires = (
            token.created + dt.timedelta(days=settings.API_TOKEN_MAX_AGE_DAYS)
            if settings.API_TOKEN_MAX_AGE_DAYS
            else None
        )
        return Response({"token": token.key, "expires_at": expires})


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    role = serializers.CharField()
    organisation = serializers.CharField(source="organisation.code", allow_null=True)
    province = serializers.CharField(source="province_id", allow_null=True)
    language = serializers.CharField()


class MeView(APIView):
    @extend_schema(responses={200: MeSerializer})
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(request.user).data)
