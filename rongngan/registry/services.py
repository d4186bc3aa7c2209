"""Every write to the factory register: validated first, one transaction, an audit entry each."""

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from rongngan.accounts.models import Organisation
from rongngan.core import audit
from rongngan.core.display import lazy_be_datetime
from rongngan.core.errors import Problem, RongnganValidationError, problems_from_django
from rongngan.core.scoping import can_register, role_of
from rongngan.core.search import search_text
from rongngan.registry.models import Factory, FactoryAssignment, Machine, MachineStatus
from rongngan.registry.validation import (
    FACTORY_FIELDS,
    MSG,
    OPERATOR_FIELDS,
    Cleaned,
    Reference,
    bool_field,
    clean_factory,
    date_field,
    duplicate_problems,
    number_field,
    text_of,
    year_field,
)

# Model fields behind FACTORY_FIELDS: the values an audit entry records.
AUDITED_FIELDS = [
    {"type_codes": "types", "operator_name": "operator"}.get(name, name) for name in FACTORY_FIELDS
]

UNKNOWN_OPERATOR = _("Unknown operator organisation “%(value)s”.")
OPERATOR_REQUIRED = _("Give the operator organisation, or the juristic ID of the operator.")


# The fields whose words make a factory's search_text (see core.search). Published fields only:
# the public searches the same column (the juristic ID is found by queries._text_search, exactly
# and for signed-in users only).
SEARCH_FIELDS = ("name_th", "name_en", "registration_no", "former_registration_no")


def factory_search_text(f: Factory) -> str:
    return search_text(getattr(f, name) for name in SEARCH_FIELDS)


def resolve_operator(
    data: Mapping[str, Any], values: dict[str, Any], *, create: bool
) -> Organisation | Problem | None:
    """The operator named by `operator` (code or id), else found or made by juristic ID."""
    ref = str(data.get("operator") or "").strip()
    if ref:
        qs = Organisation.objects.filter(kind=Organisation.Kind.OPERATOR)
        org = qs.filter(code=ref).first() or (
            qs.filter(pk=ref).first() if ref.isdecimal() else None
        )
        return org or Problem("operator", "unknown_operator", UNKNOWN_OPERATOR, {"value": ref})
    juristic_id = values.get("juristic_id")
    if juristic_id:
        org = Organisation.objects.filter(juristic_id=juristic_id).first()
        if org is not None or not create:
            return org
        return Organisation(
            code=f"op-{juristic_id}",
            kind=Organisation.Kind.OPERATOR,
            name_th=values.get("operator_name") or values.get("name_th", ""),
            juristic_id=juristic_id,
        )
    return None


def _model_check(obj: Any, exclude: list[str] | None = None) -> None:
    """Django's model validation, as a last line only: validation.py checks every field first,
    so a problem here is a gap in it. It is still a refusal (400 with the field), not a 500."""
    try:
        obj.full_clean(exclude=exclude, validate_unique=False)
    except DjangoValidationError as exc:
        raise RongnganValidationError(problems_from_django(exc)) from exc


def _apply(f: Factory, values: dict[str, Any]) -> list[Any] | None:
    types = values.pop("types", None)
    values.pop("operator_name", None)
    for name, value in values.items():
        setattr(f, name, value)
    return types


@transaction.atomic
def factory_create(*, acting_user: Any, data: Mapping[str, Any]) -> Factory:
    if not can_register(acting_user):
        raise PermissionError("not allowed to register factories")
    cleaned = clean_factory(data, ref=Reference())
    problems = cleaned.problems
    values = cleaned.values
    if role_of(acting_user) == "provincial_officer" and values.get("province") is not None:
        if values["province"].code != acting_user.province_id:
            problems.append(Problem("province", "not_permitted", MSG["not_permitted"]))
    operator = None
    if not problems:
        operator = resolve_operator(data, values, create=True)
        if isinstance(operator, Problem):
            problems.append(operator)
        elif operator is None:
            problems.append(Problem("operator", "required", OPERATOR_REQUIRED))
    if not problems and values.get("registration_no"):
        problems += duplicate_problems({values["registration_no"]: 0})
    if problems:
        raise RongnganValidationError(problems)
    assert isinstance(operator, Organisation)
    if operator.pk is None:
        operator.save()
        audit.record(actor=acting_user, action="create", obj=operator, note="from factory")
    f = Factory(operator=operator)
    types = _apply(f, values)
    f.search_text = factory_search_text(f)
    _model_check(f, exclude=["types"])
    f.save()
    f.types.set(types or [])
    audit.record(
        actor=acting_user,
        action="create",
        obj=f,
        changes=audit.diff({}, audit.snapshot(f, AUDITED_FIELDS)),
    )
    return f


STALE = _(
    "This factory was changed by %(who)s at %(when)s, after you opened it. Nothing was saved: "
    "open it again to see the current data, then make your change."
)
STALE_MACHINE = _(
    "This machine was changed by %(who)s at %(when)s, after you opened it. Nothing was saved: "
    "open it again to see the current data, then make your change."
)
INVALID_VERSION = _("“%(value)s” is not a version of this record (send the updated_at you read).")


class StaleVersion(RongnganValidationError):
    """The change was made against an older version of the record than the current one."""


def factory_version(f: Factory | Machine) -> str:
    """The version of a factory (or a machine) as clients hold it: the time of its last change
    (UTC, to the microsecond; every change through factory_update or machine_update moves it)."""
    return f.updated_at.astimezone(dt.UTC).isoformat()


machine_version = factory_version


def _parse_version(token: str) -> dt.datetime | None:
    try:
        value = parse_datetime(token.strip())
    except ValueError:
        return None
    return value if value is not None and value.tzinfo is not None else None


def _check_version(factory: Factory | Machine, expected: str | None, message: Any = STALE) -> None:
    """Refuse a change made from a copy older than the stored record (optimistic locking)."""
    if expected is None or expected.strip() in ("", "*"):
        return
    wanted = _parse_version(expected)
    if wanted is None:
        raise StaleVersion(
            [Problem("version", "invalid_version", INVALID_VERSION, {"value": expected[:64]})]
        )
    if wanted == factory.updated_at:
        return
    last = audit.history(factory).first()
    params = {
        "who": (last.actor_username if last else "") or "system",
        "when": lazy_be_datetime(factory.updated_at),
    }
    raise StaleVersion([Problem(None, "stale", message, params)])


@transaction.atomic
def factory_update(
    *,
    acting_user: Any,
    factory: Factory,
    data: Mapping[str, Any],
    expected_version: str | None = None,
) -> Factory:
    """Change some fields of a factory; the caller has already checked write access.

    With `expected_version` (factory_version of the copy the change was made on: the edit form
    carries it, API clients may send it) a change to a record changed since is refused with
    StaleVersion and nothing is written.
    """
    _check_version(factory, expected_version)
    role = role_of(acting_user)
    allowed = OPERATOR_FIELDS if role == "operator" else None
    cleaned = clean_factory(data, ref=Reference(), instance=factory, allowed_fields=allowed)
    problems, values = cleaned.problems, cleaned.values
    if role == "provincial_officer" and "province" in values:
        if values["province"].code != acting_user.province_id:
            problems.append(Problem("province", "not_permitted", MSG["not_permitted"]))
    if not problems and "operator" in data:
        operator = resolve_operator(data, values, create=False)
        if isinstance(operator, Problem):
            problems.append(operator)
        elif operator is not None:
            values["operator"] = operator
    if not problems and values.get("registration_no") not in (None, factory.registration_no):
        problems += duplicate_problems({values["registration_no"]: 0}, exclude_pk=factory.pk)
    if problems:
        raise RongnganValidationError(problems)
    # Lock the row so two officers saving at once cannot interleave their changes; the version
    # is checked again under the lock, so of two saves from the same copy only the first wins.
    factory = Factory.objects.select_for_update().get(pk=factory.pk)
    _check_version(factory, expected_version)
    before = audit.snapshot(factory, AUDITED_FIELDS)
    types = _apply(factory, values)
    scalar = [name for name in AUDITED_FIELDS if name != "types"]
    changed = audit.diff(before, audit.snapshot(factory, scalar))
    if types is not None and sorted(str(t) for t in types) != before["types"]:
        changed["types"] = []
    if not changed:
        # Nothing differs: no write, so the version others hold stays current.
        return factory
    factory.search_text = factory_search_text(factory)
    _model_check(factory, exclude=["types"])
    factory.save()
    if types is not None:
        factory.types.set(types)
    changes = audit.diff(before, audit.snapshot(factory, AUDITED_FIELDS))
    if changes:
        action = "status" if set(changes) == {"status"} else "update"
        audit.record(actor=acting_user, action=action, obj=factory, changes=changes)
    return factory


MACHINE_FIELDS = [
    "name",
    "machine_type",
    "maker",
    "model_name",
    "serial_no",
    "year_made",
    "horsepower",
    "registration_no",
    "registered_on",
    "mortgaged",
    "status",
]


def _machine_values(data: Mapping[str, Any], *, partial: bool) -> dict[str, Any]:
    c = Cleaned()
    for name in data:
        if name not in MACHINE_FIELDS:
            c.fail(name, "unknown_field")
    limits = {"name": 255, "machine_type": 100, "maker": 255, "model_name": 100}
    limits |= {"serial_no": 100, "registration_no": 40}
    for name, limit in limits.items():
        if name in data or (not partial and name in {"name", "machine_type"}):
            text = text_of(data.get(name))
            if not text and name in {"name", "machine_type"}:
                c.fail(name, "required")
            elif len(text) > limit:
                c.fail(name, "max_length", limit=limit, length=len(text))
            else:
                c.values[name] = text
    if "year_made" in data:
        year = year_field(c, "year_made", data["year_made"])
        if year is not None or not text_of(data["year_made"]):
            c.values["year_made"] = year
    if "horsepower" in data:
        column = Machine._meta.get_field("horsepower")
        value = number_field(c, "horsepower", data["horsepower"], column)
        if value is not None or not text_of(data["horsepower"]):
            c.values["horsepower"] = value
    if "registered_on" in data:
        c.values["registered_on"] = date_field(c, "registered_on", data["registered_on"])
    if "mortgaged" in data:
        value = bool_field(c, "mortgaged", data["mortgaged"])
        if value is not None:
            c.values["mortgaged"] = value
    if "status" in data:
        text = text_of(data["status"]) or MachineStatus.IN_USE
        if text not in MachineStatus.values:
            c.fail("status", "invalid_choice", value=text, choices=", ".join(MachineStatus.values))
        else:
            c.values["status"] = text
    if c.problems:
        raise RongnganValidationError(c.problems)
    return c.values


DUPLICATE_MACHINE = _("Machinery registration number %(value)s is already used.")


def _check_machine_regno(values: dict[str, Any], exclude_pk: int | None = None) -> None:
    number = values.get("registration_no")
    if number and Machine.objects.filter(registration_no=number).exclude(pk=exclude_pk).exists():
        raise RongnganValidationError(
            [Problem("registration_no", "duplicate", DUPLICATE_MACHINE, {"value": number})]
        )


@transaction.atomic
def machine_add(*, acting_user: Any, factory: Factory, data: Mapping[str, Any]) -> Machine:
    values = _machine_values(data, partial=False)
    _check_machine_regno(values)
    m = Machine(factory=factory, **values)
    _model_check(m)
    m.save()
    audit.record(
        actor=acting_user,
        action="create",
        obj=m,
        changes=audit.diff({}, audit.snapshot(m, MACHINE_FIELDS)),
        note=f"factory {factory.registration_no}",
    )
    return m


@transaction.atomic
def machine_update(
    *,
    acting_user: Any,
    machine: Machine,
    data: Mapping[str, Any],
    expected_version: str | None = None,
) -> Machine:
    """Change some fields of a machine; with `expected_version` (machine_version of the copy the
    change was made on) a change to a machine changed since is refused (StaleVersion)."""
    _check_version(machine, expected_version, STALE_MACHINE)
    values = _machine_values(data, partial=True)
    _check_machine_regno(values, exclude_pk=machine.pk)
    machine = Machine.objects.select_for_update().get(pk=machine.pk)
    _check_version(machine, expected_version, STALE_MACHINE)
    before = audit.snapshot(machine, MACHINE_FIELDS)
    for name, value in values.items():
        setattr(machine, name, value)
    if not audit.diff(before, audit.snapshot(machine, MACHINE_FIELDS)):
        return machine  # nothing differs: no write, so the version others hold stays current
    _model_check(machine)
    machine.save()
    changes = audit.diff(before, audit.snapshot(machine, MACHINE_FIELDS))
    if changes:
        audit.record(actor=acting_user, action="update", obj=machine, changes=changes)
    return machine


NOT_AN_INSPECTOR = _("“%(value)s” is not an active inspector account.")


@transaction.atomic
def factory_assign_inspector(
    *, acting_user: Any, factory: Factory, inspector: Any, reason: str = ""
) -> FactoryAssignment:
    """Give an inspector a case: they may read the factory while the assignment is active."""
    if not can_register(acting_user):
        raise PermissionError("not allowed to assign inspectors")
    problems = []
    if inspector is None or inspector.role != "inspector" or not inspector.is_active:
        problems.append(
            Problem("inspector", "not_inspector", NOT_AN_INSPECTOR, {"value": str(inspector or "")})
        )
    if len(reason) > 255:
        problems.append(
            Problem(
                "reason", "max_length", MSG["max_length"], {"limit": 255, "length": len(reason)}
            )
        )
    if problems:
        raise RongnganValidationError(problems)
    assignment, created = FactoryAssignment.objects.get_or_create(
        factory=factory, inspector=inspector, is_active=True, defaults={"reason": reason}
    )
    if created:
        audit.record(
            actor=acting_user,
            action="assign",
            obj=factory,
            changes={"inspector": [None, inspector.get_username()]},
            note=reason,
        )
    return assignment


@transaction.atomic
def assignment_end(
    *, acting_user: Any, assignment: FactoryAssignment, reason: str = ""
) -> FactoryAssignment:
    """End a case; the assignment stays on record, inactive."""
    if not can_register(acting_user):
        raise PermissionError("not allowed to end assignments")
    assignment = FactoryAssignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.is_active:
        assignment.is_active = False
        assignment.save(update_fields=["is_active"])
        audit.record(
            actor=acting_user,
            action="assign",
            obj=assignment.factory,
            changes={"inspector": [assignment.inspector.get_username(), None]},
            note=reason[:1000] or str(_("assignment ended")),
        )
    return assignment


def import_job_start(*, acting_user: Any, upload: Any, dry_run: bool) -> Any:
    """Keep the uploaded file and queue its import for the worker; returns the job."""
    from rongngan.registry.models import ImportJob
    from rongngan.registry.tasks import run_import_job

    if not can_register(acting_user):
        raise PermissionError("not allowed to import factories")
    job = ImportJob.objects.create(
        created_by=acting_user, filename=upload.name[:255], file=upload, dry_run=dry_run
    )
    audit.record(
        actor=acting_user,
        action="import",
        obj=job,
        note=f"{upload.name} ({'dry run' if dry_run else 'import'})",
    )
    # Enqueued after the job row is committed so the worker always finds it.
    transaction.on_commit(lambda: run_import_job.enqueue(job.pk))
    return job
