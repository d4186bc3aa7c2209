"""Who may see and change which storage sites: the registry's factory rules applied to sites.

A site carries its own province, district and operator, so the rules in `core.scoping` apply to it
directly; inspectors reach the sites of the factories assigned to them.
"""

from typing import Any

from django.db.models import Q, QuerySet

from rongngan.core.scoping import factory_q, role_of


def site_q(user: Any, *, path: str = "", write: bool = False) -> Q | None:
    """Like `core.scoping.factory_q`, for models reaching a StorageSite by `path` ("site__")."""
    if role_of(user) == "inspector":
        # Assigned factories are read and inspected; hazardous-substance storage sites are
        # inspected on assignment by their province office (see the supervision app).
        return Q(
            **{
                f"{path}factory__assignments__inspector_id": user.pk,
                f"{path}factory__assignments__is_active": True,
            }
        )
    return factory_q(user, path=path, write=write)


def scope_sites(qs: QuerySet, user: Any, *, path: str = "", write: bool = False) -> QuerySet:
    q = site_q(user, path=path, write=write)
    if q is None:
        return qs
    # The inspector's filter crosses a to-many relation (assignments) and may repeat rows.
    return qs.filter(q).distinct() if role_of(user) == "inspector" else qs.filter(q)
