"""Metrics of the factory register that the action plan may bind KPIs to (see core.metrics)."""

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from rongngan.core.metrics import Period, metric
from rongngan.registry.models import Factory, Machine


def _in_span(periods: Sequence[Period]) -> QuerySet:
    """Machines registered within the span of `periods` (the aggregates then filter each)."""
    return Machine.objects.filter(
        registered_on__range=(min(p[0] for p in periods), max(p[1] for p in periods))
    )


def _factories_with_machines_registered(start: date, end: date) -> QuerySet:
    return (
        Factory.objects.filter(machines__registered_on__range=(start, end))
        .distinct()
        .select_related("province")
        .order_by("registration_no")
    )


@metric(
    "registry.factories_with_machines_registered",
    label=_("Factories that registered machinery in the period"),
    unit="count",
    accumulation="cumulative",
    description=_(
        "Distinct factories with at least one machine whose registration date (Machinery "
        "Registration Act) falls in the period."
    ),
    records=_factories_with_machines_registered,
    columns=(("registration_no", _("registration number")), ("province", _("province"))),
)
def factories_with_machines_registered(periods: Sequence[Period]) -> list[Decimal | None]:
    agg = _in_span(periods).aggregate(
        **{
            f"p{i}": Count("factory", distinct=True, filter=Q(registered_on__range=p))
            for i, p in enumerate(periods)
        }
    )
    return [Decimal(agg[f"p{i}"]) for i in range(len(periods))]


def _machines_registered(start: date, end: date) -> QuerySet:
    return (
        Machine.objects.filter(registered_on__range=(start, end))
        .select_related("factory")
        .order_by("registered_on", "pk")
    )


@metric(
    "registry.machines_registered",
    label=_("Machines registered in the period"),
    unit="count",
    accumulation="cumulative",
    description=_("Machines whose registration date falls in the period."),
    records=_machines_registered,
    columns=(("registration_no", _("machine registration number")), ("factory", _("factory"))),
)
def machines_registered(periods: Sequence[Period]) -> list[Decimal | None]:
    agg = _in_span(periods).aggregate(
        **{f"p{i}": Count("pk", filter=Q(registered_on__range=p)) for i, p in enumerate(periods)}
    )
    return [Decimal(agg[f"p{i}"]) for i in range(len(periods))]
