"""Writes of the supervision app: each validates everything first, writes in one transaction and
leaves an audit entry. Submitted inspections change only by a correction (a new version)."""

import datetime as dt
import functools
import itertools
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

import holidays
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rongngan.chemicals.models import StorageSite
from rongngan.chemicals.scoping import site_q
from rongngan.chemicals.supervision import queries, reference
from rongngan.chemicals.supervision.models import (
    ChecklistVersion,
    CorrectiveAction,
    Grade,
    InspectionPhoto,
    RefrigerationInspection,
    RefrigerationPlant,
    SiteUpgrade,
    StorageInspection,
)
from rongngan.core import audit
from rongngan.core.errors import Problem, RongnganValidationError
from rongngan.core.scoping import role_of
from rongngan.core.thai import parse_thai_date
from rongngan.registry.validation import MSG as REGISTRY_MSG

AMMONIA_CAS = "7664-41-7"
HUNDRED = Decimal(100)
CENT = Decimal("0.01")
SCORES = {0, 1, 2}
NA = {"", "na", "n/a", "n.a.", "none", "null", "-"}

MSG = {
    "too_large": _("“%(value)s” is too large to be recorded."),
    "measure_counted": _(
        "Measure %(value)s is already recorded as implemented at this plant %(visited_on)s; "
        "its saving counts once."
    ),
    "before_visit": _(
        "An action cannot be closed before the visit that opened it (%(visited_on)s)."
    ),
    "too_large_ratio": _(
        "“%(value)s” is too small for the electricity used: check the figures and their units."
    ),
    "required": REGISTRY_MSG["required"],
    "invalid_number": REGISTRY_MSG["invalid_number"],
    "negative": REGISTRY_MSG["negative"],
    "not_integer": REGISTRY_MSG["not_integer"],
    "invalid_date": REGISTRY_MSG["invalid_date"],
    "invalid_choice": REGISTRY_MSG["invalid_choice"],
    "invalid_boolean": REGISTRY_MSG["invalid_boolean"],
    "future_date": _("The date may not be in the future."),
    "unknown_item": _("“%(value)s” is not an item of checklist %(version)s."),
    "missing_score": _("Score every item of the checklist (0, 1, 2 or n.a.); missing: %(items)s."),
    "invalid_score": _(
        "A score is 0 (not met), 1 (partly met), 2 (met) or n.a. (got “%(value)s”)."
    ),
    "nothing_applicable": _("At least one item must apply to grade the site."),
    "reason_required": _("Give the reason for the correction."),
    "not_current": _("Only the current version of an inspection can be corrected."),
    "not_open": _("This corrective action is already %(status)s."),
    "evidence_required": _("Describe the evidence that the item is now met."),
    "not_positive": _("Must be more than zero."),
    "photo_type": _("A photo is a JPEG or PNG image."),
    "photo_size": _("A photo is at most %(limit)s MB."),
    "plant_exists": _("This site already has a refrigeration plant in the register."),
    "output_basis": _(
        "Give the ice capacity (t/day) for an ice plant, or the cooled volume (m³) for a cold "
        "store."
    ),
    "invalid_list": _("Give a list of objects (see the API schema)."),
    "unknown_measure": _("Unknown energy-saving measure “%(value)s”."),
}
COMPRESSOR_TYPES = ("reciprocating", "screw", "centrifugal", "other")
CONDENSER_TYPES = ("evaporative", "shell_and_tube", "air_cooled")
SAFETY_KEYS = (
    "ammonia_detectors",
    "emergency_ventilation",
    "relief_valves",
    "ppe_scba",
    "emergency_plan",
)
ENVIRONMENT_KEYS = ("wastewater_treated", "ammonia_odour_complaints", "noise_complaints")


# --------------------------------------------------------------------------------------------
# Parsing helpers: each appends to `problems` and returns None on a bad value


def _text(problems: list[Problem], data: Mapping[str, Any], name: str, *, required: bool) -> str:
    value = str(data.get(name) or "").strip()
    if required and not value:
        problems.append(Problem(name, "required", MSG["required"]))
    return value


def _date(problems: list[Problem], data: Mapping[str, Any], name: str) -> dt.date | None:
    raw = data.get(name)
    if isinstance(raw, dt.date):
        value = raw
    elif raw in (None, ""):
        problems.append(Problem(name, "required", MSG["required"]))
        return None
    else:
        try:
            value = parse_thai_date(str(raw))
        except ValueError:
            problems.append(Problem(name, "invalid_date", MSG["invalid_date"], {"value": raw}))
            return None
    if value > timezone.localdate():
        problems.append(Problem(name, "future_date", MSG["future_date"]))
        return None
    return value


def _decimal(
    problems: list[Problem],
    data: Mapping[str, Any],
    name: str,
    *,
    required: bool = True,
    positive: bool = False,
    digits: int = 8,
) -> Decimal | None:
    """`digits`: how many digits before the decimal point the column holds."""
    raw = data.get(name)
    if raw in (None, ""):
        if required:
            problems.append(Problem(name, "required", MSG["required"]))
        return None
    try:
        value = Decimal(str(raw).replace(",", "").strip())
    except InvalidOperation:
        problems.append(Problem(name, "invalid_number", MSG["invalid_number"], {"value": raw}))
        return None
    if not value.is_finite():
        problems.append(Problem(name, "invalid_number", MSG["invalid_number"], {"value": raw}))
        return None
    if value < 0:
        problems.append(Problem(name, "negative", MSG["negative"]))
        return None
    if positive and value == 0:
        problems.append(Problem(name, "not_positive", MSG["not_positive"]))
        return None
    if value >= Decimal(10) ** digits:
        problems.append(Problem(name, "too_large", MSG["too_large"], {"value": raw}))
        return None
    return value


def _int(problems: list[Problem], raw: Any, name: str, *, default: int | None = None) -> int | None:
    if raw in (None, "") and default is not None:
        return default
    try:
        value = int(str(raw).strip())
    except (TypeError, ValueError):
        problems.append(Problem(name, "not_integer", MSG["not_integer"]))
        return None
    if value < 0:
        problems.append(Problem(name, "negative", MSG["negative"]))
        return None
    if value > 2**31 - 1:  # integer columns hold 32 bits
        problems.append(Problem(name, "too_large", MSG["too_large"], {"value": raw}))
        return None
    return value


def _bool(problems: list[Problem], raw: Any, name: str) -> bool | None:
    if isinstance(raw, bool):
        return raw
    text = str(raw if raw is not None else "").strip().lower()
    if text in ("1", "true", "yes", "on", "y"):
        return True
    if text in ("0", "false", "no", "off", "n", ""):
        return False
    problems.append(Problem(name, "invalid_boolean", MSG["invalid_boolean"], {"value": raw}))
    return None


def _fail(problems: list[Problem]) -> None:
    if problems:
        raise RongnganValidationError(problems)


def _snap(obj: Any, fields: tuple[str, ...] | list[str]) -> dict[str, Any]:
    """audit.snapshot, keeping JSON fields as they are (it sorts lists, and dicts do not sort)."""
    json_fields = {f for f in fields if obj._meta.get_field(f).get_internal_type() == "JSONField"}
    out = audit.snapshot(obj, [f for f in fields if f not in json_fields])
    out.update({f: getattr(obj, f) for f in json_fields})
    return out


# --------------------------------------------------------------------------------------------
# Grading


def current_checklist() -> ChecklistVersion:
    return ChecklistVersion.objects.order_by("-loaded_at", "-pk").first() or (
        reference.load_checklist(ChecklistVersion)
    )


def parse_score(raw: Any) -> tuple[bool, int | None]:
    """(valid, score) where a None score means not applicable."""
    if raw is None:
        return True, None
    text = str(raw).strip().lower()
    if text in NA:
        return True, None
    if text in ("0", "1", "2"):
        return True, int(text)
    return False, None


def grade_scores(checklist: ChecklistVersion, scores: Mapping[str, int | None]) -> dict[str, Any]:
    """Applies the checklist's grading rule (documented in data/storage_checklist.yaml)."""
    earned = Decimal(0)
    applicable = Decimal(0)
    critical_unmet = []
    for item in checklist.items():
        score = scores.get(item["code"])
        if score is None:
            continue
        weight = Decimal(str(item["weight"]))
        earned += weight * score
        applicable += weight * 2
        if item.get("critical") and score < checklist.critical_min_score:
            critical_unmet.append(item["code"])
    percent = (earned * HUNDRED / applicable).quantize(CENT, ROUND_HALF_UP) if applicable else None
    # The threshold compares the exact ratio, not the rounded one: 79.995 % is below 80 %.
    above = (
        applicable > 0
        and earned * HUNDRED >= checklist.threshold_percent * applicable
        and not critical_unmet
    )
    return {
        "earned_points": earned,
        "applicable_points": applicable,
        "percent": percent,
        "critical_unmet": critical_unmet,
        "grade": Grade.ABOVE if above else Grade.WITHIN,
    }


def _scores(
    problems: list[Problem], checklist: ChecklistVersion, raw: Any
) -> dict[str, int | None]:
    if not isinstance(raw, Mapping):
        problems.append(Problem("scores", "required", MSG["required"]))
        return {}
    items = checklist.item_map()
    out: dict[str, int | None] = {}
    for code, value in raw.items():
        if code not in items:
            problems.append(
                Problem(
                    f"scores.{code}",
                    "unknown_item",
                    MSG["unknown_item"],
                    {"value": code, "version": checklist.version},
                )
            )
            continue
        ok, score = parse_score(value)
        if not ok:
            problems.append(
                Problem(f"scores.{code}", "invalid_score", MSG["invalid_score"], {"value": value})
            )
            continue
        out[code] = score
    missing = [c for c in items if c not in raw]
    if missing:
        problems.append(
            Problem("scores", "missing_score", MSG["missing_score"], {"items": ", ".join(missing)})
        )
    elif out and all(v is None for v in out.values()) and len(out) == len(items):
        problems.append(Problem("scores", "nothing_applicable", MSG["nothing_applicable"]))
    return out


@functools.cache
def _thai_holidays(year: int) -> set[dt.date]:
    return set(holidays.Thailand(years=year).keys())


def add_business_days(start: dt.date, n: int) -> dt.date:
    """The nth Thai business day after `start` (weekends and public holidays skipped)."""
    day = start
    while n > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5 and day not in _thai_holidays(day.year):
            n -= 1
    return day


# --------------------------------------------------------------------------------------------
# Storage inspections

INSPECTION_FIELDS = (
    "site",
    "checklist",
    "kind",
    "visited_on",
    "inspectors",
    "scores",
    "item_notes",
    "notes",
    "percent",
    "critical_unmet",
    "grade",
    "version",
)


def _inspection_input(
    checklist: ChecklistVersion, data: Mapping[str, Any]
) -> tuple[dict[str, Any], list[Problem]]:
    problems: list[Problem] = []
    visited_on = _date(problems, data, "visited_on")
    inspectors = _text(problems, data, "inspectors", required=True)
    scores = _scores(problems, checklist, data.get("scores"))
    item_notes = data.get("item_notes") or {}
    if not isinstance(item_notes, Mapping):
        problems.append(Problem("item_notes", "invalid", MSG["invalid_list"]))
        item_notes = {}
    item_notes = {str(k): str(v).strip() for k, v in item_notes.items() if str(v).strip()}
    return {
        "visited_on": visited_on,
        "inspectors": inspectors[:500],
        "scores": scores,
        "item_notes": item_notes,
        "notes": str(data.get("notes") or "").strip(),
    }, problems


def _kind_for(site: StorageSite, visited_on: dt.date, exclude_root: int | None) -> str:
    earlier = StorageInspection.objects.filter(
        site=site, is_current=True, visited_on__lt=visited_on
    )
    if exclude_root:
        earlier = earlier.exclude(pk=exclude_root).exclude(root_id=exclude_root)
    return StorageInspection.Kind.FOLLOW_UP if earlier.exists() else StorageInspection.Kind.INITIAL


def storage_inspection_record(
    *, acting_user: Any, site: StorageSite, data: Mapping[str, Any]
) -> StorageInspection:
    """An inspector's visit: scores, grade, corrective actions, and the upgrade it may make."""
    if not queries.can_inspect(acting_user, site):
        raise PermissionError("may not inspect this site")
    checklist = current_checklist()
    clean, problems = _inspection_input(checklist, data)
    _fail(problems)
    with transaction.atomic():
        StorageSite.objects.select_for_update().filter(pk=site.pk).first()
        inspection = _write_inspection(
            acting_user=acting_user, site=site, checklist=checklist, clean=clean
        )
        audit.record(
            actor=acting_user,
            action="create",
            obj=inspection,
            changes=_snap(inspection, INSPECTION_FIELDS),
        )
        _open_actions(acting_user, inspection)
        _recompute_upgrade(acting_user, site)
    return inspection


def _write_inspection(
    *,
    acting_user: Any,
    site: StorageSite,
    checklist: ChecklistVersion,
    clean: dict[str, Any],
    previous: StorageInspection | None = None,
    reason: str = "",
) -> StorageInspection:
    result = grade_scores(checklist, clean["scores"])
    root = (previous.root_id or previous.pk) if previous else None
    return StorageInspection.objects.create(
        site=site,
        checklist=checklist,
        kind=_kind_for(site, clean["visited_on"], root),
        created_by=acting_user,
        root_id=root,
        version=(previous.version + 1) if previous else 1,
        supersedes=previous,
        correction_reason=reason,
        **clean,
        **result,
    )


def _open_actions(acting_user: Any, inspection: StorageInspection) -> list[CorrectiveAction]:
    """One action per applicable item below "met", unless one is already open for the item;
    an item now met closes the site's open actions on it (verified at this visit)."""
    checklist = inspection.checklist
    items = checklist.item_map()
    open_by_item = {
        a.item_code: a
        for a in CorrectiveAction.objects.filter(
            site=inspection.site, status__in=queries.OPEN_STATUSES
        )
    }
    created = []
    for code, score in inspection.scores.items():
        if score is None:
            continue
        existing = open_by_item.get(code)
        if score == 2:
            if existing is not None and existing.inspection.visited_on <= inspection.visited_on:
                existing.status = CorrectiveAction.Status.CLOSED
                existing.closed_on = inspection.visited_on
                existing.closed_by = acting_user
                existing.evidence = (
                    existing.evidence + "\n" if existing.evidence else ""
                ) + f"verified met at inspection {inspection.pk} ({inspection.visited_on})"
                existing.save(update_fields=["status", "closed_on", "closed_by", "evidence"])
                audit.record(
                    actor=acting_user,
                    action="update",
                    obj=existing,
                    changes={"status": ["open", "closed"]},
                    note="verified at a later inspection",
                )
            continue
        if existing is not None:
            continue
        item = items[code]
        days = checklist.due_critical_days if item.get("critical") else checklist.due_other_days
        created.append(
            CorrectiveAction(
                site=inspection.site,
                inspection=inspection,
                item_code=code,
                item_text=item["th"][:500],
                critical=bool(item.get("critical")),
                score=score,
                due_on=add_business_days(inspection.visited_on, days),
            )
        )
    CorrectiveAction.objects.bulk_create(created)
    audit.record_many(
        audit.entry(
            actor=acting_user,
            action="create",
            obj=a,
            changes={
                "inspection": inspection.pk,
                "item_code": a.item_code,
                "score": a.score,
                "due_on": a.due_on,
            },
        )
        for a in created
    )
    return created


def _recompute_upgrade(acting_user: Any, site: StorageSite) -> SiteUpgrade | None:
    """The first lift of the site from "within" to "above" over its current inspections in date
    order is its upgrade (once per site); a correction that moves or removes the lift withdraws
    the old record rather than deleting it."""
    history = list(queries.site_history(site))
    candidate = None
    for prev, nxt in itertools.pairwise(history):
        if prev.grade != Grade.ABOVE and nxt.grade == Grade.ABOVE:
            candidate = (prev, nxt)
            break
    active = SiteUpgrade.objects.filter(site=site, withdrawn_at__isnull=True).first()
    if candidate is None and active is None:
        return None
    if active is not None and candidate is not None:
        prev, nxt = candidate

        def root(i: StorageInspection) -> int:
            return i.root_id or i.pk

        if (
            root(active.inspection) == root(nxt)
            and root(active.previous_inspection) == root(prev)
            and active.upgraded_on == nxt.visited_on
        ):
            if active.inspection_id != nxt.pk or active.previous_inspection_id != prev.pk:
                active.inspection = nxt
                active.previous_inspection = prev
                active.save(update_fields=["inspection", "previous_inspection"])
            return active
    if active is not None:
        active.withdrawn_at = timezone.now()
        active.withdrawn_reason = "inspection corrected"
        active.save(update_fields=["withdrawn_at", "withdrawn_reason"])
        audit.record(
            actor=acting_user, action="update", obj=active, note="upgrade withdrawn by correction"
        )
    if candidate is None:
        return None
    prev, nxt = candidate
    upgrade = SiteUpgrade.objects.create(
        site=site,
        inspection=nxt,
        previous_inspection=prev,
        upgraded_on=nxt.visited_on,
        from_grade=prev.grade,
        to_grade=nxt.grade,
    )
    audit.record(
        actor=acting_user,
        action="create",
        obj=upgrade,
        changes=_snap(
            upgrade, ["site", "inspection", "previous_inspection", "upgraded_on", "from_grade"]
        ),
    )
    return upgrade


def storage_inspection_correct(
    *, acting_user: Any, inspection: StorageInspection, data: Mapping[str, Any], reason: str
) -> StorageInspection:
    """A new version of a submitted inspection (same checklist version), with the reason."""
    if not queries.can_inspect(acting_user, inspection.site):
        raise PermissionError("may not correct this inspection")
    problems: list[Problem] = []
    if not inspection.is_current:
        problems.append(Problem(None, "not_current", MSG["not_current"]))
    reason = str(reason or "").strip()
    if not reason:
        problems.append(Problem("reason", "required", MSG["reason_required"]))
    merged = {
        "visited_on": inspection.visited_on,
        "inspectors": inspection.inspectors,
        "scores": inspection.scores,
        "item_notes": inspection.item_notes,
        "notes": inspection.notes,
        **{k: v for k, v in data.items() if k != "reason"},
    }
    clean, more = _inspection_input(inspection.checklist, merged)
    problems += more
    _fail(problems)
    with transaction.atomic():
        old = StorageInspection.objects.select_for_update().get(pk=inspection.pk)
        if not old.is_current:
            _fail([Problem(None, "not_current", MSG["not_current"])])
        before = _snap(old, INSPECTION_FIELDS)
        old.is_current = False
        old.save(update_fields=["is_current"])
        new = _write_inspection(
            acting_user=acting_user,
            site=old.site,
            checklist=old.checklist,
            clean=clean,
            previous=old,
            reason=reason,
        )
        audit.record(
            actor=acting_user,
            action="update",
            obj=new,
            changes=audit.diff(before, _snap(new, INSPECTION_FIELDS)),
            note=reason,
        )
        # Open actions of the old version follow the new one, or are withdrawn if now met.
        for action in CorrectiveAction.objects.filter(
            inspection=old, status__in=queries.OPEN_STATUSES
        ):
            score = new.scores.get(action.item_code)
            if score is None or score == 2:
                action.status = CorrectiveAction.Status.WITHDRAWN
                action.save(update_fields=["status"])
                changes: dict[str, Any] = {"status": ["open", CorrectiveAction.Status.WITHDRAWN]}
            else:
                changes = {"inspection": [old.pk, new.pk], "score": [action.score, score]}
                action.inspection = new
                action.score = score
                action.save(update_fields=["inspection", "score"])
            audit.record(
                actor=acting_user,
                action="update",
                obj=action,
                changes=changes,
                note=f"inspection corrected (version {new.version}): {reason}",
            )
        _open_actions(acting_user, new)
        _recompute_upgrade(acting_user, old.site)
    return new


def corrective_action_submit_evidence(
    *, acting_user: Any, action: CorrectiveAction, evidence: str
) -> CorrectiveAction:
    """The operator reports what was done; an inspector or officer then closes the action."""
    role = role_of(acting_user)
    if not (
        (role == "operator" and action.site.operator_id == acting_user.organisation_id)
        or queries.can_inspect(acting_user, action.site)
    ):
        raise PermissionError("may not act on this corrective action")
    problems = []
    evidence = str(evidence or "").strip()
    if action.status not in queries.OPEN_STATUSES:
        problems.append(
            Problem(
                None,
                "not_open",
                MSG["not_open"],
                {"status": CorrectiveAction.Status(action.status).label},
            )
        )
    if not evidence:
        problems.append(Problem("evidence", "required", MSG["evidence_required"]))
    _fail(problems)
    with transaction.atomic():
        before = _snap(action, ["status", "evidence"])
        action.evidence = evidence
        action.evidence_by = acting_user
        action.status = CorrectiveAction.Status.EVIDENCE_SUBMITTED
        action.save(update_fields=["evidence", "evidence_by", "status"])
        audit.record(
            actor=acting_user,
            action="update",
            obj=action,
            changes=audit.diff(before, _snap(action, ["status", "evidence"])),
        )
    return action


def corrective_action_close(
    *,
    acting_user: Any,
    action: CorrectiveAction,
    evidence: str = "",
    closed_on: Any = None,
) -> CorrectiveAction:
    """An inspector or officer closes the action, with the evidence seen."""
    if not queries.can_inspect(acting_user, action.site):
        raise PermissionError("may not close this corrective action")
    problems: list[Problem] = []
    if action.status not in queries.OPEN_STATUSES:
        problems.append(
            Problem(
                None,
                "not_open",
                MSG["not_open"],
                {"status": CorrectiveAction.Status(action.status).label},
            )
        )
    evidence = str(evidence or "").strip() or action.evidence
    if not evidence:
        problems.append(Problem("evidence", "required", MSG["evidence_required"]))
    day = (
        _date(problems, {"closed_on": closed_on}, "closed_on")
        if closed_on not in (None, "")
        else timezone.localdate()
    )
    if day is not None and day < action.inspection.visited_on:
        problems.append(
            Problem(
                "closed_on",
                "before_visit",
                MSG["before_visit"],
                {"visited_on": action.inspection.visited_on},
            )
        )
    _fail(problems)
    with transaction.atomic():
        before = _snap(action, ["status", "evidence", "closed_on"])
        action.evidence = evidence
        action.status = CorrectiveAction.Status.CLOSED
        action.closed_on = day
        action.closed_by = acting_user
        action.save(update_fields=["evidence", "status", "closed_on", "closed_by"])
        audit.record(
            actor=acting_user,
            action="update",
            obj=action,
            changes=audit.diff(before, _snap(action, ["status", "evidence", "closed_on"])),
        )
    return action


PHOTO_TYPES = {b"\xff\xd8\xff": "jpg", b"\x89PNG\r\n\x1a\n": "png"}
PHOTO_MAX_MB = 10


def inspection_photo_add(
    *, acting_user: Any, inspection: StorageInspection, file: Any, caption: str = "", item: str = ""
) -> InspectionPhoto:
    """A photo of the visit, kept with the inspection's first version (corrections keep it)."""
    if not queries.can_inspect(acting_user, inspection.site):
        raise PermissionError("may not add photos to this inspection")
    problems: list[Problem] = []
    if file is None:
        problems.append(Problem("file", "required", MSG["required"]))
    else:
        head = file.read(8)
        file.seek(0)
        kind = next((ext for magic, ext in PHOTO_TYPES.items() if head.startswith(magic)), None)
        if kind is None:
            problems.append(Problem("file", "photo_type", MSG["photo_type"]))
        if file.size > PHOTO_MAX_MB * 1024 * 1024:
            problems.append(
                Problem("file", "photo_size", MSG["photo_size"], {"limit": PHOTO_MAX_MB})
            )
    item = str(item or "").strip()
    if item and item not in inspection.checklist.item_map():
        problems.append(
            Problem(
                "item",
                "unknown_item",
                MSG["unknown_item"],
                {"value": item, "version": inspection.checklist.version},
            )
        )
    _fail(problems)
    root = StorageInspection.objects.get(pk=inspection.root_id or inspection.pk)
    with transaction.atomic():
        file.name = f"{root.pk}-{timezone.now():%Y%m%d%H%M%S%f}.{kind}"
        photo = InspectionPhoto.objects.create(
            inspection=root,
            file=file,
            caption=str(caption or "").strip()[:255],
            item_code=item,
            uploaded_by=acting_user,
        )
        audit.record(
            actor=acting_user,
            action="create",
            obj=photo,
            changes={"inspection": root.pk, "file": photo.file.name, "caption": photo.caption},
        )
    return photo


# --------------------------------------------------------------------------------------------
# Ammonia refrigeration

PLANT_FIELDS = (
    "site",
    "kind",
    "ammonia_charge_kg",
    "compressors",
    "condensers",
    "evaporators",
    "capacity_t_ice_per_day",
    "cooled_volume_m3",
    "operating_hours_per_year",
    "tariff_baht_per_kwh",
)


def can_register_plant(user: Any, site: StorageSite) -> bool:
    if role_of(user) == "operator":
        q = site_q(user, write=True)
        return StorageSite.objects.filter(pk=site.pk).filter(q).exists() if q else True
    return queries.can_inspect(user, site)


def _equipment(
    problems: list[Problem], raw: Any, name: str, types: tuple[str, ...], *, kw: bool
) -> list[dict[str, Any]]:
    if raw in (None, "", []):
        return []
    if not isinstance(raw, list) or not all(isinstance(r, Mapping) for r in raw):
        problems.append(Problem(name, "invalid", MSG["invalid_list"]))
        return []
    out = []
    for i, row in enumerate(raw):
        kind = str(row.get("type") or "").strip()
        if kind not in types:
            problems.append(
                Problem(
                    f"{name}[{i}].type",
                    "invalid_choice",
                    MSG["invalid_choice"],
                    {"value": kind, "choices": ", ".join(types)},
                )
            )
        count = _int(problems, row.get("count"), f"{name}[{i}].count", default=1)
        entry: dict[str, Any] = {"type": kind, "count": count}
        if kw:
            motor = _decimal(problems, row, "motor_kw", required=False)
            entry["motor_kw"] = str(motor) if motor is not None else None
        out.append(entry)
    return out


def _plant_input(data: Mapping[str, Any], partial: dict[str, Any] | None = None) -> dict[str, Any]:
    base = dict(partial or {})
    data = {**base, **data}
    problems: list[Problem] = []
    kind = str(data.get("kind") or "").strip()
    if kind not in RefrigerationPlant.Kind.values:
        problems.append(
            Problem(
                "kind",
                "invalid_choice" if kind else "required",
                MSG["invalid_choice"] if kind else MSG["required"],
                {"value": kind, "choices": ", ".join(RefrigerationPlant.Kind.values)},
            )
        )
    charge = _decimal(problems, data, "ammonia_charge_kg", positive=True, digits=10)
    capacity = _decimal(problems, data, "capacity_t_ice_per_day", required=False, digits=8)
    volume = _decimal(problems, data, "cooled_volume_m3", required=False, digits=10)
    if kind in ("tube_ice", "block_ice") and not capacity:
        problems.append(Problem("capacity_t_ice_per_day", "required", MSG["output_basis"]))
    if kind == "cold_store" and not volume:
        problems.append(Problem("cooled_volume_m3", "required", MSG["output_basis"]))
    hours = _int(problems, data.get("operating_hours_per_year"), "operating_hours_per_year")
    if hours is not None and hours > 8784:
        problems.append(
            Problem(
                "operating_hours_per_year",
                "out_of_range",
                REGISTRY_MSG["out_of_range"],
                {"low": 0, "high": 8784},
            )
        )
    tariff = _decimal(problems, data, "tariff_baht_per_kwh", positive=True, digits=2)
    compressors = _equipment(
        problems, data.get("compressors"), "compressors", COMPRESSOR_TYPES, kw=True
    )
    condensers = _equipment(
        problems, data.get("condensers"), "condensers", CONDENSER_TYPES, kw=False
    )
    _fail(problems)
    return {
        "kind": kind,
        "ammonia_charge_kg": charge,
        "capacity_t_ice_per_day": capacity,
        "cooled_volume_m3": volume,
        "operating_hours_per_year": hours,
        "tariff_baht_per_kwh": tariff,
        "compressors": compressors,
        "condensers": condensers,
        "evaporators": str(data.get("evaporators") or "").strip()[:255],
    }


def _feed_inventory(acting_user: Any, plant: RefrigerationPlant) -> bool:
    """The plant's ammonia charge into the site's inventory, so the risk map counts it."""
    try:
        from rongngan.chemicals.services import inventory_item_set
    except ImportError:
        # The inventory service is built by the chemicals app; until it exists the plant is
        # kept with inventory_synced=False and fed again when its charge is next saved.
        return False
    try:
        inventory_item_set(
            acting_user=acting_user,
            site=plant.site,
            cas=AMMONIA_CAS,
            max_quantity_kg=plant.ammonia_charge_kg,
            source="refrigeration_register",
            note=f"ammonia refrigeration plant {plant.pk} ({plant.get_kind_display()})",
        )
    except PermissionError:
        # The inventory has its own writers (the operator, officers, assigned inspectors); a
        # provincial inspector of a storage site registers the plant, and the operator's next
        # save of the plant (or an officer's) feeds the charge.
        return False
    return True


def refrigeration_plant_register(
    *, acting_user: Any, site: StorageSite, data: Mapping[str, Any]
) -> RefrigerationPlant:
    if not can_register_plant(acting_user, site):
        raise PermissionError("may not register a plant at this site")
    clean = _plant_input(data)
    if RefrigerationPlant.objects.filter(site=site).exists():
        _fail([Problem("site", "plant_exists", MSG["plant_exists"])])
    with transaction.atomic():
        plant = RefrigerationPlant.objects.create(site=site, registered_by=acting_user, **clean)
        plant.inventory_synced = _feed_inventory(acting_user, plant)
        plant.save(update_fields=["inventory_synced"])
        audit.record(
            actor=acting_user,
            action="create",
            obj=plant,
            changes=_snap(plant, PLANT_FIELDS),
        )
    return plant


def refrigeration_plant_update(
    *, acting_user: Any, plant: RefrigerationPlant, data: Mapping[str, Any]
) -> RefrigerationPlant:
    """Changes the register entry; a changed ammonia charge is fed to the inventory again."""
    if not can_register_plant(acting_user, plant.site):
        raise PermissionError("may not change this plant")
    current = {f: getattr(plant, f) for f in PLANT_FIELDS if f != "site"}
    clean = _plant_input(data, current)
    with transaction.atomic():
        before = _snap(plant, PLANT_FIELDS)
        charge_changed = clean["ammonia_charge_kg"] != plant.ammonia_charge_kg
        for k, v in clean.items():
            setattr(plant, k, v)
        plant.save()
        if charge_changed or not plant.inventory_synced:
            plant.inventory_synced = _feed_inventory(acting_user, plant)
            plant.save(update_fields=["inventory_synced"])
        audit.record(
            actor=acting_user,
            action="update",
            obj=plant,
            changes=audit.diff(before, _snap(plant, PLANT_FIELDS)),
        )
    return plant


def energy_saving(
    *, kind: str, annual_kwh: Decimal, annual_output: Decimal, tariff: Decimal
) -> dict[str, Any]:
    """measured SEC = kWh / output; potential kWh = max(0, SEC - benchmark) x output;
    potential baht = potential kWh x tariff (data/refrigeration.yaml)."""
    bench, unit = reference.benchmark(kind)
    sec = annual_kwh / annual_output
    excess = max(Decimal(0), sec - bench) if bench is not None else Decimal(0)
    potential_kwh = (excess * annual_output).quantize(CENT, ROUND_HALF_UP)
    return {
        "sec": sec.quantize(Decimal("0.0001"), ROUND_HALF_UP),
        "sec_unit": unit,
        "benchmark_sec": bench,
        "benchmark_version": str(reference.refrigeration()["version"]),
        "potential_kwh": potential_kwh,
        "potential_baht": (potential_kwh * tariff).quantize(CENT, ROUND_HALF_UP),
    }


def _measures(problems: list[Problem], raw: Any) -> list[dict[str, Any]]:
    if raw in (None, "", []):
        return []
    if not isinstance(raw, list) or not all(isinstance(r, Mapping) for r in raw):
        problems.append(Problem("measures_implemented", "invalid", MSG["invalid_list"]))
        return []
    codes = {m["code"] for m in reference.measures()}
    out = []
    for i, row in enumerate(raw):
        code = str(row.get("code") or "").strip()
        if code not in codes:
            problems.append(
                Problem(
                    f"measures_implemented[{i}].code",
                    "unknown_measure",
                    MSG["unknown_measure"],
                    {"value": code},
                )
            )
        kwh = _decimal(problems, row, "saving_kwh_per_year", positive=True, digits=12)
        out.append(
            {
                "code": code,
                "note": str(row.get("note") or "").strip()[:255],
                "saving_kwh_per_year": str(kwh) if kwh is not None else None,
            }
        )
    return out


INSPECTION_ENERGY_FIELDS = (
    "plant",
    "visited_on",
    "annual_electricity_kwh",
    "annual_output",
    "sec",
    "benchmark_sec",
    "potential_baht",
    "implemented_baht",
    "measures_implemented",
    "safety",
    "leaks_last_12_months",
    "environment",
)


def refrigeration_inspection_record(
    *, acting_user: Any, plant: RefrigerationPlant, data: Mapping[str, Any]
) -> RefrigerationInspection:
    if not queries.can_inspect(acting_user, plant.site):
        raise PermissionError("may not inspect this plant")
    problems: list[Problem] = []
    visited_on = _date(problems, data, "visited_on")
    inspectors = _text(problems, data, "inspectors", required=True)
    kwh = _decimal(problems, data, "annual_electricity_kwh", positive=True, digits=12)
    output = _decimal(problems, data, "annual_output", positive=True, digits=12)
    if kwh is not None and output is not None and kwh / output >= Decimal(10) ** 8:
        # The specific energy use (kWh per tonne or m³) would not fit its column: an output
        # this small for that much electricity is a mistyped figure.
        problems.append(
            Problem("annual_output", "too_large_ratio", MSG["too_large_ratio"], {"value": output})
        )
    cond = evap = None
    for name in ("condensing_temp_c", "evaporating_temp_c"):
        raw = data.get(name)
        if raw in (None, ""):
            continue
        try:
            value = Decimal(str(raw).strip())
            if not value.is_finite() or not Decimal(-60) <= value <= Decimal(80):
                raise InvalidOperation
        except InvalidOperation:
            problems.append(
                Problem(
                    name, "out_of_range", REGISTRY_MSG["out_of_range"], {"low": -60, "high": 80}
                )
            )
            continue
        if name == "condensing_temp_c":
            cond = value
        else:
            evap = value
    safety_raw = data.get("safety") or {}
    env_raw = data.get("environment") or {}
    safety = {}
    environment = {}
    if not isinstance(safety_raw, Mapping):
        problems.append(Problem("safety", "invalid", MSG["invalid_list"]))
        safety_raw = {}
    if not isinstance(env_raw, Mapping):
        problems.append(Problem("environment", "invalid", MSG["invalid_list"]))
        env_raw = {}
    for key in SAFETY_KEYS:
        safety[key] = _bool(problems, safety_raw.get(key), f"safety.{key}")
    for key in ENVIRONMENT_KEYS:
        environment[key] = _bool(problems, env_raw.get(key), f"environment.{key}")
    leaks = _int(problems, data.get("leaks_last_12_months"), "leaks_last_12_months", default=0)
    measures = _measures(problems, data.get("measures_implemented"))
    # A measure's saving counts once (KPI K1.7): one already recorded at an earlier visit of
    # this plant, or twice in this one, is refused rather than counted again ("other" measures
    # are told apart only by their notes, so they are not checked).
    earlier = {
        m.get("code"): i.visited_on
        for i in RefrigerationInspection.objects.filter(plant=plant).only(
            "visited_on", "measures_implemented"
        )
        for m in i.measures_implemented or []
    }
    seen_codes: set[str] = set()
    for idx, m in enumerate(measures):
        if m["code"] != "other" and (m["code"] in earlier or m["code"] in seen_codes):
            problems.append(
                Problem(
                    f"measures_implemented[{idx}].code",
                    "measure_counted",
                    MSG["measure_counted"],
                    {"value": m["code"], "visited_on": earlier.get(m["code"], "")},
                )
            )
        seen_codes.add(m["code"])
    _fail(problems)
    tariff = plant.tariff_baht_per_kwh
    energy = energy_saving(kind=plant.kind, annual_kwh=kwh, annual_output=output, tariff=tariff)
    implemented_kwh = sum((Decimal(m["saving_kwh_per_year"]) for m in measures), Decimal(0))
    with transaction.atomic():
        inspection = RefrigerationInspection.objects.create(
            plant=plant,
            visited_on=visited_on,
            inspectors=inspectors[:500],
            annual_electricity_kwh=kwh,
            annual_output=output,
            condensing_temp_c=cond,
            evaporating_temp_c=evap,
            tariff_baht_per_kwh=tariff,
            measures_implemented=measures,
            implemented_kwh=implemented_kwh,
            implemented_baht=(implemented_kwh * tariff).quantize(CENT, ROUND_HALF_UP),
            safety=safety,
            leaks_last_12_months=leaks,
            environment=environment,
            notes=str(data.get("notes") or "").strip(),
            created_by=acting_user,
            **energy,
        )
        audit.record(
            actor=acting_user,
            action="create",
            obj=inspection,
            changes=_snap(inspection, INSPECTION_ENERGY_FIELDS),
        )
    return inspection
