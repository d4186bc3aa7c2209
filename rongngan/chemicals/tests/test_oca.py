"""Worst-case zones read from the EPA OCA reference tables: equal to the published rows at
the rows, between the neighbours elsewhere, urban shorter than rural, and clear refusals."""

from decimal import Decimal
from itertools import pairwise

import pytest

from rongngan.chemicals.catalogue import rmp_entry
from rongngan.chemicals.oca import (
    KG_PER_LB,
    MAX_MILES,
    METHOD,
    SCREENING_METHOD,
    OcaError,
    lookup,
    screening,
    table_rows,
    worst_case_zone,
)

AMMONIA = "7664-41-7"
CHLORINE = "7782-50-5"
D = Decimal


def kg_for_rate(lb_min: str) -> Decimal:
    # a vessel that empties at `lb_min` over the 10-minute worst case
    return D(lb_min) * 10 * KG_PER_LB


@pytest.mark.parametrize(
    ("lb_min", "rural", "urban"),
    [
        ("1000", "1.8", "1.2"),
        ("10000", "5.6", "3.6"),
        ("100", "0.6", "0.4"),
        ("100000", "18", "10"),
    ],
)
def test_ammonia_zone_equals_reference_table_9_at_its_rows(
    lb_min: str, rural: str, urban: str
) -> None:
    r = worst_case_zone(AMMONIA, kg_for_rate(lb_min), "rural")
    u = worst_case_zone(AMMONIA, kg_for_rate(lb_min), "urban")
    assert (r.distance_mi, r.interpolation, r.table_name) == (
        D(rural),
        "table_row",
        "Reference Table 9",
    )
    assert u.distance_mi == D(urban)
    assert r.release_rate_lb_min == D(lb_min)
    assert r.endpoint_mg_l == D("0.14")
    assert r.method == "epa-oca-2009-reference-table"
    assert r.distance_km == (D(rural) * D("1.609344")).quantize(D("0.001"))


def test_between_rows_the_distance_lies_between_the_neighbours() -> None:
    # 1,250 lb/min lies between the 1,000 (1.8 mi) and 1,500 (2.2 mi) rows
    z = worst_case_zone(AMMONIA, kg_for_rate("1250"), "rural")
    assert z.interpolation == "interpolated"
    assert D("1.8") < z.distance_mi < D("2.2")
    assert z.guidance_row_mi == D("2.2")  # the guidance reads the next row up


def test_urban_is_shorter_than_rural() -> None:
    for kg in (D("500"), D("5000"), D("50000")):
        rural = worst_case_zone(AMMONIA, kg, "rural")
        urban = worst_case_zone(AMMONIA, kg, "urban")
        assert urban.distance_km < rural.distance_km


def test_past_the_last_row_the_zone_is_the_stated_25_miles_flagged() -> None:
    z = worst_case_zone(AMMONIA, D("2000000"), "rural")
    assert (z.distance_mi, z.interpolation) == (MAX_MILES, "beyond_table")


def test_below_the_first_row_the_zone_is_the_first_rows_distance() -> None:
    z = worst_case_zone(AMMONIA, D("1"), "rural")
    assert (z.distance_mi, z.interpolation) == (D("0.1"), "below_table")


def test_refrigerated_ammonia_reads_table_10() -> None:
    z = worst_case_zone(AMMONIA, kg_for_rate("1000"), "rural", liquefied_refrigerated=True)
    assert (z.table_name, z.distance_mi, z.fallback) == ("Reference Table 10", D("1.6"), False)
    # past its transcribed rows it falls back to the larger pressurised distances, flagged
    far = worst_case_zone(AMMONIA, kg_for_rate("10000"), "rural", liquefied_refrigerated=True)
    assert (far.table_name, far.distance_mi, far.fallback) == ("Reference Table 9", D("5.6"), True)


def test_the_neutral_gas_table_reads_rate_over_endpoint() -> None:
    rows = table_rows("rt1-neutral-10min-rural")
    assert (rows[0].x, rows[0].distance_mi) == (D("4.4"), D("0.1"))
    assert (rows[-1].x, rows[-1].distance_mi) == (D("347000"), D("25"))
    assert lookup("rt1-neutral-10min-rural", D("10000"))[:2] == (D("3.6"), "table_row")
    with pytest.raises(OcaError) as exc:  # the urban table is only partly transcribed
        lookup("rt3-neutral-10min-urban", D("5000"))
    assert exc.value.code == "beyond_transcribed_table"


def test_interpolation_never_decreases_along_a_table() -> None:
    previous = D(0)
    for lb in range(1, 160000, 997):
        miles, _, _ = lookup("rt9-ammonia-pressurised-rural", D(lb))
        assert miles >= previous
        previous = miles


@pytest.mark.parametrize(
    ("cas", "code"),
    [
        ("71-43-2", "no_endpoint"),
        ("7664-41-8", "cas_check_digit"),
        ("107-13-1", "not_a_gas"),
    ],
)
def test_substances_without_an_endpoint_are_refused(cas: str, code: str) -> None:
    with pytest.raises(OcaError) as exc:
        worst_case_zone(cas, D("1000"), "rural")
    assert exc.value.code == code


def test_bad_settings_and_quantities_are_refused() -> None:
    with pytest.raises(OcaError) as exc:
        worst_case_zone(AMMONIA, D("1000"), "suburban")
    assert exc.value.code == "bad_setting"
    with pytest.raises(OcaError) as exc:
        worst_case_zone(AMMONIA, D("0"), "rural")
    assert exc.value.code == "bad_quantity"


def test_screening_starts_at_the_rmp_threshold_of_a_toxic_gas() -> None:
    assert screening(AMMONIA, D("4535.9237"))  # 10,000 lb exactly
    assert not screening(AMMONIA, D("4535.9236"))
    assert screening(CHLORINE, D("1133.980925"))  # 2,500 lb
    assert not screening("71-43-2", D("1000000"))  # benzene: no endpoint
    assert not screening("107-13-1", D("1000000"))  # acrylonitrile: a liquid


def test_every_stored_table_grows_with_x_and_urban_never_exceeds_rural() -> None:
    for table in (
        "rt1-neutral-10min-rural",
        "rt9-ammonia-pressurised-rural",
        "rt10-ammonia-other-rural",
    ):
        rows = table_rows(table)
        assert all(a.x < b.x and a.distance_mi <= b.distance_mi for a, b in pairwise(rows))
    for rural_id in ("rt9-ammonia-pressurised-rural", "rt10-ammonia-other-rural"):
        rural = {r.x: r.distance_mi for r in table_rows(rural_id)}
        urban = {r.x: r.distance_mi for r in table_rows(rural_id.replace("rural", "urban"))}
        assert rural.keys() == urban.keys()
        assert all(urban[x] <= rural[x] for x in rural)
    assert all(
        r.distance_km == r.distance_mi * D("1.609344")
        for r in table_rows("rt9-ammonia-pressurised-rural")
    )


def test_a_gas_without_its_own_table_gets_a_marked_screening_zone_from_the_neutral_tables() -> None:
    endpoint = rmp_entry(CHLORINE).toxic_endpoint_mg_l
    assert endpoint == D("0.0087")
    # A one-tonne cylinder released over 10 minutes: 100 kg/min.
    zone = worst_case_zone(CHLORINE, D("1000"), "rural")
    x = D("100") / KG_PER_LB / endpoint
    assert (zone.method, zone.screening, zone.heavier_than_air) == (SCREENING_METHOD, True, True)
    assert (zone.table, zone.table_name, zone.fallback) == (
        "rt1-neutral-10min-rural",
        "Reference Table 1",
        False,
    )
    assert zone.x == x and zone.distance_mi == lookup("rt1-neutral-10min-rural", x)[0]
    assert zone.distance_km == (zone.distance_mi * D("1.609344")).quantize(D("0.001"))
    # Urban: x is past the last transcribed row of Reference Table 3 (4,200), so the rural
    # table is read instead (larger at every row both have), and the zone says so.
    urban = worst_case_zone(CHLORINE, D("1000"), "urban")
    assert (urban.table, urban.fallback, urban.distance_mi) == (
        "rt1-neutral-10min-rural",
        True,
        zone.distance_mi,
    )
    small = worst_case_zone(CHLORINE, D("10"), "urban")  # x = 253: inside Reference Table 3
    assert (small.table, small.fallback, small.screening) == (
        "rt3-neutral-10min-urban",
        False,
        True,
    )
    # A rail tank car reads 25 miles, the guidance's maximum, flagged as beyond the table.
    tank = worst_case_zone(CHLORINE, D("90000"), "rural")
    assert (tank.distance_mi, tank.interpolation) == (D(25), "beyond_table")
    # Ammonia keeps its own table.
    assert worst_case_zone(AMMONIA, D("1000"), "rural").method == METHOD


def test_the_neutral_table_reads_larger_than_the_dense_table_where_both_exist() -> None:
    """The ground for calling the screening figure likely larger than the guidance's: for
    anhydrous ammonia liquefied under pressure (a dense release with its own table), reading
    the neutral table instead gives 1.3 to 1.75 times the distance."""
    endpoint = rmp_entry(AMMONIA).toxic_endpoint_mg_l
    for lb in (10, 50, 100, 200, 500, 1000, 2000, 5000):
        dense = lookup("rt9-ammonia-pressurised-rural", D(lb))[0]
        neutral = lookup("rt1-neutral-10min-rural", D(lb) / endpoint)[0]
        assert D("1.3") <= neutral / dense <= D("1.75"), (lb, neutral, dense)
