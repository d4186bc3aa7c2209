"""The manifest clocks (days configurable per deployment in settings):

* receipt not confirmed WASTE_RECEIPT_CONTACT_DAYS (35) after the first transporter took the
  waste: the parties are to be contacted; at WASTE_RECEIPT_EXCEPTION_DAYS (45) an exception
  report is due (the US e-Manifest rule for hazardous waste);
* a significant discrepancy left unresolved WASTE_DISCREPANCY_DAYS (15) after receipt goes to
  the provincial office of the generator;
* waste held at the generator longer than WASTE_STORAGE_DAYS (90) without an officer's storage
  approval (Ministry of Industry notification on the disposal of waste or unusable materials
  B.E. 2566): the age of the oldest waste still held, from the generator's monthly log and the
  manifests that took waste away, oldest first;
* the generator's annual report for the calendar year before, due WASTE_ANNUAL_REPORT_DUE
  (1 March, as "MM-DD"), missing the day after: for every factory with a waste stream that
  logged waste or shipped it in that year.

`run_clocks(today)` raises each alert once (idempotent), closes alerts whose cause is gone, and
returns the counts. Run daily: `rongngan waste_clocks` (cron or a systemd timer), or the
background task `rongngan.waste.tasks.waste_clocks`.
"""

import datetime as dt

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from rongngan.registry.models import Factory
from rongngan.waste import queries
from rongngan.waste.metrics import bounds
from rongngan.waste.models import (
    Alert,
    AnnualReport,
    GenerationRecord,
    Manifest,
    StoragePermission,
    WasteStream,
)


def days(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def receipt_overdue_before(today: dt.date) -> dt.datetime:
    """Manifests taken by the first transporter before this moment are past the receipt clock
    (WASTE_RECEIPT_CONTACT_DAYS): the same cut for the clock and the dashboard."""
    return bounds(today - dt.timedelta(days=days("WASTE_RECEIPT_CONTACT_DAYS", 35)), today)[0]


@transaction.atomic
def run_clocks(today: dt.date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    raised = {kind: 0 for kind in Alert.Kind.values}
    contact = days("WASTE_RECEIPT_CONTACT_DAYS", 35)
    exception = days("WASTE_RECEIPT_EXCEPTION_DAYS", 45)
    discrepancy = days("WASTE_DISCREPANCY_DAYS", 15)

    def cutoff(n: int) -> dt.datetime:
        # Shipped on or before this day's start minus n days: the nth day has passed.
        return bounds(today - dt.timedelta(days=n), today)[0]

    in_transit = Manifest.objects.filter(status=Manifest.Status.IN_TRANSIT).select_related(
        "generator"
    )
    for kind, n in (
        (Alert.Kind.RECEIPT_CONTACT, contact),
        (Alert.Kind.RECEIPT_EXCEPTION, exception),
    ):
        for m in in_transit.filter(shipped_at__lt=cutoff(n)).exclude(alerts__kind=kind):
            Alert.objects.create(
                kind=kind,
                manifest=m,
                province_id=m.generator.province_id,
                raised_on=today,
                due_since=timezone.localtime(m.shipped_at).date() + dt.timedelta(days=n),
            )
            raised[kind] += 1
    open_discrepancies = Manifest.objects.filter(
        discrepancy=True, discrepancy_resolved_at__isnull=True, received_at__lt=cutoff(discrepancy)
    ).exclude(alerts__kind=Alert.Kind.DISCREPANCY)
    for m in open_discrepancies.select_related("generator"):
        Alert.objects.create(
            kind=Alert.Kind.DISCREPANCY,
            manifest=m,
            province_id=m.generator.province_id,
            raised_on=today,
            due_since=timezone.localtime(m.received_at).date() + dt.timedelta(days=discrepancy),
        )
        m.escalated_at = timezone.now()
        m.save(update_fields=["escalated_at"])
        raised[Alert.Kind.DISCREPANCY] += 1
    closed = (
        Alert.objects.filter(closed_at__isnull=True)
        .filter(
            kind__in=[Alert.Kind.RECEIPT_CONTACT, Alert.Kind.RECEIPT_EXCEPTION],
        )
        .exclude(manifest__status=Manifest.Status.IN_TRANSIT)
        .update(closed_at=timezone.now())
    )
    # Resolved with a note, or no longer a discrepancy at all (a correction cleared it).
    closed += (
        Alert.objects.filter(closed_at__isnull=True, kind=Alert.Kind.DISCREPANCY)
        .filter(
            models.Q(manifest__discrepancy_resolved_at__isnull=False)
            | models.Q(manifest__discrepancy=False)
        )
        .update(closed_at=timezone.now())
    )
    storage_raised, storage_closed = _storage_clock(today, days("WASTE_STORAGE_DAYS", 90))
    raised[Alert.Kind.STORAGE] += storage_raised
    report_raised, report_closed = _annual_report_clock(today)
    raised[Alert.Kind.ANNUAL_REPORT] += report_raised
    return {**raised, "closed": closed + storage_closed + report_closed}


def _storage_clock(today: dt.date, limit: int) -> tuple[int, int]:
    logged = list(
        WasteStream.objects.filter(generation__is_current=True)
        .values_list("pk", flat=True)
        .distinct()
    )
    held = queries.held_since(logged, today)
    permitted = set(
        StoragePermission.objects.filter(valid_until__gte=today).values_list("stream_id", flat=True)
    )
    overdue = {
        stream_id: oldest + dt.timedelta(days=limit)
        for stream_id, (_kg, oldest) in held.items()
        if (today - oldest).days > limit and stream_id not in permitted
    }
    raised = 0
    streams = WasteStream.objects.filter(pk__in=overdue).select_related("generator")
    existing = {
        (stream_id, due): (pk, closed_at)
        for pk, stream_id, due, closed_at in Alert.objects.filter(
            kind=Alert.Kind.STORAGE, stream_id__in=overdue
        ).values_list("pk", "stream_id", "due_since", "closed_at")
    }
    for stream in streams:
        due = overdue[stream.pk]
        if (stream.pk, due) in existing:
            pk, closed_at = existing[(stream.pk, due)]
            if closed_at is not None:
                # The same waste is overdue again (an approval lapsed, or returned waste made
                # it the oldest once more): the alert opens again.
                Alert.objects.filter(pk=pk).update(closed_at=None, raised_on=today)
                raised += 1
            continue
        Alert.objects.create(
            kind=Alert.Kind.STORAGE,
            stream=stream,
            factory=stream.generator,
            province_id=stream.generator.province_id,
            raised_on=today,
            due_since=due,
        )
        raised += 1
    # An alert ends when that waste has gone, a newer part is now the oldest, or storage was
    # approved.
    stale = [
        a.pk
        for a in Alert.objects.filter(kind=Alert.Kind.STORAGE, closed_at__isnull=True)
        if overdue.get(a.stream_id) != a.due_since
    ]
    closed = Alert.objects.filter(pk__in=stale).update(closed_at=timezone.now())
    return raised, closed


def annual_report_due(year: int) -> dt.date:
    """The day the report on calendar year `year` is due (the next year's 1 March by default)."""
    month, day = (int(x) for x in getattr(settings, "WASTE_ANNUAL_REPORT_DUE", "03-01").split("-"))
    return dt.date(year + 1, month, day)


def _annual_report_clock(today: dt.date) -> tuple[int, int]:
    year = today.year - 1
    due = annual_report_due(year)
    raised = 0
    if today > due:
        lo, hi = bounds(dt.date(year, 1, 1), dt.date(year, 12, 31))
        logged = GenerationRecord.objects.filter(
            is_current=True, month__gte=dt.date(year, 1, 1), month__lte=dt.date(year, 12, 1)
        ).values("stream__generator_id")
        shipped = Manifest.objects.filter(shipped_at__gte=lo, shipped_at__lt=hi).values(
            "generator_id"
        )
        active = set(
            WasteStream.objects.filter(generator_id__in=logged).values_list(
                "generator_id", flat=True
            )
        ) | set(
            WasteStream.objects.filter(generator_id__in=shipped).values_list(
                "generator_id", flat=True
            )
        )
        reported = set(
            AnnualReport.objects.filter(year=year).values_list("generator_id", flat=True)
        )
        alerted = set(
            Alert.objects.filter(kind=Alert.Kind.ANNUAL_REPORT, year=year).values_list(
                "factory_id", flat=True
            )
        )
        missing = active - reported - alerted
        Alert.objects.bulk_create(
            Alert(
                kind=Alert.Kind.ANNUAL_REPORT,
                factory_id=pk,
                year=year,
                province_id=province,
                raised_on=today,
                due_since=due,
            )
            for pk, province in Factory.objects.filter(pk__in=missing).values_list(
                "pk", "province_id"
            )
        )
        raised = len(missing)
    closed = Alert.objects.filter(
        kind=Alert.Kind.ANNUAL_REPORT,
        closed_at__isnull=True,
        factory__waste_annual_reports__year=models.F("year"),
    ).update(closed_at=timezone.now())
    return raised, closed
