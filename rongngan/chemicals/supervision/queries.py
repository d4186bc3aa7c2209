"""Reads of inspections, corrective actions and refrigeration plants, scoped by who asks.

Reach is `chemicals.scoping.site_q`: an inspector inspects the factories assigned to them and,
with a province, the hazardous-substance storage sites (not factories) of that province, which
are not under the Factory Act and have no assignment.
The public never reads site-level findings; it gets the aggregate statistics only.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Count, Min, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from rongngan.chemicals.models import StorageSite
from rongngan.chemicals.scoping import site_q
from rongngan.chemicals.supervision.models import (
    CorrectiveAction,
    Grade,
    RefrigerationInspection,
    RefrigerationPlant,
    SiteUpgrade,
    StorageInspection,
)
from rongngan.core.scoping import role_of
from rongngan.core.thai import fiscal_year

INSPECT_ROLES = {"admin", "officer", "provincial_officer", "inspector"}
OPEN_STATUSES = [CorrectiveAction.Status.OPEN, CorrectiveAction.Status.EVIDENCE_SUBMITTED]


def reach_q(user: Any, *, path: str = "", write: bool = False) -> Q | None:
    """Sites `user` may read (or inspect, with write=True); None means all, public: nothing."""
    role = role_of(user)
    if role == "public":
        return Q(pk__in=[])
    if role == "inspector":
        # The sites they read are the sites they inspect (chemicals.scoping.site_q).
        return site_q(user, path=path)
    if write and role not in INSPECT_ROLES:
        return Q(pk__in=[])
    return site_q(user, path=path, write=write)


def _scoped(qs: QuerySet, user: Any, path: str, write: bool = False) -> QuerySet:
    q = reach_q(user, path=path, write=write)
    if q is None:
        return qs
    qs = qs.filter(q)
    return qs.distinct() if role_of(user) == "inspector" else qs


def sites_for_user(user: Any, *, write: bool = False) -> QuerySet[StorageSite]:
    return _scoped(StorageSite.objects.all(), user, "", write)


def site_for_user(user: Any, pk: Any, *, write: bool = False) -> StorageSite | None:
    if not str(pk).isdecimal():
        return None
    return sites_for_user(user, write=write).filter(pk=pk).first()


def can_inspect(user: Any, site: StorageSite) -> bool:
    if role_of(user) not in INSPECT_ROLES:
        return False
    return sites_for_user(user, write=True).filter(pk=site.pk).exists()


def inspections_for_user(user: Any, *, current_only: bool = True) -> QuerySet[StorageInspection]:
    qs = StorageInspection.objects.all()
    if current_only:
        qs = qs.filter(is_current=True)
    return _scoped(qs, user, "site__").select_related(
        "site", "site__province", "checklist", "created_by"
    )


def inspection_for_user(user: Any, pk: Any) -> StorageInspection | None:
    if not str(pk).isdecimal():
        return None
    return inspections_for_user(user, current_only=False).filter(pk=pk).first()


def versions_of(inspection: StorageInspection) -> QuerySet[StorageInspection]:
    root = inspection.root_id or inspection.pk
    return StorageInspection.objects.filter(Q(pk=root) | Q(root_id=root)).order_by("version")


def site_history(site: StorageSite) -> QuerySet[StorageInspection]:
    return site.storage_inspections.filter(is_current=True).order_by("visited_on", "pk")


def actions_for_user(user: Any) -> QuerySet[CorrectiveAction]:
    return _scoped(CorrectiveAction.objects.all(), user, "site__").select_related(
        "site", "site__province", "inspection"
    )


def action_for_user(user: Any, pk: Any) -> CorrectiveAction | None:
    if not str(pk).isdecimal():
        return None
    return actions_for_user(user).filter(pk=pk).first()


def is_overdue(action: CorrectiveAction, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    return action.status in OPEN_STATUSES and action.due_on < today


def plants_for_user(user: Any) -> QuerySet[RefrigerationPlant]:
    return _scoped(RefrigerationPlant.objects.all(), user, "site__").select_related(
        "site", "site__province"
    )


def plant_for_user(user: Any, pk: Any) -> RefrigerationPlant | None:
    if not str(pk).isdecimal():
        return None
    return plants_for_user(user).filter(pk=pk).first()


def latest_plant_inspections(plants: list[RefrigerationPlant]) -> dict[int, Any]:
    out: dict[int, Any] = {}
    for i in RefrigerationInspection.objects.filter(plant__in=plants).order_by(
        "plant_id", "visited_on", "pk"
    ):
        out[i.plant_id] = i
    return out


def storage_statistics(today: dt.date | None = None, province: str = "") -> dict[str, Any]:
    """Aggregates by province and by site kind: sites inspected, their latest grade, upgrades,
    open and overdue corrective actions. No site-level finding: safe for the public."""
    today = today or timezone.localdate()
    current = StorageInspection.objects.filter(is_current=True)
    actions = CorrectiveAction.objects.filter(status__in=OPEN_STATUSES)
    upgrades = SiteUpgrade.objects.filter(withdrawn_at__isnull=True)
    if province:
        current = current.filter(site__province_id=province)
        actions = actions.filter(site__province_id=province)
        upgrades = upgrades.filter(site__province_id=province)
    # The latest current inspection per site decides the site's grade today (one correlated
    # subquery on the (site, is_current, visited_on) index, then one grouped count).
    latest_pk = (
        StorageInspection.objects.filter(site_id=OuterRef("site_id"), is_current=True)
        .order_by("-visited_on", "-pk")
        .values("pk")[:1]
    )
    graded = (
        current.filter(pk=Subquery(latest_pk))
        .values_list("site__kind", "site__province_id", "site__province__name_th")
        .annotate(n=Count("pk"), above=Count("pk", filter=Q(grade=Grade.ABOVE)))
        .order_by()
    )

    def blank(key: str, label: str) -> dict[str, Any]:
        return {
            "key": key,
            "label": label,
            "sites": 0,
            "above": 0,
            "within": 0,
            "upgraded": 0,
            "open_actions": 0,
            "overdue_actions": 0,
        }

    by_province: dict[str, dict[str, Any]] = {}
    by_kind: dict[str, dict[str, Any]] = {}
    kind_labels = dict(StorageSite._meta.get_field("kind").choices)
    total = blank("all", "")

    def bump(kind: str, prov: str, prov_name: str, field: str, n: int = 1) -> None:
        by_province.setdefault(prov, blank(prov, prov_name))[field] += n
        by_kind.setdefault(kind, blank(kind, str(kind_labels.get(kind, kind))))[field] += n
        total[field] += n

    for kind, prov, prov_name, n, above in graded:
        bump(kind, prov, prov_name, "sites", n)
        bump(kind, prov, prov_name, "above", above)
        bump(kind, prov, prov_name, "within", n - above)
    for kind, prov, prov_name, n in (
        upgrades.values_list("site__kind", "site__province_id", "site__province__name_th")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        bump(kind, prov, prov_name, "upgraded", n)
    for kind, prov, prov_name, n, late in (
        actions.values_list("site__kind", "site__province_id", "site__province__name_th")
        .annotate(n=Count("pk"), late=Count("pk", filter=Q(due_on__lt=today)))
        .order_by()
    ):
        bump(kind, prov, prov_name, "open_actions", n)
        bump(kind, prov, prov_name, "overdue_actions", late)
    return {
        "total": total,
        "by_province": sorted(by_province.values(), key=lambda r: r["key"]),
        "by_kind": sorted(by_kind.values(), key=lambda r: r["key"]),
        "as_of": today,
    }


# Public totals of ammonia held are shown only over at least this many plants.
MIN_PLANTS = 3


def refrigeration_statistics() -> dict[str, Any]:
    """National aggregates of the register: plants by kind, ammonia held, savings (public)."""
    plants = list(
        RefrigerationPlant.objects.values("kind")
        .annotate(n=Count("pk"), ammonia=Sum("ammonia_charge_kg"))
        .order_by("kind")
    )
    labels = dict(RefrigerationPlant.Kind.choices)
    latest_ids = [
        i.pk for i in latest_plant_inspections(list(RefrigerationPlant.objects.all())).values()
    ]
    agg = RefrigerationInspection.objects.filter(pk__in=latest_ids).aggregate(
        potential=Sum("potential_baht")
    )
    implemented = RefrigerationInspection.objects.aggregate(s=Sum("implemented_baht"))["s"]
    total_plants = sum(p["n"] for p in plants)

    def shown(n: int, kg: Decimal | None) -> Decimal | None:
        # A total over fewer than MIN_PLANTS plants would give away one plant's charge.
        return (kg or Decimal(0)) if n >= MIN_PLANTS else None

    return {
        "by_kind": [
            {
                "kind": p["kind"],
                "label": str(labels.get(p["kind"], p["kind"])),
                "plants": p["n"],
                "ammonia_kg": shown(p["n"], p["ammonia"]),
            }
            for p in plants
        ],
        "plants": total_plants,
        "ammonia_kg": shown(total_plants, sum((p["ammonia"] or Decimal(0)) for p in plants)),
        "potential_baht": agg["potential"] or Decimal(0),
        "implemented_baht": implemented or Decimal(0),
    }


# The statistics page's KPI table: at most this many fiscal years, at least RECENT_YEARS.
MAX_METRIC_YEARS = 10
RECENT_YEARS = 5


def metric_years(today: dt.date) -> list[int]:
    """The fiscal years (B.E.) of the KPI table: from the first year holding an upgrade or a
    refrigeration inspection (the plan's years when its data go back there) to this year,
    at most MAX_METRIC_YEARS and at least the last RECENT_YEARS."""
    now = fiscal_year(today)
    firsts = [
        SiteUpgrade.objects.filter(withdrawn_at__isnull=True).aggregate(d=Min("upgraded_on"))["d"],
        RefrigerationInspection.objects.aggregate(d=Min("visited_on"))["d"],
    ]
    first = min((fiscal_year(d) for d in firsts if d is not None), default=now)
    first = max(min(first, now - RECENT_YEARS + 1), now - MAX_METRIC_YEARS + 1)
    return list(range(first, now + 1))
