"""KPI results: computed from records, by hand, overridden; the consistency check."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rongngan.core.errors import RongnganValidationError
from rongngan.core.models import AuditEntry
from rongngan.plan import services
from rongngan.plan.consistency import check_plan
from rongngan.plan.loader import load_plan
from rongngan.plan.measure import finished_as_of, kpi_results
from rongngan.plan.models import KPI, Measurement, Plan
from rongngan.plan.status import MET, NO_DATA, OFF_TRACK
from rongngan.plan.tests.conftest import MINI_PLAN
from rongngan.registry.tests.factories import FactoryFactory, MachineFactory


def result_for(plan, code, *, as_of, year=2563):
    return next(r for r in kpi_results(plan, year, as_of=as_of) if r.kpi.code == code)


@pytest.fixture
def bound(mini_plan):
    kpi = KPI.objects.get(plan=mini_plan, code="K1.1")
    kpi.metric = "registry.factories_with_machines_registered"
    kpi.save()
    return kpi


def test_loading_the_same_file_twice_keeps_one_plan(mini_plan):
    again, created = load_plan(MINI_PLAN)
    assert not created and again.pk == mini_plan.pk
    assert Plan.objects.count() == 1
    assert AuditEntry.objects.filter(action="load").count() == 1


def test_a_bound_kpi_changes_when_the_underlying_records_change(bound, mini_plan):
    factory = FactoryFactory()
    MachineFactory(factory=factory, registered_on=date(2019, 11, 5))
    MachineFactory(factory=factory, registered_on=date(2019, 12, 20))  # same factory: once
    r = result_for(mini_plan, "K1.1", as_of=date(2019, 12, 31))
    assert r.actual == 1 and r.bound

    other = FactoryFactory()
    MachineFactory(factory=other, registered_on=date(2020, 2, 1))
    MachineFactory(factory=FactoryFactory(), registered_on=date(2020, 10, 1))  # FY 2564
    r = result_for(mini_plan, "K1.1", as_of=date(2020, 9, 30))
    assert r.actual == 2
    assert [qv.computed for qv in r.quarters] == [1, 1, 0, 0]
    assert r.series == [1, 2, 2, 2]
    assert r.status == OFF_TRACK  # 2 of 10 at year end


def test_a_factory_counted_in_q1_is_not_counted_again_in_q2(bound, mini_plan):
    factory = FactoryFactory()
    MachineFactory(factory=factory, registered_on=date(2019, 10, 5))
    MachineFactory(factory=factory, registered_on=date(2020, 2, 5))
    r = result_for(mini_plan, "K1.1", as_of=date(2020, 3, 31))
    assert [qv.computed for qv in r.quarters] == [1, 0]
    assert r.actual == 1


def test_an_override_replaces_the_computed_quarter_and_both_stay_visible(bound, mini_plan, officer):
    MachineFactory(factory=FactoryFactory(), registered_on=date(2019, 11, 5))
    with pytest.raises(RongnganValidationError) as exc:
        services.measurement_record(
            acting_user=officer, kpi=bound, data={"fiscal_year": 2563, "quarter": 1, "value": 5}
        )
    assert [p.code for p in exc.value.problems] == ["reason_required"]
    services.measurement_record(
        acting_user=officer,
        kpi=bound,
        data={"fiscal_year": 2563, "quarter": 1, "value": 5, "reason": "paper forms not keyed"},
    )
    r = result_for(mini_plan, "K1.1", as_of=date(2019, 12, 31))
    q1 = r.quarters[0]
    assert q1.computed == 1 and q1.override.value == 5 and q1.value == 5
    assert q1.source == "override"
    assert r.actual == 5


def test_a_manual_kpi_takes_its_latest_entry_and_keeps_the_older_one(mini_plan, officer):
    kpi = KPI.objects.get(plan=mini_plan, code="K2.1")
    data = {"fiscal_year": 2563, "quarter": 2, "value": "97.5", "note": "from the complaint log"}
    first = services.measurement_record(acting_user=officer, kpi=kpi, data=data)
    second = services.measurement_record(acting_user=officer, kpi=kpi, data={**data, "value": 99})
    first.refresh_from_db()
    assert not first.is_current and first.superseded_by == second
    r = result_for(mini_plan, "K2.1", as_of=date(2020, 9, 30))
    assert r.actual == 99 and r.status == MET
    assert Measurement.objects.filter(kpi=kpi).count() == 2
    assert AuditEntry.objects.filter(action="measure").count() == 2


def test_a_level_kpi_without_values_has_no_data(mini_plan):
    assert result_for(mini_plan, "K2.1", as_of=date(2020, 3, 31)).status == NO_DATA


@pytest.mark.parametrize(
    "data, field, code",
    [
        ({"fiscal_year": 2566, "quarter": 1, "value": 1}, "fiscal_year", "year_outside_plan"),
        ({"fiscal_year": 2562, "quarter": 1, "value": 1}, "fiscal_year", "year_outside_plan"),
        ({"fiscal_year": 2563, "quarter": 5, "value": 1}, "quarter", "quarter"),
        ({"fiscal_year": 2563, "quarter": 1, "value": 1, "unit": "count"}, "unit", "wrong_unit"),
        ({"fiscal_year": 2563, "quarter": 1, "value": 120}, "value", "percent_range"),
        ({"fiscal_year": 2563, "quarter": 1, "value": -1}, "value", "negative"),
        ({"fiscal_year": 2563, "quarter": 1, "value": "lots"}, "value", "number"),
    ],
)
def test_bad_measurements_are_refused_and_nothing_is_written(mini_plan, officer, data, field, code):
    kpi = KPI.objects.get(plan=mini_plan, code="K2.1")
    with pytest.raises(RongnganValidationError) as exc:
        services.measurement_record(acting_user=officer, kpi=kpi, data={**data, "note": "x"})
    assert (field, code) in [(p.field, p.code) for p in exc.value.problems]
    problem = next(p for p in exc.value.problems if p.code == code).as_dict()
    assert problem["message_th"] and problem["message_en"]
    assert problem["message_th"] != problem["message_en"]
    assert Measurement.objects.count() == 0


def test_a_manual_value_needs_evidence_or_a_note(mini_plan, officer):
    kpi = KPI.objects.get(plan=mini_plan, code="K2.1")
    with pytest.raises(RongnganValidationError) as exc:
        services.measurement_record(
            acting_user=officer, kpi=kpi, data={"fiscal_year": 2563, "quarter": 1, "value": 90}
        )
    assert exc.value.problems[0].code == "evidence_or_note"


def test_only_officers_and_the_responsible_officer_measure(
    mini_plan, operator_a, committee, provincial_officer
):
    kpi = KPI.objects.get(plan=mini_plan, code="K2.1")
    data = {"fiscal_year": 2563, "quarter": 1, "value": 90, "note": "n"}
    for user in (operator_a, committee, provincial_officer):
        with pytest.raises(PermissionError):
            services.measurement_record(acting_user=user, kpi=kpi, data=data)
    kpi.responsible = provincial_officer
    kpi.save()
    services.measurement_record(acting_user=provincial_officer, kpi=kpi, data=data)
    assert Measurement.objects.count() == 1


def test_results_take_a_fixed_number_of_queries_whatever_the_number_of_kpis(
    bound, mini_plan, django_assert_max_num_queries
):
    MachineFactory(factory=FactoryFactory(), registered_on=date(2019, 11, 5))
    # KPIs + targets + measurements + one aggregate for the single bound KPI
    with CaptureQueriesContext(connection) as ctx:
        results = kpi_results(mini_plan, 2563, as_of=date(2020, 9, 30))
    assert len(results) == 3
    assert len(ctx.captured_queries) == 4
    metric_queries = [q for q in ctx.captured_queries if "registry_machine" in q["sql"]]
    assert len(metric_queries) == 1  # all four quarters in one aggregate


def test_finished_quarters():
    assert finished_as_of(2563, date(2019, 12, 31)) is None
    assert finished_as_of(2563, date(2020, 1, 1)) == date(2019, 12, 31)
    assert finished_as_of(2563, date(2020, 9, 30)) == date(2020, 6, 30)
    assert finished_as_of(2563, date(2020, 10, 1)) == date(2020, 9, 30)
    assert finished_as_of(2565, date(2019, 10, 1)) is None


def test_the_consistency_check_finds_sums_targets_and_province_counts(mini_plan):
    findings = {(f.code, f.subject): f for f in check_plan(mini_plan)}
    budget = findings[("budget_sum", "P6")].as_dict()
    assert budget["values"]["total"] == "31.45" and budget["values"]["budget"] == "31.95"
    assert "31.45" in budget["message_th"] and "31.45" in budget["message_en"]
    target = findings[("target_differs", "K1.2")].as_dict()
    assert "9" in target["message_en"] and "provinces" in target["message_en"]
    assert "จังหวัด" in target["message_th"]
    assert findings[("province_count", "P16")].params == {"code": "P16", "stated": 2, "named": 3}
    assert len(findings) == 3


# --------------------------------------------------------------------------------------------
# A rate metric: the year's value is the rate over the year, not the last quarter's


# (received on, all kg, recovered kg): quarter rates 10 %, none, 10 %, 64.52 %; year 19.34 %
RATE_RECORDS = [
    (date(2019, 11, 1), 100, 10),
    (date(2020, 5, 1), 50, 5),
    (date(2020, 8, 1), 31, 20),
]


def _rate(periods):
    out = []
    for start, end in periods:
        rows = [r for r in RATE_RECORDS if start <= r[0] <= end]
        total = sum(r[1] for r in rows)
        out.append(Decimal(sum(r[2] for r in rows)) * 100 / total if total else None)
    return out


@pytest.fixture
def rate_kpi(mini_plan, monkeypatch):
    from rongngan.core import metrics

    monkeypatch.setitem(
        metrics._REGISTRY,
        "test.rate",
        metrics.Metric(
            key="test.rate", label="rate", unit="percent", accumulation="level", compute=_rate
        ),
    )
    kpi = KPI.objects.get(plan=mini_plan, code="K2.1")  # percent, level, target 99
    KPI.objects.filter(pk=kpi.pk).update(metric="test.rate")
    kpi.refresh_from_db()
    return kpi


def test_a_rate_kpi_counts_the_rate_over_the_year_not_the_last_quarter(rate_kpi, mini_plan):
    r = result_for(mini_plan, "K2.1", as_of=date(2020, 9, 30))
    assert [
        qv.computed.quantize(Decimal("0.01")) if qv.computed else None for qv in r.quarters
    ] == [
        Decimal("10.00"),
        None,
        Decimal("10.00"),
        Decimal("64.52"),
    ]
    assert r.actual.quantize(Decimal("0.01")) == Decimal("19.34")  # 35 of 181 kg
    assert r.actual == _rate([(date(2019, 10, 1), date(2020, 9, 30))])[0]
    assert r.year_to_date and r.status == OFF_TRACK
    # Half way: the rate over the first half-year.
    r = result_for(mini_plan, "K2.1", as_of=date(2020, 3, 31))
    assert r.actual == Decimal(10)


def test_an_override_of_the_latest_quarter_states_the_years_rate(rate_kpi, mini_plan, officer):
    from unittest import mock

    with mock.patch("django.utils.timezone.localdate", return_value=date(2021, 1, 1)):
        services.measurement_record(
            acting_user=officer,
            kpi=rate_kpi,
            data={"fiscal_year": 2563, "quarter": 2, "value": 50, "reason": "paper forms"},
        )
    r = result_for(mini_plan, "K2.1", as_of=date(2020, 9, 30))
    assert r.actual.quantize(Decimal("0.01")) == Decimal("19.34")  # Q2 is not the latest
    with mock.patch("django.utils.timezone.localdate", return_value=date(2021, 1, 1)):
        services.measurement_record(
            acting_user=officer,
            kpi=rate_kpi,
            data={"fiscal_year": 2563, "quarter": 4, "value": 30, "reason": "year corrected"},
        )
    r = result_for(mini_plan, "K2.1", as_of=date(2020, 9, 30))
    assert r.actual == Decimal(30) and not r.year_to_date


def test_the_dashboard_and_the_api_show_the_years_rate(rate_kpi, mini_plan, client):
    from conftest import api_as

    body = client.get(f"/plan/{mini_plan.code}/dashboard/?year=2563").content.decode()
    row = body[body.index('data-kpi="K2.1"') :]
    assert '<strong class="kpi-actual">19.337</strong>' in row[: row.index("</tr>")]
    result = api_as(None).get(f"/api/v1/plan/kpis/{rate_kpi.pk}/?year=2563").json()["result"]
    assert result["value"].startswith("19.337") and result["year_to_date_rate"] is True
