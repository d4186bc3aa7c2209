"""The one place where regulated data is scoped by who is asking.

Every app's queries pass their querysets through `scope_factories`, naming the path from their
model to the factory; the rules of who sees which factories live only here.
"""

from typing import Any

from django.db.models import Q, QuerySet

NATIONAL_READ = {"admin", "officer", "committee"}
NATIONAL_WRITE = {"admin", "officer"}
# Who may register factories, import them and assign inspectors (in their own reach).
REGISTER_ROLES = {"admin", "officer", "provincial_officer"}


def role_of(user: Any) -> str:
    if user is None or not user.is_authenticated:
        return "public"
    if user.is_superuser:
        return "admin"
    return user.role


def factory_q(user: Any, *, path: str = "", write: bool = False) -> Q | None:
    """A filter that keeps the factories `user` may read (or change); None means all of them.

    `path` is the lookup prefix from the scoped model to the factory ("" for Factory itself,
    "factory__" for a machine). A Q that matches nothing is returned for users with no reach.
    """
    role = role_of(user)
    nothing = Q(pk__in=[])
    if write:
        if role in NATIONAL_WRITE:
            return None
        if role == "provincial_officer":
            return Q(**{f"{path}province_id": user.province_id})
        if role == "operator":
            return Q(**{f"{path}operator_id": user.organisation_id})
        return nothing
    if role in NATIONAL_READ or role == "public":
        # The public reach is every factory, but only published fields (see the serializers).
        return None
    if role == "provincial_officer":
        return Q(**{f"{path}province_id": user.province_id})
    if role == "local_gov":
        q = Q(**{f"{path}province_id": user.province_id})
        if user.district_id:
            q &= Q(**{f"{path}district_id": user.district_id})
        return q
    if role == "operator":
        return Q(**{f"{path}operator_id": user.organisation_id})
    if role == "inspector":
        return Q(
            **{
                f"{path}assignments__inspector_id": user.pk,
                f"{path}assignments__is_active": True,
            }
        )
    return nothing


def scope_factories(qs: QuerySet, user: Any, *, path: str = "", write: bool = False) -> QuerySet:
    q = factory_q(user, path=path, write=write)
    return qs if q is None else qs.filter(q)


def sees_internal_fields(user: Any) -> bool:
    return role_of(user) != "public"


def can_register(user: Any) -> bool:
    return role_of(user) in REGISTER_ROLES
