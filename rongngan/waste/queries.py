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


LANDFILL = ("D1", "D5", "D12")


def operation_options(codes: set[str], on: dt.date | None = None) -> dict[str, list[dict]]:
    """For each code, the operations some processor is permitted for today, recovery first
    (the 3Rs: recovery R1-R11 preferred over disposal), with how many processors offer each."""
    from django.db.models import Count

    from rongngan.waste.models import Operation

    on = on or timezone.localdate()
    ops = {o.code: o for o in Operation.objects.all()}
    rows = (
        ProcessorPermit.objects.filter(waste_code_id__in=codes, valid_from__lte=on)
        .exclude(valid_until__lt=on)
        .values("waste_code_id", "operation_id")
        .annotate(processors=Count("processor", distinct=True))
    )
    out: dict[str, list[dict]] = {}
    for row in rows:
        op = ops[row["operation_id"]]
        out.setdefault(row["waste_code_id"], []).append(
            {"operation": op, "processors": row["processors"], "preferred": op.is_utilisation}
        )
    for items in out.values():
        items.sort(key=lambda i: (not i["preferred"], i["operation"].sort))
    return out


def landfill_share(factories: Any) -> list[dict]:
    """Per fiscal year, the accepted tonnes of these generators' waste and the share that went
    to land disposal (D1, D5, D12): the P10 zero-waste-to-landfill indicator."""
    from django.db.models import Case, DecimalField, F, Value, When
    from django.db.models.functions import Coalesce, TruncMonth

    total = F("accepted_hazardous_kg") + F("accepted_other_kg")
    rows = (
        Manifest.objects.filter(generator__in=factories, status__in=COUNTED)
        .annotate(
            month=TruncMonth("received_at"), op=Coalesce("final_operation_id", "operation_id")
        )
        .values("month")
        .annotate(
            kg=Sum(total),
            landfill=Sum(
                Case(
                    When(op__in=LANDFILL, then=total),
                    default=Value(0),
                    output_field=DecimalField(max_digits=18, decimal_places=4),
                )
            ),
        )
    )
    years: dict[int, dict] = {}
    for row in rows:
        if row["month"] is None:
            continue
        month = row["month"]
        y = fiscal_year(
            timezone.localtime(month).date() if isinstance(month, dt.datetime) else month
        )
        entry = years.setdefault(y, {"year": y, "kg": 0, "landfill": 0})
        entry["kg"] += row["kg"] or 0
        entry["landfill"] += row["landfill"] or 0
    out = []
    for y in sorted(years):
        e = years[y]
        e["share"] = (e["landfill"] * 100 / e["kg"]) if e["kg"] else None
        e["tonnes"], e["landfill_tonnes"] = e["kg"] / 1000, e["landfill"] / 1000
        out.append(e)
    return out
