"""The monitoring clock: data gaps.

A continuous point-parameter that has sent nothing for MONITORING_GAP_MINUTES (since its last
reading, or since it was set up) opens a data-gap event, once; the event grows by one period
each further gap length of silence and escalates like an exceedance. A malfunction, shutdown or
maintenance notice covering the start of the gap marks the event explained by it. Run every few
minutes: `rongngan monitoring_clocks` (cron or a systemd timer) or the background task
`rongngan.monitoring.tasks.monitoring_clocks`.
"""

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from rongngan.core import audit
from rongngan.monitoring import conf, events, pipeline
from rongngan.monitoring.models import Event, MonitoringPoint, Notice, PointParameter

# A batch still queued this long after it was stored is processed by the clocks themselves.
QUEUED_GRACE = dt.timedelta(minutes=2)


@transaction.atomic
def run_clocks(now: dt.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    # First the batches whose task has not run (failed, or no worker): their readings count
    # before any gap is judged.
    processed = pipeline.process_queued(timezone.now() - QUEUED_GRACE)
    gap = dt.timedelta(minutes=int(conf.get("MONITORING_GAP_MINUTES")))
    cutoff = now - gap
    silent = (
        PointParameter.objects.select_related("point__factory")
        .filter(active=True, point__active=True, point__method=MonitoringPoint.Method.CONTINUOUS)
        .filter(
            Q(last_reading_at__lt=cutoff) | Q(last_reading_at__isnull=True, created_at__lt=cutoff)
        )
    )
    # The gap still running per point-parameter; one that has resumed (data came back) stays
    # open only for its explanation and decision, and a new silence is a new gap.
    open_gaps = {
        e.point_parameter_id: e
        for e in Event.objects.select_for_update().filter(
            kind=Event.Kind.DATA_GAP, closed_at__isnull=True, point_parameter__in=silent
        )
        if not e.evidence.get("resumed_at")
    }
    opened = extended = 0
    persist = int(conf.get("MONITORING_ESCALATE_PERSIST_PERIODS"))
    for pp in silent:
        since = pp.last_reading_at or pp.created_at
        periods = max(1, int((now - since) / gap))
        event = open_gaps.get(pp.pk)
        if event is not None:
            if periods > event.periods:
                event.periods = periods
                event.last_period = now
                raise_level = (
                    periods // persist + 1 > event.level and event.level < events.MAX_LEVEL
                )
                if raise_level:
                    event.level += 1
                event.save(update_fields=["periods", "last_period", "level"])
                if raise_level:
                    audit.record(
                        actor=None,
                        action="status",
                        obj=event,
                        changes={"level": [event.level - 1, event.level]},
                    )
                    events.notify(event, opened=False)
                extended += 1
            continue
        notice = (
            Notice.objects.filter(point_id=pp.point_id, starts_at__lte=since + gap)
            .filter(Q(ends_at__isnull=True) | Q(ends_at__gte=since))
            .order_by("-starts_at")
            .first()
        )
        event = events.open_event(
            kind=Event.Kind.DATA_GAP,
            point_parameter=pp,
            limit=None,
            first_period=since,
            last_period=now,
            averaging="",
            value=None,
            evidence={
                "last_reading_at": pp.last_reading_at.isoformat() if pp.last_reading_at else None,
                "gap_minutes": int(conf.get("MONITORING_GAP_MINUTES")),
                "notice": notice.pk if notice else None,
            },
            now=now,
        )
        if notice is not None:
            event.status = Event.Status.EXPLAINED
            event.explanation = notice.reason
            event.explained_by_id = notice.submitted_by_id
            event.explained_at = now
            event.save(update_fields=["status", "explanation", "explained_by", "explained_at"])
        opened += 1
    return {"gaps_opened": opened, "gaps_extended": extended, "batches_processed": processed}
