"""Supervision metrics the action plan binds KPIs to (see core.metrics).

* chemicals.storage_sites_upgraded (KPI K2.9): sites lifted from "within criteria" to "above
  criteria" by a follow-up inspection, counted once per site on the date of that inspection
  (a SiteUpgrade that has not been withdrawn by a correction).
* chemicals.refrigeration_energy_saving (KPI K1.7): the yearly electricity cost saved by the
  energy measures that inspectors verified as implemented at ammonia refrigeration plants,
  counted on the date of the inspection that verified them (each measure is recorded once, at
  that inspection), in million baht a year at the plant's tariff. Identified but unimplemented
  potential is shown on the pages and in the API, not counted here: the plan asks for savings.
"""

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from rongngan.chemicals.supervision.models import RefrigerationInspection, SiteUpgrade
from rongngan.core.metrics import Period, metric

MILLION = Decimal(1_000_000)


def _span(periods: Sequence[Period]) -> Q:
    return Q(
        upgraded_on__gte=min(p[0] for p in periods), upgraded_on__lte=max(p[1] for p in periods)
    )


def upgraded_sites(start: dt.date, end: dt.date) -> QuerySet[SiteUpgrade]:
    return (
        SiteUpgrade.objects.filter(
            withdrawn_at__isnull=True, upgraded_on__gte=start, upgraded_on__lte=end
        )
        .select_related("site", "site__province", "inspection", "previous_inspection")
        .order_by("upgraded_on", "pk")
    )


@metric(
    "chemicals.storage_sites_upgraded",
    label=_("Hazardous-substance storage sites upgraded to above criteria"),
    unit="count",
    accumulation="cumulative",
    description=_(
        "Storage sites lifted from “within criteria” to “above criteria” by a follow-up "
        "inspection in the period, each site counted once, on the date of that inspection."
    ),
    records=upgraded_sites,
    columns=(
        ("site", _("site")),
        ("site__province", _("province")),
        ("previous_inspection__visited_on", _("earlier inspection")),
        ("upgraded_on", _("upgraded on")),
    ),
)
def storage_sites_upgraded(periods: Sequence[Period]) -> list[Decimal | None]:
    if not periods:
        return []
    agg = (
        SiteUpgrade.objects.filter(withdrawn_at__isnull=True)
        .filter(_span(periods))
        .aggregate(
            **{
                f"p{i}": Count("pk", filter=Q(upgraded_on__gte=p[0], upgraded_on__lte=p[1]))
                for i, p in enumerate(periods)
            }
        )
    )
    return [Decimal(agg[f"p{i}"] or 0) for i in range(len(periods))]


def saving_inspections(start: dt.date, end: dt.date) -> QuerySet[RefrigerationInspection]:
    return (
        RefrigerationInspection.objects.filter(
            implemented_baht__gt=0, visited_on__gte=start, visited_on__lte=end
        )
        .select_related("plant", "plant__site", "plant__site__province")
        .order_by("visited_on", "pk")
    )


@metric(
    "chemicals.refrigeration_energy_saving",
    label=_("Energy cost saved by measures implemented at ammonia refrigeration plants"),
    unit="million_baht",
    accumulation="cumulative",
    description=_(
        "Yearly electricity saving (kWh/yr x the plant's tariff) of energy-saving measures that "
        "inspectors verified as implemented at cold stores and ice plants, counted on the date "
        "of the verifying inspection, in million baht. Identified potential is not counted."
    ),
    records=saving_inspections,
    columns=(
        ("plant__site", _("site")),
        ("plant", _("plant")),
        ("visited_on", _("verified on")),
        ("implemented_baht", _("saving implemented (baht/yr)")),
    ),
)
def refrigeration_energy_saving(periods: Sequence[Period]) -> list[Decimal | None]:
    if not periods:
        return []
    agg = RefrigerationInspection.objects.filter(
        visited_on__gte=min(p[0] for p in periods), visited_on__lte=max(p[1] for p in periods)
    ).aggregate(
        **{
            f"p{i}": Sum("implemented_baht", filter=Q(visited_on__gte=p[0], visited_on__lte=p[1]))
            for i, p in enumerate(periods)
        }
    )
    return [(agg[f"p{i}"] or Decimal(0)) / MILLION for i in range(len(periods))]
