"""Seveso III tiers (Directive 2012/18/EU Annex I): the three summations at their exact
boundaries, the 2 % rule, a substance in several groups, named substances' own quantities."""

from decimal import Decimal

import pytest

from rongngan.chemicals.catalogue import seveso_categories, seveso_named
from rongngan.chemicals.tiers import TierError, TierItem, assess

D = Decimal


def one(categories: tuple[str, ...], q: str, named: str | None = None, **kw: bool) -> TierItem:
    return TierItem(
        key="x", label="x", quantity_t=D(q), categories=categories, named_entry=named, **kw
    )


@pytest.mark.parametrize(
    ("code", "group"),
    [
        ("H2", "health"),
        ("P2", "physical"),
        ("E1", "environment"),
        ("H1", "health"),
        ("P5c", "physical"),
        ("E2", "environment"),
    ],
)
def test_each_group_qualifies_at_exactly_its_lower_quantity_and_not_just_below(
    code: str, group: str
) -> None:
    lower = seveso_categories()[code].lower_t
    at = assess([one((code,), str(lower))])
    assert at.tier == "lower"
    assert at.sums["lower"][group] == 1
    assert group in at.qualifying["lower"]
    below = assess([one((code,), str(lower - D("0.001")))])
    assert below.tier == "none"
    assert below.sums["lower"][group] < 1


@pytest.mark.parametrize("code", ["H2", "P2", "E1"])
def test_each_group_reaches_the_upper_tier_at_exactly_its_upper_quantity(code: str) -> None:
    upper = seveso_categories()[code].upper_t
    assert assess([one((code,), str(upper))]).tier == "upper"
    assert assess([one((code,), str(upper - D("0.001")))]).tier == "lower"


def test_the_category_table_holds_the_annex_quantities() -> None:
    cats = seveso_categories()
    got = {
        c: (cats[c].lower_t, cats[c].upper_t)
        for c in ("H1", "H2", "H3", "P2", "P4", "P5a", "P5c", "P8", "E1", "E2", "O1", "O3")
    }
    assert got == {
        "H1": (D(5), D(20)),
        "H2": (D(50), D(200)),
        "H3": (D(50), D(200)),
        "P2": (D(10), D(50)),
        "P4": (D(50), D(200)),
        "P5a": (D(10), D(50)),
        "P5c": (D(5000), D(50000)),
        "P8": (D(50), D(200)),
        "E1": (D(100), D(200)),
        "E2": (D(200), D(500)),
        "O1": (D(100), D(500)),
        "O3": (D(50), D(200)),
    }
    assert len(cats) == 21


def test_a_sum_of_thirds_is_exactly_one() -> None:
    # Phosgene (Part 2 entry 27) qualifies at 0.3 t: three stores of 0.1 t are 1/3 each.
    # In 28-digit decimals the sum would be 0.999...9 and miss the tier; it must be exactly 1.
    items = [TierItem(k, k, D("0.1"), ("H2",), "27") for k in ("a", "b", "c")]
    result = assess(items)
    assert result.sums["lower"]["health"] == 1
    assert result.tier == "lower"
    assert assess([*items[:2], TierItem("c", "c", D("0.0999"), ("H2",), "27")]).tier == "none"


def test_smaller_substances_add_up_within_a_group() -> None:
    items = [
        TierItem("lpg", "propane", D("6"), ("P2",), None),  # 6/10
        TierItem("h2", "hydrogen gas", D("4"), ("P2",), None),  # 4/10
    ]
    result = assess(items)
    assert result.sums["lower"]["physical"] == 1
    assert result.tier == "lower"
    assert result.direct == []


def test_a_substance_in_two_groups_counts_in_both() -> None:
    # 60 t of an H2 + E1 substance: health 60/50 = 1.2, environment 60/100 = 0.6
    result = assess([TierItem("s", "s", D("60"), ("H2", "E1"), None)])
    assert result.sums["lower"]["health"] == D("1.2")
    assert result.sums["lower"]["environment"] == D("0.6")
    groups = {(c.group, c.level) for c in result.contributions}
    assert {("health", "lower"), ("environment", "lower")} <= groups


def test_within_one_group_a_substance_counts_once_at_its_lowest_quantity() -> None:
    # H1 (5 t) and H2 (50 t) are both health: 2 t counts as 2/5, not 2/5 + 2/50
    result = assess([TierItem("s", "s", D("2"), ("H1", "H2"), None)])
    assert result.sums["lower"]["health"] == D("0.4")
    health = [c for c in result.contributions if c.group == "health" and c.level == "lower"]
    assert [(c.basis, c.threshold_t) for c in health] == [("H1", D(5))]


def test_the_two_percent_rule_drops_a_small_substance_that_cannot_start_an_accident() -> None:
    big = TierItem("big", "big", D("49.5"), ("H2",), None)  # 0.99
    small = TierItem("small", "small", D("1"), ("H2",), None, can_initiate=False)  # 2 % of 50 t
    assert assess([big, small]).tier == "none"
    assert assess([big, small]).ignored_2pct == ["small"]
    # the same 1 t where it can start an accident counts: 0.99 + 0.02 >= 1
    counted = TierItem("small", "small", D("1"), ("H2",), None, can_initiate=True)
    assert assess([big, counted]).tier == "lower"
    # just above 2 % it counts even where it cannot start one
    above = TierItem("small", "small", D("1.001"), ("H2",), None, can_initiate=False)
    result = assess([big, above])
    assert result.tier == "lower"
    # the rule is applied per level: 1.001 t is above 2 % of 50 t but not of 200 t
    ignored = {(c.level, c.ignored) for c in result.contributions if c.key == "small"}
    assert ignored == {("lower", False), ("upper", True)}


@pytest.mark.parametrize(
    ("entry", "lower", "upper"),
    [
        ("35", "50", "200"),
        ("10", "10", "25"),
        ("18", "50", "200"),
        ("34", "2500", "25000"),
        ("22", "500", "5000"),
        ("27", "0.3", "0.75"),
    ],
)
def test_named_substances_use_their_part_2_quantities(entry: str, lower: str, upper: str) -> None:
    named = seveso_named()[entry]
    assert (named.lower_t, named.upper_t) == (D(lower), D(upper))
    cats = ("P2",)
    assert assess([one(cats, lower, entry)]).tier == "lower"
    assert assess([one(cats, upper, entry)]).tier == "upper"
    below = D(lower) - D("0.001")
    assert assess([one(cats, str(below), entry)]).tier == "none"


def test_a_named_substance_does_not_use_its_part_1_quantities() -> None:
    # Anhydrous ammonia is H2 (50/200), P2 (10/50) and E1 (100/200) in Part 1; as Part 2
    # entry 35 it is 50/200 in every group. 20 t would be lower tier by P2 alone (20/10).
    result = assess([TierItem("nh3", "ammonia", D("20"), ("H2", "P2", "E1"), "35")])
    assert result.tier == "none"
    assert result.sums["lower"] == {
        "health": D("0.4"),
        "physical": D("0.4"),
        "environment": D("0.4"),
    }
    assert {c.basis for c in result.contributions} == {"35"}


def test_chlorine_reaches_the_upper_tier_at_25_tonnes() -> None:
    chlorine = ("H2", "P4", "E1")
    assert assess([TierItem("cl", "chlorine", D("24.999"), chlorine, "10")]).tier == "lower"
    result = assess([TierItem("cl", "chlorine", D("25"), chlorine, "10")])
    assert result.tier == "upper"
    assert [(d.level, d.basis) for d in result.direct] == [("lower", "10"), ("upper", "10")]


def test_a_named_substance_adds_to_part_1_substances_of_its_group() -> None:
    items = [
        TierItem("lpg", "LPG", D("25"), ("P2",), "18"),  # 25/50 = 0.5
        TierItem("h2", "hydrogen", D("2.5"), ("P2",), "15"),  # 2.5/5 = 0.5
    ]
    assert assess(items).sums["lower"]["physical"] == 1
    assert assess(items).tier == "lower"


def test_o_categories_qualify_alone_and_enter_no_sum() -> None:
    result = assess([TierItem("w", "water-reactive", D("100"), ("O1",), None)])
    assert result.tier == "lower"
    assert all(v == 0 for level in result.sums.values() for v in level.values())
    assert assess([TierItem("w", "w", D("99"), ("O1",), None)]).tier == "none"


def test_unknown_categories_and_entries_raise() -> None:
    with pytest.raises(TierError) as exc:
        assess([one(("H9",), "1")])
    assert exc.value.code == "unknown_category"
    with pytest.raises(TierError) as exc:
        assess([one(("H2",), "1", "99")])
    assert exc.value.code == "unknown_named_entry"
    with pytest.raises(TierError) as exc:
        assess([one(("H2",), "-1")])
    assert exc.value.code == "bad_quantity"


def test_the_explanation_is_data_ending_with_the_tier() -> None:
    result = assess([one(("H2",), "60")])
    codes = [code for code, _ in result.explanation]
    assert codes[-1] == "tier"
    assert result.explanation[-1][1] == {"tier": "lower"}
    assert "contribution" in codes and "direct" in codes and "sum" in codes


def test_nothing_dangerous_is_no_tier() -> None:
    result = assess([TierItem("naoh", "caustic soda", D("1000"), (), None)])
    assert result.tier == "none"
    assert result.explanation[0] == ("item_not_dangerous", {"key": "naoh"})
