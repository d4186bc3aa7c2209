"""The monitoring API as each role sees it: public, operators (own and other company's points),
provincial officer, officer, an outsider; batches by JSON and CSV with Idempotency-Key and
quarantine; events explained and decided; query counts of the lists."""

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import api_as
from rongngan.accounts.models import Organisation
from rongngan.monitoring import services
from rongngan.monitoring.models import Event, IngestBatch, MonitoringPoint, Reading
from rongngan.monitoring.tests.conftest import T0, minute_rows

pytestmark = pytest.mark.django_db

URL = "/api/v1/monitoring"


def errors(response: Any) -> set[tuple[str | None, str]]:
    return {(e["field"], e["code"]) for e in response.json()["errors"]}


@pytest.fixture
def outsider(db: Any) -> Any:
    """An operator of a company with no factory: in reach of nothing."""
    from conftest import _user
    from rongngan.registry.tests.factories import OperatorFactory

    return _user("outsider", "operator", organisation=OperatorFactory(code="op-out"))


@pytest.fixture
def exceedance(operator_a: Any, so2_a: Any) -> Event:
    services.readings_ingest(
        acting_user=operator_a, rows=minute_rows("A-STACK-1", "so2", T0, [150] * 60)
    )
    return Event.objects.get()


# ---------------------------------------------------------------------------- points


def test_the_public_lists_points_with_published_fields_only(stack_a, stack_b):
    response = api_as(None).get(f"{URL}/points/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert {r["code"] for r in rows} == {"A-STACK-1", "B-STACK-1"}
    assert "validity_regime" not in rows[0] and "attributes" not in rows[0]


def test_an_operator_lists_only_its_own_points(operator_a, stack_a, stack_b):
    rows = api_as(operator_a).get(f"{URL}/points/").json()["results"]
    assert [r["code"] for r in rows] == ["A-STACK-1"]
    assert rows[0]["validity_regime"] == "th-cems-default"


def test_a_provincial_officer_lists_the_points_of_the_province(
    provincial_officer, stack_a, stack_b
):
    rows = api_as(provincial_officer).get(f"{URL}/points/").json()["results"]
    assert [r["code"] for r in rows] == ["A-STACK-1"]


def test_an_outsider_sees_no_point_and_cannot_read_one(outsider, stack_a):
    client = api_as(outsider)
    assert client.get(f"{URL}/points/").json()["results"] == []
    assert client.get(f"{URL}/points/{stack_a.pk}/").status_code == 404
    assert client.get(f"{URL}/events/").json()["results"] == []


def test_an_officer_defines_a_point_and_its_parameters_and_an_operator_cannot(
    officer, operator_a, factory_a
):
    body = {
        "factory": factory_a.pk,
        "code": "A-OUT-9",
        "name": "Outlet",
        "kind": "effluent_outlet",
        "method": "continuous",
    }
    refused = api_as(operator_a).post(f"{URL}/points/", body, format="json")
    assert refused.status_code == 403
    created = api_as(officer).post(f"{URL}/points/", body, format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    param = api_as(officer).post(
        f"{URL}/points/{pk}/parameters/",
        {"parameter": "cod", "effective_from": "2026-01-01"},
        format="json",
    )
    assert param.status_code == 201, param.json()
    limits = param.json()["limits"]
    assert limits and limits[0]["standard"] == "th-moi-effluent-2560"
    assert limits[0]["value"].startswith("120")
    listed = api_as(None).get(f"{URL}/points/{pk}/parameters/").json()
    assert [p["parameter"] for p in listed] == ["cod"]
    bad = api_as(officer).post(f"{URL}/points/", {**body, "kind": "chimney"}, format="json")
    assert bad.status_code == 400 and ("code", "code_taken") in errors(bad)
    assert ("kind", "bad_choice") in errors(bad)


def test_a_changed_limit_is_a_new_version_and_the_old_one_is_kept(officer, stack_a, so2_a):
    response = api_as(officer).post(
        f"{URL}/points/{stack_a.pk}/parameters/",
        {
            "parameter": "so2",
            "effective_from": "2026-06-01",
            "limits": [{"averaging": "hour", "value": "80", "document": "licence 2/2569"}],
        },
        format="json",
    )
    assert response.status_code == 201
    versions = list(
        so2_a.limits.order_by("version").values_list("version", "value", "effective_to")
    )
    assert [(v, str(x)[:2], e) for v, x, e in versions] == [
        (1, "10", dt.date(2026, 6, 1)),
        (2, "80", None),
    ]


# ---------------------------------------------------------------------------- readings


def test_an_operator_posts_a_json_batch_and_a_retry_with_the_key_is_replayed(operator_a, so2_a):
    client = api_as(operator_a)
    body = {"rows": minute_rows("A-STACK-1", "so2", T0, [40] * 5)}
    first = client.post(f"{URL}/readings/", body, format="json", HTTP_IDEMPOTENCY_KEY="b-1")
    assert first.status_code == 201, first.json()
    assert first.json()["accepted"] == 5
    again = client.post(f"{URL}/readings/", body, format="json", HTTP_IDEMPOTENCY_KEY="b-1")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Reading.objects.count() == 5 and IngestBatch.objects.count() == 1


def test_a_csv_batch_is_accepted(operator_a, so2_a):
    text = "point,parameter,ts,value\nA-STACK-1,so2,2026-11-20T10:00:00+07:00,12.5\n"
    response = api_as(operator_a).post(f"{URL}/readings/", text, content_type="text/csv")
    assert response.status_code == 201, response.json()
    assert response.json()["accepted"] == 1


def test_a_batch_for_another_companys_point_is_refused_and_nothing_written(
    operator_b, stack_a, so2_a
):
    body = {"rows": minute_rows("A-STACK-1", "so2", T0, [40] * 3)}
    response = api_as(operator_b).post(f"{URL}/readings/", body, format="json")
    assert response.status_code == 400
    payload = response.json()["errors"]
    assert [(e["row"], e["field"], e["code"]) for e in payload] == [
        (1, "point", "not_your_point"),
        (2, "point", "not_your_point"),
        (3, "point", "not_your_point"),
    ]
    assert payload[0]["message_en"] == "You may not send data for point A-STACK-1."
    assert payload[0]["message_th"]
    assert not Reading.objects.exists() and not IngestBatch.objects.exists()


def test_quarantine_mode_by_query_parameter(operator_a, so2_a):
    rows = minute_rows("A-STACK-1", "so2", T0, [40, 41])
    rows[0]["ts"] = "2026-11-20 10:00"
    response = api_as(operator_a).post(
        f"{URL}/readings/?mode=quarantine", {"rows": rows}, format="json"
    )
    assert response.status_code == 201
    assert (response.json()["accepted"], response.json()["quarantined"]) == (1, 1)
    assert response.json()["report"][0]["row"] == 1


def test_the_public_cannot_post_readings(stack_a, so2_a):
    body = {"rows": minute_rows("A-STACK-1", "so2", T0, [40])}
    assert api_as(None).post(f"{URL}/readings/", body, format="json").status_code in (401, 403)
    assert not Reading.objects.exists()


def test_reading_a_series_by_resolution_and_role(operator_a, so2_a, operator_b):
    services.readings_ingest(
        acting_user=operator_a, rows=minute_rows("A-STACK-1", "so2", T0, [40] * 60)
    )
    q = f"point=A-STACK-1&parameter=so2&start={T0.date()}&end=2026-11-21"
    minute = api_as(operator_a).get(f"{URL}/readings/?{q}&resolution=minute")
    assert minute.status_code == 200, minute.json()
    assert len(minute.json()["values"]) == 60
    hourly = api_as(operator_a).get(f"{URL}/readings/?{q}&resolution=hour").json()
    assert hourly["values"][0][1] == "40.000000" and hourly["limits"][0]["value"] == "100.000000"
    assert api_as(None).get(f"{URL}/readings/?{q}&resolution=minute").status_code == 403
    assert api_as(None).get(f"{URL}/readings/?{q}&resolution=hour").status_code == 403
    assert api_as(None).get(f"{URL}/readings/?{q}&resolution=day").status_code == 200
    assert api_as(operator_b).get(f"{URL}/readings/?{q}&resolution=hour").status_code == 404
    bad = api_as(operator_a).get(f"{URL}/readings/?{q}&resolution=second")
    assert ("resolution", "bad_resolution") in errors(bad)


# ---------------------------------------------------------------------------- events


def test_events_are_seen_by_the_operator_and_the_provincial_officer_only(
    exceedance, operator_a, operator_b, provincial_officer, officer
):
    for user, seen in ((operator_a, 1), (provincial_officer, 1), (officer, 1), (operator_b, 0)):
        assert len(api_as(user).get(f"{URL}/events/").json()["results"]) == seen, user
    assert api_as(None).get(f"{URL}/events/").status_code in (401, 403)
    detail = api_as(operator_a).get(f"{URL}/events/{exceedance.pk}/").json()
    assert detail["evidence"]["periods"][0]["valid_minutes"] == 60
    assert api_as(operator_b).get(f"{URL}/events/{exceedance.pk}/").status_code == 404


def test_an_event_is_explained_by_the_operator_and_decided_by_the_officer(
    exceedance, operator_a, provincial_officer, operator_b
):
    url = f"{URL}/events/{exceedance.pk}"
    early = api_as(provincial_officer).post(
        f"{url}/decide/", {"decision": "accepted"}, format="json"
    )
    assert ("status", "not_explained") in errors(early)
    assert (
        api_as(operator_b).post(f"{url}/explain/", {"explanation": "x"}, format="json").status_code
        == 404
    )
    explained = api_as(operator_a).post(
        f"{url}/explain/", {"explanation": "Scrubber pump tripped; repaired 11:20"}, format="json"
    )
    assert explained.status_code == 200 and explained.json()["status"] == "explained"
    assert (
        api_as(operator_a)
        .post(f"{url}/decide/", {"decision": "accepted"}, format="json")
        .status_code
        == 403
    )
    decided = api_as(provincial_officer).post(
        f"{url}/decide/", {"decision": "violation", "note": "fine per s.45"}, format="json"
    )
    assert decided.status_code == 200
    assert (decided.json()["status"], decided.json()["decision"]) == ("closed", "violation")


def test_the_events_list_takes_a_fixed_number_of_queries(officer, operator_a, so2_a):
    for day in range(3):
        services.readings_ingest(
            acting_user=operator_a,
            rows=minute_rows("A-STACK-1", "so2", T0 - dt.timedelta(days=day), [150] * 60),
        )
    client = api_as(officer)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"{URL}/events/")
    assert len(response.json()["results"]) == 3
    assert len(ctx.captured_queries) <= 4


def test_the_points_list_takes_a_fixed_number_of_queries(officer, stack_a, stack_b, outlet_a):
    client = api_as(officer)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"{URL}/points/")
    assert len(response.json()["results"]) == 3
    assert len(ctx.captured_queries) <= 4


# ---------------------------------------------------------------------------- notices, labs


def test_notices_by_the_operator_of_the_point_only(operator_a, operator_b, stack_a):
    body = {
        "point": stack_a.pk,
        "kind": "maintenance",
        "starts_at": "2026-11-20T08:00:00+07:00",
        "ends_at": "2026-11-20T12:00:00+07:00",
        "reason": "Annual RATA",
    }
    assert api_as(operator_b).post(f"{URL}/notices/", body, format="json").status_code == 404
    created = api_as(operator_a).post(f"{URL}/notices/", body, format="json")
    assert created.status_code == 201 and created.json()["late"] is True
    assert len(api_as(operator_a).get(f"{URL}/notices/").json()["results"]) == 1
    assert api_as(operator_b).get(f"{URL}/notices/").json()["results"] == []
    assert api_as(None).get(f"{URL}/notices/").status_code in (401, 403)


def test_a_lab_result_with_drift_past_the_tolerance_opens_a_drift_event(
    operator_a, outlet_a, settings
):
    settings.MONITORING_DRIFT_TOLERANCE_PERCENT = 20
    services.readings_ingest(
        acting_user=operator_a,
        rows=minute_rows("A-OUT-1", "bod", T0, [int(15 + (i % 2)) for i in range(60)]),
    )
    lab = Organisation.objects.create(code="lab-1", kind="lab", name_th="ห้องปฏิบัติการ ก")
    body = {
        "point": outlet_a.pk,
        "parameter": "bod",
        "lab": lab.pk,
        "report_no": "R-1",
        "sampled_at": (T0 + dt.timedelta(minutes=20)).isoformat(),
        "value": "10",
    }
    response = api_as(operator_a).post(f"{URL}/lab-results/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["drift_flagged"] is True
    assert response.json()["drift_percent"] == "55.00"
    assert Event.objects.filter(kind="drift").count() == 1
    no_lab = api_as(operator_a).post(
        f"{URL}/lab-results/", {**body, "lab": "", "report_no": "R-2"}, format="json"
    )
    assert ("lab", "no_lab") in errors(no_lab)


def test_a_lab_result_over_a_grab_limit_opens_an_exceedance(operator_a, outlet_a):
    response = api_as(operator_a).post(
        f"{URL}/lab-results/",
        {
            "point": outlet_a.pk,
            "parameter": "cod",
            "lab_name": "Lab B",
            "lab_registration_no": "ว-123",
            "report_no": "R-9",
            "sampled_at": T0.isoformat(),
            "value": "450",
        },
        format="json",
    )
    assert response.status_code == 201
    event = Event.objects.get(kind="exceedance")
    assert event.evidence["periods"][0]["level"] == "upper"


# ---------------------------------------------------------------------------- catalogue


def test_the_standards_catalogue_is_public(db):
    response = api_as(None).get(f"{URL}/standards/")
    assert response.status_code == 200
    codes = {s["code"] for s in response.json()}
    assert {"th-moi-effluent-2560", "th-moi-stack-2549"} <= codes
    assert all(s["catalogue_version"] for s in response.json())


def test_notifications_are_the_users_own(exceedance, operator_a, operator_b):
    mine = api_as(operator_a).get(f"{URL}/notifications/").json()["results"]
    assert len(mine) == 1 and mine[0]["event"] == exceedance.pk
    assert api_as(operator_b).get(f"{URL}/notifications/").json()["results"] == []
    assert api_as(operator_a).post(f"{URL}/notifications/read/").json() == {"marked": 1}


def test_points_are_unique_by_code(officer, stack_a):
    assert MonitoringPoint.objects.filter(code="A-STACK-1").count() == 1


def test_an_outsider_is_refused_on_every_route(outsider, exceedance, stack_a, so2_a):
    client = api_as(outsider)
    pk, ev = stack_a.pk, exceedance.pk
    reads = [
        f"{URL}/points/{pk}/",
        f"{URL}/points/{pk}/parameters/",
        f"{URL}/events/{ev}/",
        f"{URL}/readings/?point={pk}&parameter=so2&resolution=hour",
    ]
    for url in reads:
        assert client.get(url).status_code == 404, url
    for url in (
        f"{URL}/events/",
        f"{URL}/notices/",
        f"{URL}/lab-results/",
        f"{URL}/notifications/",
    ):
        assert client.get(url).json()["results"] == [], url
    writes = [
        (
            f"{URL}/points/",
            {
                "factory": stack_a.factory_id,
                "code": "X",
                "name": "X",
                "kind": "stack",
                "method": "continuous",
            },
            403,
        ),
        (f"{URL}/points/{pk}/parameters/", {"parameter": "nox"}, 404),
        (f"{URL}/events/{ev}/explain/", {"explanation": "x"}, 404),
        (f"{URL}/events/{ev}/decide/", {"decision": "accepted"}, 404),
        (
            f"{URL}/notices/",
            {"point": pk, "kind": "shutdown", "starts_at": T0.isoformat(), "reason": "x"},
            404,
        ),
        (f"{URL}/lab-results/", {"point": pk, "parameter": "so2", "report_no": "1"}, 404),
    ]
    for url, body, code in writes:
        assert client.post(url, body, format="json").status_code == code, url
    refused = client.post(
        f"{URL}/readings/", {"rows": minute_rows("A-STACK-1", "so2", T0, [1])}, format="json"
    )
    assert refused.status_code == 400 and ("point", "not_your_point") in errors(refused)
    assert Reading.objects.count() == 60  # the exceedance fixture's, nothing more
    assert MonitoringPoint.objects.count() == 1
