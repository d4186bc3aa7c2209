"""Forms of the waste pages: they render widgets and re-show input; services validate.

As in the register, fields are plain text or selects on purpose: the one cleaning path is the
service, so a form never refuses or reshapes input before the service sees it. Each form knows
how to turn its input into the service's data and where a service problem ("lines[2].quantity",
"transporters[1].organisation") belongs among its fields.
"""

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from rongngan.accounts.models import Organisation
from rongngan.core.errors import RongnganValidationError
from rongngan.registry.forms import province_choices
from rongngan.waste.display import be_month
from rongngan.waste.models import (
    Approval,
    Manifest,
    ManifestLine,
    Operation,
    Unit,
    WasteStream,
)
from rongngan.waste.services import CORRECTABLE_LINE_FIELDS

Choices = list[tuple[str, str]]
MAX_TRANSPORTERS = 3
MAX_LINES = 20


def _text(label: Any, **kwargs: Any) -> forms.CharField:
    return forms.CharField(label=label, required=False, **kwargs)


def _select(label: Any, **kwargs: Any) -> forms.CharField:
    return forms.CharField(label=label, required=False, widget=forms.Select, **kwargs)


def _number(label: Any, **kwargs: Any) -> forms.CharField:
    return _text(label, widget=forms.TextInput(attrs={"inputmode": "decimal"}), **kwargs)


def operation_choices(blank: str) -> Choices:
    return [("", blank)] + [
        (o.code, f"{o.code} {o.description_th or o.description_en}"[:90])
        for o in Operation.objects.order_by("sort")
    ]


def unit_choices() -> Choices:
    return [(u.value, u.value) for u in Unit]


def transporter_choices(blank: str) -> Choices:
    return [("", blank)] + [
        (str(o.pk), o.name_th)
        for o in Organisation.objects.filter(kind=Organisation.Kind.WASTE_TRANSPORTER).order_by(
            "name_th"
        )
    ]


def approval_label(a: Approval) -> str:
    return (
        f"#{a.pk} {a.stream.waste_code.display} {a.stream.description[:40]} → "
        f"{a.processor.name_th} ({a.operation_id})"
    )


def _index(field: str | None, head: str) -> tuple[int, str] | None:
    """The position and field of a problem: lines[2].quantity gives (2, "quantity")."""
    if not field or not field.startswith(f"{head}["):
        return None
    inside, _sep, rest = field[len(head) + 1 :].partition("]")
    if not inside.isdecimal():
        return None
    return int(inside), rest.lstrip(".")


# --------------------------------------------------------------------------------------------
# Public processor listing and the manifest list


class ProcessorFilterForm(forms.Form):
    province = _select(_("Province"))
    code = _text(
        _("Waste code"),
        help_text=_("Six digits, written any way, e.g. 16 06 01* or 160601."),
    )
    operation = _select(_("Operation"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["province"].widget.choices = province_choices(_("All provinces"))
        self.fields["operation"].widget.choices = operation_choices(_("Any operation"))


class ManifestFilterForm(forms.Form):
    status = _select(_("Status"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].widget.choices = [("", _("Any status")), *Manifest.Status.choices]


# --------------------------------------------------------------------------------------------
# A new manifest: the main form and its lines


class ManifestForm(forms.Form):
    approval = _select(
        _("Removal approval"),
        help_text=_("The approved stream, processor and operation this consignment is for."),
    )

    def __init__(self, *args: Any, approvals: Sequence[Approval] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["approval"].widget.choices = [("", _("— choose —"))] + [
            (str(a.pk), approval_label(a)) for a in approvals
        ]
        transporters = transporter_choices(_("— none —"))
        for i in range(1, MAX_TRANSPORTERS + 1):
            self.fields[f"transporter_{i}"] = _select(
                _("Transporter %(n)s") % {"n": i},
                help_text=_("In the order they carry the waste.") if i == 1 else None,
            )
            self.fields[f"transporter_{i}"].widget.choices = transporters
            self.fields[f"vehicle_{i}"] = _text(
                _("Vehicle registration %(n)s") % {"n": i}, max_length=30
            )

    def transporter_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [
            (self[f"transporter_{i}"], self[f"vehicle_{i}"]) for i in range(1, MAX_TRANSPORTERS + 1)
        ]


class LineForm(forms.Form):
    waste_code = _text(_("Waste code"), widget=forms.TextInput(attrs={"size": 10}))
    quantity = _number(_("Quantity"))
    unit = _select(_("Unit"), initial=Unit.KG)
    density = _number(_("Density (kg/L)"))
    bulk = forms.BooleanField(label=_("Bulk"), required=False)
    container_type = _text(_("Container type"), max_length=40)
    container_count = _text(
        _("Containers"), widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 4})
    )

    TEXT_FIELDS = ("waste_code", "quantity", "density", "container_type", "container_count")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].widget.choices = unit_choices()

    def raw(self, name: str) -> str:
        return str(self.data.get(self.add_prefix(name), "") or "").strip()

    def is_blank(self) -> bool:
        return not any(self.raw(n) for n in self.TEXT_FIELDS) and not self.data.get(
            self.add_prefix("bulk")
        )

    def as_line(self) -> dict[str, Any]:
        line: dict[str, Any] = {n: self.raw(n) for n in self.TEXT_FIELDS}
        line["unit"] = self.raw("unit")
        line["bulk"] = bool(self.data.get(self.add_prefix("bulk")))
        return line


LineFormSet = forms.formset_factory(LineForm, extra=3, max_num=MAX_LINES, absolute_max=MAX_LINES)


def manifest_data(form: ManifestForm, lines: Any) -> tuple[dict[str, Any], list[int], list[int]]:
    """The service's data, and which form row / transporter slot each position came from."""
    line_rows = [i for i, f in enumerate(lines.forms) if not f.is_blank()]
    slots = [
        i
        for i in range(1, MAX_TRANSPORTERS + 1)
        if str(form.data.get(f"transporter_{i}", "")).strip()
    ]
    data = {
        "approval": str(form.data.get("approval", "")).strip(),
        "lines": [lines.forms[i].as_line() for i in line_rows],
        "transporters": [
            {
                "organisation": str(form.data.get(f"transporter_{i}", "")).strip(),
                "vehicle": str(form.data.get(f"vehicle_{i}", "")).strip(),
            }
            for i in slots
        ],
    }
    return data, line_rows, slots


def show_manifest_problems(
    form: ManifestForm,
    lines: Any,
    exc: RongnganValidationError,
    line_rows: list[int],
    slots: list[int],
) -> None:
    for problem in exc.problems:
        text = problem.text()
        line = _index(problem.field, "lines")
        transporter = _index(problem.field, "transporters")
        if line and 0 < line[0] <= len(line_rows):
            row = lines.forms[line_rows[line[0] - 1]]
            if line[1] in row.fields:
                row.add_error(line[1], text)
            else:
                row.add_error(None, text)
        elif transporter and 0 < transporter[0] <= len(slots):
            form.add_error(f"transporter_{slots[transporter[0] - 1]}", text)
        elif problem.field == "transporters":
            form.add_error("transporter_1", text)
        elif problem.field in form.fields:
            form.add_error(problem.field, text)
        else:
            form.add_error(None, text)


# --------------------------------------------------------------------------------------------
# The actions on a manifest's page (each its own small form, prefixed by its action)


class ReceiptForm(forms.Form):
    """Per line: what arrived, in which unit, what is refused, containers, another code."""

    COLUMNS = (
        ("received_quantity", _("Received quantity")),
        ("unit", _("Unit")),
        ("refused_quantity", _("Refused quantity")),
        ("received_containers", _("Containers received")),
        ("received_code", _("Waste code found (if other)")),
    )

    def __init__(
        self,
        *args: Any,
        lines: Sequence[ManifestLine],
        declared: Any = str,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.lines = list(lines)
        self.declared = declared
        for ln in self.lines:
            n = ln.number
            self.fields[f"l{n}_received_quantity"] = _number(_("Received quantity"))
            self.fields[f"l{n}_unit"] = _select(_("Unit"), initial=ln.unit)
            self.fields[f"l{n}_unit"].widget.choices = unit_choices()
            self.fields[f"l{n}_refused_quantity"] = _number(_("Refused quantity"), initial="0")
            self.fields[f"l{n}_received_containers"] = _text(
                _("Containers received"),
                widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 4}),
            )
            self.fields[f"l{n}_received_code"] = _text(
                _("Waste code found (if other)"), widget=forms.TextInput(attrs={"size": 10})
            )

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "line": ln,
                "declared": self.declared(ln.quantity),
                "fields": [self[f"l{ln.number}_{name}"] for name, _l in self.COLUMNS],
            }
            for ln in self.lines
        ]

    def service_data(self) -> dict[str, Any]:
        def get(n: int, name: str) -> str:
            return str(self.data.get(self.add_prefix(f"l{n}_{name}"), "") or "").strip()

        return {
            "lines": [
                {
                    "number": ln.number,
                    **{name: get(ln.number, name) for name, _l in self.COLUMNS},
                }
                for ln in self.lines
            ]
        }

    def where(self, field: str | None) -> str | None:
        found = _index(field, "lines")
        if not found or not 0 < found[0] <= len(self.lines):
            return None
        n = self.lines[found[0] - 1].number
        name = found[1] if found[1] in dict(self.COLUMNS) else "received_quantity"
        return f"l{n}_{name}"


class ProcessForm(forms.Form):
    operation = _select(_("Operation applied"))

    def __init__(self, *args: Any, planned: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["operation"].widget.choices = operation_choices(_("— choose —"))
        self.fields["operation"].initial = planned


class RerouteForm(forms.Form):
    approval = _select(_("Removal approval for the refused part"))
    transporter = _select(_("Transporter"))
    vehicle = _text(_("Vehicle registration"), max_length=30)

    def __init__(self, *args: Any, approvals: Sequence[Approval] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["approval"].widget.choices = [("", _("— choose —"))] + [
            (str(a.pk), approval_label(a)) for a in approvals
        ]
        self.fields["transporter"].widget.choices = transporter_choices(_("— choose —"))

    def service_data(self) -> dict[str, Any]:
        def get(name: str) -> str:
            return str(self.data.get(self.add_prefix(name), "") or "").strip()

        transporter = get("transporter")
        return {
            "approval": get("approval"),
            "transporters": (
                [{"organisation": transporter, "vehicle": get("vehicle")}] if transporter else []
            ),
        }

    @staticmethod
    def where(field: str | None) -> str | None:
        if field == "approval":
            return "approval"
        if field and field.startswith("transporters"):
            return "transporter"
        return None


class ReturnForm(RerouteForm):
    """The processor sends the refused part back to its generator: only the transport."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["approval"]

    def service_data(self) -> dict[str, Any]:
        data = super().service_data()
        del data["approval"]
        return data


FIELD_LABELS = {
    "waste_code": _("Waste code"),
    "quantity": _("Quantity"),
    "unit": _("Unit"),
    "density": _("Density (kg/L)"),
    "container_type": _("Container type"),
    "container_count": _("Containers"),
}


class CorrectionForm(forms.Form):
    wide_fields = ("reason",)

    line = _select(_("Line"))
    field = _select(_("What to correct"))
    value = _text(_("Corrected value"))
    reason = _text(_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, lines: Sequence[ManifestLine] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["line"].widget.choices = [
            (str(ln.number), f"{ln.number}. {ln.waste_code.display}") for ln in lines
        ]
        self.fields["field"].widget.choices = [
            (name, FIELD_LABELS[name]) for name in sorted(CORRECTABLE_LINE_FIELDS)
        ]

    def service_data(self) -> dict[str, Any]:
        def get(name: str) -> str:
            return str(self.data.get(self.add_prefix(name), "") or "").strip()

        line, name = get("line"), get("field")
        return {"reason": get("reason"), "lines": {line: {name: get("value")}} if line else {}}

    @staticmethod
    def where(field: str | None) -> str | None:
        if field == "reason":
            return "reason"
        if field and field.startswith("lines."):
            parts = field.split(".")
            if len(parts) == 2:
                return "line"
            return "field" if parts[2] not in CORRECTABLE_LINE_FIELDS else "value"
        return None


class CancelForm(forms.Form):
    wide_fields = ("reason",)

    reason = _text(_("Reason for cancelling"), widget=forms.Textarea(attrs={"rows": 2}))


class NoteForm(forms.Form):
    wide_fields = ("note",)

    note = _text(
        _("What was found and how it was settled"), widget=forms.Textarea(attrs={"rows": 2})
    )


# --------------------------------------------------------------------------------------------
# Streams and approvals


class StreamForm(forms.Form):
    wide_fields = ("description",)

    generator = _select(_("Factory"))
    waste_code = _text(_("Waste code"), help_text=_("e.g. 16 06 01*"))
    description = _text(_("Description"), max_length=300)
    hazardous = _select(
        _("Hazardous"),
        help_text=_("Leave as given by the list unless it is a mirror entry you assessed."),
    )
    expected_tonnes = _number(_("Expected quantity (t/year)"))

    def __init__(self, *args: Any, factories: Sequence[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["generator"].widget.choices = [("", _("— choose —"))] + [
            (str(f.pk), f"{f.name_th} ({f.registration_no})") for f in factories
        ]
        self.fields["hazardous"].widget.choices = [
            ("", _("as the list says")),
            ("1", _("hazardous")),
            ("0", _("non-hazardous")),
        ]


class ApprovalRequestForm(forms.Form):
    stream = _select(_("Waste stream"))
    processor = _select(_("Processor"))
    operation = _select(_("Operation"))
    quantity_tonnes = _number(_("Quantity (t/year)"))

    def __init__(
        self,
        *args: Any,
        streams: Sequence[WasteStream] = (),
        processors: Sequence[Any] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stream"].widget.choices = [("", _("— choose —"))] + [
            (str(s.pk), f"{s.waste_code.display} {s.description[:50]} · {s.generator.name_th}")
            for s in streams
        ]
        self.fields["processor"].widget.choices = [("", _("— choose —"))] + [
            (str(p.pk), f"{p.name_th} ({p.province.name_th})") for p in processors
        ]
        self.fields["operation"].widget.choices = operation_choices(_("— choose —"))


def stream_choices(streams: Sequence[WasteStream]) -> Choices:
    return [("", _("— choose —"))] + [
        (str(s.pk), f"{s.waste_code.display} {s.description[:50]}") for s in streams
    ]


def mass_units() -> Choices:
    return [(Unit.KG.value, Unit.KG.value), (Unit.T.value, Unit.T.value)]


class GenerationForm(forms.Form):
    """A month of a stream's waste in the generator's log."""

    stream = _select(_("Waste stream"))
    month = _text(_("Month"), widget=forms.TextInput(attrs={"type": "month"}))
    quantity = _number(_("Quantity"))
    unit = _select(_("Unit"))
    note = _text(_("Note"), max_length=300)

    def __init__(self, *args: Any, streams: Sequence[WasteStream] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stream"].widget.choices = stream_choices(streams)
        self.fields["unit"].widget.choices = mass_units()


class GenerationCorrectForm(forms.Form):
    record = _select(_("Logged month"))
    quantity = _number(_("Corrected quantity"))
    unit = _select(_("Unit"))
    reason = _text(_("Reason for the correction"), max_length=300)

    def __init__(self, *args: Any, records: Sequence[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["record"].widget.choices = [("", _("— choose —"))] + [
            (
                str(r.pk),
                f"{be_month(r.month)} · {r.stream.waste_code.display} · {r.quantity_kg:,f} kg",
            )
            for r in records
        ]
        self.fields["unit"].widget.choices = mass_units()


class AnnualReportForm(forms.Form):
    year = _text(_("Year (C.E.)"), widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    note = _text(_("Note to the industry office"), widget=forms.Textarea(attrs={"rows": 2}))


class StoragePermitForm(forms.Form):
    stream = _select(_("Waste stream"))
    valid_until = _text(_("Storage allowed until"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = _text(_("Reason"), max_length=300)

    def __init__(self, *args: Any, streams: Sequence[WasteStream] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stream"].widget.choices = stream_choices(streams)
