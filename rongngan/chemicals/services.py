"""Every write of the chemicals core: sites, inventory declarations, computed hazard and area
layers, receptor layers. Each validates everything first (all problems at once), writes in one
transaction, and leaves an audit entry; nothing regulated is overwritten (declarations are
versioned, a new one supersedes the current one of its year)."""

import csv
import io
import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

import h3
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from rongngan.chemicals import areas, hazard
from rongngan.chemicals.messages import MSG
from rongngan.chemicals.models import (
    Declaration,
    DeclarationSource,
    InventoryItem,
    PhysicalState,
    Receptor,
    ReceptorKind,
    ReceptorLayer,
    SiteHazard,
    SiteKind,
    StorageSite,
    StorageType,
    Substance,
    Surroundings,
)
from rongngan.chemicals.scoping import scope_sites
from rongngan.core import audit, bulk
from rongngan.core.errors import Problem, RongnganValidationError
from rongngan.core.geo import in_thailand
from rongngan.core.models import District, Province
from rongngan.core.scoping import role_of
from rongngan.core.thai import to_arabic_digits

H3_RES = 7
SITE_AUDIT = [
    *("code", "kind", "factory", "operator", "name_th", "province", "district"),
    *("latitude", "longitude", "surroundings"),
]
RECEPTOR_ROLES = {"admin", "officer", "provincial_officer", "local_gov"}


class _Problems:
    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, field: str | None, code: str, row: int | None = None, **params: Any) -> None:
        self.items.append(Problem(field, code, MSG[code], params, row=row))

    def check(self) -> None:
        if self.items:
            raise RongnganValidationError(self.items)


def _decimal(value: Any) -> Decimal | None:
    """None for blank; raises InvalidOperation for text that is not a number."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, float):
        value = repr(value)
    d = Decimal(to_arabic_digits(str(value)).strip().replace(",", ""))
    if not d.is_finite():
        raise InvalidOperation
    return d


def _number(p: _Problems, data: Mapping[str, Any], name: str, field: str) -> Decimal | None:
    try:
        return _decimal(data.get(name))
    except (InvalidOperation, ValueError, TypeError):
        p.add(field, "invalid_number", value=data.get(name))
        return None


def _text(data: Mapping[str, Any], name: str, limit: int = 255) -> str:
    value = data.get(name)
    return "" if value is None else str(value).strip()[:limit]


def can_write_site(user: Any, site: StorageSite) -> bool:
    return scope_sites(StorageSite.objects.filter(pk=site.pk), user, write=True).exists()


# ------------------------------------------------------------------------------------------------
# Sites


def _site_code(kind: str, province_id: str) -> str:
    prefix = f"{'F' if kind == SiteKind.FACTORY else 'S'}{province_id}-"
    last = (
        StorageSite.objects.filter(code__startswith=prefix)
        .order_by("-code")
        .values_list("code", flat=True)
        .first()
    )
    n = int(last.rsplit("-", 1)[1]) + 1 if last and last.rsplit("-", 1)[1].isdecimal() else 1
    return f"{prefix}{n:06d}"


@transaction.atomic
def site_register(*, acting_user: Any, data: Mapping[str, Any]) -> StorageSite:
    """A factory site (`factory`: a registry factory id; place and operator copied from it) or a
    hazardous-substance storage site (`name_th`, `province`, `district`, `latitude`,
    `longitude`, `operator`)."""
    from rongngan.accounts.models import Organisation
    from rongngan.registry.models import Factory

    p = _Problems()
    role = role_of(acting_user)
    if role not in {"admin", "officer", "provincial_officer", "operator"}:
        raise PermissionError("not allowed to register storage sites")
    kind = _text(data, "kind") or (SiteKind.FACTORY if data.get("factory") else "")
    if kind not in SiteKind.values:
        p.add("kind", "invalid_choice", value=kind, choices=", ".join(SiteKind.values))
        p.check()
    lat = _number(p, data, "latitude", "latitude")
    lon = _number(p, data, "longitude", "longitude")
    fields: dict[str, Any] = {
        "kind": kind,
        "surroundings": _text(data, "surroundings"),
        "address": _text(data, "address"),
        "name_en": _text(data, "name_en"),
    }
    if fields["surroundings"] not in Surroundings.values:
        p.add(
            "surroundings",
            "invalid_choice",
            value=fields["surroundings"],
            choices=", ".join(v for v in Surroundings.values if v),
        )
    if kind == SiteKind.FACTORY:
        ref = str(data.get("factory") or "").strip()
        factory = Factory.objects.filter(pk=ref).first() if ref.isdecimal() else None
        if factory is None:
            p.add("factory", "factory_not_found", value=ref)
            p.check()
        taken = StorageSite.objects.filter(factory=factory).values_list("code", flat=True).first()
        if taken:
            p.add("factory", "factory_taken", value=factory.registration_no, site_code=taken)
        if factory.operator_id is None:
            p.add("factory", "unknown_operator", value=factory.registration_no)
        lat = lat if lat is not None else factory.latitude
        lon = lon if lon is not None else factory.longitude
        if lat is None or lon is None:
            p.add("latitude", "factory_no_coordinates")
        fields.update(
            factory=factory,
            operator_id=factory.operator_id,
            name_th=_text(data, "name_th") or factory.name_th,
            name_en=fields["name_en"] or factory.name_en,
            address=fields["address"] or factory.address,
            province_id=factory.province_id,
            district_id=factory.district_id,
            subdistrict_id=factory.subdistrict_id,
        )
    else:
        name_th = _text(data, "name_th")
        if not name_th:
            p.add("name_th", "required")
        province = Province.objects.filter(pk=_text(data, "province")).first()
        if province is None:
            _missing_or(p, data, "province", "unknown_province")
        district = District.objects.filter(pk=_text(data, "district")).first()
        if district is None:
            _missing_or(p, data, "district", "unknown_district")
        elif province is not None and district.province_id != province.pk:
            p.add("district", "district_mismatch", value=district.pk, province=province.pk)
        ref = _text(data, "operator")
        if not ref and role == "operator":
            ref = str(acting_user.organisation_id or "")
        operator = (
            Organisation.objects.filter(pk=ref).first()
            if ref.isdecimal()
            else Organisation.objects.filter(code=ref).first()
        )
        if not ref:
            p.add("operator", "required")
        elif operator is None:
            p.add("operator", "unknown_operator", value=ref)
        if lat is None:
            p.add("latitude", "required")
        if lon is None:
            p.add("longitude", "required")
        fields.update(
            name_th=name_th,
            operator_id=operator.pk if operator else None,
            province_id=province.pk if province else None,
            district_id=district.pk if district else None,
        )
    if lat is not None and lon is not None and not in_thailand(float(lat), float(lon)):
        p.add("latitude", "outside_thailand", lat=lat, lon=lon)
    code = _text(data, "code", 1000)
    if len(code) > 40:
        p.add("code", "too_long", max=40)
    elif code and StorageSite.objects.filter(code=code).exists():
        p.add("code", "code_taken", value=code)
    p.check()
    # Reach: officers anywhere, a provincial officer in the province, an operator for itself.
    if (role == "provincial_officer" and fields["province_id"] != acting_user.province_id) or (
        role == "operator" and fields["operator_id"] != acting_user.organisation_id
    ):
        raise PermissionError("outside the user's reach")
    site = StorageSite(
        code=code or _site_code(kind, fields["province_id"]),
        latitude=Decimal(lat).quantize(Decimal("0.000001")),
        longitude=Decimal(lon).quantize(Decimal("0.000001")),
        registered_on=timezone.localdate(),
        created_by=acting_user,
        **fields,
    )
    site.full_clean()
    site.save()
    audit.record(
        actor=acting_user,
        action="create",
        obj=site,
        changes=audit.snapshot(
            site,
            [*SITE_AUDIT],
        ),
    )
    return site


# ------------------------------------------------------------------------------------------------
# Inventory declarations


def _resolve_substance(p: _Problems, field: str, raw_cas: str, raw_name: str) -> Substance | None:
    from rongngan.chemicals import catalogue
    from rongngan.chemicals.cas import CasError, normalise_cas

    if raw_cas:
        try:
            cas = normalise_cas(raw_cas)
        except CasError as exc:
            code = getattr(exc, "code", "cas_format")
            p.add(f"{field}.cas", code if code in MSG else "cas_format", value=raw_cas)
            return None
        found = Substance.objects.filter(cas=cas).first()
        if found is None:
            candidates = catalogue.find(raw_name) if raw_name else []
            suggest = (
                " " + ", ".join(f"{c.name_en} ({c.cas})" for c in candidates[:5]) + "?"
                if candidates
                else ""
            )
            p.add(f"{field}.cas", "cas_unknown", value=cas, suggest=suggest)
        return found
    matches = list(catalogue.find(raw_name))
    if not matches:
        p.add(f"{field}.name", "name_unknown", value=raw_name)
        return None
    listing = ", ".join(f"{m.name_en} ({m.cas})" for m in matches[:10])
    if len(matches) > 1:
        p.add(f"{field}.name", "name_ambiguous", value=raw_name, candidates=listing)
        return None
    # find() matches exactly (case, spaces and punctuation aside): one match is the one meant.
    only = matches[0]
    return Substance.objects.filter(cas=only.cas).first()


def _convert(
    p: _Problems,
    field: str,
    quantity: Decimal | None,
    unit: str,
    *,
    density: Decimal | None,
    substance: Substance | None,
    temperature: Decimal | None,
    pressure: Decimal | None,
) -> Decimal | None:
    from rongngan.chemicals import units

    if quantity is None:
        return None
    try:
        return units.to_kg(
            quantity,
            unit,
            density_kg_m3=density,
            molecular_weight=substance.molecular_weight if substance else None,
            temperature_c=temperature,
            pressure_kpa=pressure,
        )
    except units.UnitError as exc:
        code = getattr(exc, "code", "")
        if code == "unit_unknown":
            p.add(f"{field}.unit", code, value=unit, units=", ".join(units.UNIT_CODES))
        elif code in MSG:
            p.add(field if code == "negative" else f"{field}.unit", code)
        else:
            p.add(field, "unit_error", value=str(exc))
        return None


def _item(p: _Problems, i: int, raw: Any, source: str) -> dict[str, Any] | None:
    from rongngan.chemicals import catalogue
    from rongngan.chemicals.cas import CasError, normalise_cas

    field = f"items[{i}]"
    if not isinstance(raw, Mapping):
        p.add(field, "required")
        return None
    raw_cas = _text(raw, "cas", 40)
    raw_name = _text(raw, "name")
    mixture = raw.get("mixture")
    substance = None
    out: dict[str, Any] = {"line": i + 1, "source": source}
    if mixture and (raw_cas or raw_name):
        p.add(field, "substance_or_mixture")
        return None
    if mixture:
        if not isinstance(mixture, Mapping):
            p.add(f"{field}.mixture", "mixture_name")
            return None
        name = _text(mixture, "name")
        if not name:
            p.add(f"{field}.mixture.name", "mixture_name")
        categories = mixture.get("categories") or []
        if isinstance(categories, str):
            categories = [c.strip() for c in categories.replace(";", ",").split(",")]
        categories = [str(c).strip() for c in categories if str(c).strip()]
        known = catalogue.seveso_categories()
        if not categories:
            p.add(f"{field}.mixture.categories", "mixture_categories")
        for c in categories:
            if c not in known:
                p.add(f"{field}.mixture.categories", "category_unknown", value=c)
        components = []
        for j, comp in enumerate(mixture.get("components") or []):
            cf = f"{field}.mixture.components[{j}]"
            if not isinstance(comp, Mapping):
                continue
            ccas = _text(comp, "cas", 40)
            if ccas:
                try:
                    ccas = normalise_cas(ccas)
                except CasError as exc:
                    code = getattr(exc, "code", "cas_format")
                    p.add(f"{cf}.cas", code if code in MSG else "cas_format", value=ccas)
            percent = _number(p, comp, "percent", f"{cf}.percent")
            if percent is not None and not Decimal(0) <= percent <= Decimal(100):
                p.add(f"{cf}.percent", "component_percent")
            components.append(
                {
                    "cas": ccas,
                    "name": _text(comp, "name"),
                    "percent": None if percent is None else str(percent),
                }
            )
        out.update(mixture_name=name, mixture_categories=categories, mixture_components=components)
    elif raw_cas or raw_name:
        substance = _resolve_substance(p, field, raw_cas, raw_name)
        out["substance"] = substance
    else:
        p.add(f"{field}.cas", "required")
    state = _text(raw, "physical_state")
    if not state and substance is not None:
        state = substance.physical_state
        if state == "gas" and substance.liquefied_gas:
            state = PhysicalState.LIQUEFIED_GAS
    unresolved = bool(raw_cas or raw_name) and substance is None
    if state not in PhysicalState.values and not unresolved:
        # (an unresolved substance is reported once, on its CAS or name)
        p.add(f"{field}.physical_state", "not_a_gas_or_liquid")
    out["physical_state"] = state
    storage_type = _text(raw, "storage_type")
    if storage_type and storage_type not in StorageType.values:
        p.add(
            f"{field}.storage_type",
            "invalid_choice",
            value=storage_type,
            choices=", ".join(StorageType.values),
        )
    density = _number(p, raw, "density_kg_m3", f"{field}.density_kg_m3")
    temperature = _number(p, raw, "temperature_c", f"{field}.temperature_c")
    pressure = _number(p, raw, "pressure_kpa", f"{field}.pressure_kpa")
    quantity = _number(p, raw, "max_quantity", f"{field}.max_quantity")
    unit = _text(raw, "unit", 10)
    if quantity is None and raw.get("max_quantity") in (None, ""):
        p.add(f"{field}.max_quantity", "required")
    average = _number(p, raw, "average_quantity", f"{field}.average_quantity")
    container = _number(p, raw, "largest_container", f"{field}.largest_container")
    # Figures the columns cannot hold, and physically impossible conditions, are refused here
    # rather than failing at the database.
    for name, value, digits in (
        ("density_kg_m3", density, 8),
        ("temperature_c", temperature, 6),
        ("pressure_kpa", pressure, 9),
        ("max_quantity", quantity, 14),
        ("average_quantity", average, 14),
        ("largest_container", container, 14),
    ):
        if value is not None and abs(value) >= Decimal(10) ** digits:
            p.add(f"{field}.{name}", "too_large", value=raw.get(name))
            return None
    for name, value in (("density_kg_m3", density), ("pressure_kpa", pressure)):
        if value is not None and value <= 0:
            p.add(f"{field}.{name}", "not_positive")
    if temperature is not None and temperature < Decimal("-273.15"):
        p.add(f"{field}.temperature_c", "below_absolute_zero")
    kw = {
        "density": density,
        "substance": substance,
        "temperature": temperature,
        "pressure": pressure,
    }
    if quantity is not None and not unit:
        p.add(f"{field}.unit", "unit_missing")
        return None
    max_kg = _convert(p, f"{field}.max_quantity", quantity, unit, **kw)
    average_kg = _convert(p, f"{field}.average_quantity", average, unit, **kw)
    container_kg = _convert(p, f"{field}.largest_container", container, unit, **kw)
    if max_kg is not None and max_kg >= Decimal(10) ** 18:
        p.add(f"{field}.max_quantity", "too_large", value=raw.get("max_quantity"))
        return None
    if max_kg is not None and average_kg is not None and average_kg > max_kg:
        p.add(f"{field}.average_quantity", "average_over_max")
    if max_kg is not None and container_kg is not None and container_kg > max_kg:
        p.add(f"{field}.largest_container", "container_over_max")
    out.update(
        max_quantity=quantity,
        unit=unit,
        density_kg_m3=density,
        max_kg=max_kg,
        average_kg=average_kg,
        largest_container_kg=container_kg,
        storage_type=storage_type,
        pressure_kpa=pressure,
        temperature_c=temperature,
        location=_text(raw, "location"),
        isolated=_flag(p, raw.get("isolated"), f"{field}.isolated"),
    )
    return out


def _flag(p: _Problems, raw: Any, field: str) -> bool:
    """Yes or no: a boolean, or the registry's yes/no words (and a checkbox's "on"); anything
    else is refused rather than read as no."""
    from rongngan.registry.validation import FALSE_WORDS, TRUE_WORDS

    if isinstance(raw, bool):
        return raw
    text = to_arabic_digits(str(raw if raw is not None else "")).strip().lower()
    if text in TRUE_WORDS or text == "on":
        return True
    if text not in FALSE_WORDS and text != "off":
        p.add(field, "invalid_boolean", value=raw)
    return False


def _missing_or(p: _Problems, data: Mapping[str, Any], field: str, code: str) -> None:
    """A field that named nothing: "required" when it was left empty, else `code`."""
    value = _text(data, field)
    if value:
        p.add(field, code, value=value)
    else:
        p.add(field, "required")


def _year(p: _Problems, raw: Any) -> int | None:
    """A C.E. year, or a B.E. year (2400 and above) converted; both forms are accepted."""
    if raw is None or not str(raw).strip():
        p.add("year", "required")
        return None
    try:
        year = int(str(to_arabic_digits(str(raw))).strip())
    except (TypeError, ValueError):
        p.add("year", "invalid_year", value=raw)
        return None
    if year >= 2400:
        year -= 543
    if not 1990 <= year <= timezone.localdate().year + 1:
        p.add("year", "invalid_year", value=raw)
        return None
    return year


def _write_declaration(
    *,
    acting_user: Any,
    site: StorageSite,
    year: int,
    rows: Sequence[Mapping[str, Any]],
    source: str,
    note: str,
) -> Declaration:
    previous = (
        Declaration.objects.select_for_update()
        .filter(site=site, year=year, is_current=True)
        .first()
    )
    version = (
        Declaration.objects.filter(site=site, year=year).aggregate(v=Max("version"))["v"] or 0
    ) + 1
    if previous is not None:
        previous.is_current = False
        previous.save(update_fields=["is_current"])
    declaration = Declaration.objects.create(
        site=site,
        year=year,
        version=version,
        source=source,
        note=note[:500],
        declared_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
        declared_at=timezone.now(),
    )
    if previous is not None:
        previous.superseded_by = declaration
        previous.save(update_fields=["superseded_by"])
    InventoryItem.objects.bulk_create(
        [InventoryItem(declaration=declaration, **dict(row)) for row in rows]
    )
    audit.record(
        actor=acting_user,
        action="create",
        obj=declaration,
        changes={
            "year": year,
            "version": version,
            "source": source,
            "supersedes": previous.pk if previous else None,
            "items": [
                {
                    "substance": r["substance"].pk if r.get("substance") else r.get("substance_id"),
                    "mixture": r.get("mixture_name", ""),
                    "max_kg": r["max_kg"],
                }
                for r in rows
            ],
        },
        note=note,
    )
    return declaration


@transaction.atomic
def inventory_declare(
    *,
    acting_user: Any,
    site: StorageSite,
    year: Any,
    items: Any,
    note: str = "",
) -> Declaration:
    """A new declaration (next version for the year; the current one is superseded, kept)."""
    if not can_write_site(acting_user, site):
        raise PermissionError("not allowed to declare for this site")
    p = _Problems()
    y = _year(p, year)
    if not isinstance(items, list | tuple):
        p.add("items", "not_a_list")
        p.check()
    if not items:
        p.add("items", "no_items")
    rows = [_item(p, i, raw, DeclarationSource.DECLARATION) for i, raw in enumerate(items)]
    p.check()
    rows = [r for r in rows if r]
    carried = register_items(site, y)
    for n, row in enumerate(carried, start=len(rows) + 1):
        rows.append({**{name: getattr(row, name) for name in _COPY}, "line": n})
    if carried:
        names = ", ".join(sorted({i.substance.name_en for i in carried if i.substance}))
        note = f"{note} [{names} kept from the refrigeration register]".strip()
    declaration = _write_declaration(
        acting_user=acting_user,
        site=site,
        year=y,
        rows=rows,
        source=DeclarationSource.DECLARATION,
        note=note,
    )
    hazard_recompute(site=site)
    return declaration


def _latest_current(site: StorageSite, year: int) -> Declaration | None:
    """The current declaration of `year`, or else of the latest year before it."""
    return (
        Declaration.objects.filter(site=site, is_current=True, year__lte=year)
        .order_by("-year")
        .first()
    )


def register_items(site: StorageSite, year: int) -> list[InventoryItem]:
    """The items another register keeps in the site's inventory (the ammonia refrigeration
    register's charge): an operator's declaration for `year` keeps them, because the register, not
    the declarant, owns them (a plant's charge changes when the plant is saved again). Taken from
    the current declaration of that year, or else of the latest year before it."""
    base = _latest_current(site, year)
    if base is None:
        return []
    return list(
        base.items.exclude(source__in=[DeclarationSource.DECLARATION, DeclarationSource.SEED])
        .select_related("substance")
        .order_by("line")
    )


_COPY = [
    "substance_id",
    "mixture_name",
    "mixture_categories",
    "mixture_components",
    "physical_state",
    "max_quantity",
    "unit",
    "density_kg_m3",
    "max_kg",
    "average_kg",
    "largest_container_kg",
    "storage_type",
    "pressure_kpa",
    "temperature_c",
    "location",
    "isolated",
    "source",
]


@transaction.atomic
def inventory_item_set(
    *,
    acting_user: Any,
    site: StorageSite,
    cas: str,
    max_quantity_kg: Decimal,
    largest_container_kg: Decimal | None = None,
    source: str,
    note: str = "",
) -> Declaration:
    """Puts one substance's quantity (e.g. a refrigeration plant's ammonia charge) into the site's
    current-year inventory as a new declaration version.

    The new version copies the current one of this year (or, when this year has none yet, the
    latest earlier year's, said in the note) and replaces the items of `cas` that came from the
    same `source`; the declarant's own items are kept as declared.
    """
    from rongngan.chemicals.cas import CasError, normalise_cas

    reach = can_write_site(acting_user, site) or (
        role_of(acting_user) == "inspector"
        and scope_sites(StorageSite.objects.filter(pk=site.pk), acting_user).exists()
    )
    if not reach:
        raise PermissionError("not allowed to change this site's inventory")
    p = _Problems()
    substance = None
    try:
        normal = normalise_cas(cas)
        substance = Substance.objects.filter(cas=normal).first()
        if substance is None:
            p.add("cas", "cas_unknown", value=normal, suggest="")
    except CasError as exc:
        code = getattr(exc, "code", "cas_format")
        p.add("cas", code if code in MSG else "cas_format", value=cas)
    if source not in DeclarationSource.values:
        p.add("source", "invalid_choice", value=source, choices=", ".join(DeclarationSource.values))
    try:
        max_kg = _decimal(max_quantity_kg)
        container = _decimal(largest_container_kg)
    except (InvalidOperation, ValueError, TypeError):
        p.add("max_quantity_kg", "invalid_number", value=max_quantity_kg)
        max_kg = container = None
    if max_kg is None and not p.items:
        p.add("max_quantity_kg", "required")
    if (max_kg is not None and max_kg < 0) or (container is not None and container < 0):
        p.add("max_quantity_kg", "negative")
    if max_kg is not None and container is not None and container > max_kg:
        p.add("largest_container_kg", "container_over_max")
    p.check()
    year = timezone.localdate().year
    base = _latest_current(site, year)
    rows: list[dict[str, Any]] = []
    if base is not None:
        for item in base.items.all().order_by("line"):
            if item.substance_id == substance.pk and item.source == source:
                continue
            rows.append({name: getattr(item, name) for name in _COPY})
        if base.year != year:
            note = f"{note} (carried from {base.year + 543})".strip()
    state = PhysicalState.LIQUEFIED_GAS if substance.liquefied_gas else substance.physical_state
    if state not in PhysicalState.values:
        state = PhysicalState.LIQUID
    rows.append(
        {
            "substance_id": substance.pk,
            "physical_state": state,
            "max_quantity": max_kg,
            "unit": "kg",
            "max_kg": max_kg,
            "largest_container_kg": container,
            "source": source,
        }
    )
    for n, row in enumerate(rows, start=1):
        row["line"] = n
    declaration = _write_declaration(
        acting_user=acting_user,
        site=site,
        year=year,
        rows=rows,
        source=source,
        note=note or f"{substance.name_en} set from {source}",
    )
    hazard_recompute(site=site)
    return declaration


# ------------------------------------------------------------------------------------------------
# Hazard


def substance_table() -> dict[int, hazard.SubstanceFacts]:
    return {
        row["id"]: hazard.substance_facts(row)
        for row in Substance.objects.values(*hazard.SUBSTANCE_FIELDS)
    }


def current_declaration(site: StorageSite) -> Declaration | None:
    """The current version of the latest year declared."""
    return Declaration.objects.filter(site=site, is_current=True).order_by("-year").first()


def _hazard_row(
    site_id: int,
    facts: hazard.HazardFacts,
    *,
    declaration_id: int | None,
    province_id: str,
    district_id: str,
    lat: float,
    lon: float,
    items: int,
    now: Any,
    version: str,
) -> dict[str, Any]:
    return {
        "site_id": site_id,
        "declaration_id": declaration_id,
        "tier": facts.tier,
        "hazard_ratio": facts.hazard_ratio,
        "sums": facts.sums,
        "contributions": facts.contributions,
        "explanation": facts.explanation,
        "rmp_crossed": facts.rmp_crossed,
        "public_substances": facts.public_substances,
        "zone_radius_km": facts.zone_radius_km,
        "zone_cas": facts.zone_cas,
        "zone_substance": facts.zone_substance,
        "zone_method": facts.zone_method,
        "zone_setting": facts.zone_setting,
        "zone_details": hazard.jsonable(facts.zone_details),
        "province_id": province_id,
        "district_id": district_id,
        "h3_7": h3.latlng_to_cell(lat, lon, H3_RES),
        "latitude": lat,
        "longitude": lon,
        "item_count": items,
        "computed_at": now,
        "catalogue_version": version,
    }


def _catalogue_version() -> str:
    from rongngan.chemicals import catalogue

    return str(catalogue.VERSION)


@transaction.atomic
def hazard_recompute(*, site: StorageSite) -> SiteHazard:
    """Rebuilds one site's cached hazard status from its current declaration."""
    declaration = current_declaration(site)
    rows = list(declaration.items.values(*hazard.ITEM_FIELDS)) if declaration is not None else []
    ids = {r["substance_id"] for r in rows if r["substance_id"]}
    table = {
        row["id"]: hazard.substance_facts(row)
        for row in Substance.objects.filter(pk__in=ids).values(*hazard.SUBSTANCE_FIELDS)
    }
    facts = hazard.compute([hazard.item_facts(r, table) for r in rows], site.surroundings)
    values = _hazard_row(
        site.pk,
        facts,
        declaration_id=declaration.pk if declaration else None,
        province_id=site.province_id,
        district_id=site.district_id,
        lat=float(site.latitude),
        lon=float(site.longitude),
        items=len(rows),
        now=timezone.now(),
        version=_catalogue_version(),
    )
    values.pop("site_id")
    obj, _ = SiteHazard.objects.update_or_create(site=site, defaults=values)
    site.hazard = obj  # a site loaded with its hazard (select_related) must not show the old one
    # The risk map's areas follow within a minute (the worker), not only at the nightly run.
    transaction.on_commit(_enqueue_areas_refresh)
    return obj


def _enqueue_areas_refresh() -> None:
    """Queues one rebuild of the area layers, unless one is already waiting (a burst of
    declarations makes one rebuild, not one each)."""
    from rongngan.chemicals.tasks import chemicals_areas_refresh

    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # pragma: no cover - another task backend
        DBTaskResult = None
    if DBTaskResult is not None and settings.TASKS["default"]["BACKEND"].startswith(
        "django_tasks_db"
    ):
        if (
            DBTaskResult.objects.ready()
            .filter(task_path=chemicals_areas_refresh.module_path)
            .exists()
        ):
            return
    chemicals_areas_refresh.enqueue()


def hazards_recompute_all(*, batch: int = 5000) -> int:
    """Every active site's hazard at once: one read of all current items, the rules in memory,
    the cache table rewritten (COPY on PostgreSQL). Returns the number of sites."""
    table = substance_table()
    version = _catalogue_version()
    now = timezone.now()
    with transaction.atomic():
        sites = list(
            StorageSite.objects.filter(status="active").values_list(
                "pk", "province_id", "district_id", "latitude", "longitude", "surroundings"
            )
        )
        current: dict[int, int] = {}
        for site_id, decl_id, _y in (
            Declaration.objects.filter(is_current=True)
            .order_by("site_id", "year")
            .values_list("site_id", "pk", "year")
        ):
            current[site_id] = decl_id  # the latest year wins (ordered by year)
        by_decl: dict[int, list[dict[str, Any]]] = defaultdict(list)
        decl_ids = set(current.values())
        for row in (
            InventoryItem.objects.filter(declaration__is_current=True)
            .values("declaration_id", *hazard.ITEM_FIELDS)
            .iterator(chunk_size=20000)
        ):
            if row["declaration_id"] in decl_ids:
                by_decl[row["declaration_id"]].append(row)
        SiteHazard.objects.all().delete()
        out: list[dict[str, Any]] = []
        for site_id, province_id, district_id, lat, lon, surroundings in sites:
            decl = current.get(site_id)
            rows = by_decl.get(decl, []) if decl else []
            facts = hazard.compute([hazard.item_facts(r, table) for r in rows], surroundings)
            out.append(
                _hazard_row(
                    site_id,
                    facts,
                    declaration_id=decl,
                    province_id=province_id,
                    district_id=district_id,
                    lat=float(lat),
                    lon=float(lon),
                    items=len(rows),
                    now=now,
                    version=version,
                )
            )
            if len(out) >= batch:
                bulk.insert_rows(SiteHazard, out, columns=_HAZARD_COLUMNS)
                out = []
        if out:
            bulk.insert_rows(SiteHazard, out, columns=_HAZARD_COLUMNS)
    _tidy(SiteHazard)
    return len(sites)


def _tidy(model: Any) -> None:
    """After rewriting a whole cache table on PostgreSQL: reclaim the dead rows (VACUUM cannot
    run inside a transaction, so only when none is open) and refresh the planner's statistics."""
    if connection.vendor != "postgresql":
        return
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f'{"ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"} "{table}"')


_HAZARD_COLUMNS = [f.attname for f in SiteHazard._meta.concrete_fields]


def areas_recompute() -> dict[str, int]:
    """Area risk per H3 cell, district and province, and their cached GeoJSON layers."""
    return areas.recompute()


# ------------------------------------------------------------------------------------------------
# Receptor layers


def _receptor_rows(content: bytes | str, filename: str) -> list[dict[str, Any]]:
    text = content.decode("utf-8-sig") if isinstance(content, bytes) else content
    name = filename.lower()
    if name.endswith((".geojson", ".json")):
        data = json.loads(text)
        features = data.get("features") if isinstance(data, Mapping) else None
        if not isinstance(features, list):
            raise ValueError("not a FeatureCollection")
        rows = []
        for f in features:
            # A feature that is not an object, or whose properties or geometry are not objects,
            # becomes a row without a point: reported with its number like any bad row.
            f = f if isinstance(f, Mapping) else {}
            raw_props = f.get("properties")
            props = dict(raw_props) if isinstance(raw_props, Mapping) else {}
            geom = f.get("geometry")
            geom = geom if isinstance(geom, Mapping) else {}
            coords = geom.get("coordinates") if geom.get("type") == "Point" else None
            props["_point"] = coords
            rows.append(props)
        return rows
    if name.endswith(".csv"):
        return [dict(r) for r in csv.DictReader(io.StringIO(text))]
    raise LookupError


@transaction.atomic
def receptor_layer_upload(
    *,
    acting_user: Any,
    name: str,
    content: bytes | str,
    filename: str,
    default_kind: str = "",
    synthetic: bool = False,
    description: str = "",
    dry_run: bool = False,
) -> ReceptorLayer | None:
    """A layer of sensitive receptors from GeoJSON (Point features with name, kind, population)
    or CSV (columns name, kind, latitude, longitude, population). All or nothing: every bad row
    is reported with its row number (1 = the first data row) and nothing is written."""
    if role_of(acting_user) not in RECEPTOR_ROLES:
        raise PermissionError("not allowed to upload receptors")
    p = _Problems()
    if not name.strip():
        p.add("name", "required")
    try:
        rows = _receptor_rows(content, filename)
    except LookupError:
        p.add("file", "file_format")
        p.check()
    except (ValueError, UnicodeDecodeError, csv.Error) as exc:
        p.add("file", "file_unreadable", value=str(exc)[:200])
        p.check()
    if not rows:
        p.add("file", "no_rows")
    receptors = []
    choices = ", ".join(ReceptorKind.values)
    for n, row in enumerate(rows, start=1):
        rname = str(row.get("name") or row.get("name_th") or "").strip()
        if not rname:
            p.add("name", "required", row=n)
        kind = str(row.get("kind") or default_kind or "").strip()
        if kind not in ReceptorKind.values:
            p.add("kind", "receptor_kind", row=n, value=kind, choices=choices)
        if "_point" in row:
            point = row["_point"]
            if not (isinstance(point, list | tuple) and len(point) >= 2):
                p.add("geometry", "not_a_point", row=n)
                continue
            raw_lon, raw_lat = point[0], point[1]
        else:
            raw_lat, raw_lon = (
                row.get("latitude") or row.get("lat"),
                row.get("longitude") or (row.get("lon")),
            )
        try:
            lat, lon = _decimal(raw_lat), _decimal(raw_lon)
        except (InvalidOperation, ValueError, TypeError):
            p.add("latitude", "invalid_number", row=n, value=f"{raw_lat}, {raw_lon}")
            continue
        if lat is None or lon is None:
            p.add("latitude", "required", row=n)
            continue
        if not in_thailand(float(lat), float(lon)):
            p.add("latitude", "outside_thailand", row=n, lat=lat, lon=lon)
        raw_pop = row.get("population")
        population = None
        if raw_pop not in (None, ""):
            try:
                population = int(str(raw_pop).strip())
                if not 0 <= population <= 2**31 - 1:  # the column is a 32-bit integer
                    raise ValueError
            except ValueError:
                p.add("population", "population", row=n)
        receptors.append(
            {
                "name": rname[:255],
                "kind": kind,
                "latitude": float(lat),
                "longitude": float(lon),
                "population": population,
            }
        )
    p.check()
    if dry_run:
        return None
    layer = ReceptorLayer.objects.create(
        name=name.strip()[:255],
        description=description,
        source_file=filename[:255],
        synthetic=synthetic,
        row_count=len(receptors),
        uploaded_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
    )
    Receptor.objects.bulk_create([Receptor(layer=layer, **r) for r in receptors], batch_size=2000)
    audit.record(
        actor=acting_user,
        action="import",
        obj=layer,
        changes={"rows": len(receptors), "file": filename, "synthetic": synthetic},
    )
    return layer
