"""The DIW action plan B.E. 2563-2565 as shipped: what the seed document says, and where it
disagrees with itself."""

from decimal import Decimal as D

from rongngan.plan.consistency import check_plan
from rongngan.plan.models import KPI, Approach, Project, Strategy


def test_the_plan_has_four_strategies_and_their_approaches(seed_plan):
    assert seed_plan.first_year == 2563 and seed_plan.last_year == 2565
    assert seed_plan.vision_th == "ขับเคลื่อนธุรกิจอุตสาหกรรม ให้ทันสมัย ก้าวไกล ยั่งยืน"
    assert len(seed_plan.values) == 4 and len(seed_plan.missions) == 4
    strategies = list(Strategy.objects.filter(plan=seed_plan))
    assert [s.number for s in strategies] == [1, 2, 3, 4]
    assert all(s.name_th and s.name_en for s in strategies)
    assert [Approach.objects.filter(strategy=s).count() for s in strategies] == [4, 3, 3, 4]


def test_every_kpi_has_a_unit_and_an_fy2563_target(seed_plan):
    kpis = list(KPI.objects.filter(plan=seed_plan).prefetch_related("targets"))
    per_strategy = [sum(1 for k in kpis if k.strategy.number == n) for n in (1, 2, 3, 4)]
    assert per_strategy == [7, 9, 3, 4]
    for k in kpis:
        assert k.unit and k.name_th and k.name_en, k.code
        assert [t.fiscal_year for t in k.targets.all()] == [2563], k.code
    targets = {k.code: k.targets.get().value for k in kpis}
    assert targets["K1.3"] == 2000  # establishments into Green Industry
    assert targets["K2.3"] == 99  # complaints handled in time
    assert targets["K2.4"] == D("1.65") and targets["K2.5"] == 25  # Mt/yr into management
    assert targets["K2.6"] == 10 and targets["K2.7"] == 80 and targets["K2.8"] == 56
    assert targets["K2.9"] == 100  # storage sites upgraded
    hcfc = next(k for k in kpis if k.code == "K2.8")
    assert hcfc.baseline_year == 2556


def test_every_project_carries_its_budget_as_printed(seed_plan):
    projects = {p.code: p for p in Project.objects.filter(plan=seed_plan)}
    assert len(projects) == 33
    assert all(p.fiscal_year == 2563 for p in projects.values())
    expected = {
        "P1": "11.5084",
        "P2": "6.0000",
        "P3": "9.4558",
        "P4": "3.6000",
        "P5": "8.4683",
        "P6": "31.9500",
        "P7": "3.2472",
        "P8": "3.2020",
        "P9": "5.8570",
        "P10": "5.8569",
        "EFM": "11.7139",
        "P11": "2.5000",
        "P12": "3.9931",
        "P13": "9.0000",
        "P14": "4.0766",
        "P15": "2.0000",
        "P16": "4.5000",
        "P17": "7.0000",
        "S3.1": "36.0129",
    }
    for code, budget in expected.items():
        assert projects[code].budget == D(budget), code
    assert [c.code for c in projects["P6"].children.order_by("sort")] == [
        f"P6.{n}" for n in range(1, 10)
    ]
    assert {c.code for c in projects["EFM"].children.all()} == {"P9", "P10"}
    assert set(projects["P8"].provinces.values_list("name_th", flat=True)) == {
        "นนทบุรี",
        "อ่างทอง",
        "จันทบุรี",
    }
    assert projects["P13"].provinces.count() == 15
    assert projects["P1"].targets.exists() and projects["P1"].target_group_th


def test_the_consistency_check_finds_the_seeds_own_disagreements(seed_plan):
    findings = [f.as_dict() for f in check_plan(seed_plan)]
    by = {(f["code"], f["subject"]): f for f in findings}
    budget = by[("budget_sum", "P6")]
    assert budget["values"]["budget"] == "31.95" and budget["values"]["total"] == "31.45"
    assert by[("province_count", "P16")]["values"] == {"code": "P16", "stated": "7", "named": "8"}
    k32 = by[("target_differs", "K3.2")]["values"]
    assert (k32["target"], k32["stated"]) == ("3", "4")
    k14 = by[("target_differs", "K1.4")]["values"]
    assert (k14["target"], k14["stated"]) == ("3", "9")
    assert "provinces" in by[("target_differs", "K1.4")]["message_en"]
    assert "จังหวัด" in by[("target_differs", "K1.4")]["message_th"]
    # The parents whose children add up are not reported.
    assert ("budget_sum", "EFM") not in by and ("budget_sum", "X1") not in by
