"""Reads about industrial waste, scoped by who is asking (core.scoping holds the rules).

A manifest is seen by the parties on it (generator, each transporter, processor), by officers
and committee members nationally, by provincial officers and local governments for manifests
leaving or entering a factory in their area, and by inspectors for factories of their cases.
The public sees the processor listing only.
"""

import datetime as dt
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery, Sum
from django.http import Http404
from django.utils import timezone

from rongngan.core.scoping import NATIONAL_READ, factory_q, role_of, scope_factories
from rongngan.core.thai import fiscal_year, fiscal_year_bounds
from rongngan.registry.models import Factory
from rongngan.waste.metrics import COUNTED, bounds
from rongngan.waste.models import (
    Approval,
    Manifest,
    ManifestLine,
    ManifestTransporter,
    ProcessorAssessment,
    ProcessorPermit,
    WasteStream,
)


def manifests_for_user(user: Any) -> QuerySet[Manifest]:
    qs = Manifest.objects.select_related("generator", "processor", "operation", "final_operation")
    role = role_of(user)
    if role in NATIONAL_READ:
        return qs
    if role == "public":
        return qs.none()
    # Subqueries of the factories in reach, so that joins through inspector assignments
    # cannot repeat a manifest.
    reach = scope_factories(Factory.objects.all(), user).values("pk")
    q = Q(generator_id__in=reach) | Q(processor_id__in=reach)
    if role == "operator" and user.organisation_id:
        q |= Q(
            Exists(
                ManifestTransporter.objects.filter(
                    manifest=OuterRef("pk"), transporter_id=user.organisation_id
                )
            )
        )
    return qs.filter(q)


def manifest_for_user(user: Any, pk: Any) -> Manifest:
    m = manifests_for_user(user).filter(pk=pk).first() if str(pk).isdigit() else None
    if m is None:
        raise Http404("no such manifest")
    return m


def manifests_by_view(user: Any, view: str) -> QuerySet[Manifest]:
    """A party's own list: as generator, transporter or processor."""
    qs = manifests_for_user(user)
    org = getattr(user, "organisation_id", None)
    if view == "generator":
        return qs.filter(generator__operator_id=org)
    if view == "processor":
        return qs.filter(processor__operator_id=org)
    if view == "transporter":
        return qs.filter(transporters__transporter_id=org).distinct()
    return qs


def streams_for_user(user: Any) -> QuerySet[WasteStream]:
    qs = WasteStream.objects.select_related("generator", "waste_code")
    if role_of(user) == "public":
        return qs.none()
    q = factory_q(user, path="generator__")
    return qs if q is None else qs.filter(q)


def approvals_for_user(user: Any) -> QuerySet[Approval]:
    qs = Approval.objects.select_related(
        "stream__generator", "stream__waste_code", "processor", "operation"
    )
    if role_of(user) == "public":
        return qs.none()
    if factory_q(user) is None:
        return qs
    reach = scope_factories(Factory.objects.all(), user).values("pk")
    return qs.filter(Q(stream__generator_id__in=reach) | Q(processor_id__in=reach))


def processors(
    *, province: str = "", code: str = "", operation: str = "", on: dt.date | None = None
) -> QuerySet[Factory]:
    """Waste processors with a permit valid on `on`: the public listing.

    Annotated with this fiscal year's accepted tonnes and the latest assessment mark.
    """
    on = on or timezone.localdate()
    permits = ProcessorPermit.objects.filter(valid_from__lte=on).exclude(valid_until__lt=on)
    if code:
        permits = permits.filter(waste_code_id=code)
    if operation:
        permits = permits.filter(operation_id=operation)
    start, end = bounds(*fiscal_year_bounds(fiscal_year(on)))
    received = (
        ManifestLine.objects.filter(
            manifest__processor=OuterRef("pk"),
            manifest__status__in=COUNTED,
            manifest__received_at__gte=start,
            manifest__received_at__lt=end,
        )
        .values("manifest__processor")
        .annotate(total=Sum("accepted_kg"))
        .values("total")
    )
    latest = ProcessorAssessment.objects.filter(processor=OuterRef("pk")).order_by("-year")
    qs = (
        Factory.objects.filter(Exists(permits.filter(processor=OuterRef("pk"))))
        .select_related("province", "district")
        .annotate(
            received_kg=Subquery(received),
            mark=Subquery(latest.values("mark")[:1]),
            mark_year=Subquery(latest.values("year")[:1]),
        )
        .order_by("province_id", "name_th")
    )
    if province:
        qs = qs.filter(province_id=province)
    return qs


def permits_of(processor: Factory, on: dt.date | None = None) -> QuerySet[ProcessorPermit]:
    on = on or timezone.localdate()
    return (
        ProcessorPermit.objects.filter(processor=processor, valid_from__lte=on)
        .exclude(valid_until__lt=on)
        .select_related("waste_code", "operation")
        .order_by("waste_code_id", "operation__sort")
    )
