"""Opening, extending and escalating events, and telling the people concerned.

An exceedance in the period right after the last one of an event that is not closed extends
that event; otherwise it opens a new one. An event goes up one escalation level when it has
lasted MONITORING_ESCALATE_PERSIST_PERIODS averaging periods, and starts one level up when
MONITORING_ESCALATE_REPEATS events of its kind opened for the same point-parameter in the
last MONITORING_ESCALATE_WINDOW_DAYS days. Opening and escalating notify the factory's
operator users and the provincial officers of its province: a Notification row shown on the
pages at once, and an e-mail through Django's mail settings after the transaction commits
(`emailed` is set only for a message the mail server took; a failure is logged).

Called by the ingestion pipeline and the clocks, inside their transaction.
"""

import datetime as dt
import logging
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from rongngan.core import audit
from rongngan.core.templatetags.thai import be_datetime
from rongngan.monitoring import conf
from rongngan.monitoring.models import Event, Notification, PointLimit, PointParameter

logger = logging.getLogger(__name__)
EVIDENCE_PERIODS = 48  # an event keeps the evidence of its first periods, and counts the rest
MAX_LEVEL = 3
SUBJECT = {
    "exceedance": _("Exceedance at %(point)s: %(parameter)s"),
    "data_gap": _("No data from %(point)s: %(parameter)s"),
    "drift": _("Online and laboratory values differ at %(point)s: %(parameter)s"),
}
BODY_OPENED = _(
    "%(factory)s, point %(point)s, parameter %(parameter)s: %(what)s since %(since)s. "
    "Escalation level %(level)s."
)
BODY_ESCALATED = _(
    "%(factory)s, point %(point)s, parameter %(parameter)s: the event continues (%(periods)s "
    "periods) and is raised to escalation level %(level)s."
)
WHAT = {
    "exceedance": _("the average is over the limit"),
    "data_gap": _("no readings have arrived"),
    "drift": _("the online value differs from the laboratory result past the tolerance"),
}


def _escalation_start(pp: PointParameter, kind: str, now: dt.datetime) -> int:
    since = now - dt.timedelta(days=int(conf.get("MONITORING_ESCALATE_WINDOW_DAYS")))
    earlier = Event.objects.filter(point_parameter=pp, kind=kind, opened_at__gte=since).count()
    return 2 if earlier + 1 >= int(conf.get("MONITORING_ESCALATE_REPEATS")) else 1


def open_event(
    *,
    kind: str,
    point_parameter: PointParameter,
    limit: PointLimit | None,
    first_period: dt.datetime,
    last_period: dt.datetime,
    averaging: str,
    value: Decimal | None,
    evidence: dict[str, Any],
    now: dt.datetime,
) -> Event:
    point = point_parameter.point
    event = Event.objects.create(
        kind=kind,
        point_parameter=point_parameter,
        limit=limit,
        factory_id=point.factory_id,
        province_id=point.province_id,
        averaging=averaging,
        opened_at=now,
        first_period=first_period,
        last_period=last_period,
        periods=1,
        worst_value=value,
        evidence=evidence,
        level=_escalation_start(point_parameter, kind, now),
    )
    audit.record(
        actor=None, action="create", obj=event, changes={"kind": kind, "level": event.level}
    )
    notify(event, opened=True)
    return event


def exceedance_record(
    *,
    point_parameter: PointParameter,
    limit: PointLimit,
    period_start: dt.datetime,
    period_length: dt.timedelta,
    value: Decimal | None,
    evidence: dict[str, Any],
    now: dt.datetime,
) -> tuple[Event | None, bool]:
    """Opens or extends the exceedance event for this limit; returns (event, opened)."""
    current = (
        Event.objects.select_for_update()
        .filter(
            point_parameter=point_parameter,
            limit=limit,
            kind=Event.Kind.EXCEEDANCE,
            # Adjacent or inside: a period right after it, or a late one right before it.
            first_period__lte=period_start + period_length,
            last_period__gte=period_start - period_length,
        )
        .exclude(status=Event.Status.CLOSED)
        .order_by("-last_period")
        .first()
    )
    if current is None:
        # The same period judged again (a late batch recomputing an hour) must not open twice.
        if Event.objects.filter(
            point_parameter=point_parameter,
            limit=limit,
            kind=Event.Kind.EXCEEDANCE,
            first_period__lte=period_start,
            last_period__gte=period_start,
        ).exists():
            return None, False
        evidence = {
            "averaging": limit.averaging,
            "limit": _limit_facts(limit),
            "periods": [evidence],
        }
        return (
            open_event(
                kind=Event.Kind.EXCEEDANCE,
                point_parameter=point_parameter,
                limit=limit,
                first_period=period_start,
                last_period=period_start,
                averaging=limit.averaging,
                value=value,
                evidence=evidence,
                now=now,
            ),
            True,
        )
    periods = current.evidence.setdefault("periods", [])
    if any(p.get("period") == evidence["period"] for p in periods) or (
        current.first_period <= period_start <= current.last_period
    ):
        # A period already counted (only the first periods' evidence is kept in full).
        return current, False
    if len(periods) < EVIDENCE_PERIODS:
        periods.append(evidence)
    else:
        current.evidence["more_periods"] = current.evidence.get("more_periods", 0) + 1
    current.periods += 1
    current.last_period = max(current.last_period, period_start)
    current.first_period = min(current.first_period, period_start)
    if value is not None and (current.worst_value is None or value > current.worst_value):
        current.worst_value = value
    # One level up each time the event has lasted another N periods, to the top level.
    persist = int(conf.get("MONITORING_ESCALATE_PERSIST_PERIODS"))
    escalate = current.periods % persist == 0 and current.level < MAX_LEVEL
    if escalate:
        current.level += 1
    current.save(
        update_fields=["evidence", "periods", "first_period", "last_period", "worst_value", "level"]
    )
    if escalate:
        audit.record(
            actor=None,
            action="status",
            obj=current,
            changes={"level": [current.level - 1, current.level]},
        )
        notify(current, opened=False)
    return current, False


def _limit_facts(limit: PointLimit) -> dict[str, Any]:
    return audit.plain(
        {
            "id": limit.pk,
            "version": limit.version,
            "basis": limit.basis,
            "standard": limit.rule.standard.code if limit.rule_id else "",
            "reference": limit.reference,
            "document": limit.document,
            "averaging": limit.averaging,
            "comparator": limit.comparator,
            "value": limit.value,
            "upper_value": limit.upper_value,
            "low_value": limit.low_value,
            "high_value": limit.high_value,
            "unit": limit.unit,
            "ref_o2_percent": limit.ref_o2_percent,
        }
    )


def recipients(event: Event) -> list[Any]:
    User = get_user_model()
    factory = event.point_parameter.point.factory
    return list(
        User.objects.filter(is_active=True)
        .filter(
            Q(role="operator", organisation_id=factory.operator_id)
            | Q(role="provincial_officer", province_id=event.province_id)
        )
        .order_by("pk")
    )


def notify(event: Event, *, opened: bool) -> list[Notification]:
    pp = event.point_parameter
    point = pp.point
    params = {
        "factory": point.factory.name_th,
        "point": point.code,
        "parameter": pp.parameter_id,
        "what": "",
        "level": event.level,
        "periods": event.periods,
    }
    made: list[Notification] = []
    for user in recipients(event):
        with translation.override(user.language or "th"):
            # As the pages show times: Bangkok time, the B.E. date in the user's language.
            p = {**params, "what": str(WHAT[event.kind]), "since": be_datetime(event.first_period)}
            subject = str(SUBJECT[event.kind]) % p
            body = str(BODY_OPENED if opened else BODY_ESCALATED) % p
        # emailed: set once the e-mail has really been sent (send_mails, after commit).
        made.append(Notification(user=user, event=event, subject=subject[:255], body=body))
    Notification.objects.bulk_create(made)
    mails = [(n.pk, n.subject, n.body, n.user.email) for n in made if n.user.email]
    if mails:
        transaction.on_commit(lambda: send_mails(mails))
    return made


def send_mails(mails: list[tuple[int, str, str, str]]) -> list[int]:
    """E-mails notifications (id, subject, body, address) one by one through Django's mail
    settings; marks those sent `emailed` and logs each failure (the notification stays on the
    pages, `emailed` false, for an operator to see and resend). Returns the ids sent."""
    sent: list[int] = []
    connection = get_connection()
    for pk, subject, body, address in mails:
        try:
            if EmailMessage(subject, body, to=[address], connection=connection).send():
                sent.append(pk)
            else:
                logger.error("monitoring notification %s was not e-mailed to %s", pk, address)
        except Exception:  # one address or a mail server down must not stop the others
            logger.exception("monitoring notification %s could not be e-mailed to %s", pk, address)
    if sent:
        Notification.objects.filter(pk__in=sent).update(emailed=True)
    return sent
