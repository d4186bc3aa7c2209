"""A site's hazard status computed from its current declaration: the Seveso tier with exact
boundaries, the three sums, the 2 % rule, mixtures by their classification, RMP thresholds,
and the worst-case zone with its method and setting."""

from decimal import Decimal
from typing import Any

import pytest

from rongngan.chemicals import oca, queries, services
from rongngan.chemicals.models import SiteHazard, StorageSite
from rongngan.chemicals.tests.conftest import (
    AMMONIA,
    CAUSTIC,
    CHLORINE,
    METHANOL,
    TOLUENE,
    declare,
    item,
)

pytestmark = pytest.mark.django_db


def hazard(site: StorageSite) -> SiteHazard:
    return SiteHazard.objects.get(site=site)


def test_a_site_with_no_declaration_is_below_the_lower_tier(site_a: StorageSite) -> None:
    h = queries.site_hazard(site_a)
    assert (h.tier, h.hazard_ratio, h.item_count) == ("none", 0.0, 0)


def test_exactly_the_lower_tier_quantity_counts(site_a: StorageSite, operator_a: Any) -> None:
    declare(operator_a, site_a, item(CHLORINE, "10"))  # Seveso named entry 10: 10 t / 25 t
    assert hazard(site_a).tier == "lower"
    assert hazard(site_a).hazard_ratio == pytest.approx(1.0)
    declare(operator_a, site_a, item(CHLORINE, "9.999"))
    assert hazard(site_a).tier == "none"
    declare(operator_a, site_a, item(CHLORINE, "25"))
    assert hazard(site_a).tier == "upper"


def test_a_group_sum_of_exactly_one_qualifies(site_a: StorageSite, operator_a: Any) -> None:
    # methanol (named entry 22, 500 t, health and physical) + toluene (P5c, 5,000 t, physical)
    declare(operator_a, site_a, item(METHANOL, "250"), item(TOLUENE, "2500"))
    h = hazard(site_a)
    assert h.tier == "lower"
    assert Decimal(h.sums["lower"]["physical"]) == Decimal(1)
    assert Decimal(h.sums["lower"]["health"]) == Decimal("0.5")
    # methanol counts in both of its groups; toluene only in the physical one
    groups = {(c["key"].split(":")[1], c["group"]) for c in h.contributions}
    assert {(METHANOL, "health"), (METHANOL, "physical"), (TOLUENE, "physical")} <= groups
    assert (TOLUENE, "health") not in groups


def test_an_isolated_item_under_two_percent_is_left_out(
    site_a: StorageSite, operator_a: Any
) -> None:
    # ammonia 49.5 t / 50 t = 0.99 in the health sum; chlorine 0.2 t is 2 % of 10 t
    declare(operator_a, site_a, item(AMMONIA, "49.5"), item(CHLORINE, "0.2"))
    assert hazard(site_a).tier == "lower"
    declare(operator_a, site_a, item(AMMONIA, "49.5"), item(CHLORINE, "0.2", isolated=True))
    h = hazard(site_a)
    assert h.tier == "none"
    assert h.explanation["ignored_2pct"] == [f"2:{CHLORINE}"]


def test_a_mixture_counts_by_its_declared_categories(site_a: StorageSite, operator_a: Any) -> None:
    mixture = {
        "mixture": {"name": "ทินเนอร์", "categories": ["P5c"]},
        "physical_state": "liquid",
        "max_quantity": "5000",
        "unit": "t",
    }
    declare(operator_a, site_a, mixture)
    assert hazard(site_a).tier == "lower"


def test_rmp_thresholds_crossed_are_listed(site_a: StorageSite, operator_a: Any) -> None:
    declare(operator_a, site_a, item(AMMONIA, "4.5"))
    assert hazard(site_a).rmp_crossed == []
    declare(operator_a, site_a, item(AMMONIA, "4.6"), item(CAUSTIC, "100"))
    [crossed] = hazard(site_a).rmp_crossed
    assert crossed["cas"] == AMMONIA
    assert Decimal(crossed["threshold_kg"]) == Decimal("4535.9237")
    assert crossed["quantity_kg"] == "4600"  # plain digits, never "4.6E+3"


def test_a_toxic_gas_over_the_screening_quantity_gets_a_zone_with_its_method(
    site_a: StorageSite, operator_a: Any
) -> None:
    declare(operator_a, site_a, item(AMMONIA, "10", largest_container="5"))
    h = hazard(site_a)
    assert h.zone_radius_km is not None and h.zone_radius_km > 0
    assert h.zone_cas == AMMONIA
    assert h.zone_method
    # no surroundings stated: open country, the larger distance, and it says so
    assert h.zone_setting == "rural"
    assert h.zone_details["setting_basis"] == "default_rural"
    assert Decimal(h.zone_details["vessel_kg"]) == Decimal("5000")


def test_the_sites_stated_surroundings_are_used(site_a: StorageSite, operator_a: Any) -> None:
    declare(operator_a, site_a, item(AMMONIA, "10", largest_container="5"))
    rural = hazard(site_a).zone_radius_km
    StorageSite.objects.filter(pk=site_a.pk).update(surroundings="urban")
    site_a.refresh_from_db()
    h = services.hazard_recompute(site=site_a)
    assert (h.zone_setting, h.zone_details["setting_basis"]) == ("urban", "site")
    assert h.zone_radius_km < rural


def test_a_larger_vessel_gives_a_larger_zone(site_a: StorageSite, operator_a: Any) -> None:
    declare(operator_a, site_a, item(AMMONIA, "20", largest_container="2"))
    small = hazard(site_a).zone_radius_km
    declare(operator_a, site_a, item(AMMONIA, "20", largest_container="20"))
    assert hazard(site_a).zone_radius_km > small


def test_a_gas_without_its_own_table_gets_a_screening_zone(
    site_a: StorageSite, operator_a: Any
) -> None:
    declare(operator_a, site_a, item(CHLORINE, "5", largest_container="1"))
    h = hazard(site_a)
    zone = oca.worst_case_zone(CHLORINE, Decimal("1000"), h.zone_setting)
    assert (h.zone_cas, h.zone_method) == (CHLORINE, oca.SCREENING_METHOD)
    assert h.zone_radius_km == zone.distance_km
    details = h.zone_details["zone"]
    assert details["screening"] is True and details["heavier_than_air"] is True
    assert "not_computed" not in h.zone_details


def test_a_zone_that_cannot_be_computed_says_why(
    site_a: StorageSite, operator_a: Any, monkeypatch: Any
) -> None:
    def past_the_table(*args: Any, **kwargs: Any) -> Any:
        raise oca.OcaError("beyond_transcribed_table")

    monkeypatch.setattr(oca, "worst_case_zone", past_the_table)
    declare(operator_a, site_a, item(CHLORINE, "5", largest_container="1"))
    h = hazard(site_a)
    assert h.zone_radius_km is None  # no circle is drawn, and the reason is kept
    assert h.zone_details["not_computed"] == [
        {"cas": CHLORINE, "error": "beyond_transcribed_table"}
    ]


def test_no_zone_for_substances_without_a_toxic_endpoint(
    site_a: StorageSite, operator_a: Any
) -> None:
    declare(operator_a, site_a, item(METHANOL, "600"), item(CAUSTIC, "100"))
    h = hazard(site_a)
    assert h.tier == "lower"
    assert h.zone_radius_km is None


def test_the_public_summary_of_an_upper_tier_site_has_no_quantities(
    site_a: StorageSite, operator_a: Any
) -> None:
    declare(operator_a, site_a, item(CHLORINE, "30", largest_container="1"))
    h = hazard(site_a)
    assert h.tier == "upper"
    [public] = h.public_substances
    assert public["cas"] == CHLORINE and public["emergency_en"] and public["hazard_classes"]
    for key in public:
        assert not any(word in key for word in ("kg", "quantity", "container", "vessel")), key


def test_the_bulk_recompute_agrees_with_the_one_site_path(
    site_a: StorageSite, site_b: StorageSite, operator_a: Any, operator_b: Any
) -> None:
    declare(operator_a, site_a, item(METHANOL, "250"), item(TOLUENE, "2500"))
    declare(operator_b, site_b, item(AMMONIA, "60", largest_container="10"))
    one = {h.site_id: h for h in SiteHazard.objects.all()}
    assert services.hazards_recompute_all() == 2
    for h in SiteHazard.objects.all():
        before = one[h.site_id]
        assert (h.tier, h.sums, h.contributions, h.rmp_crossed) == (
            before.tier,
            before.sums,
            before.contributions,
            before.rmp_crossed,
        )
        assert h.zone_radius_km == before.zone_radius_km
        assert h.h3_7 == before.h3_7


def test_the_latest_year_is_the_one_assessed(site_a: StorageSite, operator_a: Any) -> None:
    declare(operator_a, site_a, item(CHLORINE, "30"), year=2025)
    declare(operator_a, site_a, item(CHLORINE, "1"), year=2026)
    assert hazard(site_a).tier == "none"
    services.hazards_recompute_all()
    assert hazard(site_a).tier == "none"


def test_the_explanation_reads_as_sentences_in_both_languages(
    site_a: StorageSite, operator_a: Any
) -> None:
    declare(operator_a, site_a, item(CHLORINE, "10"))
    explained = queries.hazard_explanation(site_a)
    assert explained["tier"] == "lower"
    assert any("Chlorine" in line and "10" in line for line in explained["explanation_en"])
    assert explained["explanation_en"][-1].startswith("Result")
    assert len(explained["explanation_th"]) == len(explained["explanation_en"])
    assert explained["declaration"]["year_be"] == 2569


def test_a_sum_just_below_one_never_reads_one(
    site_a: StorageSite, operator_a: Any, officer: Any, client: Any
) -> None:
    """0.5 + 2,499.99999 t / 5,000 t = 0.999999998: below 1, and the page and the sentences say
    so (figures are cut to four decimals, not rounded up onto the boundary)."""
    from django.urls import reverse

    declare(operator_a, site_a, item(METHANOL, "250"), item(TOLUENE, "2499.99999"))
    h = hazard(site_a)
    assert h.tier == "none"
    assert Decimal(h.sums["lower"]["physical"]) < 1
    lines = queries.hazard_explanation(site_a)["explanation_en"]
    assert "physical hazards sum for the lower tier: 0.9999, below 1." in lines, lines
    assert any(line.startswith("Toluene: 2499.9999 t ÷ 5000 t") for line in lines), lines
    client.force_login(officer)
    page = client.get(reverse("chemicals:site_detail", args=[site_a.pk])).content.decode()
    assert "0.9999 &lt; 1" in page and "2,499.9999" in page
    assert "1 &lt; 1" not in page
