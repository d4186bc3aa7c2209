"""Forms of the monitoring pages: they render widgets and re-show input; services validate.

As in the register and the waste pages, fields are plain text or selects on purpose: the one
cleaning path is the service, so a form never refuses or reshapes input before the service sees
it. Each form turns its input into the service's data; the service's problems are shown at the
field of the same name (core.errors.show_problems).
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rongngan.accounts.models import Organisation
from rongngan.monitoring import pipeline
from rongngan.monitoring.models import (
    Averaging,
    Comparator,
    Event,
    LimitRule,
    MonitoringPoint,
    Notice,
    Parameter,
    PointParameter,
)

Choices = list[tuple[str, str]]


def _text(label: Any, **kwargs: Any) -> forms.CharField:
    return forms.CharField(label=label, required=False, **kwargs)


def _number(label: Any, **kwargs: Any) -> forms.CharField:
    return _text(label, widget=forms.TextInput(attrs={"inputmode": "decimal"}), **kwargs)


def _select(label: Any, choices: Any) -> forms.CharField:
    # A select that accepts any value: the service names a wrong one at its field.
    return forms.CharField(label=label, required=False, widget=forms.Select(choices=choices))


def _when(label: Any) -> forms.CharField:
    return _text(label, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))


def with_zone(raw: Any) -> Any:
    """A date-time input from the page carries no zone: it is read as Bangkok time (the zone
    the page shows). Anything that does not parse goes to the service unchanged, to be named."""
    text = str(raw or "").strip()
    if not text:
        return text
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        return text
    if parsed.tzinfo is None:
        parsed = timezone.make_aware(parsed, timezone.get_default_timezone())
    return parsed.isoformat()


def _blank(label: Any, choices: Any) -> Choices:
    return [("", label)] + [(str(v), str(n)) for v, n in choices]


class PointForm(forms.Form):
    code = _text(_("point code"))
    name = _text(_("name"))
    kind = _select(_("kind"), _blank("—", MonitoringPoint.Kind.choices))
    method = _select(_("method"), _blank("—", MonitoringPoint.Method.choices))
    frequency = _select(_("reporting frequency"), _blank("—", MonitoringPoint.Frequency.choices))
    validity_regime = _select(_("validity regime"), [])
    fuel = _text(_("fuel"), help_text=_("e.g. oil, coal, biomass, natural_gas"))
    process = _text(_("process"))
    receiving_water = _text(_("receiving water"))
    ref_o2_percent = _number(_("reference oxygen (%)"))
    ref_temperature_k = _number(_("reference temperature (K)"))
    ref_pressure_kpa = _number(_("reference pressure (kPa)"))
    dry_basis = forms.BooleanField(label=_("dry basis"), required=False)
    urban = forms.BooleanField(label=_("urban area"), required=False)
    large_discharge = forms.BooleanField(label=_("discharges over 500 m³ a day"), required=False)
    latitude = _number(_("latitude"))
    longitude = _number(_("longitude"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["validity_regime"].widget.choices = [("", _("default"))] + [
            (code, code) for code in sorted(pipeline.regimes())
        ]

    def data_for_service(self) -> dict[str, Any]:
        return {name: self.data.get(name, "") for name in self.fields}


LIMIT_SOURCES = [
    ("catalogue", _("the standards catalogue, chosen by the point (kind, fuel, receiving water)")),
    ("rules", _("the catalogue limits ticked below")),
    ("licence", _("a limit set by the licence")),
]


class PointParameterForm(forms.Form):
    parameter = _select(_("parameter"), [])
    unit = _text(_("unit"), help_text=_("blank: the catalogue's unit for the parameter"))
    range_min = _number(_("instrument range minimum"))
    range_max = _number(_("instrument range maximum"))
    effective_from = _text(
        _("effective from"), widget=forms.DateInput(attrs={"type": "date"}), help_text=""
    )
    limit_source = forms.CharField(
        label=_("limits"),
        required=False,
        widget=forms.RadioSelect(choices=LIMIT_SOURCES),
        initial="catalogue",
    )
    rules = forms.MultipleChoiceField(
        label=_("catalogue limits"), required=False, widget=forms.CheckboxSelectMultiple
    )
    averaging = _select(_("averaging"), _blank("—", Averaging.choices))
    comparator = _select(_("comparator"), Comparator.choices)
    value = _number(_("limit"))
    low_value = _number(_("range low"))
    high_value = _number(_("range high"))
    upper_value = _number(_("upper level"))
    limit_unit = _text(_("unit of the limit"))
    document = _text(_("licence document"))

    wide_fields = ("limit_source", "rules")

    def __init__(self, *args: Any, point: MonitoringPoint, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        medium = "water" if point.kind == MonitoringPoint.Kind.EFFLUENT_OUTLET else "air"
        self.fields["parameter"].widget.choices = [("", "—")] + [
            (p.code, f"{p.code} · {p.name_th} ({p.unit})")
            for p in Parameter.objects.filter(medium__in=[medium, "ambient"]).order_by("code")
        ]
        rules = (
            LimitRule.objects.filter(in_catalogue=True, standard__medium=medium)
            .select_related("standard")
            .order_by("parameter_id", "standard__code", "averaging")
        )
        self.fields["rules"].choices = [(str(r.pk), rule_label(r)) for r in rules]

    def data_for_service(self) -> dict[str, Any]:
        d = self.data
        out: dict[str, Any] = {
            "unit": d.get("unit", ""),
            "range_min": d.get("range_min", ""),
            "range_max": d.get("range_max", ""),
            "effective_from": d.get("effective_from", ""),
        }
        source = d.get("limit_source") or "catalogue"
        if source == "rules":
            out["limits"] = [{"rule": r} for r in d.getlist("rules")]
        elif source == "licence":
            out["limits"] = [
                {
                    "averaging": d.get("averaging", ""),
                    "comparator": d.get("comparator", "") or "max",
                    "value": d.get("value", ""),
                    "low_value": d.get("low_value", ""),
                    "high_value": d.get("high_value", ""),
                    "upper_value": d.get("upper_value", ""),
                    "unit": d.get("limit_unit", ""),
                    "document": d.get("document", ""),
                }
            ]
        else:
            out["limits"] = "catalogue"
        return out


def _plain(value: Decimal | None) -> str:
    return "" if value is None else format(value.normalize(), "f")


def rule_label(rule: LimitRule) -> str:
    if rule.comparator == "range":
        level = f"{_plain(rule.low_value)}–{_plain(rule.high_value)}"
    else:
        level = f"{rule.get_comparator_display()} {_plain(rule.value)}"
    where = ", ".join(f"{k}={v}" for k, v in sorted((rule.applies_to or {}).items()))
    return (
        f"{rule.parameter_id} · {level} {rule.unit} · {rule.get_averaging_display()} · "
        f"{rule.standard.code}{f' · {where}' if where else ''}"
    )


def limit_field(problem_field: str | None) -> str | None:
    """Where a service problem about limits belongs on the parameter form."""
    if not problem_field:
        return None
    if problem_field.startswith("limits."):
        name = problem_field.rsplit(".", 1)[-1]
        return {"rule": "rules", "unit": "limit_unit"}.get(name, name)
    return problem_field


class LabResultForm(forms.Form):
    parameter = _select(_("parameter"), [])
    lab = _select(_("registered laboratory"), [])
    lab_name = _text(_("laboratory"), help_text=_("if the laboratory is not in the list"))
    lab_registration_no = _text(_("laboratory registration number"))
    report_no = _text(_("report number"))
    sampled_at = _when(_("sampled at"))
    value = _number(_("value"))
    unit = _text(_("unit"), help_text=_("blank: the unit of the point's parameter"))

    def __init__(self, *args: Any, parameters: list[PointParameter], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parameter"].widget.choices = [
            (pp.parameter_id, f"{pp.parameter_id} · {pp.parameter.name_th} ({pp.unit})")
            for pp in parameters
        ]
        self.fields["lab"].widget.choices = [("", "—")] + [
            (str(o.pk), o.name_th)
            for o in Organisation.objects.filter(kind=Organisation.Kind.LAB).order_by("name_th")
        ]

    def data_for_service(self) -> dict[str, Any]:
        out = {
            name: self.data.get(name, "")
            for name in ("lab", "lab_name", "lab_registration_no", "report_no", "value", "unit")
        }
        out["sampled_at"] = with_zone(self.data.get("sampled_at"))
        return out


class NoticeForm(forms.Form):
    kind = _select(_("kind"), _blank("—", Notice.Kind.choices))
    starts_at = _when(_("from"))
    ends_at = _when(_("until"))
    reason = _text(_("reason"), widget=forms.Textarea(attrs={"rows": 3}))

    def data_for_service(self) -> dict[str, Any]:
        return {
            "kind": self.data.get("kind", ""),
            "starts_at": with_zone(self.data.get("starts_at")),
            "ends_at": with_zone(self.data.get("ends_at")),
            "reason": self.data.get("reason", ""),
        }


UPLOAD_MODES = [
    ("reject", _("refuse the whole batch if any row is bad")),
    ("quarantine", _("accept the good rows and quarantine the bad ones")),
]


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("file (CSV or JSON)"),
        required=False,
        help_text=_("CSV columns: point, parameter, ts, value, unit, flags"),
    )
    text = _text(_("or paste the rows"), widget=forms.Textarea(attrs={"rows": 6}))
    mode = forms.CharField(
        label=_("bad rows"),
        required=False,
        widget=forms.RadioSelect(choices=UPLOAD_MODES),
        initial="reject",
    )

    wide_fields = ("text", "mode")


class ExplainForm(forms.Form):
    explanation = _text(_("explanation"), widget=forms.Textarea(attrs={"rows": 4}))


class DecideForm(forms.Form):
    decision = _select(_("decision"), _blank("—", Event.Decision.choices))
    note = _text(_("decision note"), widget=forms.Textarea(attrs={"rows": 3}))
