"""Who may see and change which storage sites: the registry's factory rules applied to sites.

A site carries its own province, district and operator, so the rules in `core.scoping` apply to it
directly; inspectors read the sites of the factories assigned to them and the hazardous-substance
storage sites of their province office, and write none.
"""

from typing import Any

from django.db.models import Q, QuerySet

from rongngan.core.scoping import factory_q, role_of


def site_q(user: Any, *, path: str = "", write: bool = False) -> Q | None:
    """Like `core.scoping.factory_q`, for models reaching a StorageSite by `path` ("site__")."""
    if role_of(user) == "inspector":
        if write:
            # Inspectors record visits (the supervision app's own rule); they never declare an
            # inventory or change a site.
            return Q(pk__in=[])
        # They read the sites they inspect: the factories assigned to them, and the
        # hazardous-substance storage sites of their province office, which are not under the
        # Factory Act and have no assignment (see the supervision app).
        q = Q(
            **{
                f"{path}factory__assignments__inspector_id": user.pk,
                f"{path}factory__assignments__is_active": True,
            }
        )
        if user.province_id:
            q |= Q(**{f"{path}kind": "hazmat_storage", f"{path}province_id": user.province_id})
        return q
    return factory_q(user, path=path, write=write)


def scope_sites(qs: QuerySet, user: Any, *, path: str = "", write: bool = False) -> QuerySet:
    q = site_q(user, path=path, write=write)
    if q is None:
        return qs
    # The inspector's filter crosses a to-many relation (assignments) and may repeat rows.
    return qs.filter(q).distinct() if role_of(user) == "inspector" else qs.filter(q)
