"""Worst-case vulnerability zone of a toxic gas, after the US EPA RMP Offsite Consequence
Analysis guidance (EPA 550-B-99-009, 2009) and 40 CFR 68.22/68.25.

The worst case is the release of the largest vessel's contents over 10 minutes, in F stability
with a 1.5 m/s wind, to the toxic endpoint of 40 CFR 68 Appendix A. The distance comes from the
guidance's reference tables, stored as data (data/oca_reference_tables.csv): the substance's own
table where one is stored (ammonia), the neutrally buoyant tables as a marked screening figure
otherwise (SCREENING_METHOD). Between two rows it
is interpolated log-log; the guidance itself reads the next row up, and that reading is returned
too (`guidance_row_mi`). Below the first row the first row's distance is returned (the guidance
prints "<0.1 mi"); past the table's ">25 mi" rows, 25 miles, flagged.
"""

import csv
from dataclasses import dataclass
from decimal import Decimal, localcontext
from functools import cache
from itertools import pairwise

from rongngan.chemicals.cas import CasError, normalise_cas
from rongngan.chemicals.catalogue import DATA, rmp_entry, substance

METHOD = "epa-oca-2009-reference-table"
# A toxic gas without a table of its own here (chlorine, sulphur dioxide ...): its distance is
# read from the guidance's neutrally buoyant tables (Reference Tables 1 and 3, x = release rate /
# toxic endpoint), as a screening figure, and says so. For a gas heavier than air the guidance
# reads a dense-gas table instead, which could not be transcribed; for anhydrous ammonia
# liquefied under pressure, the one dense release whose table is stored, the neutral table gives
# 1.3 to 1.75 times its distance (10 to 5,000 lb/min, rural), so the screening figure is likely
# larger than the guidance's, not smaller (see tests/test_oca.py).
SCREENING_METHOD = "epa-oca-2009-neutral-table-screening"
NEUTRAL_TABLES = {"rural": "rt1-neutral-10min-rural", "urban": "rt3-neutral-10min-urban"}
AIR_MOLECULAR_WEIGHT = Decimal("28.96")  # g/mol, dry air
RELEASE_MINUTES = Decimal(10)
KG_PER_LB = Decimal("0.45359237")
KM_PER_MILE = Decimal("1.609344")
MAX_MILES = Decimal(25)
SETTINGS = ("rural", "urban")
# A site needs a zone when it holds at least this share of the RMP threshold quantity of a toxic
# gas (40 CFR 68.130): 1 = the RMP threshold itself, the point from which US law asks for an
# offsite consequence analysis.
SCREENING_SHARE = Decimal(1)


class OcaError(ValueError):
    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(message or code)
        self.code = code


@dataclass(frozen=True)
class Row:
    x: Decimal
    distance_mi: Decimal
    distance_km: Decimal
    flag: str  # "" | "below" (<0.1 mi) | "beyond" (>25 mi)


@dataclass(frozen=True)
class Zone:
    distance_km: Decimal
    distance_mi: Decimal
    release_rate_lb_min: Decimal
    release_rate_kg_min: Decimal
    endpoint_mg_l: Decimal
    table: str  # table id, e.g. "rt9-ammonia-pressurised-rural"
    table_name: str  # the guidance's name for it, e.g. "Reference Table 9"
    method: str
    interpolation: str  # table_row | interpolated | below_table | beyond_table
    x: Decimal  # the value looked up: lb/min, or (lb/min)/(mg/L) for neutral-gas tables
    x_kind: str
    guidance_row_mi: Decimal  # what reading the next row up gives, as the guidance does
    # The table of another case was read past the transcribed rows of the right one (refrigerated
    # ammonia read on the pressurised table; an urban screening read on the rural table): larger
    # distances at every row both have.
    fallback: bool = False
    screening: bool = False  # read on the neutral tables: no table of its own is stored
    heavier_than_air: bool = False


@cache
def _tables() -> dict[str, tuple[str, str, tuple[Row, ...]]]:
    with open(DATA / "oca_reference_tables.csv", encoding="utf-8", newline="") as fh:
        lines = [line for line in fh if not line.startswith("#")]
    grouped: dict[str, list[Row]] = {}
    meta: dict[str, tuple[str, str]] = {}
    for r in csv.DictReader(lines):
        meta[r["table_id"]] = (r["table"], r["x_kind"])
        grouped.setdefault(r["table_id"], []).append(
            Row(
                Decimal(r["x"]),
                Decimal(r["distance_mi"]),
                Decimal(r["distance_km"]),
                r["flag"],
            )
        )
    return {
        tid: (meta[tid][0], meta[tid][1], tuple(sorted(rows, key=lambda row: row.x)))
        for tid, rows in grouped.items()
    }


@cache
def _assignments() -> dict[tuple[str, str], dict[str, str]]:
    with open(DATA / "oca_substances.csv", encoding="utf-8", newline="") as fh:
        lines = [line for line in fh if not line.startswith("#")]
    return {
        (r["cas"], r["storage"]): {"rural": r["table_rural"], "urban": r["table_urban"]}
        for r in csv.DictReader(lines)
    }


def table_rows(table_id: str) -> tuple[Row, ...]:
    return _tables()[table_id][2]


def _log_log(x: Decimal, lo: Row, hi: Row) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 28
        if hi.distance_mi == lo.distance_mi:
            return lo.distance_mi
        t = (x.ln() - lo.x.ln()) / (hi.x.ln() - lo.x.ln())
        value = (lo.distance_mi.ln() + t * (hi.distance_mi.ln() - lo.distance_mi.ln())).exp()
    return value.quantize(Decimal("0.001"))


def lookup(table_id: str, x: Decimal) -> tuple[Decimal, str, Decimal]:
    """(distance in miles, how it was found, the guidance's next-row-up reading) for x.

    Raises OcaError("beyond_transcribed_table") past the last row of a table that has no
    ">25 mi" row (a table only partly transcribed): there is nothing to read there.
    """
    rows = table_rows(table_id)
    numeric = [row for row in rows if row.flag != "beyond"]
    # Past a ">25 mi" row, or past a last row that reaches 25 miles (the guidance's maximum),
    # there is nothing but 25 miles to read.
    has_beyond = len(numeric) < len(rows) or numeric[-1].distance_mi >= MAX_MILES
    next_up = next((row for row in rows if row.x >= x), None)
    guidance = next_up.distance_mi if next_up is not None else MAX_MILES
    if x <= numeric[0].x:
        if x == numeric[0].x:
            return numeric[0].distance_mi, "table_row", guidance
        return numeric[0].distance_mi, "below_table", guidance
    if x > numeric[-1].x:
        if has_beyond:
            return MAX_MILES, "beyond_table", MAX_MILES
        raise OcaError("beyond_transcribed_table", f"{table_id}: no row beyond {numeric[-1].x}")
    for lo, hi in pairwise(numeric):
        if x == hi.x:
            return hi.distance_mi, "table_row", guidance
        if lo.x < x < hi.x:
            return _log_log(x, lo, hi), "interpolated", guidance
    raise AssertionError("unreachable: x lies inside the table")  # pragma: no cover


def worst_case_zone(
    cas: str,
    largest_vessel_kg: Decimal,
    setting: str,
    *,
    liquefied_refrigerated: bool = False,
) -> Zone:
    try:
        cas = normalise_cas(cas)
    except CasError as exc:
        raise OcaError(exc.code, exc.message) from exc
    if setting not in SETTINGS:
        raise OcaError("bad_setting", "The setting is rural or urban.")
    if isinstance(largest_vessel_kg, int) and not isinstance(largest_vessel_kg, bool):
        largest_vessel_kg = Decimal(largest_vessel_kg)
    if not isinstance(largest_vessel_kg, Decimal) or not largest_vessel_kg > 0:
        raise OcaError("bad_quantity", "The largest vessel's quantity must be positive.")
    entry = rmp_entry(cas)
    if entry is None or entry.toxic_endpoint_mg_l is None:
        raise OcaError("no_endpoint", "The substance has no toxic endpoint (40 CFR 68 App. A).")
    record = substance(cas)
    if record is not None and record.physical_state != "gas":
        raise OcaError("not_a_gas", "Only toxic gases have a zone here (liquids need pools).")
    storage = "refrigerated" if liquefied_refrigerated else "pressurised"
    tables = _assignments().get((cas, storage))
    screening_read = tables is None
    if screening_read:
        tables = NEUTRAL_TABLES

    with localcontext() as ctx:
        ctx.prec = 28
        kg_min = largest_vessel_kg / RELEASE_MINUTES
        lb_min = kg_min / KG_PER_LB
    table_id = tables[setting]
    name, x_kind, _ = _tables()[table_id]
    x = lb_min if x_kind == "rate_lb_min" else lb_min / entry.toxic_endpoint_mg_l
    fallback = False
    try:
        miles, how, guidance = lookup(table_id, x)
    except OcaError:
        if screening_read and setting == "urban":
            # Past the transcribed rows of the urban neutral table: the rural one's distances
            # are larger at every row both have, so reading it errs on the safe side.
            table_id = NEUTRAL_TABLES["rural"]
        elif storage == "refrigerated" and not screening_read:
            # Past the transcribed rows of the refrigerated-ammonia table: the pressurised
            # table's distances are larger at every row both have (the safe side again).
            table_id = _assignments()[(cas, "pressurised")][setting]
        else:
            raise
        name, x_kind, _ = _tables()[table_id]
        miles, how, guidance = lookup(table_id, x)
        fallback = True
    return Zone(
        distance_km=(miles * KM_PER_MILE).quantize(Decimal("0.001")),
        distance_mi=miles,
        release_rate_lb_min=lb_min.quantize(Decimal("0.01")),
        release_rate_kg_min=kg_min,
        endpoint_mg_l=entry.toxic_endpoint_mg_l,
        table=table_id,
        table_name=name,
        method=SCREENING_METHOD if screening_read else METHOD,
        interpolation=how,
        x=x,
        x_kind=x_kind,
        guidance_row_mi=guidance,
        fallback=fallback,
        screening=screening_read,
        heavier_than_air=bool(
            record is not None
            and record.molecular_weight is not None
            and record.molecular_weight > AIR_MOLECULAR_WEIGHT
        ),
    )


def screening(cas: str, max_kg: Decimal) -> bool:
    """Whether a site holding `max_kg` of the substance needs a worst-case zone: it is a gas of
    the catalogue with an RMP toxic endpoint and the site holds at least SCREENING_SHARE of its
    RMP threshold quantity. A gas without a table of its own (chlorine) screens in too: its
    zone is then read on the neutral tables and marked as a screening figure."""
    entry = rmp_entry(cas)
    if entry is None or entry.kind != "toxic" or entry.toxic_endpoint_mg_l is None:
        return False
    record = substance(cas)
    if record is None or record.physical_state != "gas":
        return False
    return max_kg >= entry.threshold_kg * SCREENING_SHARE
