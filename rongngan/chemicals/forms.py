"""Forms of the chemicals pages: they render widgets and re-show input; services validate.

As in the other apps, fields are plain text or selects on purpose: the services are the one
cleaning path. Each form turns its input into the service's data and knows where a service
problem ("items[2].max_quantity.unit") belongs among its fields.
"""

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django import forms
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from rongngan.chemicals import units
from rongngan.chemicals.cas import CAS_INPUT
from rongngan.chemicals.models import (
    PhysicalState,
    ReceptorKind,
    SiteKind,
    StorageType,
    Surroundings,
    Tier,
)
from rongngan.core.errors import RongnganValidationError
from rongngan.registry.forms import district_choices, province_choices

Choices = list[tuple[str, str]]
MAX_ROWS = 60
# Five or more digits, with or without the dashes, read as a CAS number; anything else (a name,
# a synonym, "UN1005") is looked up by name and never resolved silently.


def plain_decimal(value: Any) -> str:
    """A Decimal as typed text, without exponent or trailing zeros ("" for None)."""
    if value is None:
        return ""
    d = Decimal(value).normalize()
    return format(d, "f")


def _text(label: Any, **kwargs: Any) -> forms.CharField:
    return forms.CharField(label=label, required=False, **kwargs)


def _select(label: Any, choices: Any, **kwargs: Any) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, required=False, choices=choices, **kwargs)


def _number(label: Any, **kwargs: Any) -> forms.CharField:
    return _text(label, widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 8}), **kwargs)


def unit_choices() -> Choices:
    thai = (translation.get_language() or "th").startswith("th")
    return [(u.code, u.label_th if thai else u.label_en) for u in units.UNITS]


# --------------------------------------------------------------------------------------------
# Directory and site list


class DirectorySearchForm(forms.Form):
    q = _text(
        _("CAS number, UN number or name"),
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("e.g. 7664-41-7, UN1005, ammonia, แอมโมเนีย")}
        ),
    )


class SiteFilterForm(forms.Form):
    q = _text(_("Name or site code"), widget=forms.TextInput(attrs={"type": "search"}))
    province = _select(_("Province"), [])
    tier = _select(_("Tier"), [])
    kind = _select(_("Kind"), [])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["province"].choices = province_choices(str(_("All provinces")))
        self.fields["tier"].choices = [("", _("All tiers")), *Tier.choices]
        self.fields["kind"].choices = [("", _("All kinds")), *SiteKind.choices]


# --------------------------------------------------------------------------------------------
# Site registration


class SiteForm(forms.Form):
    kind = _select(_("Kind"), SiteKind.choices)
    factory = _text(
        _("Factory registration no."),
        help_text=_("For a factory site: its place and operator are taken from the register."),
    )
    name_th = _text(_("Name (Thai)"))
    name_en = _text(_("Name (English)"))
    address = _text(_("Address"))
    province = _select(_("Province"), [])
    district = _select(_("District"), [])
    operator = _text(
        _("Operator (organisation code)"),
        help_text=_("For a storage site; operators register their own sites."),
    )
    latitude = _number(_("Latitude"))
    longitude = _number(_("Longitude"))
    surroundings = _select(_("Surroundings"), Surroundings.choices)
    code = _text(_("Site code"), help_text=_("Leave blank for the next free code."))

    def __init__(self, *args: Any, operator_role: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        province = (self.data.get("province") if self.is_bound else None) or None
        self.fields["province"].choices = province_choices(str(_("Choose a province")))
        # Every district when no province is chosen yet (a page without script still works).
        self.fields["district"].choices = (
            district_choices(province, str(_("Choose a district")))
            if province
            else _all_districts(str(_("Choose a district")))
        )
        # With script, choosing a province narrows the districts (the register's options).
        self.fields["province"].widget.attrs.update(
            {
                "hx-get": reverse("registry:district_options"),
                "hx-target": "#id_district",
                "hx-trigger": "change",
            }
        )
        if operator_role:
            del self.fields["operator"]

    def data_for_service(self) -> dict[str, Any]:
        return {name: (self.data.get(name) or "").strip() for name in self.fields}


def _all_districts(blank: str) -> Choices:
    from rongngan.core.models import District

    return [("", blank)] + [
        (d.code, f"{d.name_th} ({d.province_id})") for d in District.objects.order_by("code")
    ]


# --------------------------------------------------------------------------------------------
# Inventory declaration


class DeclarationForm(forms.Form):
    year = _text(
        _("Year (B.E.)"), widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 6})
    )
    note = _text(_("Note"), widget=forms.TextInput(attrs={"size": 40}))


class ItemRowForm(forms.Form):
    """One row: a substance (CAS number or name) or a mixture (name and Seveso categories)."""

    substance = _text(
        _("Substance (CAS number or name)"), widget=forms.TextInput(attrs={"size": 16})
    )
    choice = _select(_("Which substance?"), [], widget=forms.RadioSelect)
    mixture_name = _text(_("or mixture name"), widget=forms.TextInput(attrs={"size": 14}))
    mixture_categories = _text(
        _("Mixture categories"), widget=forms.TextInput(attrs={"size": 8, "placeholder": "H2, P5c"})
    )
    physical_state = _select(_("Physical state"), [])
    max_quantity = _number(_("Maximum quantity"))
    unit = _select(_("Unit"), [])
    density_kg_m3 = _number(_("Density (kg/m³)"))
    temperature_c = _number(_("Temperature (°C)"))
    pressure_kpa = _number(_("Pressure (kPa absolute)"))
    average_quantity = _number(_("Average quantity"))
    largest_container = _number(_("Largest container"))
    storage_type = _select(_("Storage type"), [])
    location = _text(_("Location in the site"), widget=forms.TextInput(attrs={"size": 14}))
    isolated = forms.BooleanField(label=_("Cannot start a major accident"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["physical_state"].choices = [
            ("", _("(from the directory)")),
            *PhysicalState.choices,
        ]
        self.fields["unit"].choices = unit_choices()
        self.fields["storage_type"].choices = [("", "—"), *StorageType.choices]
        self.fields["choice"].choices = []
        # With script, a typed CAS number or name is looked up as soon as it is left.
        self.fields["substance"].widget.attrs.update(
            {
                "hx-get": reverse("chemicals:substance_lookup"),
                "hx-trigger": "change",
                "hx-target": f"#lookup-{self.prefix}",
                "hx-vals": f'{{"row": "{self.prefix}"}}',
            }
        )

    def offer(self, candidates: list[tuple[str, str]]) -> None:
        """Show the substances a name matched as choices (the page never picks one)."""
        self.fields["choice"].choices = candidates

    def raw(self, name: str) -> str:
        return str(self.data.get(self.add_prefix(name)) or "").strip()

    def is_blank(self) -> bool:
        return not any(
            self.raw(n)
            for n in self.fields
            if n not in {"unit", "isolated", "physical_state", "storage_type"}
        )

    def item(self) -> dict[str, Any]:
        picked = self.raw("choice")
        text = picked or self.raw("substance")
        row: dict[str, Any] = {}
        if self.raw("mixture_name") or (self.raw("mixture_categories") and not text):
            row["mixture"] = {
                "name": self.raw("mixture_name"),
                "categories": self.raw("mixture_categories"),
            }
            if text:  # both given: the service says which one to drop
                row["name"] = text
        elif text and CAS_INPUT.match(text) and sum(c.isdecimal() for c in text) >= 5:
            row["cas"] = text
        elif text:
            row["name"] = text
        for name in (
            "physical_state",
            "max_quantity",
            "unit",
            "density_kg_m3",
            "temperature_c",
            "pressure_kpa",
            "average_quantity",
            "largest_container",
            "storage_type",
            "location",
        ):
            row[name] = self.raw(name)
        row["isolated"] = self.raw("isolated") in ("on", "1", "true", "True")
        return row


ItemFormSet = forms.formset_factory(ItemRowForm, extra=0, max_num=MAX_ROWS, absolute_max=MAX_ROWS)

# Where a service problem on a row belongs: the last part of "items[i].<path>", or the code.
ROW_FIELDS = {
    "cas": "substance",
    "name": "substance",
    "mixture": "mixture_name",
    "mixture.name": "mixture_name",
    "mixture.categories": "mixture_categories",
    "physical_state": "physical_state",
    "max_quantity": "max_quantity",
    "average_quantity": "average_quantity",
    "largest_container": "largest_container",
    "density_kg_m3": "density_kg_m3",
    "temperature_c": "temperature_c",
    "pressure_kpa": "pressure_kpa",
    "storage_type": "storage_type",
}
CODE_FIELDS = {
    "density_required": "density_kg_m3",
    "conditions_required": "temperature_c",
    "unit_unknown": "unit",
    "unit_missing": "unit",
}


def row_position(field: str | None) -> tuple[int, str] | None:
    """(2, "max_quantity.unit") for "items[2].max_quantity.unit"."""
    m = re.match(r"^items\[(\d+)\]\.?(.*)$", field or "")
    return (int(m.group(1)), m.group(2)) if m else None


def show_declaration_problems(
    form: DeclarationForm,
    rows: list[ItemRowForm],
    positions: list[int],
    exc: RongnganValidationError,
) -> None:
    """Each problem on its row and field; `positions[i]` is the row form of service item i
    (blank rows are not sent)."""
    for problem in exc.problems:
        where = row_position(problem.field)
        if where is None:
            name = problem.field if problem.field in form.fields else None
            form.add_error(name, problem.text())
            continue
        index, rest = where
        if index >= len(positions):
            form.add_error(None, problem.text())
            continue
        row = rows[positions[index]]
        name = CODE_FIELDS.get(problem.code) or ROW_FIELDS.get(rest)
        if name is None and rest.startswith("mixture.components"):
            name = "mixture_name"
        if name is None and rest.endswith(".unit"):
            name = "unit"
        row.add_error(name if name in row.fields else None, problem.text())


def candidates_for(name: str) -> list[tuple[str, str]]:
    """The directory entries an exact name (or synonym, or UN number) matches, as choices."""
    from rongngan.chemicals import catalogue

    return [
        (r.cas, f"{r.cas} · {r.name_en}" + (f" · {r.name_th}" if r.name_th else ""))
        for r in catalogue.find(name)
    ]


def row_initial(item: Any) -> dict[str, Any]:
    """A row of a new version, prefilled from the current one (in kilograms: exact)."""
    if item.substance_id:
        first = {"substance": item.substance.cas}
    else:
        first = {
            "mixture_name": item.mixture_name,
            "mixture_categories": ", ".join(item.mixture_categories),
        }
    return {
        **first,
        "physical_state": item.physical_state,
        "max_quantity": plain_decimal(item.max_kg),
        "unit": "kg",
        "average_quantity": plain_decimal(item.average_kg),
        "largest_container": plain_decimal(item.largest_container_kg),
        "storage_type": item.storage_type,
        "pressure_kpa": plain_decimal(item.pressure_kpa),
        "temperature_c": plain_decimal(item.temperature_c),
        "location": item.location,
        "isolated": item.isolated,
    }


# --------------------------------------------------------------------------------------------
# Receptors


class ReceptorUploadForm(forms.Form):
    name = _text(_("Layer name"))
    file = forms.FileField(
        label=_("File (GeoJSON or CSV)"),
        required=False,
        help_text=_(
            "GeoJSON: Point features with name, kind and population. "
            "CSV: columns name, kind, latitude, longitude, population."
        ),
    )
    kind = _select(_("Kind for rows without one"), [])
    description = _text(_("Description"), widget=forms.Textarea(attrs={"rows": 2}))
    synthetic = forms.BooleanField(label=_("Synthetic (demo) data"), required=False)
    dry_run = forms.BooleanField(label=_("Check only, do not save"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "—"), *ReceptorKind.choices]


def checked(data: Mapping[str, Any], name: str) -> bool:
    return str(data.get(name) or "").lower() in ("on", "1", "true", "yes")
