"""Waste metrics the action plan binds KPIs to (see core.metrics).

"Entering proper management" counts what a processor accepted into a *final* operation (R1-R11,
D1-D12), on the date it was received. Waste that goes first to storage or regrouping (R12, R13,
D13-D15) is not counted there; the manifest that carries it on from the store (linked by
`previous`) counts it when it reaches its final operation, so each tonne counts once.
The operation is the one the processor recorded, or the planned one until it does.
"""

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.db.models import F, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rongngan.core.metrics import Period, metric
from rongngan.waste.models import Manifest

COUNTED = [
    Manifest.Status.ACCEPTED,
    Manifest.Status.PARTLY_REFUSED,
    Manifest.Status.PROCESSED,
    Manifest.Status.CORRECTED,
]
KG_PER_MILLION_TONNES = Decimal(1_000_000_000)


def bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start 00:00, day after end 00:00) in Bangkok time, for datetime columns."""
    tz = timezone.get_default_timezone()
    return (
        dt.datetime.combine(start, dt.time.min, tzinfo=tz),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
    )


def _in(period: Period, prefix: str = "manifest__") -> Q:
    lo, hi = bounds(*period)
    return Q(**{f"{prefix}received_at__gte": lo, f"{prefix}received_at__lt": hi})


def _counted(periods: Sequence[Period]) -> QuerySet:
    """Manifests that count, restricted to the span of `periods` (the received_at index)."""
    span = (min(p[0] for p in periods), max(p[1] for p in periods))
    return Manifest.objects.filter(status__in=COUNTED, counted_final=True).filter(_in(span, ""))


def counted_manifests(start: dt.date, end: dt.date, *, hazardous: bool | None = None) -> QuerySet:
    qs = Manifest.objects.filter(status__in=COUNTED, counted_final=True).filter(
        _in((start, end), "")
    )
    if hazardous is True:
        qs = qs.filter(accepted_hazardous_kg__gt=0)
    elif hazardous is False:
        qs = qs.filter(accepted_other_kg__gt=0)
    return qs.select_related("generator", "processor", "operation", "final_operation").order_by(
        "received_at", "pk"
    )


def _tonnes(periods: Sequence[Period], hazardous: bool) -> list[Decimal | None]:
    column = "accepted_hazardous_kg" if hazardous else "accepted_other_kg"
    agg = _counted(periods).aggregate(
        **{f"p{i}": Sum(column, filter=_in(p, "")) for i, p in enumerate(periods)}
    )
    return [(agg[f"p{i}"] or Decimal(0)) / KG_PER_MILLION_TONNES for i in range(len(periods))]


COLUMNS = (
    ("generator", _("generator")),
    ("processor", _("processor")),
    ("final_operation", _("operation applied")),
    ("received_at", _("received")),
)


@metric(
    "waste.hazardous_tonnes_managed",
    label=_("Hazardous industrial waste entering proper management (million t)"),
    unit="million_tonnes_per_year",
    accumulation="cumulative",
    description=_(
        "Accepted quantity of hazardous lines on manifests received in the period by a "
        "processor for a final operation (R1-R11, D1-D12); storage and regrouping are followed "
        "to the final operation and counted once."
    ),
    records=lambda start, end: counted_manifests(start, end, hazardous=True),
    columns=COLUMNS,
)
def hazardous_tonnes_managed(periods: Sequence[Period]) -> list[Decimal | None]:
    return _tonnes(periods, True)


@metric(
    "waste.nonhazardous_tonnes_managed",
    label=_("Non-hazardous industrial waste entering proper management (million t)"),
    unit="million_tonnes_per_year",
    accumulation="cumulative",
    description=_("As for hazardous waste, for lines whose code is not hazardous."),
    records=lambda start, end: counted_manifests(start, end, hazardous=False),
    columns=COLUMNS,
)
def nonhazardous_tonnes_managed(periods: Sequence[Period]) -> list[Decimal | None]:
    return _tonnes(periods, False)


@metric(
    "waste.utilisation_rate",
    label=_("Industrial waste utilisation rate (%)"),
    unit="percent",
    accumulation="level",
    description=_(
        "Accepted quantity whose final operation is recovery (R1-R11), as a percentage of all "
        "accepted quantity with a final operation, received in the period."
    ),
    records=lambda start, end: counted_manifests(start, end),
    columns=COLUMNS,
)
def utilisation_rate(periods: Sequence[Period]) -> list[Decimal | None]:
    total = F("accepted_hazardous_kg") + F("accepted_other_kg")
    aggregates = {}
    for i, p in enumerate(periods):
        aggregates[f"all{i}"] = Sum(total, filter=_in(p, ""))
        aggregates[f"rec{i}"] = Sum(total, filter=_in(p, "") & Q(counted_recovery=True))
    agg = _counted(periods).aggregate(**aggregates)
    out: list[Decimal | None] = []
    for i in range(len(periods)):
        all_kg = agg[f"all{i}"]
        out.append(None if not all_kg else (agg[f"rec{i}"] or Decimal(0)) * 100 / all_kg)
    return out


def indicators(period: Period) -> dict[str, Decimal | None]:
    """The three metrics above for one period, in one aggregate (for the waste dashboard)."""
    total = F("accepted_hazardous_kg") + F("accepted_other_kg")
    agg = _counted([period]).aggregate(
        h=Sum("accepted_hazardous_kg"),
        o=Sum("accepted_other_kg"),
        all=Sum(total),
        rec=Sum(total, filter=Q(counted_recovery=True)),
    )
    return {
        "waste.hazardous_tonnes_managed": (agg["h"] or Decimal(0)) / KG_PER_MILLION_TONNES,
        "waste.nonhazardous_tonnes_managed": (agg["o"] or Decimal(0)) / KG_PER_MILLION_TONNES,
        "waste.utilisation_rate": None
        if not agg["all"]
        else (agg["rec"] or Decimal(0)) * 100 / agg["all"],
    }
