"""Reads about industrial waste, scoped by who is asking (core.scoping holds the rules).

A manifest is seen by the parties on it (generator, each transporter, processor), by officers
and committee members nationally, by provincial officers and local governments for manifests
leaving or entering a factory in their area, and by inspectors for factories of their cases.
The public sees the processor listing only.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from rongngan.core.scoping import NATIONAL_READ, factory_q, role_of, scope_factories
from rongngan.core.thai import fiscal_year, fiscal_year_bounds
from rongngan.registry.models import Factory
from rongngan.waste.metrics import COUNTED, bounds
from rongngan.waste.models import (
    Alert,
    AnnualReport,
    Approval,
    GenerationRecord,
    Manifest,
    ManifestLine,
    ManifestTransporter,
    ProcessorAssessment,
    ProcessorPermit,
    StoragePermission,
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
    m = manifests_for_user(user).filter(pk=pk).first() if str(pk).isdecimal() else None
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
            manifest__is_return=False,
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


# --------------------------------------------------------------------------------------------
# Waste held at the generator: its monthly log against what left on manifests

# Manifests that took waste out of the generator's premises: signed by the first transporter and
# not cancelled. A manifest linked to an earlier one (`previous`, see services.onward_kind)
# carries on either a refused part, which left already on the earlier manifest, or waste a store
# received, which is in no log of the store's: neither is shipped from a stream a second time.
# Waste that came back on a return manifest is held again (`_returned_kg`), so the manifest that
# sends it on (`previous` is the return) ships it anew.
_NOT_LEFT = [Manifest.Status.DRAFT, Manifest.Status.SCHEDULED, Manifest.Status.CANCELLED]


def ships_from_stream(prefix: str = "") -> Q:
    """Manifests whose waste leaves its generator's stock (the dashboard's shipments too)."""
    return Q(**{f"{prefix}previous__isnull": True}) | Q(**{f"{prefix}previous__is_return": True})


def _shipped_kg(stream_ids: list[int], lo: dt.datetime | None, hi: dt.datetime) -> dict[int, Any]:
    lines = (
        ManifestLine.objects.filter(
            manifest__approval__stream_id__in=stream_ids,
            manifest__shipped_at__lt=hi,
        )
        .filter(ships_from_stream("manifest__"))
        .exclude(manifest__status__in=_NOT_LEFT)
    )
    if lo is not None:
        lines = lines.filter(manifest__shipped_at__gte=lo)
    return {
        row["manifest__approval__stream_id"]: row["kg"]
        for row in lines.values("manifest__approval__stream_id").annotate(kg=Sum("quantity_kg"))
    }


def _returned_kg(stream_ids: list[int], lo: dt.datetime | None, hi: dt.datetime) -> dict[int, Any]:
    """Refused waste received back by its generator (return manifests), by stream."""
    lines = ManifestLine.objects.filter(
        manifest__is_return=True,
        manifest__approval__stream_id__in=stream_ids,
        manifest__received_at__lt=hi,
        received_kg__isnull=False,
    )
    if lo is not None:
        lines = lines.filter(manifest__received_at__gte=lo)
    return {
        row["manifest__approval__stream_id"]: row["kg"]
        for row in lines.values("manifest__approval__stream_id").annotate(kg=Sum("received_kg"))
    }


def _left_kg(stream_ids: list[int], lo: dt.datetime | None, hi: dt.datetime) -> dict[int, Any]:
    """What left the generator for good in the period: shipped less what came back."""
    shipped = _shipped_kg(stream_ids, lo, hi)
    for stream_id, kg in _returned_kg(stream_ids, lo, hi).items():
        shipped[stream_id] = (shipped.get(stream_id) or 0) - kg
    return shipped


def _generated_kg(stream_ids: list[int], lo: dt.date | None, hi: dt.date) -> dict[int, Any]:
    records = GenerationRecord.objects.filter(
        stream_id__in=stream_ids, is_current=True, month__lt=hi
    )
    if lo is not None:
        records = records.filter(month__gte=lo)
    return {
        row["stream_id"]: row["kg"]
        for row in records.values("stream_id").annotate(kg=Sum("quantity_kg"))
    }


def mass_balance(streams: QuerySet[WasteStream], year: int) -> list[dict[str, Any]]:
    """Per stream for calendar year `year`: held on 1 January, generated, shipped (less what
    came back on return manifests), held on 31 December (opening + generated - shipped), and
    what the processors accepted of it.

    A negative holding means more left on manifests than the log says was made: the log is
    incomplete, and the row is flagged rather than clipped.
    """
    rows = list(streams.select_related("waste_code", "generator").order_by("generator", "pk"))
    ids = [s.pk for s in rows]
    first, next_first = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    lo, hi = bounds(first, dt.date(year, 12, 31))
    gen_before = _generated_kg(ids, None, first)
    gen_in = _generated_kg(ids, first, next_first)
    ship_before = _left_kg(ids, None, lo)
    ship_in = _left_kg(ids, lo, hi)
    accepted = {
        row["manifest__approval__stream_id"]: row["kg"]
        for row in ManifestLine.objects.filter(
            manifest__approval__stream_id__in=ids,
            manifest__is_return=False,
            manifest__shipped_at__gte=lo,
            manifest__shipped_at__lt=hi,
            accepted_kg__isnull=False,
        )
        .values("manifest__approval__stream_id")
        .annotate(kg=Sum("accepted_kg"))
    }
    zero = Decimal(0)
    out = []
    for s in rows:
        opening = (gen_before.get(s.pk) or zero) - (ship_before.get(s.pk) or zero)
        generated = gen_in.get(s.pk) or zero
        shipped = ship_in.get(s.pk) or zero
        closing = opening + generated - shipped
        out.append(
            {
                "stream": s,
                "stream_id": s.pk,
                "generator_id": s.generator_id,
                "waste_code": s.waste_code.display,
                "description": s.description,
                "hazardous": s.hazardous,
                "opening_kg": opening,
                "generated_kg": generated,
                "shipped_kg": shipped,
                "closing_kg": closing,
                "accepted_kg": accepted.get(s.pk) or zero,
                "incomplete_log": closing < 0 or opening < 0,
            }
        )
    return out


def held_since(stream_ids: list[int], today: dt.date) -> dict[int, tuple[Decimal, dt.date]]:
    """For each stream still holding waste today: the quantity held and the day its oldest part
    was made at the latest (the last day of the month it was logged in, so that nothing is
    called overdue early, or today for the month under way: never a day to come). Shipments
    take the oldest waste first."""
    shipped = _left_kg(stream_ids, None, bounds(today, today)[1])
    held: dict[int, tuple[Decimal, dt.date]] = {}
    current: int | None = None
    remaining = Decimal(0)
    cumulative = Decimal(0)
    oldest: dt.date | None = None
    records = (
        GenerationRecord.objects.filter(stream_id__in=stream_ids, is_current=True, month__lte=today)
        .order_by("stream_id", "month")
        .values_list("stream_id", "month", "quantity_kg")
    )

    def close() -> None:
        if current is not None and oldest is not None and cumulative > 0:
            held[current] = (cumulative, oldest)

    for stream_id, month, kg in records.iterator(chunk_size=5000):
        if stream_id != current:
            close()
            current, remaining, cumulative, oldest = stream_id, shipped.get(stream_id) or 0, 0, None
        # The part of this month's waste not yet covered by shipments is still held.
        covered = min(remaining, kg)
        remaining -= covered
        left = kg - covered
        if left > 0:
            cumulative += left
            if oldest is None:
                oldest = min(_month_end(month), today)
    close()
    return held


def _month_end(month: dt.date) -> dt.date:
    following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def storage_permitted(stream_ids: list[int], on: dt.date) -> set[int]:
    return set(
        StoragePermission.objects.filter(stream_id__in=stream_ids, valid_until__gte=on).values_list(
            "stream_id", flat=True
        )
    )


# Who sees the officers' waste dashboard and its parts (page and API).
DASHBOARD_ROLES = {"admin", "officer", "provincial_officer", "committee"}


def capacity_warning() -> Decimal:
    """The share of a permit's yearly capacity from which it is listed as near capacity."""
    return Decimal(str(getattr(settings, "WASTE_CAPACITY_WARNING", "0.8")))


def capacity_use(year: int, *, share: Decimal) -> list[dict[str, Any]]:
    """Processors' permits whose accepted tonnes in calendar year `year` (by the operation
    applied, or planned until recorded) reach `share` of the permitted yearly capacity."""
    lo, hi = bounds(dt.date(year, 1, 1), dt.date(year, 12, 31))
    permits = list(
        ProcessorPermit.objects.filter(capacity_tonnes__gt=0, valid_from__lte=dt.date(year, 12, 31))
        .exclude(valid_until__lt=dt.date(year, 1, 1))
        .select_related("processor", "processor__province", "waste_code", "operation")
    )
    if not permits:
        return []
    used = {
        (r["manifest__processor_id"], r["code"], r["op"]): r["kg"]
        for r in ManifestLine.objects.filter(
            manifest__processor_id__in={p.processor_id for p in permits},
            manifest__is_return=False,
            manifest__received_at__gte=lo,
            manifest__received_at__lt=hi,
            accepted_kg__gt=0,
        )
        .annotate(
            code=Coalesce("received_code_id", "waste_code_id"),
            op=Coalesce("manifest__final_operation_id", "manifest__operation_id"),
        )
        .values("manifest__processor_id", "code", "op")
        .annotate(kg=Sum("accepted_kg"))
    }
    out = []
    for p in permits:
        tonnes = (used.get((p.processor_id, p.waste_code_id, p.operation_id)) or 0) / 1000
        ratio = Decimal(tonnes) / p.capacity_tonnes
        if ratio >= share:
            out.append({"permit": p, "tonnes": Decimal(tonnes), "share": ratio})
    out.sort(key=lambda r: -r["share"])
    return out


def annual_reports_for_user(user: Any) -> QuerySet[AnnualReport]:
    return scope_factories(
        AnnualReport.objects.select_related("generator", "submitted_by"), user, path="generator__"
    )


def alerts_for_user(user: Any) -> QuerySet[Alert]:
    """Open and closed clock alerts: national roles see all, provincial officers and local
    governments their province's, operators their own factories' (manifest, stream or report)."""
    qs = Alert.objects.select_related("manifest", "stream__waste_code", "factory", "province")
    role = role_of(user)
    if role in NATIONAL_READ:
        return qs
    if role in ("provincial_officer", "local_gov"):
        return qs.filter(province_id=user.province_id)
    if role == "operator" and user.organisation_id:
        return qs.filter(
            Q(factory__operator_id=user.organisation_id)
            | Q(manifest__generator__operator_id=user.organisation_id)
        )
    return qs.none()
