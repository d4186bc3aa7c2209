"""Forms of the register's pages: they render widgets and re-show input; services validate.

Every field is a plain CharField on purpose: the one cleaning path is
`validation.clean_factory` (shared with the API and the import), so the form must not refuse or
reshape input before the service sees it.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from rongngan.core.models import District, Province, Subdistrict
from rongngan.core.thai import format_en_date, format_thai_date
from rongngan.registry.models import Factory, FactoryClass, FactoryStatus, FactoryType, Machine
from rongngan.registry.services import MACHINE_FIELDS

Choices = list[tuple[str, str]]


def bilingual(name_th: str, name_en: str) -> str:
    return f"{name_th} · {name_en}" if name_en else name_th


def province_choices(blank: str) -> Choices:
    return [("", blank)] + [
        (p.code, bilingual(p.name_th, p.name_en)) for p in Province.objects.order_by("name_th")
    ]


def district_choices(province: str | None, blank: str) -> Choices:
    out: Choices = [("", blank)]
    if province:
        out += [
            (d.code, bilingual(d.name_th, d.name_en))
            for d in District.objects.filter(province_id=province).order_by("name_th")
        ]
    return out


def subdistrict_choices(district: str | None, blank: str) -> Choices:
    out: Choices = [("", blank)]
    if district:
        out += [
            (s.code, bilingual(s.name_th, s.name_en))
            for s in Subdistrict.objects.filter(district_id=district).order_by("name_th")
        ]
    return out


def type_choices(blank: str) -> Choices:
    return [("", blank)] + [
        (t.code, f"{t.code} {t.name_th[:70]}") for t in FactoryType.objects.order_by("code")
    ]


def _text(label: Any, **kwargs: Any) -> forms.CharField:
    return forms.CharField(label=label, required=False, **kwargs)


def _select(label: Any, **kwargs: Any) -> forms.CharField:
    return forms.CharField(label=label, required=False, widget=forms.Select, **kwargs)


def date_text(value: Any) -> str:
    """A date as users type it (B.E.); validation.parse_thai_date reads it back."""
    if not value:
        return ""
    if (translation.get_language() or "th").startswith("th"):
        return format_thai_date(value)
    return format_en_date(value)


class FactoryFilterForm(forms.Form):
    q = _text(
        _("Search"),
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("Name (Thai or English), registration no. or juristic ID"),
            }
        ),
    )
    province = _select(_("Province"))
    district = _select(_("District"))
    category = _select(_("Factory type"))
    factory_class = _select(_("Class"))
    status = _select(_("Status"))
    estate = _select(_("Industrial estate"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        province = (self.data.get("province") or "").strip()
        self.fields["province"].widget.choices = province_choices(_("All provinces"))
        self.fields["district"].widget.choices = district_choices(province, _("All districts"))
        self.fields["category"].widget.choices = type_choices(_("All types"))
        self.fields["factory_class"].widget.choices = [("", _("All classes"))] + [
            (str(v), label) for v, label in FactoryClass.choices
        ]
        self.fields["status"].widget.choices = [("", _("Any status")), *FactoryStatus.choices]
        self.fields["estate"].widget.choices = [
            ("", _("Inside or outside")),
            ("1", _("Inside an industrial estate")),
            ("0", _("Outside industrial estates")),
        ]


class FactoryForm(forms.Form):
    wide_fields = ("name_th", "name_en", "address")

    registration_no = _text(_("Registration number"))
    former_registration_no = _text(_("Former registration number"))
    name_th = _text(_("Name (Thai)"))
    name_en = _text(_("Name (English)"))
    juristic_id = _text(_("Juristic ID"), help_text=_("13 digits, as on the company certificate."))
    operator = _text(
        _("Operator organisation code"),
        help_text=_("Leave empty to find or register the operator by its juristic ID."),
    )
    operator_name = _text(_("Operator name (for a new operator)"))
    type_codes = _text(
        _("Factory types"),
        help_text=_("Category codes separated by “;”, e.g. 101;105."),
    )
    primary_type = _text(_("Main type"), help_text=_("One of the codes above."))
    factory_class = _select(_("Class"))
    status = _select(_("Status"))
    address = _text(_("Address"))
    province = _select(_("Province"))
    district = _select(_("District"))
    subdistrict = _select(_("Subdistrict"))
    postcode = _text(_("Postcode"), widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    latitude = _text(_("Latitude"), widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    longitude = _text(_("Longitude"), widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    horsepower = _text(_("Horsepower"), widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    workers = _text(_("Workers"), widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    capital = _text(_("Capital (baht)"), widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    licensed_on = _text(_("Licensed on"), help_text=_("e.g. 1 ต.ค. 2562 or 2019-10-01"))
    started_on = _text(_("Started on"), help_text=_("e.g. 1 ต.ค. 2562 or 2019-10-01"))
    in_industrial_estate = forms.BooleanField(label=_("In an industrial estate"), required=False)
    estate_name = _text(_("Industrial estate"))
    contact_name = _text(_("Contact person"))
    contact_phone = _text(_("Contact phone"), widget=forms.TextInput(attrs={"type": "tel"}))
    contact_email = _text(_("Contact email"), widget=forms.TextInput(attrs={"type": "email"}))

    # Fields that must reach the service together: it checks them against each other.
    LINKED = (
        {"type_codes", "primary_type"},
        {"province", "district", "subdistrict", "postcode"},
        {"latitude", "longitude"},
    )
    CREATE_ONLY = {"operator_name"}

    def __init__(
        self,
        *args: Any,
        editable: Iterable[str] | None = None,
        creating: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if not creating:
            for name in self.CREATE_ONLY:
                del self.fields[name]
        if editable is not None:
            keep = set(editable)
            for name in list(self.fields):
                if name not in keep:
                    del self.fields[name]
        province = self._value("province")
        district = self._value("district")
        choose = _("— choose —")
        if "factory_class" in self.fields:
            self.fields["factory_class"].widget.choices = [("", choose)] + [
                (str(v), label) for v, label in FactoryClass.choices
            ]
        if "status" in self.fields:
            self.fields["status"].widget.choices = list(FactoryStatus.choices)
        if "province" in self.fields:
            self.fields["province"].widget.choices = province_choices(choose)
            self.fields["district"].widget.choices = district_choices(province, choose)
            self.fields["subdistrict"].widget.choices = subdistrict_choices(district, "—")
            # Choosing a province refills the districts, a district the subdistricts (htmx);
            # without JS the page still works: the lists follow the saved values on reload.
            self.fields["province"].widget.attrs.update(
                {
                    "hx-get": reverse("registry:district_options"),
                    "hx-target": "#id_district",
                    "hx-trigger": "change",
                }
            )
            self.fields["district"].widget.attrs.update(
                {
                    "hx-get": reverse("registry:subdistrict_options"),
                    "hx-target": "#id_subdistrict",
                    "hx-trigger": "change",
                }
            )

    def _value(self, name: str) -> str:
        if self.is_bound:
            return str(self.data.get(name) or "").strip()
        return str(self.initial.get(name) or "").strip()

    @staticmethod
    def initial_for(f: Factory) -> dict[str, Any]:
        types = sorted(t.code for t in f.types.all())
        return {
            "registration_no": f.registration_no,
            "former_registration_no": f.former_registration_no,
            "name_th": f.name_th,
            "name_en": f.name_en,
            "juristic_id": f.juristic_id,
            "operator": f.operator.code,
            "type_codes": ";".join(types),
            "primary_type": f.primary_type.code,
            "factory_class": str(f.factory_class),
            "status": f.status,
            "address": f.address,
            "province": f.province_id,
            "district": f.district_id,
            "subdistrict": f.subdistrict_id or "",
            "postcode": f.postcode,
            "latitude": "" if f.latitude is None else str(f.latitude),
            "longitude": "" if f.longitude is None else str(f.longitude),
            "horsepower": "" if f.horsepower is None else str(f.horsepower),
            "workers": "" if f.workers is None else str(f.workers),
            "capital": "" if f.capital is None else str(f.capital),
            "licensed_on": date_text(f.licensed_on),
            "started_on": date_text(f.started_on),
            "in_industrial_estate": f.in_industrial_estate,
            "estate_name": f.estate_name,
            "contact_name": f.contact_name,
            "contact_phone": f.contact_phone,
            "contact_email": f.contact_email,
        }


class MachineForm(forms.Form):
    wide_fields: tuple[str, ...] = ()

    name = _text(_("Machine"))
    machine_type = _text(_("Type"))
    maker = _text(_("Maker"))
    model_name = _text(_("Model"))
    serial_no = _text(_("Serial number"))
    year_made = _text(
        _("Year made (C.E.)"),
        help_text=_("A B.E. year is read as B.E.: 2560 is 2017."),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    horsepower = _text(_("Horsepower"), widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    registration_no = _text(_("Machinery registration number"))
    registered_on = _text(_("Registered on"), help_text=_("e.g. 1 ต.ค. 2562 or 2019-10-01"))
    mortgaged = forms.BooleanField(label=_("Mortgaged"), required=False)
    status = _select(_("Status"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from rongngan.registry.models import MachineStatus

        self.fields["status"].widget.choices = list(MachineStatus.choices)
        assert set(self.fields) == set(MACHINE_FIELDS), "MachineForm out of step with services"

    @staticmethod
    def initial_for(m: Machine) -> dict[str, Any]:
        return {
            "name": m.name,
            "machine_type": m.machine_type,
            "maker": m.maker,
            "model_name": m.model_name,
            "serial_no": m.serial_no,
            "year_made": "" if m.year_made is None else str(m.year_made),
            "horsepower": "" if m.horsepower is None else str(m.horsepower),
            "registration_no": m.registration_no,
            "registered_on": date_text(m.registered_on),
            "mortgaged": m.mortgaged,
            "status": m.status,
        }


def submitted_values(form: forms.Form, post: Mapping[str, Any]) -> dict[str, Any]:
    """The raw submitted value of every form field; checkboxes become "1"/"0"."""
    out: dict[str, Any] = {}
    for name, field in form.fields.items():
        if isinstance(field, forms.BooleanField):
            out[name] = "1" if post.get(name) in ("on", "1", "true", "True") else "0"
        else:
            out[name] = str(post.get(name, "")).strip()
    return out


def changed_values(
    submitted: Mapping[str, Any],
    initial: Mapping[str, Any],
    linked: Iterable[set[str]] = (),
) -> dict[str, Any]:
    """Only what the user changed, plus the fields the service must check alongside them.

    Sending unchanged fields would re-validate (and re-audit) values the user never touched.
    """

    def norm(value: Any) -> str:
        if isinstance(value, bool):
            return "1" if value else "0"
        return "" if value is None else str(value).strip()

    changed = {k for k, v in submitted.items() if norm(v) != norm(initial.get(k))}
    for group in linked:
        if changed & group:
            changed |= group & set(submitted)
    return {k: submitted[k] for k in submitted if k in changed}
