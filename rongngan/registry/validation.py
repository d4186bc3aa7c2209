"""Cleaning of factory data: one path for the web form, the API and the file import.

Each field is parsed on its own so that every problem in a row is reported at once, with the
field, a stable code and a message in Thai and English. Checks against the database that would
cost a query per row (uniqueness) are done by the caller in bulk; see `duplicate_problems`.
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Context, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, models
from django.utils import timezone
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy as _

from rongngan.core.display import lazy_be_date
from rongngan.core.errors import Problem
from rongngan.core.geo import in_thailand
from rongngan.core.models import District, Province, Subdistrict
from rongngan.core.reader import column_problem
from rongngan.core.thai import (
    BE_OFFSET,
    is_valid_thai_id,
    normalize_thai_id,
    parse_thai_date,
    parse_thai_number,
    to_arabic_digits,
)
from rongngan.registry.models import Factory, FactoryStatus, FactoryType
from rongngan.registry.regno import RegistrationNumberError, normalize_registration_number

MSG = {
    "required": _("This field is required."),
    "max_length": _("At most %(limit)s characters (got %(length)s)."),
    "invalid_number": _("“%(value)s” is not a number."),
    "negative": _("Must not be negative."),
    "not_integer": _("Must be a whole number."),
    "invalid_date": _("“%(value)s” is not a date (use e.g. 1 ต.ค. 2562 or 2019-10-01)."),
    "invalid_checksum": _("“%(value)s” is not a valid 13-digit ID: the check digit is wrong."),
    "invalid_id": _("“%(value)s” is not a 13-digit ID."),
    "invalid_regno": _("“%(value)s” is not a registration number: %(reason)s"),
    "duplicate": _("Registration number %(value)s is already registered."),
    "duplicate_in_file": _("Registration number %(value)s appears again in row %(other)s."),
    "unknown_type": _("Unknown factory type code “%(value)s”."),
    "primary_not_in_types": _("The main type %(value)s must be one of the factory's types."),
    "invalid_choice": _("“%(value)s” is not one of: %(choices)s."),
    "unknown_province": _("Unknown province “%(value)s”."),
    "unknown_district": _("Unknown district “%(value)s” in this province."),
    "unknown_subdistrict": _("Unknown subdistrict “%(value)s” in this district."),
    "postcode_mismatch": _("Postcode %(value)s does not serve this subdistrict (%(expected)s)."),
    "invalid_postcode": _("A postcode has 5 digits."),
    "coordinates_pair": _("Give both latitude and longitude, or neither."),
    "out_of_thailand": _("The point %(lat)s, %(lon)s is not in Thailand."),
    "out_of_range": _("Must be between %(low)s and %(high)s."),
    "invalid_email": _("“%(value)s” is not an e-mail address."),
    "invalid_boolean": _("“%(value)s” is not yes or no."),
    "not_permitted": _("You may not change this field."),
    "unknown_field": _("Unknown field."),
    "date_order": _("The start date may not be before the licence date."),
    "too_large": _("Too large: at most %(max)s."),
    "too_many_decimals": _("At most %(places)s decimal places."),
    "date_in_future": _(
        "%(value)s is in the future: this date records something that has already happened."
    ),
    "date_too_early": _("%(value)s is before %(floor)s: check the year (B.E. or C.E.?)."),
}
# Why a text is not a registration number (regno.RegistrationNumberError.code), in words that
# are translated; the code's params fill them.
REGNO_REASONS = {
    "empty": _("the input is empty"),
    "current_length": _(
        "a current registration number has 14 digits, got %(digits)s "
        "(a legacy number needs “/year”, e.g. 3-106-33/50รย)"
    ),
    "issuing_body": _(
        "a current registration number starts with 1, 2 or 7 (issuing body), not %(body)s"
    ),
    "no_year": _("expected 14 digits or a legacy number such as 3-106-33/50รย"),
    "legacy_format": _("unrecognised legacy format; expected e.g. 3-106-33/50รย"),
    "class_digit": _("factory class must be 1, 2 or 3, not %(value)s"),
    "year_digits": _("the year after “/” must have 2 or 4 digits, not %(value)s"),
    "year_not_be": _("year %(value)s is not a B.E. year"),
}
# Dates of past events (licence, start of operation, machinery registration) lie between this
# day and today (Bangkok): the Factory Act registers nothing older, and a later date is a typo
# (often a B.E. year read as C.E. or the other way round).
DATE_FLOOR = dt.date(1900, 1, 1)
# A year of 2400 or more is B.E. (as core.thai.parse_thai_date reads years): C.E. 1857.
BE_YEAR_FROM = 2400
# The largest value of each integer column type, on every supported database.
INTEGER_MAX = {
    "PositiveSmallIntegerField": 32767,
    "SmallIntegerField": 32767,
    "PositiveIntegerField": 2147483647,
    "IntegerField": 2147483647,
    "PositiveBigIntegerField": 9223372036854775807,
    "BigIntegerField": 9223372036854775807,
}

TEXT_LIMITS = {
    "name_th": 255,
    "name_en": 255,
    "address": 255,
    "estate_name": 255,
    "contact_name": 255,
    "contact_phone": 50,
    "contact_email": 254,
    "operator_name": 255,
}
# Fields an operator may change on its own factories; the rest is the register's.
OPERATOR_FIELDS = {
    "name_en",
    "address",
    "postcode",
    "latitude",
    "longitude",
    "contact_name",
    "contact_phone",
    "contact_email",
}
# The fields of a factory as forms, the API and import files name them, in file-column order.
FACTORY_FIELDS = [
    "registration_no",
    "former_registration_no",
    "name_th",
    "name_en",
    "juristic_id",
    "operator_name",
    "type_codes",
    "primary_type",
    "factory_class",
    "status",
    "address",
    "province",
    "district",
    "subdistrict",
    "postcode",
    "latitude",
    "longitude",
    "horsepower",
    "workers",
    "capital",
    "licensed_on",
    "started_on",
    "in_industrial_estate",
    "estate_name",
    "contact_name",
    "contact_phone",
    "contact_email",
]
# "operator" names an existing organisation by code (API and files may use it instead).
INPUT_FIELDS = {*FACTORY_FIELDS, "operator"}
REQUIRED = {"registration_no", "name_th", "type_codes", "factory_class", "province", "district"}
TRUE_WORDS = {"1", "true", "yes", "y", "ใช่", "มี", "t"}
FALSE_WORDS = {"0", "false", "no", "n", "ไม่", "ไม่ใช่", "ไม่มี", "f", ""}


def _strip_prefix(name: str, prefixes: tuple[str, ...]) -> str:
    for p in prefixes:
        if name.startswith(p):
            return name[len(p) :].strip()
    return name


class Reference:
    """Reference tables held in memory for one cleaning run (one form, one import)."""

    def __init__(self) -> None:
        self.types = {t.code: t for t in FactoryType.objects.all()}
        self.provinces: dict[str, Province] = {}
        for p in Province.objects.all():
            for key in (p.code, p.name_th, p.name_en.lower(), f"จังหวัด{p.name_th}"):
                self.provinces[key] = p
        self.districts: dict[tuple[str, str], District] = {}
        for d in District.objects.all():
            for key in (d.code, d.name_th, d.name_en.lower()):
                self.districts[(d.province_id, key)] = d
            bare = _strip_prefix(d.name_th, ("อำเภอ", "เขต"))
            self.districts[(d.province_id, bare)] = d
        self.subdistricts: dict[tuple[str, str], Subdistrict] = {}
        for s in Subdistrict.objects.all():
            for key in (s.code, s.name_th, s.name_en.lower()):
                self.subdistricts[(s.district_id, key)] = s
            self.subdistricts[(s.district_id, _strip_prefix(s.name_th, ("ตำบล", "แขวง")))] = s

    def province(self, value: str) -> Province | None:
        v = value.strip()
        return self.provinces.get(v) or self.provinces.get(v.lower())

    def district(self, province: Province, value: str) -> District | None:
        v = _strip_prefix(value.strip(), ("อำเภอ", "เขต", "อ."))
        return self.districts.get((province.code, v)) or self.districts.get(
            (province.code, v.lower())
        )

    def subdistrict(self, district: District, value: str) -> Subdistrict | None:
        v = _strip_prefix(value.strip(), ("ตำบล", "แขวง", "ต."))
        return self.subdistricts.get((district.code, v)) or self.subdistricts.get(
            (district.code, v.lower())
        )


@dataclass
class Cleaned:
    values: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def fail(self, name: str, code: str, **params: Any) -> None:
        self.problems.append(Problem(name, code, MSG[code], params))


def text_of(raw: Any) -> str:
    if raw is None:
        return ""
    return str(raw).strip()


def in_language(render: Any) -> Promise:
    """A lazy text: rendered in the active language whenever it is shown (see core.errors)."""
    return lazy(render, str)()


def regno_reason(exc: ValueError) -> Any:
    """The reason of a registration-number error, translated and filled with its params."""
    code = getattr(exc, "code", None)
    if not isinstance(exc, RegistrationNumberError) or code not in REGNO_REASONS:
        return str(exc)
    message, params = REGNO_REASONS[code], exc.params
    return in_language(lambda: str(message) % params)


def _to_decimal(raw: Any, text: str) -> Decimal:
    """The number in `raw`: a Decimal, an int or a float (JSON, Excel) as given, else text."""
    if isinstance(raw, bool):
        raise ValueError(text)
    if isinstance(raw, Decimal):
        value = raw
    elif isinstance(raw, int):
        value = Decimal(raw)
    elif isinstance(raw, float):
        # repr is the shortest text that reads back as this float: 1e-05 is 0.00001, not
        # 0.0000100000000000000008180305...
        value = Decimal(repr(raw))
    else:
        value = parse_thai_number(text)
    if not value.is_finite():
        raise ValueError(text)
    return value


def decimal_field(c: Cleaned, name: str, raw: Any, *, integer: bool = False) -> Decimal | None:
    text = text_of(raw)
    if not text:
        return None
    try:
        value = _to_decimal(raw, text)
    except (ValueError, InvalidOperation):
        c.fail(name, "invalid_number", value=text)
        return None
    if value < 0:
        c.fail(name, "negative")
        return None
    if integer and value != value.to_integral_value():
        c.fail(name, "not_integer")
        return None
    return value


def fit_column(c: Cleaned, name: str, value: Decimal, column: models.Field) -> Any:
    """`value` as `column` stores it, or None with a problem if it does not fit.

    A DecimalField holds max_digits - decimal_places digits before the point and decimal_places
    after it; an integer column its type's range. Checked here so that no value reaches the
    database (or Django's model validation) that the column cannot hold.
    """
    if isinstance(column, models.DecimalField):
        places = column.decimal_places
        largest = Decimal(10) ** (column.max_digits - places) - Decimal(1).scaleb(-places)
        problem = column_problem(value, max_digits=column.max_digits, places=places)
        if problem is not None:
            code, params = problem
            c.fail(name, code, **({"max": f"{largest:,}"} if code == "too_large" else params))
            return None
        value = value.quantize(Decimal(1).scaleb(-places))
        if not _reads_back(value, column):
            c.fail(name, "too_large", max=f"{largest:,}")
            return None
        return value
    maximum = INTEGER_MAX[column.get_internal_type()]
    if abs(value) > maximum:
        c.fail(name, "too_large", max=f"{maximum:,}")
        return None
    return int(value)


def _reads_back(value: Decimal, column: models.DecimalField) -> bool:
    """Whether the database gives `value` back. SQLite (demo and tests) keeps decimals as
    floating point and Django reads them back to 15 significant digits: within 0.05 of the
    column's limit a value rounds up past it and can no longer be read (every list holding it
    fails). PostgreSQL keeps them exact."""
    if connection.vendor != "sqlite":
        return True
    try:
        read = Context(prec=15).create_decimal_from_float(float(value))
        read.quantize(Decimal(1).scaleb(-column.decimal_places), context=column.context)
    except InvalidOperation:
        return False
    return True


def number_field(c: Cleaned, name: str, raw: Any, column: models.Field) -> Any:
    """A number for `column` (a model field): parsed, not negative, and fitting the column."""
    integer = not isinstance(column, models.DecimalField)
    value = decimal_field(c, name, raw, integer=integer)
    if value is None:
        return None
    return fit_column(c, name, value, column)


def year_field(c: Cleaned, name: str, raw: Any, *, low: int = 1800) -> int | None:
    """A year of the past, C.E. or B.E. (2400 and more is B.E., as in dates): as C.E."""
    value = decimal_field(c, name, raw, integer=True)
    if value is None:
        return None
    year = int(value)
    if year >= BE_YEAR_FROM:
        year -= BE_OFFSET
    high = timezone.localdate().year
    if not low <= year <= high:
        c.fail(name, "out_of_range", low=low, high=high)
        return None
    return year


def date_field(c: Cleaned, name: str, raw: Any, *, past: bool = True) -> dt.date | None:
    """A date; with `past` (the dates of the register record events that happened) it must lie
    between DATE_FLOOR and today (Bangkok)."""
    if isinstance(raw, dt.datetime):
        value = raw.date()
    elif isinstance(raw, dt.date):
        value = raw
    else:
        text = text_of(raw)
        if not text:
            return None
        try:
            value = parse_thai_date(text)
        except ValueError:
            c.fail(name, "invalid_date", value=text)
            return None
    if value < DATE_FLOOR:
        c.fail(name, "date_too_early", value=lazy_be_date(value), floor=lazy_be_date(DATE_FLOOR))
        return None
    if past and value > timezone.localdate():
        c.fail(name, "date_in_future", value=lazy_be_date(value))
        return None
    return value


def bool_field(c: Cleaned, name: str, raw: Any) -> bool | None:
    if isinstance(raw, bool):
        return raw
    text = to_arabic_digits(text_of(raw)).lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    c.fail(name, "invalid_boolean", value=text)
    return None


def _codes(raw: Any) -> list[str]:
    if raw is None:
        return []
    if isinstance(raw, str):
        parts = raw.replace(",", ";").replace(" ", ";").split(";")
    elif isinstance(raw, Iterable):
        parts = [str(p) for p in raw]
    else:
        parts = [str(raw)]
    out: list[str] = []
    for p in parts:
        p = to_arabic_digits(p.strip())
        if p:
            code = p.zfill(3) if p.isdecimal() else p
            if code not in out:
                out.append(code)
    return out


def clean_factory(
    data: Mapping[str, Any],
    *,
    ref: Reference,
    instance: Factory | None = None,
    allowed_fields: set[str] | None = None,
) -> Cleaned:
    """Parse and check `data`; on update (`instance` given) only the fields present are checked.

    Cross-field checks (district in province, postcode of subdistrict) use the instance's values
    for fields that are not being changed.
    """
    c = Cleaned()
    partial = instance is not None
    for name in data:
        if name not in INPUT_FIELDS:
            c.fail(name, "unknown_field")
        elif allowed_fields is not None and name not in allowed_fields:
            c.fail(name, "not_permitted")
    # The remaining fields are still checked, so that every problem is reported at once.
    data = {
        k: v
        for k, v in data.items()
        if k in INPUT_FIELDS and (allowed_fields is None or k in allowed_fields)
    }

    def given(name: str) -> bool:
        return name in data

    if not partial:
        for name in REQUIRED:
            raw = data.get(name)
            if raw is None or (isinstance(raw, str) and not raw.strip()) or raw == []:
                c.fail(name, "required")

    for name, limit in TEXT_LIMITS.items():
        if given(name):
            text = text_of(data[name])
            if name == "contact_phone":
                # One way to write a number, so that it can be searched and dialled.
                text = to_arabic_digits(text)
            if len(text) > limit:
                c.fail(name, "max_length", limit=limit, length=len(text))
            elif name == "contact_email" and text:
                try:
                    validate_email(text)
                except ValidationError:
                    c.fail(name, "invalid_email", value=text)
                else:
                    c.values[name] = text
            elif name != "name_th" or text:
                c.values[name] = text

    for name in ("registration_no", "former_registration_no"):
        text = text_of(data.get(name))
        if given(name) and text:
            try:
                reg = normalize_registration_number(text)
            except ValueError as exc:
                c.fail(name, "invalid_regno", value=text, reason=regno_reason(exc))
            else:
                limit = Factory._meta.get_field(name).max_length
                if len(reg.canonical) > limit:
                    c.fail(name, "max_length", limit=limit, length=len(reg.canonical))
                    continue
                c.values[name] = reg.canonical
                if name == "registration_no":
                    c.values["registration_kind"] = reg.kind
        elif given(name) and name == "former_registration_no":
            c.values[name] = ""

    if given("juristic_id"):
        text = text_of(data["juristic_id"])
        if text:
            try:
                number = normalize_thai_id(text)
            except ValueError:
                c.fail("juristic_id", "invalid_id", value=text)
            else:
                if is_valid_thai_id(number):
                    c.values["juristic_id"] = number
                else:
                    c.fail("juristic_id", "invalid_checksum", value=text)
        else:
            c.values["juristic_id"] = ""

    if given("type_codes"):
        codes = _codes(data["type_codes"])
        unknown = [code for code in codes if code not in ref.types]
        for code in unknown:
            c.fail("type_codes", "unknown_type", value=code)
        if codes and not unknown:
            c.values["types"] = [ref.types[code] for code in codes]
    types = c.values.get("types")
    if given("primary_type") and text_of(data["primary_type"]):
        code = _codes(data["primary_type"])[0]
        if code not in ref.types:
            c.fail("primary_type", "unknown_type", value=code)
        else:
            current = types or (list(instance.types.all()) if instance else [])
            if ref.types[code] not in current:
                c.fail("primary_type", "primary_not_in_types", value=code)
            else:
                c.values["primary_type"] = ref.types[code]
    elif types:
        c.values["primary_type"] = types[0]

    if given("factory_class") and text_of(data["factory_class"]):
        text = to_arabic_digits(text_of(data["factory_class"]))
        if text in {"1", "2", "3"}:
            c.values["factory_class"] = int(text)
        else:
            c.fail("factory_class", "invalid_choice", value=text, choices="1, 2, 3")

    if given("status"):
        text = text_of(data["status"]).lower() or FactoryStatus.OPERATING
        labels = {str(label): value for value, label in FactoryStatus.choices}
        if text in FactoryStatus.values:
            c.values["status"] = text
        elif text in labels:
            c.values["status"] = labels[text]
        else:
            c.fail("status", "invalid_choice", value=text, choices=", ".join(FactoryStatus.values))

    _clean_address(c, data, ref, instance)
    _clean_coordinates(c, data, instance)

    for name in ("horsepower", "workers", "capital"):
        if given(name):
            value = number_field(c, name, data[name], Factory._meta.get_field(name))
            if text_of(data[name]) == "" or value is not None:
                c.values[name] = value

    for name in ("licensed_on", "started_on"):
        if given(name):
            c.values[name] = date_field(c, name, data[name])
    licensed = c.values.get("licensed_on", instance.licensed_on if instance else None)
    started = c.values.get("started_on", instance.started_on if instance else None)
    dates_given = "started_on" in data or "licensed_on" in data
    if licensed and started and started < licensed and dates_given:
        c.fail("started_on", "date_order")

    if given("in_industrial_estate"):
        value = bool_field(c, "in_industrial_estate", data["in_industrial_estate"])
        if value is not None:
            c.values["in_industrial_estate"] = value
    return c


def _clean_address(
    c: Cleaned, data: Mapping[str, Any], ref: Reference, instance: Factory | None
) -> None:
    province = instance.province if instance else None
    district = instance.district if instance else None
    subdistrict = instance.subdistrict if instance else None
    if "province" in data and text_of(data["province"]):
        province = ref.province(to_arabic_digits(text_of(data["province"])))
        if province is None:
            c.fail("province", "unknown_province", value=text_of(data["province"]))
            return
        c.values["province"] = province
    if "district" in data and text_of(data["district"]) and province is not None:
        district = ref.district(province, to_arabic_digits(text_of(data["district"])))
        if district is None:
            c.fail("district", "unknown_district", value=text_of(data["district"]))
            return
        c.values["district"] = district
    elif "province" in data and district is not None and district.province_id != province.code:
        c.fail("district", "unknown_district", value=district.name_th)
        return
    if "subdistrict" in data:
        text = text_of(data["subdistrict"])
        if text and district is not None:
            subdistrict = ref.subdistrict(district, to_arabic_digits(text))
            if subdistrict is None:
                c.fail("subdistrict", "unknown_subdistrict", value=text)
                return
        elif not text:
            subdistrict = None
        c.values["subdistrict"] = subdistrict
    if "postcode" in data:
        text = to_arabic_digits(text_of(data["postcode"]))
        if text and not (len(text) == 5 and text.isdecimal()):
            c.fail("postcode", "invalid_postcode")
            return
        c.values["postcode"] = text
    postcode = c.values.get("postcode", instance.postcode if instance else "")
    if subdistrict is not None and postcode and subdistrict.postcodes:
        allowed = subdistrict.postcodes.split()
        if postcode not in allowed:
            c.fail("postcode", "postcode_mismatch", value=postcode, expected=", ".join(allowed))
    elif subdistrict is not None and not postcode and subdistrict.postcodes:
        c.values["postcode"] = subdistrict.postcodes.split()[0]


def _clean_coordinates(c: Cleaned, data: Mapping[str, Any], instance: Factory | None) -> None:
    if "latitude" not in data and "longitude" not in data:
        return
    lat = _decimal_signed(c, "latitude", data.get("latitude"))
    lon = _decimal_signed(c, "longitude", data.get("longitude"))
    if any(p.field in {"latitude", "longitude"} for p in c.problems):
        return
    if "latitude" not in data and instance:
        lat = instance.latitude
    if "longitude" not in data and instance:
        lon = instance.longitude
    if (lat is None) != (lon is None):
        c.fail("latitude" if lat is None else "longitude", "coordinates_pair")
        return
    if lat is not None and lon is not None:
        if not in_thailand(float(lat), float(lon)):
            c.fail("latitude", "out_of_thailand", lat=lat, lon=lon)
            return
        lat, lon = lat.quantize(Decimal("0.000001")), lon.quantize(Decimal("0.000001"))
    c.values["latitude"], c.values["longitude"] = lat, lon


def _decimal_signed(c: Cleaned, name: str, raw: Any) -> Decimal | None:
    text = text_of(raw)
    if not text:
        return None
    try:
        return _to_decimal(raw, text)
    except (ValueError, InvalidOperation):
        c.fail(name, "invalid_number", value=text)
        return None


def duplicate_problems(
    numbers: Mapping[str, int], *, exclude_pk: int | None = None
) -> list[Problem]:
    """Problems for registration numbers (number -> row) that are already in the register."""
    found: list[Problem] = []
    keys = list(numbers)
    for start in range(0, len(keys), 900):
        chunk = keys[start : start + 900]
        qs = Factory.objects.filter(registration_no__in=chunk)
        if exclude_pk is not None:
            qs = qs.exclude(pk=exclude_pk)
        for number in qs.values_list("registration_no", flat=True):
            p = Problem("registration_no", "duplicate", MSG["duplicate"], {"value": number})
            p.row = numbers[number] or None
            found.append(p)
    return found
