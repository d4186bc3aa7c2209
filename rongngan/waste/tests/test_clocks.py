"""The manifest clocks: overdue receipts at 35 and 45 days, discrepancies after 15 days."""

import datetime as dt

import pytest
from django.utils import timezone

from rongngan.waste import services
from rongngan.waste.clocks import run_clocks
from rongngan.waste.models import Alert


@pytest.fixture
def shipped(draft, operator_a, driver_1, driver_2):
    t0 = timezone.make_aware(dt.datetime(2026, 1, 10, 9, 0))
    m = services.manifest_sign(acting_user=operator_a, manifest=draft, data={"signed_at": t0})
    m = services.manifest_sign(
        acting_user=driver_1, manifest=m, data={"signed_at": t0 + dt.timedelta(hours=1)}
    )
    return services.manifest_sign(
        acting_user=driver_2, manifest=m, data={"signed_at": t0 + dt.timedelta(hours=2)}
    )


def kinds():
    return sorted(Alert.objects.values_list("kind", flat=True))


def test_no_alert_on_day_35_a_contact_alert_on_day_36(shipped):
    # shipped 10 Jan: 35 days have passed at the start of 15 Feb
    assert run_clocks(dt.date(2026, 2, 14))["receipt_contact"] == 0
    assert run_clocks(dt.date(2026, 2, 15))["receipt_contact"] == 1
    alert = Alert.objects.get()
    assert alert.due_since == dt.date(2026, 2, 14) and alert.province_id == "21"


def test_the_exception_alert_comes_at_45_days_and_each_alert_only_once(shipped):
    run_clocks(dt.date(2026, 2, 24))
    assert kinds() == ["receipt_contact"]
    run_clocks(dt.date(2026, 2, 25))
    run_clocks(dt.date(2026, 2, 26))
    assert kinds() == ["receipt_contact", "receipt_exception"]


def test_receipt_closes_the_overdue_alerts(shipped, processor_user):
    run_clocks(dt.date(2026, 3, 1))
    services.manifest_receive(
        acting_user=processor_user,
        manifest=shipped,
        data={
            "lines": [
                {"number": 1, "received_quantity": "1200"},
                {"number": 2, "received_quantity": "40", "received_containers": 2},
            ]
        },
    )
    counts = run_clocks(dt.date(2026, 3, 2))
    assert counts["closed"] == 2
    assert not Alert.objects.filter(closed_at__isnull=True).exists()


def test_an_unresolved_discrepancy_goes_to_the_province_after_15_days(
    shipped, processor_user, operator_a
):
    m = services.manifest_receive(
        acting_user=processor_user,
        manifest=shipped,
        data={
            "lines": [
                {"number": 1, "received_quantity": "1500"},
                {"number": 2, "received_quantity": "40", "received_containers": 2},
            ]
        },
    ).obj
    received = timezone.localtime(m.received_at).date()
    assert run_clocks(received + dt.timedelta(days=15))["discrepancy"] == 0
    assert run_clocks(received + dt.timedelta(days=16))["discrepancy"] == 1
    m.refresh_from_db()
    assert m.escalated_at is not None
    services.discrepancy_resolve(acting_user=operator_a, manifest=m, note="ชั่งใหม่แล้ว ตรงกัน")
    assert run_clocks(received + dt.timedelta(days=17))["closed"] == 1
