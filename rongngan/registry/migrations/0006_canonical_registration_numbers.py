"""Registration numbers in their one canonical form; search words without juristic IDs.

1. Legacy numbers used to be stored as typed: ``3-106-99/2563รย`` and ``3-106-099/63รย`` were
   kept as they came, so one number could be registered twice. Every stored legacy number (and
   former number) is recomputed with ``regno.normalize_registration_number`` (2-digit year for
   the 2500s, no leading zeros); each factory whose number changes gets an audit entry.
   Where two factories come out with the same number, neither is changed: each gets an audit
   note naming the other, and the migration prints them. Nothing is merged or deleted; an
   officer checks the pair and corrects it through the register.
2. The juristic ID is not a published field, so it is no longer one of the words the public
   searches (services.SEARCH_FIELDS): its token is taken out of ``search_text``.
"""

import logging

from django.db import migrations
from django.db.models import Q, TextField, Value
from django.db.models.functions import Concat, Replace

log = logging.getLogger(__name__)

NOTE = "registration number written in its canonical form (migration registry 0006)"
DUPLICATE_NOTE = (
    "possible duplicate (migration registry 0006): registration number {number} is also that "
    "of {others}; nothing was changed or merged, check and correct by hand"
)


def _canonical(text, normalize):
    if not text or "/" not in text:
        return text
    try:
        return normalize(text).canonical
    except ValueError:
        return text


def canonicalise(apps, schema_editor):
    from rongngan.core.search import search_text
    from rongngan.registry.regno import normalize_registration_number

    Factory = apps.get_model("registry", "Factory")
    AuditEntry = apps.get_model("core", "AuditEntry")
    ContentType = apps.get_model("contenttypes", "ContentType")

    rows = list(
        Factory.objects.filter(
            Q(registration_no__contains="/") | Q(former_registration_no__contains="/")
        ).values_list("pk", "registration_no", "former_registration_no", "name_th", "name_en")
    )
    if not rows:
        return
    groups = {}
    for pk, number, _former, _th, _en in rows:
        groups.setdefault(_canonical(number, normalize_registration_number), []).append(
            (pk, number)
        )
    factory_type, _ = ContentType.objects.get_or_create(app_label="registry", model="factory")
    entries = []
    duplicates = []
    for pk, number, former, name_th, name_en in rows:
        new_number = _canonical(number, normalize_registration_number)
        new_former = _canonical(former, normalize_registration_number)
        group = groups[new_number]
        if len(group) > 1:
            duplicates.append((pk, new_number, group))
            new_number = number
        changes = {}
        if new_number != number:
            changes["registration_no"] = [number, new_number]
        if new_former != former:
            changes["former_registration_no"] = [former, new_former]
        if not changes:
            continue
        Factory.objects.filter(pk=pk).update(
            registration_no=new_number,
            former_registration_no=new_former,
            search_text=search_text([name_th, name_en, new_number, new_former]),
        )
        entries.append(
            AuditEntry(
                action="update",
                object_type=factory_type,
                object_id=str(pk),
                object_repr=f"{name_th} ({new_number})"[:300],
                changes=changes,
                note=NOTE,
                source="system",
            )
        )
    for pk, number, group in duplicates:
        others = ", ".join(f"factory #{other} ({text})" for other, text in group if other != pk)
        note = DUPLICATE_NOTE.format(number=number, others=others)
        log.warning("factory #%s: %s", pk, note)
        print(f"\n  factory #{pk}: {note}", end="")
        entries.append(
            AuditEntry(
                action="update",
                object_type=factory_type,
                object_id=str(pk),
                object_repr=f"factory #{pk} ({number})",
                changes={},
                note=note,
                source="system",
            )
        )
    AuditEntry.objects.bulk_create(entries, batch_size=2000)


def unpublish_juristic_ids(apps, schema_editor):
    Factory = apps.get_model("registry", "Factory")
    token = Concat(Value(" "), "juristic_id", Value(" "), output_field=TextField())
    Factory.objects.exclude(juristic_id="").update(
        search_text=Replace("search_text", token, Value(" "))
    )


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0005_machine_registry_ma_registe_ad5c70_idx"),
        ("core", "0003_alter_auditentry_action"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [
        migrations.RunPython(canonicalise, migrations.RunPython.noop),
        migrations.RunPython(unpublish_juristic_ids, migrations.RunPython.noop),
    ]
