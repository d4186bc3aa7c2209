"""The manifest clocks (days configurable per deployment in settings):

* receipt not confirmed WASTE_RECEIPT_CONTACT_DAYS (35) after the first transporter took the
  waste: the parties are to be contacted; at WASTE_RECEIPT_EXCEPTION_DAYS (45) an exception
  report is due (the US e-Manifest rule for hazardous waste);
* a significant discrepancy left unresolved WASTE_DISCREPANCY_DAYS (15) after receipt goes to
  the provincial office of the generator.

`run_clocks(today)` raises each alert once (idempotent), closes alerts whose cause is gone, and
returns the counts. Run daily: `rongngan waste_clocks` (cron or a systemd timer), or the
background task `rongngan.waste.tasks.waste_clocks`.
"""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from rongngan.waste.metrics import bounds
from rongngan.waste.models import Alert, Manifest


def days(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


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
    closed += Alert.objects.filter(
        closed_at__isnull=True,
        kind=Alert.Kind.DISCREPANCY,
        manifest__discrepancy_resolved_at__isnull=False,
    ).update(closed_at=timezone.now())
    return {**raised, "closed": closed}
