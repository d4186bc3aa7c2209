"""Reads of the register, always scoped by the acting user (see core.scoping)."""

import re
from collections.abc import Mapping
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from rongngan.core.models import AuditEntry
from rongngan.core.scoping import (
    NATIONAL_WRITE,
    factory_q,
    role_of,
    scope_factories,
    sees_internal_fields,
)
from rongngan.core.search import any_row, filter_substring, filter_words, tokens
from rongngan.core.thai import to_arabic_digits
from rongngan.registry.models import Factory, FactoryAssignment, ImportJob, Machine
from rongngan.registry.regno import looks_like_registration_number, normalize_registration_number


def factories_for_user(user: Any) -> QuerySet[Factory]:
    return scope_factories(Factory.objects.all(), user)


def factory_for_user(user: Any, pk: Any, *, write: bool = False) -> Factory:
    """The factory, if `user` may read it (404 otherwise) and, with write, change it (403)."""
    try:
        factory = (
            factories_for_user(user)
            .select_related("operator", "province", "district", "subdistrict", "primary_type")
            .get(pk=int(pk))
        )
    except (Factory.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such factory") from exc
    if write:
        q = factory_q(user, write=True)
        if q is not None and not Factory.objects.filter(q, pk=factory.pk).exists():
            raise PermissionDenied("You may not change this factory")
    return factory


def can_write(user: Any, factory: Factory) -> bool:
    q = factory_q(user, write=True)
    return q is None or Factory.objects.filter(q, pk=factory.pk).exists()


def factory_search(user: Any, params: Mapping[str, Any]) -> QuerySet[Factory]:
    """The user's factories filtered by the list page's and the API's parameters."""
    qs = factories_for_user(user)
    province = str(params.get("province") or "").strip()
    if province:
        qs = qs.filter(province_id=to_arabic_digits(province))
    district = str(params.get("district") or "").strip()
    if district:
        qs = qs.filter(district_id=to_arabic_digits(district))
    category = str(params.get("category") or "").strip()
    if category:
        code = to_arabic_digits(category)
        qs = qs.filter(types__code=code.zfill(3) if code.isdecimal() else code)
    klass = to_arabic_digits(str(params.get("factory_class") or params.get("class") or "").strip())
    if klass:
        qs = qs.filter(factory_class=int(klass)) if klass in {"1", "2", "3"} else qs.none()
    status = str(params.get("status") or "").strip()
    if status:
        qs = qs.filter(status=status)
    estate = str(params.get("estate") or "").strip().lower()
    if estate in {"1", "true", "yes"}:
        qs = qs.filter(in_industrial_estate=True)
    elif estate in {"0", "false", "no"}:
        qs = qs.filter(in_industrial_estate=False)
    q = str(params.get("q") or "").strip()
    if q:
        qs = _text_search(qs, q, internal=sees_internal_fields(user))
    return qs.select_related("province", "district", "primary_type", "operator").order_by(
        "registration_no"
    )


# A province abbreviation ends a legacy number: Thai consonants only (see regno).
_ABBREVIATION = re.compile("[\u0e01-\u0e2e]+")


def _same_number(stored: str, number: str, *, any_province: bool) -> bool:
    if stored == number:
        return True
    return (
        any_province
        and stored.startswith(number)
        and bool(_ABBREVIATION.fullmatch(stored[len(number) :]))
    )


def _text_search(qs: QuerySet[Factory], q: str, *, internal: bool) -> QuerySet[Factory]:
    """The search box. Only published fields are searched for the public: the juristic ID is
    not one, so it is matched (exactly, 13 digits) for signed-in users only, and it is not among
    the words of search_text at all (services.SEARCH_FIELDS)."""
    if not tokens(q):
        # Nothing to search for (only punctuation, e.g. "-" or "/"): as if the box were empty.
        return qs
    digits = to_arabic_digits(q).replace("-", "").replace(" ", "")
    if len(digits) == 13 and digits.isdecimal():
        if not internal:
            return qs.none()
        pks = Factory.objects.filter(juristic_id=digits).values_list("pk", flat=True)[:1000]
        return qs.filter(pk__in=list(pks))
    if looks_like_registration_number(q):
        try:
            reg = normalize_registration_number(q)
        except ValueError:
            pass
        else:
            number = reg.canonical
            # A legacy number typed without its province letters (3-106-99/63) finds the
            # number in every province (3-106-99/63รย, 3-106-99/63ชบ).
            any_province = reg.kind == "legacy" and not reg.province_abbr
            match = Q(registration_no=number) | Q(former_registration_no=number)
            if any_province:
                match |= Q(registration_no__startswith=number)
                match |= Q(former_registration_no__startswith=number)
            # Looked up on their own first: SQLite otherwise walks the whole index in list order.
            rows = Factory.objects.filter(match).values_list(
                "pk", "registration_no", "former_registration_no"
            )[:1000]
            pks = [
                pk
                for pk, current, former in rows
                if _same_number(current, number, any_province=any_province)
                or _same_number(former, number, any_province=any_province)
            ]
            return qs.filter(pk__in=pks[:100])
    found = filter_words(qs, q)
    if any_row(found):
        return found
    # A piece of a compound word ("ซิเมนต์" in "ปูนซิเมนต์") is not a word of its own.
    return filter_substring(qs, q)


def machines_for_user(user: Any) -> QuerySet[Machine]:
    # Machinery (with its mortgage status) is not published: the public sees none of it.
    if not sees_internal_fields(user):
        return Machine.objects.none()
    return scope_factories(Machine.objects.all(), user, path="factory__")


def machine_for_user(user: Any, factory: Factory, pk: Any, *, write: bool = False) -> Machine:
    try:
        machine = machines_for_user(user).get(factory=factory, pk=int(pk))
    except (Machine.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such machine") from exc
    if write and not can_write(user, factory):
        raise PermissionDenied("You may not change this factory")
    return machine


def import_jobs_for_user(user: Any) -> QuerySet[ImportJob]:
    """Background imports: each user sees their own; national officers see every one."""
    qs = ImportJob.objects.select_related("created_by")
    if not user.is_authenticated:
        return qs.none()
    return qs if role_of(user) in NATIONAL_WRITE else qs.filter(created_by=user)


def import_job_for_user(user: Any, pk: Any) -> ImportJob:
    try:
        return import_jobs_for_user(user).get(pk=int(pk))
    except (ImportJob.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such import") from exc


def factory_history(factory: Factory, *, limit: int = 200) -> list[AuditEntry]:
    """The audit entries of a factory and of its machines, newest first."""
    machine_ids = [
        str(pk) for pk in Machine.objects.filter(factory=factory).values_list("pk", flat=True)
    ]
    return list(
        AuditEntry.objects.filter(
            Q(object_type=ContentType.objects.get_for_model(Factory), object_id=str(factory.pk))
            | Q(object_type=ContentType.objects.get_for_model(Machine), object_id__in=machine_ids)
        ).order_by("-at", "-id")[:limit]
    )


def factory_assignments(factory: Factory) -> QuerySet[FactoryAssignment]:
    """The factory's inspector cases, active first; callers check who may see them."""
    return factory.assignments.select_related("inspector").order_by("-is_active", "-assigned_at")


def inspectors() -> QuerySet[Any]:
    from rongngan.accounts.models import Role, User

    return User.objects.filter(role=Role.INSPECTOR, is_active=True).order_by("username")
