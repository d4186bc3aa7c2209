"""KPI evidence files: documents and images only, served by the plan to those who see evidence
on the KPI page, always as a download."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from conftest import api_as
from rongngan.plan.models import KPI, Measurement

pytestmark = pytest.mark.django_db
BASE = "/api/v1/plan"
PDF = b"%PDF-1.4 evidence of the quarter"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def k21(mini_plan):
    return KPI.objects.get(plan=mini_plan, code="K2.1")


def upload(user, kpi, name, content, quarter=1):
    return api_as(user).post(
        f"{BASE}/kpis/{kpi.pk}/measurements/",
        {
            "fiscal_year": 2563,
            "quarter": quarter,
            "value": "98.7",
            "evidence_file": SimpleUploadedFile(name, content),
        },
        format="multipart",
    )


def codes(response):
    return {(e["field"], e["code"]) for e in response.json()["errors"]}


def test_the_evidence_link_opens_the_file_for_staff(client, officer, committee, k21, mini_plan):
    response = upload(officer, k21, "รายงาน ไตรมาส 1.pdf", PDF)
    assert response.status_code == 201, response.content
    m = Measurement.objects.get()
    address = reverse("plan:evidence", args=[mini_plan.code, k21.pk, m.pk])
    assert response.json()["evidence_file"] == f"http://testserver{address}"
    listed = api_as(committee).get(f"{BASE}/kpis/{k21.pk}/measurements/").json()
    assert listed[0]["evidence_file"] == f"http://testserver{address}"
    assert "media-not-served" not in str(listed)

    client.force_login(committee)
    page = client.get(reverse("plan:kpi_detail", args=[mini_plan.code, k21.pk]) + "?year=2563")
    body = page.content.decode()
    assert f'href="{address}"' in body and "media-not-served" not in body

    response = client.get(address)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert ".pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF


def test_only_those_who_see_evidence_get_the_file(client, officer, operator_a, k21, mini_plan):
    upload(officer, k21, "q1.png", b"\x89PNG\r\n\x1a\n....")
    m = Measurement.objects.get()
    address = reverse("plan:evidence", args=[mini_plan.code, k21.pk, m.pk])
    response = client.get(address)
    assert response.status_code == 302 and "/accounts/login/" in response.url
    client.force_login(operator_a)
    assert client.get(address).status_code == 403
    # Another KPI's address for this measurement is not found.
    other = KPI.objects.get(plan=mini_plan, code="K1.1")
    client.force_login(officer)
    assert (
        client.get(reverse("plan:evidence", args=[mini_plan.code, other.pk, m.pk])).status_code
        == 404
    )
    response = client.get(address)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"


def test_a_superseded_values_evidence_stays_readable(client, officer, k21, mini_plan):
    upload(officer, k21, "first.pdf", PDF)
    upload(officer, k21, "second.pdf", PDF)
    first = Measurement.objects.get(is_current=False)
    client.force_login(officer)
    address = reverse("plan:evidence", args=[mini_plan.code, k21.pk, first.pk])
    assert client.get(address).status_code == 200


@pytest.mark.parametrize(
    "name, content",
    [
        ("setup.exe", b"MZ\x90\x00"),
        ("page.html", b"<html><script>alert(1)</script></html>"),
        ("noextension", b"%PDF-1.4"),
        ("image.svg", b"<svg/>"),
    ],
)
def test_other_file_types_are_refused(officer, k21, name, content):
    response = upload(officer, k21, name, content)
    assert response.status_code == 400
    assert ("evidence_file", "evidence_type") in codes(response)
    message = next(e for e in response.json()["errors"] if e["code"] == "evidence_type")
    assert "pdf" in message["message_en"] and "xlsx" in message["message_en"]
    assert not Measurement.objects.exists()


@pytest.mark.parametrize(
    "name, content",
    [("report.pdf", b"<html>not a pdf</html>"), ("sheet.xlsx", b"MZ"), ("data.csv", b"a\x00b")],
)
def test_a_file_whose_content_is_not_its_type_is_refused(officer, k21, name, content):
    response = upload(officer, k21, name, content)
    assert response.status_code == 400
    assert ("evidence_file", "evidence_content") in codes(response)


@pytest.mark.parametrize(
    "name, content",
    [
        ("sheet.XLSX", b"PK\x03\x04rest"),
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest"),
        ("data.csv", "ไตรมาส,ค่า\n1,98.7\n".encode()),
        ("photo.jpeg", b"\xff\xd8\xff\xe0rest"),
    ],
)
def test_documents_and_images_are_accepted(officer, k21, name, content):
    assert upload(officer, k21, name, content).status_code == 201


def test_a_stored_file_of_another_type_is_served_as_a_download_only(
    client, officer, k21, mini_plan
):
    """Files stored before types were checked are not shown inline as a web page."""
    upload(officer, k21, "q1.pdf", PDF)
    m = Measurement.objects.get()
    m.evidence_file.save("old.html", SimpleUploadedFile("old.html", b"<script>x</script>"))
    client.force_login(officer)
    response = client.get(reverse("plan:evidence", args=[mini_plan.code, k21.pk, m.pk]))
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
