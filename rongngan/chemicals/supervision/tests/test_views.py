import datetime as dt
from typing import Any

import pytest
from django.test import Client

from conftest import PASSWORD
from rongngan.chemicals.supervision.models import StorageInspection
from rongngan.chemicals.supervision.tests.conftest import all_scores, visit

pytestmark = pytest.mark.django_db
ROOT = "/chemicals/supervision/"


def client_for(user: Any) -> Client:
    c = Client()
    if user is not None:
        assert c.login(username=user.username, password=PASSWORD)
    return c


@pytest.fixture
def history(rayong_inspector: Any, site_a: Any) -> list[Any]:
    return [
        visit(rayong_inspector, site_a, dt.date(2020, 1, 10), all_scores(B1=0, G2=1)),
        visit(rayong_inspector, site_a, dt.date(2020, 6, 10), all_scores(G2=1)),
    ]


def test_the_statistics_page_is_public_and_shows_no_site(history: Any) -> None:
    r = client_for(None).get(ROOT + "statistics/")
    assert r.status_code == 200
    html = r.content.decode()
    assert 'data-metric="chemicals.storage_sites_upgraded"' in html
    assert "HS-A" not in html and "คลังสารเคมี" not in html


def test_the_statistics_kpi_table_reaches_back_to_the_first_upgrade(history: Any) -> None:
    """The upgrade of June 2020 is in FY 2563, the plan's first year: the table starts there
    (not five years before today) and counts it."""
    import re

    from django.utils import timezone

    from rongngan.chemicals.supervision import queries
    from rongngan.core.thai import fiscal_year

    now = fiscal_year(timezone.localdate())
    assert queries.metric_years(timezone.localdate()) == list(range(min(2563, now - 4), now + 1))
    html = client_for(None).get(ROOT + "statistics/").content.decode()
    row = re.search(r'<tr data-metric="chemicals.storage_sites_upgraded">(.*?)</tr>', html, re.S)
    assert row is not None
    cells = re.findall(r'<td class="num">(.*?)</td>', row.group(1))
    assert cells[0] == "1"  # FY 2563
    assert "2563" in html


def test_the_kpi_table_has_the_last_five_years_without_data(db: Any) -> None:
    from rongngan.chemicals.supervision import queries

    assert queries.metric_years(dt.date(2026, 11, 27)) == [2566, 2567, 2568, 2569, 2570]


def test_site_level_pages_need_a_sign_in(history: Any, site_a: Any) -> None:
    for path in (
        "",
        f"sites/{site_a.pk}/",
        f"inspections/{history[0].pk}/",
        "actions/",
        "refrigeration/",
    ):
        r = client_for(None).get(ROOT + path)
        assert r.status_code == 302 and "/accounts/" in r["Location"], path


def test_the_site_page_shows_trend_upgrade_and_open_actions(
    history: Any, operator_a: Any, site_a: Any
) -> None:
    r = client_for(operator_a).get(f"{ROOT}sites/{site_a.pk}/")
    assert r.status_code == 200
    html = r.content.decode()
    assert 'id="grade-trend"' in html and "grade-trend-data" in html
    assert 'id="upgrade"' in html and "2563" in html  # upgraded on 10 Jun 2563
    assert 'data-action="' in html and "G2" in html
    assert "New inspection" not in html and "สร้างการตรวจ" not in html


def test_another_operator_gets_404_on_my_site_and_inspection(
    history: Any, operator_b: Any, site_a: Any
) -> None:
    c = client_for(operator_b)
    assert c.get(f"{ROOT}sites/{site_a.pk}/").status_code == 404
    assert c.get(f"{ROOT}inspections/{history[0].pk}/").status_code == 404
    assert c.get(f"{ROOT}new/?site={site_a.pk}").status_code == 404


def test_an_inspector_fills_the_checklist_and_submits(rayong_inspector: Any, site_a: Any) -> None:
    c = client_for(rayong_inspector)
    r = c.get(f"{ROOT}new/?site={site_a.pk}")
    assert r.status_code == 200
    html = r.content.decode()
    assert 'name="score_B1"' in html and 'id="grade-preview"' in html
    post = {"site": site_a.pk, "visited_on": "2020-03-02", "inspectors": "นายตรวจ"}
    post.update({f"score_{k}": v for k, v in all_scores().items()})
    post["score_D2"] = "0"
    preview = c.post(ROOT + "grade-preview/", post)
    assert preview.status_code == 200 and "grade-within" in preview.content.decode()
    r = c.post(f"{ROOT}new/", post)
    assert r.status_code == 302
    inspection = StorageInspection.objects.get()
    assert r["Location"] == f"{ROOT}inspections/{inspection.pk}/"
    assert inspection.grade == "within" and inspection.critical_unmet == ["D2"]


def test_a_form_with_missing_scores_is_shown_again_with_the_problem(
    rayong_inspector: Any, site_a: Any
) -> None:
    r = client_for(rayong_inspector).post(
        f"{ROOT}new/", {"site": site_a.pk, "visited_on": "2020-03-02", "inspectors": "x"}
    )
    assert r.status_code == 400
    assert "error-summary" in r.content.decode()
    assert not StorageInspection.objects.exists()


def test_an_operator_cannot_open_the_inspection_form(operator_a: Any, site_a: Any) -> None:
    assert client_for(operator_a).get(f"{ROOT}new/?site={site_a.pk}").status_code == 403


def test_the_correction_page_makes_a_new_version(history: Any, rayong_inspector: Any) -> None:
    c = client_for(rayong_inspector)
    old = history[1]
    post = {"visited_on": "2020-06-10", "inspectors": "x", "reason": "ผิดพลาด"}
    post.update({f"score_{k}": v for k, v in all_scores(F1=0).items()})
    r = c.post(f"{ROOT}inspections/{old.pk}/correct/", post)
    assert r.status_code == 302
    old.refresh_from_db()
    assert not old.is_current
    detail = c.get(r["Location"]).content.decode()
    assert 'id="versions"' in detail and "ผิดพลาด" in detail


def test_the_action_tracker_lists_overdue_actions(history: Any, officer: Any) -> None:
    r = client_for(officer).get(ROOT + "actions/?status=overdue")
    assert r.status_code == 200
    html = r.content.decode()
    assert "overdue" in html and "G2" in html


def test_plant_pages_register_show_and_inspect(
    operator_a: Any, rayong_inspector: Any, site_a: Any
) -> None:
    c = client_for(operator_a)
    post = {
        "site": site_a.pk,
        "kind": "tube_ice",
        "ammonia_charge_kg": "800",
        "capacity_t_ice_per_day": "60",
        "operating_hours_per_year": "7000",
        "tariff_baht_per_kwh": "4",
        "compressor_type_0": "screw",
        "compressor_count_0": "2",
        "compressor_kw_0": "90",
    }
    bad = c.post(f"{ROOT}refrigeration/new/", {**post, "ammonia_charge_kg": "-1"})
    assert bad.status_code == 400
    try:
        r = c.post(f"{ROOT}refrigeration/new/", post)
    except ImportError:
        pytest.skip("the chemicals inventory service is not complete yet")
    assert r.status_code == 302
    detail = c.get(r["Location"])
    assert detail.status_code == 200 and "180" in detail.content.decode()  # 2 x 90 kW
    pk = r["Location"].rstrip("/").split("/")[-1]
    assert c.get(f"{ROOT}refrigeration/{pk}/inspect/").status_code == 403
    ci = client_for(rayong_inspector)
    r = ci.post(
        f"{ROOT}refrigeration/{pk}/inspect/",
        {
            "visited_on": "2021-01-05",
            "inspectors": "x",
            "annual_electricity_kwh": "1200000",
            "annual_output": "20000",
            "safety_ammonia_detectors": "on",
            "measure_code_0": "condenser_cleaning",
            "measure_kwh_0": "30000",
        },
    )
    assert r.status_code == 302
    html = ci.get(r["Location"]).content.decode()
    # 60 kWh/t against 50: 10 x 20,000 = 200,000 kWh x 4 = 800,000 baht
    assert "800,000" in html


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_photos_are_added_by_inspectors_and_served_only_to_readers(
    history: Any,
    rayong_inspector: Any,
    operator_a: Any,
    operator_b: Any,
    settings: Any,
    tmp_path: Any,
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from rongngan.chemicals.supervision.models import InspectionPhoto

    settings.MEDIA_ROOT = tmp_path
    inspection = history[0]
    c = client_for(rayong_inspector)
    bad = SimpleUploadedFile("x.png", b"GIF89a....", content_type="image/png")
    c.post(f"{ROOT}inspections/{inspection.pk}/photos/", {"file": bad})
    assert not InspectionPhoto.objects.exists()
    good = SimpleUploadedFile("bund.png", PNG, content_type="image/png")
    r = c.post(
        f"{ROOT}inspections/{inspection.pk}/photos/",
        {"file": good, "item": "B1", "caption": "คันกั้นแตกร้าว"},
    )
    assert r.status_code == 302
    photo = InspectionPhoto.objects.get()
    assert photo.item_code == "B1"
    r = client_for(operator_a).get(f"{ROOT}photos/{photo.pk}/")
    assert r.status_code == 200 and b"".join(r.streaming_content) == PNG
    assert client_for(operator_b).get(f"{ROOT}photos/{photo.pk}/").status_code == 404
    assert client_for(None).get(f"{ROOT}photos/{photo.pk}/").status_code == 302
    r = client_for(operator_a).post(
        f"{ROOT}inspections/{inspection.pk}/photos/",
        {"file": SimpleUploadedFile("y.png", PNG, content_type="image/png")},
    )
    assert r.status_code == 403 and InspectionPhoto.objects.count() == 1
