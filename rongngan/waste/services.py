"""Every write about industrial waste: validated first, one transaction, an audit entry each.

Parties act only for themselves: a generator's or processor's operator users for their factory,
a transporter's users for their company. Officers decide approvals and resolve discrepancies.
"""

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NoReturn

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from rongngan.accounts.models import Organisation
from rongngan.core import audit
from rongngan.core.display import lazy_be_date, lazy_be_moment
from rongngan.core.errors import Problem, RongnganValidationError
from rongngan.core.reader import MESSAGES, Reader, decimal_places
from rongngan.core.scoping import NATIONAL_WRITE, role_of
from rongngan.core.thai import BE_OFFSET, be_year, to_arabic_digits
from rongngan.registry.models import Factory
from rongngan.waste import queries
from rongngan.waste.codes import normalize_code, normalize_operation
from rongngan.waste.display import lazy_be_month
from rongngan.waste.models import (
    KG_PER_TONNE,
    QTY,
    Alert,
    AnnualReport,
    Approval,
    Correction,
    GenerationRecord,
    Manifest,
    ManifestLine,
    ManifestTransporter,
    ManifestVersion,
    NumberSeries,
    Operation,
    ProcessorPermit,
    Signature,
    StoragePermission,
    Unit,
    WasteCode,
    WasteStream,
)

MSG = {
    **MESSAGES,
    "bad_code": _("“%(value)s” is not a waste code (six digits, e.g. 16 06 01)."),
    "unknown_code": _("Waste code %(value)s is not in the List of Waste."),
    "not_an_entry": _("%(value)s is a chapter or sub-chapter heading, not a waste entry."),
    "bad_operation": _("“%(value)s” is not a recovery or disposal operation (R1-R13, D1-D15)."),
    "hazard_fixed": _("Code %(value)s is always %(kind)s; it cannot be declared otherwise."),
    "not_a_processor": _("This factory holds no waste permit."),
    "processor_not_permitted": _(
        "The processor is not permitted to receive %(waste)s for operation %(operation)s."
    ),
    "approval_not_valid": _("The removal approval is not approved or has expired."),
    "approval_expired": _(
        "The removal approval expired on %(date)s: ask for a new one before sending this waste."
    ),
    "approval_other_generator": _("The approval belongs to another factory's waste stream."),
    "unknown_transporter": _("Unknown waste transporter “%(value)s”."),
    "no_transporter": _("Name at least one transporter."),
    "no_lines": _("Add at least one waste line."),
    "density_required": _("Give the density (kg/L) to convert litres or cubic metres."),
    "unit": _("Unit must be kg, t, L or m3."),
    "mass_unit": _("Unit must be kg or t."),
    "too_many_decimals": _("Give at most %(places)s decimal places."),
    "containers_or_bulk": _("Give the container type and count, or mark the line as bulk."),
    "reason_required": _("Give a reason."),
    "not_draft": _("Only a draft can be deleted; this manifest is %(status)s."),
    "not_editable": _("A signed manifest is never edited; open a correction instead."),
    "out_of_order": _("It is not this party's turn to sign: the manifest is %(status)s."),
    "already_signed": _(
        "This party has already signed this manifest; the next signature is another party's "
        "(the manifest is %(status)s)."
    ),
    "not_cancellable": _(
        "Only a manifest the generator has signed and no transporter has yet taken can be "
        "cancelled: this one is %(status)s."
    ),
    "not_party": _("You do not act for the party that signs this step."),
    "before_previous": _("A signature cannot be dated before the previous one (%(previous)s)."),
    "in_future": _("A signature cannot be dated in the future."),
    "bad_datetime": _("Give a date and time (ISO 8601)."),
    "open_correction": _("A correction is already open on this manifest."),
    "not_signed": _("Only a signed manifest is corrected; edit the draft instead."),
    "unknown_field": _("“%(value)s” cannot be corrected."),
    "unknown_line": _("The manifest has no line %(value)s."),
    "refused_too_much": _("The refused quantity is more than what was received."),
    "nothing_refused": _("Nothing was refused on this manifest."),
    "no_discrepancy": _("This manifest has no open discrepancy."),
    "not_final_yet": _("Record the receipt first."),
    "decided": _("This request has already been decided."),
    "bad_previous": _(
        "The earlier manifest does not exist, or this factory was neither its generator nor its "
        "processor."
    ),
    "already_rerouted": _("The refused part has already been sent on (manifest %(number)s)."),
    "previous_not_onward": _(
        "Manifest %(number)s carries nothing on to this one: a manifest is linked to an earlier "
        "one only to send on its refused part, waste returned to this factory, or waste this "
        "factory received for storage (R12, R13, D13-D15)."
    ),
    "duplicate_line": _("Line %(value)s is given twice."),
    "past_date": _("The date cannot be in the past."),
    "bad_month": _("Give a month as YYYY-MM."),
    "invalid_year": _(
        "The year %(value)s is out of range (give a C.E. year such as 2025 or a B.E. "
        "year such as 2568)."
    ),
    "future_month": _("A month that has not begun cannot be logged."),
    "month_logged": _(
        "%(month)s is already logged for this stream; correct that record instead, with a reason."
    ),
    "not_current": _("This record has already been corrected."),
    "year_not_over": _("A year is reported once it is over: %(year)s has not ended."),
    "bad_year": _("Give a year (C.E., e.g. 2025)."),
    "return_not_processed": _(
        "Waste returned to its generator is not treated on the return manifest; the generator "
        "sends it for treatment on a new one."
    ),
    "no_streams": _("The factory has no registered waste streams to report."),
}


@dataclass
class Outcome:
    """A write's result with its warnings (saved, shown, not errors)."""

    obj: Any
    warnings: list[Problem] = field(default_factory=list)


PLACES = QTY["decimal_places"]
ONE_PLACE = Decimal(1).scaleb(-PLACES)


class _Form(Reader):
    """Waste fields: quantities are never below zero unless told, codes and operations are
    read in any accepted spelling."""

    def __init__(self, data: Mapping[str, Any], prefix: str = "") -> None:
        super().__init__(data, MSG, prefix)

    def decimal(  # type: ignore[override]
        self, name: str, *, required: bool = True, positive: bool = False
    ) -> Decimal | None:
        value = super().decimal(
            name, required=required, sign="positive" if positive else "non_negative"
        )
        # Every quantity column (and the density) holds PLACES decimals: more would be rounded
        # away silently by the database while the figures computed from them kept them.
        if value is not None and decimal_places(value) > PLACES:
            self.problem(name, "too_many_decimals", places=PLACES)
            return None
        return value

    def code(self, name: str) -> WasteCode | None:
        raw = self.text(name, required=True)
        if not raw:
            return None
        try:
            code = normalize_code(raw)
        except ValueError:
            self.problem(name, "bad_code", value=raw)
            return None
        obj = WasteCode.objects.filter(code=code).first()
        if obj is None:
            self.problem(name, "unknown_code", value=code)
        elif obj.level != WasteCode.Level.ENTRY:
            self.problem(name, "not_an_entry", value=obj.display)
            return None
        return obj

    def operation(self, name: str) -> Operation | None:
        raw = self.text(name, required=True)
        if not raw:
            return None
        try:
            obj = Operation.objects.filter(code=normalize_operation(raw)).first()
        except ValueError:
            obj = None
        if obj is None:
            self.problem(name, "bad_operation", value=raw)
        return obj

    def when(self, name: str) -> dt.datetime | None:
        raw = self.data.get(name)
        if raw in (None, ""):
            return None
        if isinstance(raw, dt.datetime):
            value = raw
        else:
            value = parse_datetime(str(raw))
            if value is None:
                self.problem(name, "bad_datetime")
                return None
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value


def to_kg(quantity: Decimal, unit: str, density: Decimal | None) -> Decimal:
    """Exact conversion to kilograms; litres and cubic metres need a density in kg/L."""
    if unit == Unit.KG:
        return quantity
    if unit == Unit.T:
        return quantity * KG_PER_TONNE
    if density is None:
        raise ValueError("density required")
    litres = quantity if unit == Unit.L else quantity * 1000
    # A volume times a density may have more decimals than a kilogram column holds: rounded
    # here, so what is compared and what is stored are the same figure.
    return (litres * density).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


# --------------------------------------------------------------------------------------------
# Who acts for whom


def acts_for_factory(user: Any, factory: Factory) -> bool:
    return (
        role_of(user) == "operator"
        and factory.operator_id is not None
        and user.organisation_id == factory.operator_id
    )


def acts_for_org(user: Any, org: Organisation) -> bool:
    return role_of(user) == "operator" and user.organisation_id == org.pk


def is_officer_for(user: Any, factory: Factory) -> bool:
    role = role_of(user)
    return role in NATIONAL_WRITE or (
        role == "provincial_officer" and user.province_id == factory.province_id
    )


def permitted(processor: Factory, code: WasteCode, operation: Operation, on: dt.date) -> bool:
    return (
        ProcessorPermit.objects.filter(
            processor=processor, waste_code=code, operation=operation, valid_from__lte=on
        )
        .exclude(valid_until__lt=on)
        .exists()
    )


# --------------------------------------------------------------------------------------------
# Streams and approvals


@transaction.atomic
def stream_register(
    *, acting_user: Any, generator: Factory, data: Mapping[str, Any]
) -> WasteStream:
    if not (acts_for_factory(acting_user, generator) or is_officer_for(acting_user, generator)):
        raise PermissionError("not allowed to register this factory's waste")
    f = _Form(data)
    code = f.code("waste_code")
    description = f.text("description", required=True)
    expected = f.decimal("expected_tonnes")
    declared = data.get("hazardous")
    hazardous = None
    if code is not None:
        if code.hazard == WasteCode.Hazard.ABSOLUTE or (not code.hazard and not code.mirror_of):
            hazardous = code.hazardous
            if declared not in (None, "") and _bool(declared) != hazardous:
                kind = _("hazardous") if hazardous else _("non-hazardous")
                f.problem("hazardous", "hazard_fixed", value=code.display, kind=kind)
        else:
            # A mirror pair: the code itself says which side was assessed.
            hazardous = code.hazardous
    f.check()
    stream = WasteStream.objects.create(
        generator=generator,
        waste_code=code,
        description=description,
        hazardous=hazardous,
        expected_tonnes=expected,
        created_by=acting_user,
    )
    audit.record(
        actor=acting_user,
        action="create",
        obj=stream,
        changes=audit.snapshot(
            stream, ["waste_code", "description", "hazardous", "expected_tonnes"]
        ),
    )
    return stream


def one_year_after(day: dt.date) -> dt.date:
    """The same day a year later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def _bool(value: Any) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "on")


@transaction.atomic
def approval_request(*, acting_user: Any, stream: WasteStream, data: Mapping[str, Any]) -> Approval:
    if not acts_for_factory(acting_user, stream.generator):
        raise PermissionError("only the generator asks for approval")
    f = _Form(data)
    operation = f.operation("operation")
    quantity = f.decimal("quantity_tonnes", positive=True)
    ref = f.text("processor", required=True)
    processor = Factory.objects.filter(pk=ref).first() if ref.isdecimal() else None
    if ref and processor is None:
        f.problem("processor", "not_a_processor")
    elif processor is not None and operation is not None:
        if not ProcessorPermit.objects.filter(processor=processor).exists():
            f.problem("processor", "not_a_processor")
        elif not permitted(processor, stream.waste_code, operation, timezone.localdate()):
            f.problem(
                "processor",
                "processor_not_permitted",
                waste=stream.waste_code.display,
                operation=operation.code,
            )
    f.check()
    approval = Approval.objects.create(
        stream=stream,
        processor=processor,
        operation=operation,
        quantity_tonnes=quantity,
        requested_by=acting_user,
    )
    audit.record(
        actor=acting_user,
        action="create",
        obj=approval,
        changes={
            "stream": stream.pk,
            "processor": processor.pk,
            "operation": operation.code,
            "quantity_tonnes": str(quantity),
        },
    )
    return approval


@transaction.atomic
def approval_decide(
    *,
    acting_user: Any,
    approval: Approval,
    approve: bool,
    reason: str = "",
    valid_until: dt.date | None = None,
) -> Approval:
    if not is_officer_for(acting_user, approval.stream.generator):
        raise PermissionError("only officers decide approvals")
    f = _Form({"reason": reason})
    if approval.status != Approval.Status.REQUESTED:
        f.problem(None, "decided")
    if not approve and not reason.strip():
        f.problem("reason", "reason_required")
    today = timezone.localdate()
    if valid_until is not None and valid_until < today:
        f.problem("valid_until", "past_date")
    f.check()
    approval.status = Approval.Status.APPROVED if approve else Approval.Status.REFUSED
    approval.reason = reason.strip()
    approval.decided_by = acting_user
    approval.decided_at = timezone.now()
    if approve:
        approval.valid_until = valid_until or one_year_after(today)
    approval.save()
    audit.record(
        actor=acting_user,
        action="status",
        obj=approval,
        changes={
            "status": ["requested", approval.status],
            "reason": approval.reason,
            "valid_until": approval.valid_until,
        },
    )
    return approval


# --------------------------------------------------------------------------------------------
# The generator's log, storage beyond 90 days and the annual report


FIRST_YEAR = 1990  # nothing the platform holds is older


def _month(f: _Form, name: str) -> dt.date | None:
    """A month as YYYY-MM; a B.E. year (2400 and above) is converted, and the year must lie
    between 1990 and next year (C.E.)."""
    raw = to_arabic_digits(f.text(name, required=True))
    if not raw:
        return None
    try:
        year, month = (int(part) for part in raw[:7].split("-"))
        if year >= 2400:
            year -= BE_OFFSET
        value = dt.date(year, month, 1)
    except (ValueError, TypeError):
        f.problem(name, "bad_month")
        return None
    today = timezone.localdate()
    if not FIRST_YEAR <= year <= today.year + 1:
        f.problem(name, "invalid_year", value=raw[:4])
        return None
    if value > today:
        f.problem(name, "future_month")
    return value


def _quantity_kg(f: _Form) -> Decimal | None:
    """The log's quantity in kilograms: the log is kept by mass, in kg or t (see the guide)."""
    quantity = f.decimal("quantity")
    unit = f.text("unit") or Unit.KG
    if unit not in (Unit.KG, Unit.T):
        f.problems.append(Problem("unit", "unit", MSG["mass_unit"]))
        return None
    if quantity is None:
        return None
    return quantity * KG_PER_TONNE if unit == Unit.T else quantity


@transaction.atomic
def generation_record(
    *, acting_user: Any, stream: WasteStream, data: Mapping[str, Any]
) -> GenerationRecord:
    """Logs what a stream produced in a month (quantity in kg or t)."""
    if not acts_for_factory(acting_user, stream.generator):
        raise PermissionError("only the generator logs its waste")
    f = _Form(data)
    month = _month(f, "month")
    kg = _quantity_kg(f)
    note = f.text("note")
    if (
        month
        and GenerationRecord.objects.filter(stream=stream, month=month, is_current=True).exists()
    ):
        f.problem("month", "month_logged", month=lazy_be_month(month))
    f.check()
    record = GenerationRecord.objects.create(
        stream=stream, month=month, quantity_kg=kg, note=note[:300], recorded_by=acting_user
    )
    audit.record(
        actor=acting_user,
        action="create",
        obj=record,
        changes={"stream": stream.pk, "month": f"{month:%Y-%m}", "quantity_kg": str(kg)},
    )
    return record


@transaction.atomic
def generation_correct(
    *, acting_user: Any, record: GenerationRecord, data: Mapping[str, Any]
) -> GenerationRecord:
    """Replaces a logged month by a new record with a reason; the old one is kept."""
    record = GenerationRecord.objects.select_for_update().get(pk=record.pk)
    if not acts_for_factory(acting_user, record.stream.generator):
        raise PermissionError("only the generator corrects its log")
    f = _Form(data)
    kg = _quantity_kg(f)
    reason = f.text("reason", required=True)
    if not record.is_current:
        f.problem(None, "not_current")
    f.check()
    record.is_current = False
    record.save(update_fields=["is_current"])
    new = GenerationRecord.objects.create(
        stream=record.stream,
        month=record.month,
        quantity_kg=kg,
        note=f.text("note")[:300] or record.note,
        replaces=record,
        reason=reason[:300],
        recorded_by=acting_user,
    )
    audit.record(
        actor=acting_user,
        action="correct",
        obj=new,
        changes={"quantity_kg": [str(record.quantity_kg), str(kg)], "replaces": record.pk},
        note=reason,
    )
    return new


@transaction.atomic
def storage_permit(
    *, acting_user: Any, stream: WasteStream, valid_until: Any, reason: str
) -> StoragePermission:
    """An officer allows a stream to be kept at the generator beyond 90 days, until a date."""
    if not is_officer_for(acting_user, stream.generator):
        raise PermissionError("only officers approve storage")
    f = _Form({"valid_until": valid_until, "reason": reason})
    reason = f.text("reason", required=True)
    until = valid_until
    if not isinstance(until, dt.date):
        raw = f.text("valid_until", required=True)
        try:
            until = dt.date.fromisoformat(raw) if raw else None
        except ValueError:
            f.problem("valid_until", "bad_datetime")
            until = None
    if until is not None and until < timezone.localdate():
        f.problem("valid_until", "past_date")
    f.check()
    permission = StoragePermission.objects.create(
        stream=stream, valid_until=until, reason=reason, granted_by=acting_user
    )
    audit.record(
        actor=acting_user,
        action="create",
        obj=permission,
        changes={"stream": stream.pk, "valid_until": until, "reason": reason},
    )
    return permission


@transaction.atomic
def annual_report_submit(
    *, acting_user: Any, generator: Factory, year: Any, note: str = ""
) -> AnnualReport:
    """Files the generator's report for a finished calendar year: the mass balance of each of
    its streams as computed now, with the generator's note. Filing again makes a new version."""
    if not acts_for_factory(acting_user, generator):
        raise PermissionError("only the generator files its annual report")
    f = _Form({"year": year, "note": note})
    try:
        year = int(str(year).strip())
    except ValueError:
        f.problem("year", "bad_year")
        year = None
    if year is not None and not 1990 <= year <= 2200:
        f.problem("year", "bad_year")
        year = None
    if year is not None and year >= timezone.localdate().year:
        f.problem("year", "year_not_over", year=year)
    streams = WasteStream.objects.filter(generator=generator)
    if not streams.exists():
        f.problem(None, "no_streams")
    f.check()
    rows = queries.mass_balance(streams, year)
    figures = [
        {
            k: (str(v.quantize(Decimal("0.0001"))) if isinstance(v, Decimal) else v)
            for k, v in row.items()
            if k not in ("stream", "generator_id")
        }
        for row in rows
    ]
    last = (
        AnnualReport.objects.select_for_update()
        .filter(generator=generator, year=year)
        .aggregate(m=Max("version"))["m"]
    )
    report = AnnualReport.objects.create(
        generator=generator,
        year=year,
        version=(last or 0) + 1,
        figures=figures,
        note=note.strip(),
        submitted_by=acting_user,
    )
    audit.record(
        actor=acting_user,
        action="create",
        obj=report,
        changes={"generator": generator.pk, "year": year, "version": report.version},
    )
    return report


# --------------------------------------------------------------------------------------------
# Manifests


def next_number(year_be: int) -> str:
    """WM<B.E. year>-<7 digits>, from a counter row locked for the transaction."""
    prefix = f"WM{year_be}-"
    series = NumberSeries.objects.select_for_update().filter(prefix=prefix).first()
    if series is None:
        # First manifest of the year on this server (or numbers written before the counter).
        last = Manifest.objects.filter(number__startswith=prefix).aggregate(m=Max("number"))["m"]
        series, _ = NumberSeries.objects.get_or_create(
            prefix=prefix, defaults={"last": int(last.rsplit("-", 1)[1]) if last else 0}
        )
        series = NumberSeries.objects.select_for_update().get(prefix=prefix)
    series.last += 1
    series.save(update_fields=["last"])
    return f"{prefix}{series.last:07d}"


def _lines(
    f: _Form,
    raw: Any,
    processor: Factory | None,
    operation: Operation | None,
    stream: WasteStream | None,
) -> tuple[list[dict[str, Any]], list[Problem]]:
    out: list[dict[str, Any]] = []
    warnings: list[Problem] = []
    if not raw:
        f.problem("lines", "no_lines")
        return out, warnings
    today = timezone.localdate()
    for i, item in enumerate(raw, start=1):
        lf = _Form(item or {}, prefix=f"lines[{i}].")
        code = lf.code("waste_code")
        quantity = lf.decimal("quantity", positive=True)
        unit = lf.text("unit", required=True)
        if unit and unit not in Unit.values:
            lf.problem("unit", "unit")
        density = lf.decimal("density", required=False, positive=True)
        if unit in (Unit.L, Unit.M3) and density is None:
            lf.problem("density", "density_required")
        bulk = _bool(item.get("bulk")) if item else False
        container_type = lf.text("container_type")
        count = None
        if not bulk:
            count = lf.decimal("container_count", required=False, positive=True)
            if count is not None and count != count.to_integral_value():
                lf.problem("container_count", "whole_number")
            if not container_type or count is None:
                lf.problem("container_count", "containers_or_bulk")
        if code and processor and operation and not permitted(processor, code, operation, today):
            lf.problem(
                "waste_code",
                "processor_not_permitted",
                waste=code.display,
                operation=operation.code,
            )
        f.problems.extend(lf.problems)
        if lf.problems:
            continue
        kg = to_kg(quantity, unit, density)
        if stream is not None and stream.expected_tonnes and kg > stream.expected_tonnes * 1000 / 4:
            warnings.append(
                Problem(
                    f"lines[{i}].quantity",
                    "far_above_usual",
                    _("%(kg)s kg is more than a quarter of the stream's expected %(t)s t a year."),
                    {"kg": f"{kg.normalize():f}", "t": f"{stream.expected_tonnes.normalize():f}"},
                )
            )
        out.append(
            {
                "number": i,
                "waste_code": code,
                "hazardous": stream.hazardous
                if stream and stream.waste_code == code
                else code.hazardous,
                "quantity": quantity,
                "unit": unit,
                "density": density,
                "quantity_kg": kg,
                "bulk": bulk,
                "container_type": container_type,
                "container_count": int(count) if count is not None else None,
            }
        )
    return out, warnings


def _transporters(f: _Form, raw: Any) -> list[tuple[Organisation, str]]:
    out = []
    if not raw:
        f.problem("transporters", "no_transporter")
        return out
    for i, item in enumerate(raw, start=1):
        item = item if isinstance(item, Mapping) else {"organisation": item}
        ref = str(item.get("organisation") or "").strip()
        org = (
            Organisation.objects.filter(kind=Organisation.Kind.WASTE_TRANSPORTER)
            .filter(**({"pk": ref} if ref.isdecimal() else {"code": ref}))
            .first()
            if ref
            else None
        )
        if org is None:
            f.problems.append(
                Problem(
                    f"transporters[{i}].organisation",
                    "unknown_transporter",
                    MSG["unknown_transporter"],
                    {"value": ref},
                )
            )
            continue
        out.append((org, str(item.get("vehicle") or "").strip()))
    return out


@transaction.atomic
def manifest_create(*, acting_user: Any, data: Mapping[str, Any]) -> Outcome:
    """A draft manifest for an approved stream: lines, ordered transporters, the processor."""
    f = _Form(data)
    ref = f.text("approval", required=True)
    approval = (
        Approval.objects.select_related("stream__generator", "processor", "operation")
        .filter(pk=ref)
        .first()
        if ref.isdecimal()
        else None
    )
    if ref and approval is None:
        f.problem("approval", "approval_not_valid")
    if approval is not None:
        if not acts_for_factory(acting_user, approval.stream.generator):
            raise PermissionError("only the generator creates its manifests")
        _check_approval(f, approval, timezone.localdate(), "approval")
    previous = None
    prev_ref = f.text("previous")
    if prev_ref:
        previous = Manifest.objects.filter(pk=prev_ref).first() if prev_ref.isdecimal() else None
        generator_id = approval.stream.generator_id if approval else None
        if previous is None or generator_id not in (previous.generator_id, previous.processor_id):
            f.problem("previous", "bad_previous")
        else:
            _check_previous(f, previous, generator_id)
    lines, warnings = _lines(
        f,
        data.get("lines"),
        approval.processor if approval else None,
        approval.operation if approval else None,
        approval.stream if approval else None,
    )
    transporters = _transporters(f, data.get("transporters"))
    f.check()
    manifest = Manifest.objects.create(
        number=next_number(be_year(timezone.localdate().year)),
        generator=approval.stream.generator,
        generator_province_id=approval.stream.generator.province_id,
        processor=approval.processor,
        approval=approval,
        operation=approval.operation,
        previous=previous,
        created_by=acting_user,
    )
    ManifestLine.objects.bulk_create(ManifestLine(manifest=manifest, **line) for line in lines)
    ManifestTransporter.objects.bulk_create(
        ManifestTransporter(manifest=manifest, order=i, transporter=org, vehicle=vehicle)
        for i, (org, vehicle) in enumerate(transporters, start=1)
    )
    audit.record(actor=acting_user, action="create", obj=manifest, changes=snapshot(manifest))
    return Outcome(manifest, warnings)


def _check_approval(f: _Form, approval: Approval, day: dt.date, name: str | None) -> None:
    """Waste leaves only under an approval valid on the day: an expired one is said so."""
    if approval.is_expired_on(day):
        f.problem(name, "approval_expired", date=lazy_be_date(approval.valid_until))
    elif not approval.is_valid_on(day):
        f.problem(name, "approval_not_valid")


def onward_kind(previous: Manifest, generator_id: int | None) -> str | None:
    """What a new manifest of `generator_id` linked to `previous` carries on, if anything:

    * "refused": the refused part of the generator's own earlier manifest (once);
    * "returned": waste the generator received back on a return manifest;
    * "stored": waste the generator received as a store (an intermediate operation: R12, R13,
      D13-D15), carried on to its final operation.
    """
    if previous.status in (Manifest.Status.DRAFT, Manifest.Status.CANCELLED):
        return None
    if previous.is_return:
        received = previous.received_at is not None
        return "returned" if received and previous.processor_id == generator_id else None
    if previous.generator_id == generator_id:
        return "refused" if previous.lines.filter(refused_kg__gt=0).exists() else None
    if previous.processor_id == generator_id and previous.received_at is not None:
        op = previous.final_operation or previous.operation
        return "stored" if not op.final else None
    return None


def _check_previous(f: _Form, previous: Manifest, generator_id: int | None) -> None:
    kind = onward_kind(previous, generator_id)
    if kind is None:
        f.problem("previous", "previous_not_onward", number=previous.number)
    elif kind == "refused":
        onward = previous.onward.exclude(status=Manifest.Status.CANCELLED).first()
        if onward is not None:
            f.problem("previous", "already_rerouted", number=onward.number)


def snapshot(m: Manifest) -> dict[str, Any]:
    """The manifest as a record: what a version keeps."""
    return {
        "number": m.number,
        "generator": m.generator_id,
        "processor": m.processor_id,
        "operation": m.operation_id,
        "approval": m.approval_id,
        "previous": m.previous_id,
        "lines": [
            {
                "number": ln.number,
                "waste_code": ln.waste_code_id,
                "hazardous": ln.hazardous,
                "quantity": str(ln.quantity),
                "unit": ln.unit,
                "density": str(ln.density) if ln.density is not None else None,
                "quantity_kg": str(ln.quantity_kg),
                "bulk": ln.bulk,
                "container_type": ln.container_type,
                "container_count": ln.container_count,
            }
            for ln in m.lines.order_by("number")
        ],
        "transporters": [
            {"order": t.order, "transporter": t.transporter_id, "vehicle": t.vehicle}
            for t in m.transporters.order_by("order")
        ],
    }


@transaction.atomic
def manifest_delete(*, acting_user: Any, manifest: Manifest) -> None:
    """Deletes a draft (nobody has signed it); anything later is refused."""
    if not acts_for_factory(acting_user, manifest.generator):
        raise PermissionError("only the generator deletes its drafts")
    if manifest.status != Manifest.Status.DRAFT:
        raise RongnganValidationError(
            [
                Problem(
                    None,
                    "not_draft",
                    MSG["not_draft"],
                    {"status": Manifest.Status(manifest.status).label},
                )
            ]
        )
    audit.record(
        actor=acting_user,
        action="update",
        obj=manifest,
        note="draft deleted",
        changes={"status": ["draft", "deleted"]},
    )
    manifest.lines.all().delete()
    manifest.transporters.all().delete()
    manifest.delete()


@transaction.atomic
def manifest_cancel(*, acting_user: Any, manifest: Manifest, reason: str) -> Manifest:
    """Cancels a manifest the generator signed that no transporter has taken: it stays on record,
    cancelled, with the reason. (A draft is deleted instead; once a transporter has signed the
    waste has left and the manifest runs its course.)"""
    manifest = _locked(manifest)
    if not (
        acts_for_factory(acting_user, manifest.generator)
        or is_officer_for(acting_user, manifest.generator)
    ):
        raise PermissionError("only the generator or an officer cancels a manifest")
    f = _Form({"reason": reason})
    reason = f.text("reason", required=True)
    taken = manifest.signatures.filter(step=Signature.Step.TRANSPORTER).exists()
    if manifest.status != Manifest.Status.SCHEDULED or taken:
        f.problem(None, "not_cancellable", status=Manifest.Status(manifest.status).label)
    f.check()
    before = manifest.status
    manifest.status = Manifest.Status.CANCELLED
    manifest.cancelled_at = timezone.now()
    manifest.cancel_reason = reason
    manifest.save(update_fields=["status", "cancelled_at", "cancel_reason"])
    audit.record(
        actor=acting_user,
        action="status",
        obj=manifest,
        note=reason,
        changes={"status": [before, manifest.status], "cancel_reason": reason},
    )
    return manifest


def refresh_counted(manifest: Manifest) -> None:
    """The totals the KPIs read: accepted kg by hazard, and whether the operation that counts
    (the one recorded, else the planned one) is final, and a recovery R1-R11. Not saved here."""
    lines = list(manifest.lines.all())
    manifest.accepted_hazardous_kg = sum(
        (ln.accepted_kg or Decimal(0) for ln in lines if ln.hazardous), Decimal(0)
    )
    manifest.accepted_other_kg = sum(
        (ln.accepted_kg or Decimal(0) for ln in lines if not ln.hazardous), Decimal(0)
    )
    op = manifest.final_operation or manifest.operation
    manifest.counted_final = op.final
    manifest.counted_recovery = op.is_utilisation
    if manifest.is_return:
        # Back at its generator, the waste is held again, not managed.
        manifest.accepted_hazardous_kg = manifest.accepted_other_kg = Decimal(0)
        manifest.counted_final = manifest.counted_recovery = False


def _last_signature(manifest: Manifest) -> Signature | None:
    return manifest.signatures.order_by("-signed_at", "-pk").first()


def _sign(
    f: _Form,
    manifest: Manifest,
    user: Any,
    step: str,
    when: dt.datetime | None,
    order: int | None = None,
) -> Signature:
    now = timezone.now()
    when = when or now
    if when > now + dt.timedelta(minutes=5):
        f.problem("signed_at", "in_future")
    last = _last_signature(manifest)
    if last is not None and when < last.signed_at:
        f.problem("signed_at", "before_previous", previous=lazy_be_moment(last.signed_at))
    f.check()
    return Signature.objects.create(
        manifest=manifest, step=step, transporter_order=order, signed_by=user, signed_at=when
    )


def _version(
    manifest: Manifest,
    user: Any,
    *,
    event: str = ManifestVersion.Event.CORRECTED,
    reason: str = "",
    changes: dict | None = None,
) -> None:
    manifest.version += 1
    ManifestVersion.objects.create(
        manifest=manifest,
        number=manifest.version,
        event=event,
        snapshot=snapshot(manifest),
        changes=changes or {},
        reason=reason,
        created_by=user,
    )


def _locked(manifest: Manifest) -> Manifest:
    return Manifest.objects.select_for_update().get(pk=manifest.pk)


def _not_your_turn(
    f: _Form,
    user: Any,
    manifest: Manifest,
    transporters: list[ManifestTransporter],
    signed: int,
) -> NoReturn:
    """Refuses a hand-over signature that is not `user`'s to give now. Someone who is no party
    to the manifest is refused as such (PermissionError, 403); a party is told why (400): its
    steps are all signed (`already_signed`), or it is not its turn (`out_of_order`)."""
    generator = acts_for_factory(user, manifest.generator)
    legs = [t.order for t in transporters if acts_for_org(user, t.transporter)]
    if not (generator or legs or acts_for_factory(user, manifest.processor)):
        raise PermissionError(MSG["not_party"])
    label = Manifest.Status(manifest.status).label
    generator_done = manifest.status != Manifest.Status.DRAFT
    if (generator or legs) and (generator_done or not generator) and all(o <= signed for o in legs):
        f.problem(None, "already_signed", status=label)
    else:
        f.problem(None, "out_of_order", status=label)
    f.check()
    raise AssertionError("unreachable")  # pragma: no cover


@transaction.atomic
def manifest_sign(
    *, acting_user: Any, manifest: Manifest, data: Mapping[str, Any] | None = None
) -> Manifest:
    """The next hand-over signature: the generator's, then each transporter's in order."""
    manifest = _locked(manifest)
    f = _Form(data or {})
    when = f.when("signed_at")
    status = manifest.status
    transporters = list(manifest.transporters.select_related("transporter"))
    signed = manifest.signatures.filter(step=Signature.Step.TRANSPORTER).count()
    if status == Manifest.Status.DRAFT:
        if not acts_for_factory(acting_user, manifest.generator):
            _not_your_turn(f, acting_user, manifest, transporters, signed)
        if not manifest.is_return:
            # Waste goes back to its generator whatever became of the approval.
            _check_approval(f, manifest.approval, timezone.localdate(when), None)
            f.check()
        _sign(f, manifest, acting_user, Signature.Step.GENERATOR, when)
        manifest.status = Manifest.Status.SCHEDULED
        _version(manifest, acting_user, event=ManifestVersion.Event.SIGNED)
    elif status in (Manifest.Status.SCHEDULED, Manifest.Status.IN_TRANSIT) and signed < len(
        transporters
    ):
        expected = transporters[signed]
        if not acts_for_org(acting_user, expected.transporter):
            _not_your_turn(f, acting_user, manifest, transporters, signed)
        sig = _sign(f, manifest, acting_user, Signature.Step.TRANSPORTER, when, expected.order)
        if manifest.status == Manifest.Status.SCHEDULED:
            manifest.status = Manifest.Status.IN_TRANSIT
            manifest.shipped_at = sig.signed_at
    else:
        _not_your_turn(f, acting_user, manifest, transporters, signed)
    manifest.save()
    audit.record(
        actor=acting_user,
        action="status",
        obj=manifest,
        changes={"status": [status, manifest.status]},
    )
    return manifest


DISCREPANCY_SHARE = Decimal("0.10")


def line_discrepancies(line: ManifestLine) -> list[str]:
    """Significant discrepancies at receipt (see the e-Manifest rules):
    bulk weight off by more than 10 %, any difference in container count, another waste code."""
    found = []
    if line.bulk and line.received_kg is not None and line.quantity_kg:
        if abs(line.received_kg - line.quantity_kg) > line.quantity_kg * DISCREPANCY_SHARE:
            found.append("quantity")
    if not line.bulk and line.received_containers is not None:
        if line.received_containers != line.container_count:
            found.append("containers")
    if line.received_code_id and line.received_code_id != line.waste_code_id:
        found.append("type")
    return found


@transaction.atomic
def manifest_receive(*, acting_user: Any, manifest: Manifest, data: Mapping[str, Any]) -> Outcome:
    """The processor's receipt: per line what arrived and what is refused; flags discrepancies."""
    manifest = _locked(manifest)
    if not acts_for_factory(acting_user, manifest.processor):
        raise PermissionError(MSG["not_party"])
    f = _Form(data)
    transporters = manifest.transporters.count()
    signed = manifest.signatures.filter(step=Signature.Step.TRANSPORTER).count()
    if manifest.status != Manifest.Status.IN_TRANSIT or signed < transporters:
        f.problem(None, "out_of_order", status=Manifest.Status(manifest.status).label)
        f.check()
    when = f.when("signed_at")
    lines = {ln.number: ln for ln in manifest.lines.select_related("waste_code")}
    given = {}
    for i, item in enumerate(data.get("lines") or [], start=1):
        lf = _Form(item or {}, prefix=f"lines[{i}].")
        number = lf.decimal("number")
        if number is not None and number != number.to_integral_value():
            lf.problem("number", "whole_number")
            number = None
        line = lines.get(int(number)) if number is not None else None
        if number is not None and line is None:
            lf.problem("number", "unknown_line", value=number)
        received = lf.decimal("received_quantity")
        unit = lf.text("unit") or "kg"
        if unit not in Unit.values:
            lf.problem("unit", "unit")
        density = lf.decimal("density", required=False, positive=True)
        if unit in (Unit.L, Unit.M3) and density is None and line is not None:
            density = line.density
            if density is None:
                lf.problem("density", "density_required")
        refused = lf.decimal("refused_quantity", required=False) or Decimal(0)
        containers = lf.decimal("received_containers", required=False)
        if containers is not None and containers != containers.to_integral_value():
            lf.problem("received_containers", "whole_number")
        if line is not None and line.number in given:
            lf.problem("number", "duplicate_line", value=line.number)
        code = None
        if item and item.get("received_code"):
            code = lf.code("received_code")
        if not lf.problems and line is not None:
            received_kg = to_kg(received, unit, density)
            refused_kg = to_kg(refused, unit, density)
            if refused_kg > received_kg:
                lf.problem("refused_quantity", "refused_too_much")
            given[line.number] = (received_kg, refused_kg, containers, code)
        f.problems.extend(lf.problems)
    for number in lines:
        if number not in given and not f.problems:
            f.problems.append(Problem(f"lines[{number}]", "required", MSG["required"]))
    f.check()
    sig = _sign(f, manifest, acting_user, Signature.Step.RECEIPT, when)
    any_discrepancy = False
    total_received = total_refused = Decimal(0)
    for number, (received_kg, refused_kg, containers, code) in given.items():
        line = lines[number]
        line.received_kg = received_kg
        line.refused_kg = refused_kg
        line.accepted_kg = received_kg - refused_kg
        line.received_containers = int(containers) if containers is not None else None
        line.received_code = code
        line.discrepancies = line_discrepancies(line)
        any_discrepancy |= bool(line.discrepancies)
        total_received += received_kg
        total_refused += refused_kg
        line.save()
    if total_refused == 0:
        manifest.status = Manifest.Status.ACCEPTED
    elif total_refused == total_received:
        manifest.status = Manifest.Status.REFUSED
    else:
        manifest.status = Manifest.Status.PARTLY_REFUSED
    manifest.received_at = sig.signed_at
    manifest.discrepancy = any_discrepancy
    refresh_counted(manifest)
    manifest.save()
    audit.record(
        actor=acting_user,
        action="status",
        obj=manifest,
        changes={"status": ["in_transit", manifest.status], "discrepancy": any_discrepancy},
    )
    return Outcome(manifest)


@transaction.atomic
def manifest_process(*, acting_user: Any, manifest: Manifest, data: Mapping[str, Any]) -> Manifest:
    """The processor records the operation actually applied to the accepted waste."""
    manifest = _locked(manifest)
    if not acts_for_factory(acting_user, manifest.processor):
        raise PermissionError(MSG["not_party"])
    f = _Form(data)
    if manifest.is_return:
        f.problem(None, "return_not_processed")
        f.check()
    if manifest.status not in (Manifest.Status.ACCEPTED, Manifest.Status.PARTLY_REFUSED):
        f.problem(None, "out_of_order", status=Manifest.Status(manifest.status).label)
        f.check()
    operation = f.operation("operation")
    when = f.when("signed_at")
    if operation is not None:
        for line in manifest.lines.all():
            if line.accepted_kg and not permitted(
                manifest.processor,
                line.received_code or line.waste_code,
                operation,
                timezone.localdate(),
            ):
                f.problem(
                    "operation",
                    "processor_not_permitted",
                    waste=(line.received_code or line.waste_code).display,
                    operation=operation.code,
                )
    f.check()
    sig = _sign(f, manifest, acting_user, Signature.Step.PROCESSED, when)
    before = manifest.status
    manifest.final_operation = operation
    manifest.processed_at = sig.signed_at
    manifest.status = Manifest.Status.PROCESSED
    refresh_counted(manifest)
    manifest.save()
    audit.record(
        actor=acting_user,
        action="status",
        obj=manifest,
        changes={"status": [before, manifest.status], "final_operation": operation.code},
    )
    return manifest


@transaction.atomic
def manifest_reroute(*, acting_user: Any, manifest: Manifest, data: Mapping[str, Any]) -> Outcome:
    """The refused part goes on to another processor on a new manifest linked to this one."""
    if not acts_for_factory(acting_user, manifest.generator):
        raise PermissionError("only the generator sends the refused part on")
    manifest = _locked(manifest)
    onward = manifest.onward.exclude(status=Manifest.Status.CANCELLED).first()
    if onward is not None:
        raise RongnganValidationError(
            [Problem(None, "already_rerouted", MSG["already_rerouted"], {"number": onward.number})]
        )
    refused = [ln for ln in manifest.lines.all() if ln.refused_kg]
    if not refused:
        raise RongnganValidationError([Problem(None, "nothing_refused", MSG["nothing_refused"])])
    lines = [
        {
            "waste_code": ln.received_code_id or ln.waste_code_id,
            "quantity": ln.refused_kg,
            "unit": "kg",
            "bulk": True,
        }
        for ln in refused
    ]
    return manifest_create(
        acting_user=acting_user,
        data={**data, "lines": lines, "previous": manifest.pk},
    )


@transaction.atomic
def manifest_return(*, acting_user: Any, manifest: Manifest, data: Mapping[str, Any]) -> Outcome:
    """The refused part goes back to its generator on a new manifest linked to this one: the
    processor that refused it hands it over, the transporters carry it, the generator signs its
    receipt. The generator stays responsible; the waste is held by it again."""
    if not acts_for_factory(acting_user, manifest.processor):
        raise PermissionError("only the processor that refused the waste sends it back")
    manifest = _locked(manifest)
    onward = manifest.onward.exclude(status=Manifest.Status.CANCELLED).first()
    if onward is not None:
        raise RongnganValidationError(
            [Problem(None, "already_rerouted", MSG["already_rerouted"], {"number": onward.number})]
        )
    refused = [ln for ln in manifest.lines.order_by("number") if ln.refused_kg]
    if manifest.is_return or not refused:
        raise RongnganValidationError([Problem(None, "nothing_refused", MSG["nothing_refused"])])
    f = _Form(data)
    transporters = _transporters(f, data.get("transporters"))
    f.check()
    storage = Operation.objects.get(code="R13")
    back = Manifest.objects.create(
        number=next_number(be_year(timezone.localdate().year)),
        generator=manifest.processor,
        generator_province_id=manifest.generator_province_id,
        processor=manifest.generator,
        approval=manifest.approval,
        operation=storage,
        previous=manifest,
        is_return=True,
        created_by=acting_user,
    )
    ManifestLine.objects.bulk_create(
        ManifestLine(
            manifest=back,
            number=i,
            waste_code=ln.received_code or ln.waste_code,
            hazardous=ln.hazardous,
            quantity=ln.refused_kg,
            unit=Unit.KG,
            quantity_kg=ln.refused_kg,
            bulk=True,
        )
        for i, ln in enumerate(refused, start=1)
    )
    ManifestTransporter.objects.bulk_create(
        ManifestTransporter(manifest=back, order=i, transporter=org, vehicle=vehicle)
        for i, (org, vehicle) in enumerate(transporters, start=1)
    )
    audit.record(
        actor=acting_user,
        action="create",
        obj=back,
        changes=snapshot(back),
        note=f"refused part of {manifest.number} returned to its generator",
    )
    return Outcome(back)


@transaction.atomic
def discrepancy_resolve(*, acting_user: Any, manifest: Manifest, note: str) -> Manifest:
    if not (
        acts_for_factory(acting_user, manifest.generator)
        or acts_for_factory(acting_user, manifest.processor)
        or is_officer_for(acting_user, manifest.generator)
    ):
        raise PermissionError(MSG["not_party"])
    f = _Form({"note": note})
    if not manifest.discrepancy or manifest.discrepancy_resolved_at:
        f.problem(None, "no_discrepancy")
    if not note.strip():
        f.problem("note", "reason_required")
    f.check()
    manifest.discrepancy_resolved_at = timezone.now()
    manifest.save(update_fields=["discrepancy_resolved_at"])
    audit.record(
        actor=acting_user,
        action="update",
        obj=manifest,
        note=note.strip(),
        changes={"discrepancy_resolved_at": [None, manifest.discrepancy_resolved_at]},
    )
    return manifest


# --------------------------------------------------------------------------------------------
# Corrections

CORRECTABLE_LINE_FIELDS = {
    "waste_code",
    "quantity",
    "unit",
    "density",
    "container_type",
    "container_count",
}


def _is_party(user: Any, m: Manifest) -> bool:
    return (
        acts_for_factory(user, m.generator)
        or acts_for_factory(user, m.processor)
        or any(acts_for_org(user, t.transporter) for t in m.transporters.all())
    )


def _corrected(line: ManifestLine, fields: Mapping[str, Any]) -> None:
    """Puts a correction's fields on `line` (in memory; the caller saves)."""
    for name, value in fields.items():
        if name == "waste_code":
            line.waste_code = WasteCode.objects.get(code=value)
            line.hazardous = line.waste_code.hazardous
        elif name in ("quantity", "density"):
            setattr(line, name, Decimal(value) if value is not None else None)
        else:
            setattr(line, name, value)


def _correction_problems(
    manifest: Manifest, line: ManifestLine, fields: Mapping[str, Any], prefix: str
) -> list[Problem]:
    """What would make a corrected line wrong: the checks of a new manifest's line (a volume
    needs a density, a packed line its containers, the processor a permit for the code), made
    when the correction is opened and again when it is applied."""
    problems = []
    if line.unit in (Unit.L, Unit.M3) and line.density is None:
        problems.append(Problem(f"{prefix}density", "density_required", MSG["density_required"]))
    if not line.bulk and (not line.container_type or line.container_count is None):
        problems.append(
            Problem(f"{prefix}container_count", "containers_or_bulk", MSG["containers_or_bulk"])
        )
    if "waste_code" in fields and not manifest.is_return:
        # The permit that counts is the one of the day the processor took the waste in (today
        # until it has); the operation planned, and the one applied once it is recorded.
        on = timezone.localdate(manifest.received_at) if manifest.received_at else None
        operations = [manifest.operation]
        if manifest.final_operation_id and not line.received_code_id:
            operations.append(manifest.final_operation)
        for operation in dict.fromkeys(operations):
            if not permitted(
                manifest.processor, line.waste_code, operation, on or timezone.localdate()
            ):
                problems.append(
                    Problem(
                        f"{prefix}waste_code",
                        "processor_not_permitted",
                        MSG["processor_not_permitted"],
                        {"waste": line.waste_code.display, "operation": operation.code},
                    )
                )
    return problems


@transaction.atomic
def correction_open(*, acting_user: Any, manifest: Manifest, data: Mapping[str, Any]) -> Correction:
    """Proposes a change to a signed manifest: {"lines": {"1": {"quantity": "900"}}, ...}.

    The corrected lines are checked now as applying would check them, so that an open correction
    can always be applied (or withdrawn)."""
    manifest = _locked(manifest)
    if not (_is_party(acting_user, manifest) or is_officer_for(acting_user, manifest.generator)):
        raise PermissionError(MSG["not_party"])
    f = _Form(data)
    reason = f.text("reason", required=True)
    if manifest.status in (Manifest.Status.DRAFT, Manifest.Status.CANCELLED):
        f.problem(None, "not_signed")
    if manifest.corrections.filter(status=Correction.Status.OPEN).exists():
        f.problem(None, "open_correction")
    changes: dict[str, Any] = {"lines": {}}
    lines = {ln.number: ln for ln in manifest.lines.select_related("waste_code")}
    for number, fields in (data.get("lines") or {}).items():
        if not str(number).isdecimal() or int(number) not in lines:
            f.problem(f"lines.{number}", "unknown_line", value=number)
            continue
        clean: dict[str, Any] = {}
        lf = _Form(fields or {}, prefix=f"lines.{number}.")
        for name in fields or {}:
            if name not in CORRECTABLE_LINE_FIELDS:
                lf.problem(name, "unknown_field", value=name)
        if "waste_code" in (fields or {}):
            code = lf.code("waste_code")
            clean["waste_code"] = code.code if code else None
        for name in ("quantity", "density"):
            if name in (fields or {}):
                value = lf.decimal(name, positive=True)
                clean[name] = str(value) if value is not None else None
        if "container_count" in (fields or {}):
            value = lf.decimal("container_count", positive=True)
            if value is not None and value != value.to_integral_value():
                lf.problem("container_count", "whole_number")
                value = None
            clean["container_count"] = int(value) if value is not None else None
        for name in ("unit", "container_type"):
            if name in (fields or {}):
                clean[name] = lf.text(name, required=name == "unit")
                if name == "unit" and clean[name] not in Unit.values:
                    lf.problem(name, "unit")
        if not lf.problems:
            line = lines[int(number)]
            _corrected(line, clean)
            lf.problems.extend(_correction_problems(manifest, line, clean, lf.prefix))
        f.problems.extend(lf.problems)
        changes["lines"][str(number)] = clean
    for name in data:
        if name not in ("lines", "reason"):
            f.problem(name, "unknown_field", value=name)
    f.check()
    correction = Correction.objects.create(
        manifest=manifest, changes=changes, reason=reason, opened_by=acting_user
    )
    audit.record(
        actor=acting_user,
        action="update",
        obj=manifest,
        note=f"correction opened: {reason}",
        changes={"correction": correction.pk},
    )
    return correction


@transaction.atomic
def correction_withdraw(
    *, acting_user: Any, correction: Correction, reason: str = ""
) -> Correction:
    """The proposer, or an officer, withdraws an open correction: it stays on record, withdrawn,
    and the manifest is free for another."""
    manifest = _locked(correction.manifest)
    correction = Correction.objects.select_for_update().get(pk=correction.pk)
    if not (
        correction.opened_by_id == acting_user.pk or is_officer_for(acting_user, manifest.generator)
    ):
        raise PermissionError("only the proposer or an officer withdraws a correction")
    if correction.status != Correction.Status.OPEN:
        raise RongnganValidationError([Problem(None, "decided", MSG["decided"])])
    reason = reason.strip()
    correction.status = Correction.Status.WITHDRAWN
    correction.closed_by = acting_user
    correction.closed_at = timezone.now()
    correction.save(update_fields=["status", "closed_by", "closed_at"])
    audit.record(
        actor=acting_user,
        action="update",
        obj=manifest,
        note=f"correction withdrawn: {reason}" if reason else "correction withdrawn",
        changes={"correction": correction.pk, "status": ["open", "withdrawn"]},
    )
    return correction


@transaction.atomic
def correction_apply(*, acting_user: Any, correction: Correction) -> Manifest:
    """Applies an open correction: the manifest gets a new version; the old one is kept."""
    manifest = _locked(correction.manifest)
    if not (_is_party(acting_user, manifest) or is_officer_for(acting_user, manifest.generator)):
        raise PermissionError(MSG["not_party"])
    if correction.status != Correction.Status.OPEN:
        raise RongnganValidationError([Problem(None, "decided", MSG["decided"])])
    before = snapshot(manifest)
    open_discrepancy = manifest.discrepancy and not manifest.discrepancy_resolved_at
    problems: list[Problem] = []
    corrected = []
    for number, fields in correction.changes.get("lines", {}).items():
        line = manifest.lines.select_related("waste_code").get(number=int(number))
        _corrected(line, fields)
        # Checked again: a permit may have ended since the correction was opened.
        found = _correction_problems(manifest, line, fields, f"lines.{number}.")
        if not found:
            line.quantity_kg = to_kg(line.quantity, line.unit, line.density)
            line.discrepancies = line_discrepancies(line) if manifest.received_at else []
        problems.extend(found)
        corrected.append(line)
    if problems:
        raise RongnganValidationError(problems)
    for line in corrected:
        line.save()
    manifest.discrepancy = any(ln.discrepancies for ln in manifest.lines.all())
    refresh_counted(manifest)
    after = snapshot(manifest)
    changed = {
        f"lines.{a['number']}.{k}": [b[k], a[k]]
        for b, a in zip(before["lines"], after["lines"], strict=True)
        for k in a
        if a[k] != b[k]
    }
    _version(manifest, acting_user, reason=correction.reason, changes=changed)
    if manifest.status == Manifest.Status.PROCESSED:
        manifest.status = Manifest.Status.CORRECTED
    manifest.save()
    correction.status = Correction.Status.APPLIED
    correction.closed_by = acting_user
    correction.closed_at = timezone.now()
    correction.save()
    audit.record(
        actor=acting_user,
        action="update",
        obj=manifest,
        note=f"correction applied (v{manifest.version}): {correction.reason}",
        changes=changed,
    )
    if open_discrepancy and not manifest.discrepancy:
        _close_discrepancy_alerts(acting_user, manifest, correction)
    return manifest


def _close_discrepancy_alerts(user: Any, manifest: Manifest, correction: Correction) -> None:
    """The correction leaves no discrepancy: its clock's alert, if it was raised, is closed."""
    now = timezone.now()
    for alert in Alert.objects.select_for_update().filter(
        manifest=manifest, kind=Alert.Kind.DISCREPANCY, closed_at__isnull=True
    ):
        alert.closed_at = now
        alert.save(update_fields=["closed_at"])
        audit.record(
            actor=user,
            action="status",
            obj=alert,
            note=f"closed: correction {correction.pk} cleared the discrepancy",
            changes={"closed_at": [None, now]},
        )


def lines_in(manifests: Sequence[Manifest]) -> list[ManifestLine]:
    return list(ManifestLine.objects.filter(manifest__in=manifests))
