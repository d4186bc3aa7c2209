"""The audit trail: every regulated change leaves an entry saying who, when, what and from where."""

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from rongngan.core import context
from rongngan.core.models import AuditEntry


def jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple | set):
        return sorted(jsonable(v) for v in value)
    return value


def plain(value: Any) -> Any:
    """Changes as JSON, keeping the order of lists (a [before, after] pair stays a pair)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, set):
        return sorted(plain(v) for v in value)
    return jsonable(value)


def snapshot(obj: models.Model, fields: Sequence[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        if field.many_to_many:
            out[name] = jsonable([str(o) for o in getattr(obj, name).all()]) if obj.pk else []
        elif field.is_relation:
            out[name] = getattr(obj, field.attname)
        else:
            out[name] = jsonable(getattr(obj, name))
    return out


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


def entry(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    changes: dict[str, Any] | None = None,
    note: str = "",
    object_type: ContentType | None = None,
    object_id: str = "",
    object_repr: str = "",
) -> AuditEntry:
    """An unsaved entry, filled from the current request context."""
    ctx = context.current()
    if obj is not None:
        object_type = ContentType.objects.get_for_model(obj)
        object_id = str(obj.pk)
        object_repr = str(obj)[:300]
    actor_ok = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEntry(
        actor=actor if actor_ok else None,
        actor_username=actor.get_username() if actor_ok else "",
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
        changes=plain(changes or {}),
        note=note,
        request_id=ctx.request_id,
        ip=ctx.ip,
        source=ctx.source,
    )


def record(**kwargs: Any) -> AuditEntry:
    e = entry(**kwargs)
    e.save()
    return e


def record_many(entries: Iterable[AuditEntry], batch_size: int = 2000) -> None:
    AuditEntry.objects.bulk_create(entries, batch_size=batch_size)


def history(obj: models.Model) -> models.QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(
        object_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
    ).select_related("actor")


def display_rows(entries: Iterable[AuditEntry], model_of: Any = None) -> list[dict[str, Any]]:
    """Entries as pages show them: field labels, before and after as text, newest first.

    `model_of(entry)` names the model whose field labels to use (default: the entry's own).
    """
    from django.core.exceptions import FieldDoesNotExist
    from django.utils.dateparse import parse_date, parse_datetime
    from django.utils.translation import gettext as _

    def label(model: Any, name: str) -> str:
        if model is None:
            return name
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            return name
        # a reverse relation (e.g. a plan's "kpis" counted at a load) has no verbose_name of its
        # own: it is named by the related model's plural
        verbose = getattr(field, "verbose_name", None)
        if verbose is None and getattr(field, "related_model", None) is not None:
            verbose = field.related_model._meta.verbose_name_plural
        return str(verbose or name)

    from django.db import models as m

    from rongngan.core.templatetags.thai import be_date, be_datetime

    def field_of(model: Any, name: str) -> Any:
        if model is None:
            return None
        try:
            return model._meta.get_field(name)
        except FieldDoesNotExist:
            return None

    entries = list(entries)
    models_of = {
        id(e): model_of(e) if model_of else (e.object_type.model_class() if e.object_type else None)
        for e in entries
    }
    # The names of the related records the entries point at (an operator, a province …), one
    # query per related model, so that history reads "บริษัท … จำกัด" rather than "88".
    wanted: dict[Any, set[Any]] = {}
    for e in entries:
        for name, value in (e.changes or {}).items():
            f = field_of(models_of[id(e)], name)
            if f is not None and getattr(f, "many_to_one", False) and f.related_model:
                pair = value if isinstance(value, list | tuple) and len(value) == 2 else [value]
                wanted.setdefault(f.related_model, set()).update(
                    v for v in pair if v not in (None, "") and not isinstance(v, list | dict)
                )
    related: dict[tuple[Any, str], str] = {}
    for rel_model, pks in wanted.items():
        try:
            for obj in rel_model._default_manager.filter(pk__in=pks):
                related[(rel_model, str(obj.pk))] = str(obj)
        except (ValueError, TypeError):  # an id of the wrong shape in an old entry
            continue

    def show(value: Any, f: Any = None) -> str:
        if value is None or value == "":
            return "—"
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        if isinstance(value, list):
            return ", ".join(str(v) for v in value) or "—"
        if isinstance(value, dict):
            return ", ".join(f"{k}: {v}" for k, v in value.items()) or "—"
        if f is not None:
            if getattr(f, "choices", None):
                return str(dict(f.flatchoices).get(value, value))
            if getattr(f, "many_to_one", False) and f.related_model:
                return related.get((f.related_model, str(value)), str(value))
            if isinstance(f, m.DateTimeField) and isinstance(value, str):
                parsed = parse_datetime(value)
                return be_datetime(parsed) if parsed else value
            if isinstance(f, m.DateField) and isinstance(value, str):
                day = parse_date(value[:10])
                return be_date(day) if day else value
        return str(value)

    rows = []
    for e in entries:
        model = models_of[id(e)]
        changes = e.changes or {}
        rows.append(
            {
                "at": e.at,
                "who": e.actor_username or _("system"),
                "action": e.get_action_display(),
                "note": e.note,
                "source": e.source,
                "changes": [
                    (
                        label(model, name),
                        show(pair[0], field_of(model, name)),
                        show(pair[1], field_of(model, name)),
                    )
                    for name, pair in changes.items()
                    if isinstance(pair, list | tuple) and len(pair) == 2
                ],
                "facts": [
                    (label(model, name), show(value, field_of(model, name)))
                    for name, value in changes.items()
                    if not (isinstance(value, list | tuple) and len(value) == 2)
                ],
            }
        )
    return rows
