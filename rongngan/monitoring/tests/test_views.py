"""The monitoring pages as each role sees them: the province dashboard, point pages and their
forms, uploads, events, notifications, and the public factory record."""

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD
from rongngan.monitoring import services
from rongngan.monitoring.models import (
    Event,
    IngestBatch,
    LabResult,
    MonitoringPoint,
    Notice,
    Notification,
    PointLimit,
    PointParameter,
    QuarantinedRow,
    Reading,
)
from rongngan.monitoring.tests.conftest import T0, minute_rows

pytestmark = pytest.mark.django_db


def client_for(user: Any | None) -> Client:
    client = Client()
    if user is not None:
        client.login(username=user.username, password=PASSWORD)
    return client


def last_full_hour() -> dt.datetime:
    return timezone.now().replace(minute=0, second=0, microsecond=0) - dt.timedelta(hours=1)


def exceed_now(operator: Any, code: str = "A-STACK-1") -> Any:
    """An hour over the 100 ppm hourly limit, ending at the top of this hour."""
    return services.readings_ingest(
        acting_user=operator, rows=minute_rows(code, "so2", last_full_hour(), [150] * 60)
    )


# --------------------------------------------------------------------------------------------
# Landing and the province dashboard


@pytest.mark.parametrize(
    "who, target",
    [
        (None, "monitoring:factory_search"),
        ("operator_a", "monitoring:point_list"),
        ("officer", "monitoring:dashboard"),
        ("provincial_officer", "monitoring:dashboard"),
        ("committee", "monitoring:dashboard"),
    ],
)
def test_the_landing_page_sends_each_role_to_its_page(
    request: pytest.FixtureRequest, who: str | None, target: str
) -> None:
    user = request.getfixturevalue(who) if who else None
    response = client_for(user).get(reverse("monitoring:index"))
    assert response.status_code == 302 and response["Location"] == reverse(target)


def test_the_dashboard_asks_the_public_to_sign_in() -> None:
    response = Client().get(reverse("monitoring:dashboard"))
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize("who", ["operator_a", "inspector", "local_gov"])
def test_the_dashboard_is_refused_to_operators_and_others(
    request: pytest.FixtureRequest, who: str
) -> None:
    response = client_for(request.getfixturevalue(who)).get(reverse("monitoring:dashboard"))
    assert response.status_code == 403


def test_a_provincial_officer_sees_an_exceeding_point_of_the_province(
    provincial_officer: Any, operator_a: Any, stack_a: MonitoringPoint, stack_b: MonitoringPoint
) -> None:
    exceed_now(operator_a)
    response = client_for(provincial_officer).get(reverse("monitoring:dashboard"))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="now-exceedance"' in body and 'data-point="A-STACK-1"' in body
    assert 'data-state="exceedance"' in body
    # The Chon Buri point is out of the Rayong officer's reach, whatever the province asked.
    other = client_for(provincial_officer).get(reverse("monitoring:dashboard") + "?province=20")
    assert "B-STACK-1" not in body and "B-STACK-1" not in other.content.decode()


def test_a_point_with_no_readings_is_silent(officer: Any, stack_a: MonitoringPoint) -> None:
    response = client_for(officer).get(reverse("monitoring:dashboard") + "?province=21")
    body = response.content.decode()
    assert 'data-point="A-STACK-1" data-state="silent"' in body
    assert 'data-count="exceedance">0<' in body


def test_the_dashboard_refresh_is_a_fragment(officer: Any, stack_a: MonitoringPoint) -> None:
    response = client_for(officer).get(
        reverse("monitoring:dashboard") + "?province=21", HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert "<html" not in body and 'data-point="A-STACK-1"' in body


def test_the_dashboard_takes_the_same_queries_for_one_point_or_many(
    officer: Any,
    operator_a: Any,
    factory_a: Any,
    stack_a: MonitoringPoint,
    django_assert_max_num_queries: Any,
) -> None:
    client = client_for(officer)
    url = reverse("monitoring:dashboard") + "?province=21"
    client.get(url)
    for i in range(12):
        services.point_define(
            acting_user=officer,
            factory=factory_a,
            data={"code": f"A-EXTRA-{i}", "name": "Extra", "kind": "stack", "method": "continuous"},
        )
    exceed_now(operator_a)
    with django_assert_max_num_queries(6):
        response = client.get(url)
    assert response.content.decode().count("data-point=") == 13


# --------------------------------------------------------------------------------------------
# Points


def test_an_operator_lists_only_their_own_points(
    operator_a: Any,
    stack_a: MonitoringPoint,
    stack_b: MonitoringPoint,
    django_assert_max_num_queries: Any,
) -> None:
    client = client_for(operator_a)
    with django_assert_max_num_queries(5):
        response = client.get(reverse("monitoring:point_list"))
    body = response.content.decode()
    assert 'data-point="A-STACK-1"' in body and "B-STACK-1" not in body


def test_the_point_page_shows_series_limits_and_notices(
    operator_a: Any, stack_a: MonitoringPoint, so2_a: PointParameter
) -> None:
    services.readings_ingest(
        acting_user=operator_a,
        rows=minute_rows("A-STACK-1", "so2", T0, [40] * 50 + [None] * 0, flags={3: "calibration"}),
        now=T0 + dt.timedelta(hours=2),
    )
    services.notice_submit(
        acting_user=operator_a,
        point=stack_a,
        data={"kind": "malfunction", "starts_at": T0.isoformat(), "reason": "analyser fault"},
    )
    client = client_for(operator_a)
    page = client.get(
        reverse("monitoring:point_detail", args=[stack_a.pk]) + "?span=month&end=2026-11-21"
    )
    body = page.content.decode()
    assert page.status_code == 200
    assert 'id="series-data"' in body and '"unit": "ppm"' in body and '"value": "100' in body
    assert "analyser fault" in body and 'id="availability"' in body
    day = client.get(
        reverse("monitoring:point_series", args=[stack_a.pk])
        + "?parameter=so2&span=day&end=2026-11-21"
    )
    assert day.status_code == 200 and "<html" not in day.content.decode()
    assert day.context["resolution"] == "minute" and day.context["count"] == 50
    assert day.context["invalid_count"] == 1  # the minute flagged calibration


def test_the_point_page_is_hidden_from_another_operator_and_the_public(
    operator_b: Any, stack_a: MonitoringPoint
) -> None:
    url = reverse("monitoring:point_detail", args=[stack_a.pk])
    assert client_for(operator_b).get(url).status_code == 404
    assert Client().get(url).status_code == 302


def test_an_officer_defines_a_point(officer: Any, factory_a: Any) -> None:
    url = reverse("monitoring:point_create") + f"?factory={factory_a.registration_no}"
    response = client_for(officer).post(
        url,
        {
            "code": "A-NEW-1",
            "name": "New boiler stack",
            "kind": "stack",
            "method": "continuous",
            "fuel": "oil",
        },
    )
    point = MonitoringPoint.objects.get(code="A-NEW-1")
    assert response.status_code == 302
    assert response["Location"] == reverse("monitoring:parameter_set", args=[point.pk])
    assert point.factory == factory_a and point.fuel == "oil"


def test_bad_point_input_is_shown_at_its_fields_and_nothing_is_written(
    officer: Any, factory_a: Any
) -> None:
    response = client_for(officer).post(
        reverse("monitoring:point_create") + f"?factory={factory_a.pk}",
        {"code": "", "name": "x", "kind": "chimney", "method": "continuous", "latitude": "north"},
    )
    form = response.context["form"]
    assert response.status_code == 200
    assert set(form.errors) >= {"code", "kind", "latitude"}
    assert not MonitoringPoint.objects.exists()


def test_only_officers_in_reach_define_points(
    provincial_officer: Any, operator_a: Any, factory_a: Any, factory_b: Any
) -> None:
    url = reverse("monitoring:point_create")
    assert client_for(operator_a).get(url + f"?factory={factory_a.pk}").status_code == 403
    # Chon Buri is out of the Rayong officer's reach: not even found.
    assert client_for(provincial_officer).get(url + f"?factory={factory_b.pk}").status_code == 404
    assert client_for(provincial_officer).get(url + f"?factory={factory_a.pk}").status_code == 200


def test_an_officer_sets_a_licence_limit(officer: Any, stack_a: MonitoringPoint) -> None:
    response = client_for(officer).post(
        reverse("monitoring:parameter_set", args=[stack_a.pk]),
        {
            "parameter": "nox",
            "effective_from": "2026-01-01",
            "limit_source": "licence",
            "averaging": "hour",
            "comparator": "max",
            "value": "200",
            "limit_unit": "ppm",
            "document": "licence 2/2569",
        },
    )
    assert response.status_code == 302
    limit = PointLimit.objects.get(point_parameter__point=stack_a, point_parameter__parameter="nox")
    assert limit.basis == "licence" and limit.document == "licence 2/2569"


def test_a_licence_limit_without_a_value_is_refused_at_the_field(
    officer: Any, stack_a: MonitoringPoint
) -> None:
    response = client_for(officer).post(
        reverse("monitoring:parameter_set", args=[stack_a.pk]),
        {"parameter": "nox", "limit_source": "licence", "averaging": "hour", "value": ""},
    )
    assert response.status_code == 200 and "value" in response.context["form"].errors
    assert not PointParameter.objects.filter(point=stack_a, parameter="nox").exists()


def test_an_officer_chooses_limits_from_the_catalogue(
    officer: Any, outlet_a: MonitoringPoint
) -> None:
    form_page = client_for(officer).get(reverse("monitoring:parameter_set", args=[outlet_a.pk]))
    choices = dict(form_page.context["form"].fields["rules"].choices)
    bod_rule = next(pk for pk, label in choices.items() if label.startswith("bod "))
    response = client_for(officer).post(
        reverse("monitoring:parameter_set", args=[outlet_a.pk]),
        {"parameter": "bod", "limit_source": "rules", "rules": [bod_rule]},
    )
    assert response.status_code == 302
    pp = PointParameter.objects.get(point=outlet_a, parameter="bod")
    assert list(
        PointLimit.objects.filter(point_parameter=pp, effective_to__isnull=True).values_list(
            "rule_id", flat=True
        )
    ) == [int(bod_rule)]


def test_an_operator_cannot_change_limits(operator_a: Any, stack_a: MonitoringPoint) -> None:
    url = reverse("monitoring:parameter_set", args=[stack_a.pk])
    assert client_for(operator_a).get(url).status_code == 403


# --------------------------------------------------------------------------------------------
# Laboratory results, notices, uploads


def test_an_operator_records_a_laboratory_result(
    operator_a: Any, stack_a: MonitoringPoint, so2_a: PointParameter
) -> None:
    response = client_for(operator_a).post(
        reverse("monitoring:lab_result_create", args=[stack_a.pk]),
        {
            "parameter": "so2",
            "lab_name": "Rayong Lab",
            "lab_registration_no": "ว-123",
            "report_no": "R-1",
            "sampled_at": "2026-11-20T10:15",
            "value": "42",
            "unit": "ppm",
        },
    )
    assert response.status_code == 302
    result = LabResult.objects.get()
    # The page's time is Bangkok time.
    assert result.sampled_at == dt.datetime(2026, 11, 20, 3, 15, tzinfo=dt.UTC)


def test_a_laboratory_result_without_report_or_lab_is_refused_at_its_fields(
    operator_a: Any, stack_a: MonitoringPoint, so2_a: PointParameter
) -> None:
    response = client_for(operator_a).post(
        reverse("monitoring:lab_result_create", args=[stack_a.pk]),
        {"parameter": "so2", "sampled_at": "2026-11-20T10:15", "value": "many"},
    )
    errors = response.context["form"].errors
    assert set(errors) >= {"lab", "report_no", "value"}
    assert not LabResult.objects.exists()


def test_another_operator_cannot_reach_the_forms_of_a_point(
    operator_b: Any, stack_a: MonitoringPoint
) -> None:
    for name in ("lab_result_create", "notice_create"):
        assert (
            client_for(operator_b).get(reverse(f"monitoring:{name}", args=[stack_a.pk])).status_code
            == 404
        )


def test_a_notice_that_ends_before_it_starts_is_refused(
    operator_a: Any, stack_a: MonitoringPoint
) -> None:
    url = reverse("monitoring:notice_create", args=[stack_a.pk])
    response = client_for(operator_a).post(
        url,
        {
            "kind": "shutdown",
            "starts_at": "2026-11-20T10:00",
            "ends_at": "2026-11-20T09:00",
            "reason": "",
        },
    )
    assert set(response.context["form"].errors) >= {"ends_at", "reason"}
    assert not Notice.objects.exists()
    ok = client_for(operator_a).post(
        url, {"kind": "shutdown", "starts_at": "2026-11-20T10:00", "reason": "annual overhaul"}
    )
    assert ok.status_code == 302 and Notice.objects.get().late is True


CSV_GOOD = "point,parameter,ts,value\nA-STACK-1,so2,2026-11-20T10:00:00+07:00,40\n"
CSV_MIXED = CSV_GOOD + "A-STACK-1,so2,2026-11-20T10:01:00,abc\n"


def test_an_upload_with_a_bad_row_is_refused_whole_with_a_report(
    operator_a: Any, so2_a: PointParameter
) -> None:
    response = client_for(operator_a).post(
        reverse("monitoring:upload"), {"text": CSV_MIXED, "mode": "reject", "key": "k1"}
    )
    body = response.content.decode()
    assert response.status_code == 200 and 'id="upload-refused"' in body
    assert {(p["row"], p["field"]) for p in response.context["problems"]} == {
        (2, "ts"),
        (2, "value"),
    }
    assert not Reading.objects.exists() and not IngestBatch.objects.exists()


def test_an_upload_in_quarantine_mode_keeps_the_good_rows(
    operator_a: Any, so2_a: PointParameter
) -> None:
    client = client_for(operator_a)
    data = {"text": CSV_MIXED, "mode": "quarantine", "key": "k2"}
    response = client.post(reverse("monitoring:upload"), data)
    assert response.context["result"]["accepted"] == 1
    assert response.context["result"]["quarantined"] == 1
    assert QuarantinedRow.objects.get().row == 2
    # The same page sent twice stores the batch once.
    again = client.post(reverse("monitoring:upload"), data)
    assert again.context["replayed"] is True
    assert Reading.objects.count() == 1 and IngestBatch.objects.count() == 1


def test_a_json_upload_for_another_companys_point_is_refused(
    operator_b: Any, so2_a: PointParameter
) -> None:
    rows = json.dumps(
        [
            {
                "point": "A-STACK-1",
                "parameter": "so2",
                "ts": "2026-11-20T10:00:00+07:00",
                "value": "1",
            }
        ]
    )
    response = client_for(operator_b).post(reverse("monitoring:upload"), {"text": rows})
    assert [p["code"] for p in response.context["problems"]] == ["not_your_point"]
    assert not Reading.objects.exists()


def test_an_unreadable_upload_is_named_at_the_file(operator_a: Any) -> None:
    response = client_for(operator_a).post(reverse("monitoring:upload"), {"text": "[1, 2"})
    assert "file" in response.context["form"].errors


def test_the_upload_page_is_refused_to_the_committee(committee: Any) -> None:
    assert client_for(committee).get(reverse("monitoring:upload")).status_code == 403


# --------------------------------------------------------------------------------------------
# Events and notifications


def test_events_are_listed_in_reach_with_constant_queries(
    operator_a: Any,
    operator_b: Any,
    provincial_officer: Any,
    stack_a: MonitoringPoint,
    stack_b: MonitoringPoint,
    django_assert_max_num_queries: Any,
) -> None:
    exceed_now(operator_a)
    exceed_now(operator_b, "B-STACK-1")
    client = client_for(operator_a)
    with django_assert_max_num_queries(5):
        mine = client.get(reverse("monitoring:event_list"))
    assert mine.content.decode().count("data-event=") == 1
    rayong = client_for(provincial_officer).get(reverse("monitoring:event_list") + "?status=open")
    assert "A-STACK-1" in rayong.content.decode() and "B-STACK-1" not in rayong.content.decode()
    assert Client().get(reverse("monitoring:event_list")).status_code == 302


def test_an_event_is_explained_by_the_operator_and_decided_by_the_officer(
    operator_a: Any, provincial_officer: Any, operator_b: Any, stack_a: MonitoringPoint
) -> None:
    exceed_now(operator_a)
    event = Event.objects.get(kind="exceedance")
    page = client_for(operator_a).get(reverse("monitoring:event_detail", args=[event.pk]))
    assert 'id="explain-form"' in page.content.decode() and 'id="evidence"' in page.content.decode()
    assert (
        client_for(operator_b).get(reverse("monitoring:event_detail", args=[event.pk])).status_code
        == 404
    )
    empty = client_for(operator_a).post(
        reverse("monitoring:event_explain", args=[event.pk]), {"explanation": " "}
    )
    assert "explanation" in empty.context["explain_form"].errors
    event.refresh_from_db()
    assert event.status == "open"
    client_for(operator_a).post(
        reverse("monitoring:event_explain", args=[event.pk]),
        {"explanation": "Scrubber pump tripped; restarted 10:05."},
    )
    no_decision = client_for(provincial_officer).post(
        reverse("monitoring:event_decide", args=[event.pk]), {"decision": ""}
    )
    assert "decision" in no_decision.context["decide_form"].errors
    decided = client_for(provincial_officer).post(
        reverse("monitoring:event_decide", args=[event.pk]),
        {"decision": "violation", "note": "Repeat within a month."},
    )
    event.refresh_from_db()
    assert decided.status_code == 302 and event.status == "closed"
    assert event.decision == "violation"


def test_an_operator_cannot_decide_an_event(operator_a: Any, stack_a: MonitoringPoint) -> None:
    exceed_now(operator_a)
    event = Event.objects.get(kind="exceedance")
    services.event_explain(acting_user=operator_a, event=event, explanation="pump")
    response = client_for(operator_a).post(
        reverse("monitoring:event_decide", args=[event.pk]), {"decision": "accepted"}
    )
    assert response.status_code == 403


def test_notifications_are_listed_and_marked_read(
    operator_a: Any, provincial_officer: Any, stack_a: MonitoringPoint
) -> None:
    exceed_now(operator_a)
    client = client_for(provincial_officer)
    response = client.get(reverse("monitoring:notifications"))
    assert 'data-read="no"' in response.content.decode()
    client.post(reverse("monitoring:notifications"))
    assert not Notification.objects.filter(user=provincial_officer, read_at__isnull=True).exists()


# --------------------------------------------------------------------------------------------
# Public


def test_the_public_finds_monitored_factories(
    factory_a: Any, factory_b: Any, stack_a: MonitoringPoint, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(4):
        response = Client().get(reverse("monitoring:factory_search"))
    body = response.content.decode()
    assert f'data-factory="{factory_a.pk}"' in body and f'data-factory="{factory_b.pk}"' not in body


def test_the_public_factory_page_has_quarters_daily_charts_and_no_minutes(
    operator_a: Any, factory_a: Any, stack_a: MonitoringPoint, so2_a: PointParameter
) -> None:
    exceed_now(operator_a)
    response = Client().get(reverse("monitoring:factory_public", args=[factory_a.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    rows = response.context["rows"]
    assert len(rows) == 1 and len(rows[0]["cells"]) == 12
    assert rows[0]["cells"][-1]["state"] == "exceedance"
    assert body.count('data-state="exceedance"') >= 2  # the factory row and the parameter row
    assert "Readings behind" not in body and "150.000000" not in body


def test_a_factory_without_monitoring_has_no_public_page(factory_b: Any) -> None:
    assert (
        Client().get(reverse("monitoring:factory_public", args=[factory_b.pk])).status_code == 404
    )


def test_the_public_csv_has_daily_averages_only(
    operator_a: Any, factory_a: Any, stack_a: MonitoringPoint, so2_a: PointParameter
) -> None:
    services.readings_ingest(
        acting_user=operator_a,
        rows=minute_rows("A-STACK-1", "so2", T0, [40] * 60),
        now=T0 + dt.timedelta(hours=2),
    )
    response = Client().get(
        reverse("monitoring:factory_csv", args=[factory_a.pk]) + "?start=2026-11-01&end=2026-11-30"
    )
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0].startswith("factory_registration_no,point,parameter,day")
    assert lines[1].startswith(f"{factory_a.registration_no},A-STACK-1,so2,2026-11-20,")
    assert len(lines) == 2
    bad = Client().get(reverse("monitoring:factory_csv", args=[factory_a.pk]) + "?start=soon")
    assert bad.status_code == 400


# --------------------------------------------------------------------------------------------
# Every signed-in page refuses an outsider


POINT_PAGES = [
    "point_detail",
    "point_series",
    "parameter_set",
    "lab_result_create",
    "notice_create",
]
EVENT_PAGES = ["event_detail", "event_explain", "event_decide"]
LIST_PAGES = ["dashboard", "point_list", "point_create", "upload", "event_list", "notifications"]


def test_every_signed_in_page_sends_the_public_to_sign_in(
    operator_a: Any, stack_a: MonitoringPoint
) -> None:
    exceed_now(operator_a)
    event = Event.objects.get(kind="exceedance")
    urls = [reverse(f"monitoring:{n}") for n in LIST_PAGES]
    urls += [reverse(f"monitoring:{n}", args=[stack_a.pk]) for n in POINT_PAGES]
    urls += [reverse(f"monitoring:{n}", args=[event.pk]) for n in EVENT_PAGES]
    for url in urls:
        response = Client().get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_another_company_and_an_unassigned_inspector_find_nothing(
    operator_a: Any, operator_b: Any, inspector: Any, stack_a: MonitoringPoint
) -> None:
    exceed_now(operator_a)
    event = Event.objects.get(kind="exceedance")
    for user in (operator_b, inspector):
        client = client_for(user)
        for name in POINT_PAGES:
            url = reverse(f"monitoring:{name}", args=[stack_a.pk])
            assert client.get(url).status_code == 404, (user, url)
        assert client.get(reverse("monitoring:event_detail", args=[event.pk])).status_code == 404
        for name in ("event_explain", "event_decide"):
            url = reverse(f"monitoring:{name}", args=[event.pk])
            assert client.post(url, {"explanation": "x", "decision": "accepted"}).status_code == 404
    event.refresh_from_db()
    assert event.status == "open"
