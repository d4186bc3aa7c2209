"""Admin pages of accounts and organisations.

Who a user is and what they may reach (role, province, district, organisation, active flag,
groups, permissions) decides what they see of the register, so every addition and change made
here leaves an audit entry with its before and after values, like every other regulated change.
Accounts and organisations are not deleted here: an administrator deactivates them (Active off),
so that who acted, and for whom, stays known. Unlocking an account (deleting its failed sign-in
attempts) is audited on the account too, as is issuing or revoking an API token.
"""

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from rest_framework.authtoken.admin import TokenAdmin
from rest_framework.authtoken.models import Token, TokenProxy

from rongngan.accounts.models import LoginAttempt, Organisation, User
from rongngan.core import audit


class AuditedAdmin(admin.ModelAdmin):
    """Records an audit entry for each addition and change made in the admin; no deletion.

    The values before are read from the database when the form is saved, and the entry is
    written after the many-to-many fields (groups, permissions) are saved, inside the admin's
    transaction: the change and its entry are kept or lost together.
    """

    audit_fields: tuple[str, ...] = ()

    def _snapshot(self, obj: models.Model) -> dict[str, Any]:
        return audit.snapshot(obj, self.audit_fields)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        before: dict[str, Any] = {}
        if change and obj.pk is not None:
            stored = type(obj)._default_manager.filter(pk=obj.pk).first()
            if stored is not None:
                before = self._snapshot(stored)
        request._audit_before = before  # type: ignore[attr-defined]
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        obj = form.instance
        before = getattr(request, "_audit_before", {})
        changes = audit.diff(before, self._snapshot(obj))
        if not change:
            audit.record(actor=request.user, action="create", obj=obj, changes=changes)
        elif changes:
            audit.record(actor=request.user, action="update", obj=obj, changes=changes)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deactivated (Active off), never deleted


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin):
    list_display = ["code", "name_th", "kind", "province", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name_th", "name_en", "juristic_id"]
    audit_fields = (
        "code",
        "kind",
        "name_th",
        "name_en",
        "juristic_id",
        "province",
        "district",
        "is_active",
    )


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin):
    list_display = ["username", "role", "organisation", "province", "is_active"]
    list_filter = ["role", "is_active"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("Rongngan", {"fields": ("role", "organisation", "province", "district", "language")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "password1",
                    "password2",
                    "role",
                    "organisation",
                    "province",
                    "district",
                ),
            },
        ),
    )
    raw_id_fields = ["organisation"]
    # Never the password hash: a password change is recorded as a fact (user_change_password).
    audit_fields = (
        "username",
        "first_name",
        "last_name",
        "email",
        "role",
        "organisation",
        "province",
        "district",
        "language",
        "is_active",
        "is_staff",
        "is_superuser",
        "groups",
        "user_permissions",
    )

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and isinstance(response, HttpResponseRedirect):
            user = self.get_object(request, id)
            if user is not None:
                audit.record(
                    actor=request.user,
                    action="update",
                    obj=user,
                    changes={"password": "changed"},
                    note="password set in the admin",
                )
        return response


@admin.register(LoginAttempt)
class LoginAttemptAdmin(admin.ModelAdmin):
    list_display = ["username", "at", "ip", "succeeded"]
    list_filter = ["succeeded"]
    search_fields = ["username"]
    # Deleting the failures of an account name is how an administrator unlocks it.
    actions = ["delete_selected"]

    def delete_model(self, request: HttpRequest, obj: LoginAttempt) -> None:
        self._record_unlock(request, [obj])
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[LoginAttempt]) -> None:
        self._record_unlock(request, list(queryset))
        super().delete_queryset(request, queryset)

    @staticmethod
    def _record_unlock(request: HttpRequest, attempts: list[LoginAttempt]) -> None:
        """One entry per account name: how many failures were cleared."""
        failures: dict[str, int] = {}
        for attempt in attempts:
            count = failures.setdefault(attempt.username, 0)
            failures[attempt.username] = count + (0 if attempt.succeeded else 1)
        for username, count in sorted(failures.items()):
            user = User.objects.filter(username__iexact=username).first()
            audit.record(
                actor=request.user,
                action="update",
                obj=user,
                object_repr=username[:300],
                changes={"failed_sign_ins_deleted": count},
                note="sign-in attempts deleted in the admin (account unlocked)",
            )


# API tokens: revoking one (deleting it here) is audited on its user, as the unlock is.
# DRF registers its tokens by their user (TokenProxy).
admin.site.unregister(TokenProxy)


@admin.register(TokenProxy)
class AuditedTokenAdmin(TokenAdmin):
    def delete_model(self, request: HttpRequest, obj: Token) -> None:
        _record_revoked(request, [obj])
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Token]) -> None:
        _record_revoked(request, list(queryset.select_related("user")))
        super().delete_queryset(request, queryset)

    def save_model(self, request: HttpRequest, obj: Token, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if not change:
            audit.record(
                actor=request.user,
                action="update",
                obj=obj.user,
                changes={"api_token": "issued"},
                note="API token issued in the admin",
            )


def _record_revoked(request: HttpRequest, tokens: list[Token]) -> None:
    for token in tokens:
        audit.record(
            actor=request.user,
            action="update",
            obj=token.user,
            changes={"api_token": "revoked"},
            note="API token deleted in the admin",
        )
