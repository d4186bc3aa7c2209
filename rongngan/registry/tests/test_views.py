"""The register's pages, walked as every member of the cast."""

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from rongngan.core.audit import history
from rongngan.core.models import AuditEntry
from rongngan.registry.importer import EXPORT_COLUMNS
from rongngan.registry.models import Factory, Machine
from rongngan.registry.tests.factories import FactoryFactory, MachineFactory

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "officer",
    "provincial_officer",
    "local_gov",
    "operator_a",
    "operator_b",
    "inspector",
    "committee",
    "admin",
]


def client_as(request: pytest.FixtureRequest, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    return client


# --------------------------------------------------------------------------------------------
# Role matrix: (page, expected status for each role in ROLES order). 302 is "sign in first".

MATRIX = {
    "list": [200, 200, 200, 200, 200, 200, 200, 200, 200],
    "detail_a": [200, 200, 200, 200, 200, 404, 404, 200, 200],
    "detail_b": [200, 200, 404, 404, 404, 200, 404, 200, 200],
    "edit_a": [302, 200, 200, 403, 200, 404, 404, 403, 200],
    "machine_add_a": [302, 200, 200, 403, 200, 404, 404, 403, 200],
    "create": [302, 200, 200, 403, 403, 403, 403, 403, 200],
    "import": [302, 200, 200, 403, 403, 403, 403, 403, 200],
    "import_template": [302, 200, 200, 403, 403, 403, 403, 403, 200],
}


@pytest.mark.parametrize("page", list(MATRIX))
@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
def test_every_page_answers_every_role_as_the_matrix_says(
    request: pytest.FixtureRequest,
    factory_a: Factory,
    factory_b: Factory,
    page: str,
    role_index: int,
) -> None:
    urls = {
        "list": reverse("registry:factory_list"),
        "detail_a": reverse("registry:factory_detail", args=[factory_a.pk]),
        "detail_b": reverse("registry:factory_detail", args=[factory_b.pk]),
        "edit_a": reverse("registry:factory_edit", args=[factory_a.pk]),
        "machine_add_a": reverse("registry:machine_add", args=[factory_a.pk]),
        "create": reverse("registry:factory_create"),
        "import": reverse("registry:factory_import"),
        "import_template": reverse("registry:import_template"),
    }
    role = ROLES[role_index]
    response = client_as(request, role).get(urls[page])
    assert response.status_code == MATRIX[page][role_index], (page, role)
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("login"))


def test_machine_edit_is_refused_to_outsiders_and_read_only_users(
    client: Client, factory_a: Factory, operator_a: Any, operator_b: Any, committee: Any
) -> None:
    machine = MachineFactory(factory=factory_a)
    url = reverse("registry:machine_edit", args=[factory_a.pk, machine.pk])
    assert client.get(url).status_code == 302
    client.force_login(operator_b)
    assert client.get(url).status_code == 404
    client.force_login(committee)
    assert client.get(url).status_code == 403
    client.force_login(operator_a)
    assert client.get(url).status_code == 200


# --------------------------------------------------------------------------------------------
# List and search


def test_public_sees_the_list_with_published_columns_only(
    client: Client, factory_a: Factory
) -> None:
    response = client.get(reverse("registry:factory_list"))
    body = response.content.decode()
    assert response.status_code == 200
    assert factory_a.name_th in body
    assert factory_a.name_en in body
    assert factory_a.juristic_id not in body


@pytest.mark.parametrize("word", ["ซิเมนต์", "ไทย", "ปูน", "cement"])
def test_search_finds_a_factory_by_a_word_in_the_middle_of_its_name(
    client: Client, factory_a: Factory, factory_b: Factory, word: str
) -> None:
    body = client.get(reverse("registry:factory_list"), {"q": word}).content.decode()
    assert factory_a.registration_no in body
    assert factory_b.registration_no not in body


def test_search_by_registration_number_and_filters(
    client: Client, factory_a: Factory, factory_b: Factory
) -> None:
    url = reverse("registry:factory_list")
    body = client.get(url, {"q": factory_b.registration_no}).content.decode()
    assert factory_b.name_th in body and factory_a.name_th not in body
    body = client.get(url, {"province": "21"}).content.decode()
    assert factory_a.name_th in body and factory_b.name_th not in body
    body = client.get(url, {"province": "20", "district": "2001"}).content.decode()
    assert factory_b.name_th in body and factory_a.name_th not in body


def test_a_district_of_another_province_is_ignored_rather_than_emptying_the_list(
    client: Client, factory_a: Factory
) -> None:
    body = client.get(
        reverse("registry:factory_list"), {"province": "21", "district": "2001"}
    ).content.decode()
    assert factory_a.name_th in body


def test_htmx_filtering_returns_only_the_results_fragment(
    client: Client, factory_a: Factory
) -> None:
    response = client.get(
        reverse("registry:factory_list"), {"q": "ไทย"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert factory_a.name_th in body
    assert "<html" not in body
    assert "HX-Request" in response["Vary"]


def test_district_options_list_the_districts_of_the_province(client: Client) -> None:
    body = client.get(reverse("registry:district_options"), {"province": "21"}).content.decode()
    assert 'value="2101"' in body
    assert 'value="2001"' not in body
    assert body.count("<option") > 5


def test_list_query_count_does_not_grow_with_rows(
    client: Client, officer: Any, django_assert_max_num_queries: Any
) -> None:
    client.force_login(officer)
    FactoryFactory.create_batch(3)
    url = reverse("registry:factory_list")
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    FactoryFactory.create_batch(40)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count('class="tag"') >= 43


def test_list_paginates_by_fifty_and_keeps_the_filters(client: Client) -> None:
    FactoryFactory.create_batch(51)
    url = reverse("registry:factory_list")
    first = client.get(url, {"province": "21"})
    assert len(first.context["page"].object_list) == 50
    assert "province=21&amp;page=2" in first.content.decode()
    second = client.get(url, {"province": "21", "page": "2"})
    assert len(second.context["page"].object_list) == 1


# --------------------------------------------------------------------------------------------
# Export


def _export_text(client: Client, **params: str) -> str:
    response = client.get(reverse("registry:factory_export", args=["csv"]), params)
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode("utf-8-sig")


def test_export_csv_contains_factory_a_for_the_officer(
    client: Client, officer: Any, factory_a: Factory, factory_b: Factory
) -> None:
    client.force_login(officer)
    text = _export_text(client)
    assert factory_a.registration_no in text
    assert factory_b.registration_no in text
    assert "juristic_id" in text.splitlines()[0]


def test_export_csv_for_operator_a_does_not_contain_factory_b(
    client: Client, operator_a: Any, factory_a: Factory, factory_b: Factory
) -> None:
    client.force_login(operator_a)
    text = _export_text(client)
    assert factory_a.registration_no in text
    assert factory_b.registration_no not in text


def test_public_export_has_no_internal_columns(client: Client, factory_a: Factory) -> None:
    text = _export_text(client, q="ไทย")
    assert factory_a.registration_no in text
    assert "juristic_id" not in text
    assert factory_a.juristic_id not in text


def test_export_to_excel_is_an_xlsx_file(client: Client, officer: Any, factory_a: Factory) -> None:
    client.force_login(officer)
    response = client.get(reverse("registry:factory_export", args=["xlsx"]))
    assert response.status_code == 200
    assert response.content[:2] == b"PK"


# --------------------------------------------------------------------------------------------
# Detail


def test_public_detail_hides_juristic_id_and_contact(client: Client, factory_a: Factory) -> None:
    Factory.objects.filter(pk=factory_a.pk).update(
        contact_phone="038-111-222", contact_email="safety@example.co.th"
    )
    body = client.get(reverse("registry:factory_detail", args=[factory_a.pk])).content.decode()
    assert factory_a.name_th in body
    assert factory_a.juristic_id not in body
    assert "038-111-222" not in body
    assert "safety@example.co.th" not in body
    assert 'id="history"' not in body
    assert 'id="machinery"' not in body
    assert 'id="factory-map"' in body


def test_officer_detail_shows_internal_fields_machinery_and_history(
    client: Client, officer: Any, factory_a: Factory
) -> None:
    Factory.objects.filter(pk=factory_a.pk).update(contact_phone="038-111-222")
    MachineFactory(factory=factory_a, name="หม้อไอน้ำหลัก")
    client.force_login(officer)
    body = client.get(reverse("registry:factory_detail", args=[factory_a.pk])).content.decode()
    assert factory_a.juristic_id in body
    assert "038-111-222" in body
    assert "หม้อไอน้ำหลัก" in body
    assert 'id="history"' in body
    assert reverse("registry:factory_edit", args=[factory_a.pk]) in body


def test_read_only_roles_see_no_edit_button(
    client: Client, committee: Any, factory_a: Factory
) -> None:
    client.force_login(committee)
    body = client.get(reverse("registry:factory_detail", args=[factory_a.pk])).content.decode()
    assert reverse("registry:factory_edit", args=[factory_a.pk]) not in body


def test_map_works_offline_with_the_outline_and_vendored_leaflet(
    client: Client, factory_a: Factory, settings: Any
) -> None:
    settings.TILE_URL = ""
    body = client.get(reverse("registry:factory_detail", args=[factory_a.pk])).content.decode()
    assert "vendor/leaflet/leaflet.js" in body
    assert "factory-map-data" in body
    assert "http://" not in body.split("<body")[0] and "https://" not in body.split("<body")[0]
    outline = client.get(reverse("registry:thailand_geojson"))
    assert outline.status_code == 200
    assert outline.json()["type"] == "FeatureCollection"
    assert "max-age" in outline["Cache-Control"]


def test_the_tile_layer_is_used_when_configured(
    client: Client, factory_a: Factory, settings: Any
) -> None:
    settings.TILE_URL = "https://tiles.example.go.th/{z}/{x}/{y}.png"
    body = client.get(reverse("registry:factory_detail", args=[factory_a.pk])).content.decode()
    assert "tiles.example.go.th" in body


# --------------------------------------------------------------------------------------------
# Edit


def _edit_post(factory: Factory, **changes: str) -> dict[str, Any]:
    from rongngan.registry.forms import FactoryForm

    data = {k: ("on" if v is True else v) for k, v in FactoryForm.initial_for(factory).items()}
    data = {k: v for k, v in data.items() if v is not False}
    data.update(changes)
    return data


def test_edit_with_a_latitude_outside_thailand_shows_the_error_at_the_field(
    client: Client, officer: Any, factory_a: Factory
) -> None:
    client.force_login(officer)
    url = reverse("registry:factory_edit", args=[factory_a.pk])
    response = client.post(url, _edit_post(factory_a, latitude="50", name_en="Changed"))
    assert response.status_code == 400
    assert "latitude" in response.context["form"].errors
    factory_a.refresh_from_db()
    assert str(factory_a.latitude) == "12.680000"
    assert factory_a.name_en == "Rayong Thai Cement Co., Ltd."


def test_edit_with_a_wrong_check_digit_shows_the_error_and_writes_nothing(
    client: Client, officer: Any, factory_a: Factory
) -> None:
    client.force_login(officer)
    before = AuditEntry.objects.count()
    bad = factory_a.juristic_id[:12] + str((int(factory_a.juristic_id[12]) + 1) % 10)
    url = reverse("registry:factory_edit", args=[factory_a.pk])
    response = client.post(url, _edit_post(factory_a, juristic_id=bad, name_en="Changed"))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "juristic_id" in errors
    assert bad in response.content.decode()
    factory_a.refresh_from_db()
    assert factory_a.juristic_id != bad
    assert factory_a.name_en == "Rayong Thai Cement Co., Ltd."
    assert AuditEntry.objects.count() == before


def test_operator_sees_only_the_fields_it_may_edit(
    client: Client, operator_a: Any, factory_a: Factory
) -> None:
    client.force_login(operator_a)
    response = client.get(reverse("registry:factory_edit", args=[factory_a.pk]))
    form = response.context["form"]
    assert "contact_phone" in form.fields
    assert "name_th" not in form.fields
    assert "type_codes" not in form.fields


def test_operator_edit_of_a_field_it_may_not_change_is_refused(
    client: Client, operator_a: Any, factory_a: Factory
) -> None:
    client.force_login(operator_a)
    url = reverse("registry:factory_edit", args=[factory_a.pk])
    response = client.post(url, {"name_th": "ชื่อใหม่", "contact_phone": "038-000-000"})
    assert response.status_code == 400
    factory_a.refresh_from_db()
    assert factory_a.name_th == "บริษัท ปูนซิเมนต์ไทยระยอง จำกัด"
    assert factory_a.contact_phone == ""


def test_operator_may_edit_its_contact_details(
    client: Client, operator_a: Any, factory_a: Factory
) -> None:
    client.force_login(operator_a)
    url = reverse("registry:factory_edit", args=[factory_a.pk])
    response = client.post(
        url, {"contact_phone": "038-000-000", "latitude": "12.7", "longitude": "101.2"}
    )
    assert response.status_code == 302
    factory_a.refresh_from_db()
    assert factory_a.contact_phone == "038-000-000"


def test_successful_edit_leaves_an_audit_entry_shown_on_the_history_tab(
    client: Client, officer: Any, factory_a: Factory
) -> None:
    client.force_login(officer)
    url = reverse("registry:factory_edit", args=[factory_a.pk])
    response = client.post(url, _edit_post(factory_a, name_en="Rayong Cement Works", workers="120"))
    assert response.status_code == 302
    assert response["Location"] == reverse("registry:factory_detail", args=[factory_a.pk])
    factory_a.refresh_from_db()
    assert factory_a.name_en == "Rayong Cement Works"
    entry = history(factory_a).first()
    assert entry is not None and entry.actor == officer
    assert set(entry.changes) == {"name_en", "workers"}
    body = client.get(response["Location"]).content.decode()
    assert "Rayong Cement Works" in body
    assert "Rayong Thai Cement Co., Ltd." in body  # the value before, in the history
    assert "officer" in body


def test_officer_may_change_types_and_location(
    client: Client, officer: Any, factory_a: Factory
) -> None:
    client.force_login(officer)
    url = reverse("registry:factory_edit", args=[factory_a.pk])
    data = _edit_post(factory_a, type_codes="042;101", primary_type="101")
    data.update(province="20", district="2001", subdistrict="")
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    factory_a.refresh_from_db()
    assert sorted(t.code for t in factory_a.types.all()) == ["042", "101"]
    assert factory_a.primary_type.code == "101"
    assert factory_a.district_id == "2001"


def test_posting_the_form_unchanged_writes_nothing(
    client: Client, officer: Any, factory_a: Factory
) -> None:
    client.force_login(officer)
    before = AuditEntry.objects.count()
    response = client.post(
        reverse("registry:factory_edit", args=[factory_a.pk]), _edit_post(factory_a)
    )
    assert response.status_code == 302
    assert AuditEntry.objects.count() == before


# --------------------------------------------------------------------------------------------
# Create


def test_officer_registers_a_factory(client: Client, officer: Any, org_a: Any) -> None:
    client.force_login(officer)
    response = client.post(
        reverse("registry:factory_create"),
        {
            "registration_no": "10210420000029",
            "name_th": "โรงงานทดสอบใหม่",
            "operator": org_a.code,
            "type_codes": "042",
            "factory_class": "3",
            "status": "operating",
            "province": "21",
            "district": "2101",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    factory = Factory.objects.get(name_th="โรงงานทดสอบใหม่")
    assert response["Location"] == reverse("registry:factory_detail", args=[factory.pk])


def test_create_with_missing_fields_shows_them_and_writes_nothing(
    client: Client, officer: Any
) -> None:
    client.force_login(officer)
    response = client.post(reverse("registry:factory_create"), {"name_en": "No Thai name"})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert {"registration_no", "name_th", "type_codes"} <= set(errors)
    assert not Factory.objects.exists()


# --------------------------------------------------------------------------------------------
# Machinery


def test_operator_adds_and_edits_a_machine(
    client: Client, operator_a: Any, factory_a: Factory
) -> None:
    client.force_login(operator_a)
    response = client.post(
        reverse("registry:machine_add", args=[factory_a.pk]),
        {"name": "หม้อไอน้ำ 1", "machine_type": "boiler", "year_made": "2015", "status": "in_use"},
    )
    assert response.status_code == 302
    machine = Machine.objects.get(factory=factory_a)
    response = client.post(
        reverse("registry:machine_edit", args=[factory_a.pk, machine.pk]),
        {"name": "หม้อไอน้ำ 1", "machine_type": "boiler", "year_made": "1700", "status": "in_use"},
    )
    assert response.status_code == 400
    assert "year_made" in response.context["form"].errors
    machine.refresh_from_db()
    assert machine.year_made == 2015


def test_machine_add_without_a_name_is_refused(
    client: Client, officer: Any, factory_a: Factory
) -> None:
    client.force_login(officer)
    response = client.post(reverse("registry:machine_add", args=[factory_a.pk]), {"name": ""})
    assert response.status_code == 400
    assert "name" in response.context["form"].errors
    assert not Machine.objects.exists()


# --------------------------------------------------------------------------------------------
# Import


def _csv(rows: list[dict[str, str]]) -> SimpleUploadedFile:
    import csv

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return SimpleUploadedFile("factories.csv", buffer.getvalue().encode("utf-8"), "text/csv")


GOOD_ROW = {
    "registration_no": "10210420000037",
    "name_th": "โรงงานนำเข้าหนึ่ง",
    "juristic_id": "0105536000013",
    "operator_name": "บริษัท นำเข้า จำกัด",
    "type_codes": "042",
    "factory_class": "3",
    "province": "ระยอง",
    "district": "เมืองระยอง",
}


def test_import_dry_run_reports_row_field_and_code_and_writes_nothing(
    client: Client, officer: Any
) -> None:
    from rongngan.core.thai import thai_id_check_digit

    jid = "010553600001"
    good = dict(GOOD_ROW, juristic_id=jid + thai_id_check_digit(jid))
    bad = dict(good, registration_no="10210420000045", latitude="50", longitude="101")
    client.force_login(officer)
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("registry:factory_import"), {"file": _csv([good, bad]), "dry_run": "on"}
    )
    body = response.content.decode()
    report = response.context["report"]
    assert report["total_rows"] == 2
    assert report["valid_rows"] == 1
    problem = report["problems"][0]
    assert (problem["row"], problem["field"]) == (3, "latitude")
    assert problem["code"] in body and "latitude" in body
    assert problem["message_th"] in body and problem["message_en"] in body
    assert "nothing was written" in body
    assert not Factory.objects.exists()


def test_import_for_real_creates_the_factories(client: Client, officer: Any) -> None:
    from rongngan.core.thai import thai_id_check_digit

    jid = "010553600002"
    client.force_login(officer)
    response = client.post(
        reverse("registry:factory_import"),
        {"file": _csv([dict(GOOD_ROW, juristic_id=jid + thai_id_check_digit(jid))])},
    )
    assert response.status_code == 200
    assert response.context["report"]["created"] == 1
    assert Factory.objects.filter(registration_no="10210420000037").exists()


def test_import_without_a_file_says_so(client: Client, officer: Any) -> None:
    client.force_login(officer)
    response = client.post(reverse("registry:factory_import"), {"dry_run": "on"})
    assert response.status_code == 400
    assert response.context["error"]


def test_import_template_has_the_import_columns(client: Client, officer: Any) -> None:
    client.force_login(officer)
    response = client.get(reverse("registry:import_template"))
    assert response.content.decode("utf-8-sig").strip() == ",".join(EXPORT_COLUMNS)


# --------------------------------------------------------------------------------------------
# Language, sign-in, base layout


def test_language_switch_persists_on_the_account_and_the_next_page(
    client: Client, officer: Any
) -> None:
    client.force_login(officer)
    url = reverse("registry:factory_list")
    response = client.post(reverse("set_language"), {"language": "en", "next": url})
    assert response.status_code == 302 and response["Location"] == url
    body = client.get(url).content.decode()
    assert '<html lang="en">' in body
    assert ">Factories<" in body
    officer.refresh_from_db()
    assert officer.language == "en"


def test_pages_are_thai_by_default(client: Client) -> None:
    body = client.get(reverse("registry:factory_list")).content.decode()
    assert '<html lang="th">' in body


def test_nav_shows_import_to_officers_and_admin_link_to_admin_only(
    client: Client, officer: Any, admin: Any, operator_a: Any
) -> None:
    url = reverse("registry:factory_list")
    client.force_login(operator_a)
    body = client.get(url).content.decode()
    assert reverse("registry:factory_import") not in body
    assert reverse("admin:index") not in body
    client.force_login(officer)
    body = client.get(url).content.decode()
    assert reverse("registry:factory_import") in body
    assert reverse("admin:index") not in body
    client.force_login(admin)
    assert reverse("admin:index") in client.get(url).content.decode()


def test_no_page_loads_anything_from_a_cdn(
    client: Client, officer: Any, factory_a: Factory
) -> None:
    client.force_login(officer)
    for url in (
        reverse("home"),
        reverse("registry:factory_list"),
        reverse("registry:factory_detail", args=[factory_a.pk]),
        reverse("registry:factory_edit", args=[factory_a.pk]),
    ):
        body = client.get(url).content.decode()
        assert 'src="http' not in body and 'href="http' not in body, url


def test_home_shows_the_signed_in_users_factory_count(
    client: Client, operator_a: Any, factory_a: Factory, factory_b: Factory
) -> None:
    client.force_login(operator_a)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert response.context["counts"]["factories"] == 1


def test_login_page_signs_in_and_shows_bad_credentials(client: Client, officer: Any) -> None:
    from conftest import PASSWORD

    url = reverse("login")
    assert client.get(url).status_code == 200
    response = client.post(url, {"username": "officer", "password": "wrong"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    response = client.post(url, {"username": "officer", "password": PASSWORD})
    assert response.status_code == 302


def test_login_lockout_message_is_shown(client: Client, officer: Any, settings: Any) -> None:
    url = reverse("login")
    for _ in range(settings.LOGIN_MAX_FAILURES):
        client.post(url, {"username": "officer", "password": "wrong"})
    response = client.post(url, {"username": "officer", "password": "wrong"})
    assert any(e.code == "locked" for e in response.context["form"].non_field_errors().as_data())


def test_sign_out_is_a_post_form(client: Client, officer: Any) -> None:
    client.force_login(officer)
    body = client.get(reverse("home")).content.decode()
    assert f'method="post" action="{reverse("logout")}"' in body
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("registry:factory_import")).status_code == 302


def test_password_change_pages_render(client: Client, officer: Any) -> None:
    client.force_login(officer)
    assert client.get(reverse("password_change")).status_code == 200
    assert client.get(reverse("password_change_done")).status_code == 200
