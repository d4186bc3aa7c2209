"""The chemical reference data (data/*.csv) as frozen records: substances, the Seveso III
categories and named substances, the EPA RMP thresholds and toxic endpoints, and the substances'
listings under Thailand's Hazardous Substance Act B.E. 2535.

Pure Python, no Django: the tier rules (tiers.py) and the zone lookup (oca.py) read it, and the
data migration copies it into the database. Every file names its sources in its `#` header;
data/README.md says how they were checked.
"""

import csv
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from rongngan.chemicals.cas import CasError, normalise_cas

DATA = Path(__file__).resolve().parent / "data"

VERSION = "2026.11.27-3"

SOURCES: list[tuple[str, str]] = [
    (
        "Directive 2012/18/EU (Seveso III), Annex I Parts 1 and 2 and Notes",
        "https://eur-lex.europa.eu/eli/dir/2012/18/oj",
    ),
    (
        "40 CFR 68.130 List of substances (RMP threshold quantities)",
        "https://www.ecfr.gov/current/title-40/chapter-I/subchapter-C/part-68/subpart-F/section-68.130",
    ),
    (
        "40 CFR Part 68 Appendix A, Table of Toxic Endpoints",
        "https://www.ecfr.gov/current/title-40/chapter-I/subchapter-C/part-68/appendix-Appendix%20A%20to%20Part%2068",
    ),
    (
        "US EPA, Risk Management Program Guidance for Offsite Consequence Analysis "
        "(EPA 550-B-99-009, March 2009)",
        "https://www.epa.gov/rmp/rmp-guidance-offsite-consequence-analysis",
    ),
    (
        "CLP Regulation (EC) No 1272/2008, Annex VI harmonised classification (ECHA)",
        "https://echa.europa.eu/information-on-chemicals/annex-vi-to-clp",
    ),
    (
        "UN Recommendations on the Transport of Dangerous Goods, Model Regulations",
        "https://unece.org/transport/dangerous-goods/un-model-regulations-rev-23",
    ),
    (
        "US DOT PHMSA Emergency Response Guidebook 2024",
        "https://www.phmsa.dot.gov/hazmat/erg/emergency-response-guidebook-erg",
    ),
    (
        "Ministry of Industry notification: list of hazardous substances B.E. 2556 (2013), "
        "Royal Gazette vol. 130 special part 125 D, with amendments No. 2-8 (FDA consolidated "
        "copy; rows transcribed via the GitHub project pisit15/ppe-tools, not yet compared)",
        "https://hazard.fda.moph.go.th/media.php?id=914720415199404032",
    ),
    (
        "chemicals (Python package, CalebBell): CAS, names and atomic weights, used to check",
        "https://pypi.org/project/chemicals/",
    ),
]

SEVESO_ORDER = "H1 H2 H3 P1a P1b P2 P3a P3b P4 P5a P5b P5c P6a P6b P7 P8 E1 E2 O1 O2 O3".split()


@dataclass(frozen=True)
class GhsEntry:
    hazard_class: str
    category: str
    h_code: str


@dataclass(frozen=True)
class SubstanceRecord:
    cas: str
    un_number: str
    name_en: str
    name_th: str
    synonyms: tuple[str, ...]
    formula: str
    molecular_weight: Decimal | None
    physical_state: str
    liquefied_gas: bool
    density_kg_m3: Decimal | None
    boiling_point_c: Decimal | None
    ghs: tuple[GhsEntry, ...]
    pictograms: tuple[str, ...]
    signal_word: str
    thai_hs_type: int | None
    seveso_categories: tuple[str, ...]
    seveso_named_entry: str | None
    emergency_en: str
    emergency_th: str
    erg_guide: str
    source: str

    @property
    def h_codes(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(entry.h_code for entry in self.ghs))

    @property
    def listings(self) -> tuple["HsListing", ...]:
        """The substance's entries in the Hazardous Substance Act lists (thai_hs_listings.csv)."""
        return hs_listings_for(self.cas)


# The lists of the notification "บัญชีรายชื่อวัตถุอันตราย พ.ศ. 2556", by the agency responsible
# (clause 4): list 4 (FDA) has sub-lists 4.1-4.3, list 5 (DIW) 5.1-5.6.
HS_LIST_AGENCY = {
    "1": "กรมวิชาการเกษตร",
    "2": "กรมประมง",
    "3": "กรมปศุสัตว์",
    "4": "สำนักงานคณะกรรมการอาหารและยา",
    "5": "กรมโรงงานอุตสาหกรรม",
    "6": "กรมธุรกิจพลังงาน",
}
HS_LISTS = ("1", "2", "3", "4.1", "4.2", "4.3", "5.1", "5.2", "5.3", "5.4", "5.5", "5.6", "6")
HS_TYPES = (1, 2, 3, 4)


@dataclass(frozen=True)
class HsListing:
    """One entry of a substance in the Hazardous Substance Act lists, with its type (1-4)."""

    cas: str
    list: str  # "5.1", "4.1" ... (HS_LISTS)
    entry_no: int | None
    name_th: str
    name_en: str
    hs_type: int
    agency_th: str
    agency_en: str
    condition_th: str
    condition_en: str
    source: str
    pages: tuple[int, ...]

    @property
    def is_diw(self) -> bool:
        """A Department of Industrial Works list (5.1-5.6)."""
        return self.list.split(".")[0] == "5"

    def as_dict(self) -> dict[str, Any]:
        return {
            "list": self.list,
            "entry_no": self.entry_no,
            "name_th": self.name_th,
            "name_en": self.name_en,
            "hs_type": self.hs_type,
            "agency_th": self.agency_th,
            "agency_en": self.agency_en,
            "condition_th": self.condition_th,
            "condition_en": self.condition_en,
            "source": self.source,
            "pages": list(self.pages),
        }


@dataclass(frozen=True)
class SevesoCategory:
    code: str
    group: str  # health | physical | environment | other (O1-O3: in no summation)
    name_en: str
    name_th: str
    lower_t: Decimal
    upper_t: Decimal


@dataclass(frozen=True)
class SevesoNamed:
    entry: str
    name_en: str
    name_th: str
    cas: tuple[str, ...]
    lower_t: Decimal
    upper_t: Decimal


@dataclass(frozen=True)
class RmpEntry:
    cas: str
    name: str
    kind: str  # toxic | flammable
    threshold_lb: Decimal
    threshold_kg: Decimal
    toxic_endpoint_mg_l: Decimal | None


def rows(name: str) -> list[dict[str, str]]:
    with open(DATA / name, encoding="utf-8", newline="") as fh:
        lines = [line for line in fh if not line.startswith("#")]
    return list(csv.DictReader(lines))


def _dec(text: str) -> Decimal | None:
    text = (text or "").strip()
    return Decimal(text) if text else None


def _split(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in (text or "").split("|") if part.strip())


def _ghs(text: str) -> tuple[GhsEntry, ...]:
    entries = []
    for part in _split(text):
        hazard_class, category, h_code = (p.strip() for p in part.split(";"))
        entries.append(GhsEntry(hazard_class, category, h_code))
    return tuple(entries)


def seveso_categories_for(ghs: tuple[GhsEntry, ...]) -> tuple[str, ...]:
    """Annex I Part 1 categories implied by a CLP classification.

    Flammable liquids of Category 2 or 3 give P5c: P5a and P5b depend on how the liquid is kept
    (above its boiling point, or under high pressure or temperature), which the declaration says,
    not the substance.
    """
    found: set[str] = set()
    for e in ghs:
        cls, cat, h = e.hazard_class, e.category, e.h_code
        if cls == "Acute Tox." and cat == "1":
            found.add("H1")
        elif cls == "Acute Tox." and (cat == "2" or (cat == "3" and h == "H331")):
            found.add("H2")
        elif cls == "STOT SE" and cat == "1":
            found.add("H3")
        elif cls == "Flam. Gas" and cat in ("1", "1A", "1B", "2"):
            found.add("P2")
        elif cls == "Ox. Gas" and cat == "1":
            found.add("P4")
        elif cls == "Flam. Liq." and cat == "1":
            found.add("P5a")
        elif cls == "Flam. Liq." and cat in ("2", "3"):
            found.add("P5c")
        elif cls in ("Ox. Liq.", "Ox. Sol.") and cat in ("1", "2", "3"):
            found.add("P8")
        elif cls in ("Pyr. Liq.", "Pyr. Sol.") and cat == "1":
            found.add("P7")
        elif cls in ("Aquatic Acute", "Aquatic Chronic") and cat == "1":
            found.add("E1")
        elif cls == "Aquatic Chronic" and cat == "2":
            found.add("E2")
        elif h == "EUH014":
            found.add("O1")
        elif cls == "Water-react." and cat == "1":
            found.add("O2")
        elif h == "EUH029":
            found.add("O3")
    return tuple(code for code in SEVESO_ORDER if code in found)


# CLP Annex I: the pictogram each hazard class and category carries, and which of them are
# "Danger" (the rest are "Warning"; a classification without a pictogram may still be one).
_PICTOGRAM = {
    "Flam. Gas": "GHS02",
    "Flam. Liq.": "GHS02",
    "Flam. Sol.": "GHS02",
    "Pyr. Liq.": "GHS02",
    "Pyr. Sol.": "GHS02",
    "Water-react.": "GHS02",
    "Ox. Gas": "GHS03",
    "Ox. Liq.": "GHS03",
    "Ox. Sol.": "GHS03",
    "Press. Gas": "GHS04",
    "Skin Corr.": "GHS05",
    "Eye Dam.": "GHS05",
    "Met. Corr.": "GHS05",
    "Skin Irrit.": "GHS07",
    "Eye Irrit.": "GHS07",
    "Skin Sens.": "GHS07",
    "Resp. Sens.": "GHS08",
    "Muta.": "GHS08",
    "Carc.": "GHS08",
    "Repr.": "GHS08",
    "STOT RE": "GHS08",
    "Asp. Tox.": "GHS08",
    "Ozone": "GHS07",
}
_DANGER = {
    ("Flam. Gas", "1"),
    ("Flam. Gas", "1A"),
    ("Flam. Gas", "1B"),
    ("Flam. Liq.", "1"),
    ("Flam. Liq.", "2"),
    ("Ox. Gas", "1"),
    ("Ox. Liq.", "1"),
    ("Ox. Liq.", "2"),
    ("Ox. Sol.", "1"),
    ("Ox. Sol.", "2"),
    ("Chem. Unst. Gas", "A"),
    ("Skin Corr.", "1"),
    ("Skin Corr.", "1A"),
    ("Skin Corr.", "1B"),
    ("Skin Corr.", "1C"),
    ("Eye Dam.", "1"),
    ("Resp. Sens.", "1"),
    ("Muta.", "1A"),
    ("Muta.", "1B"),
    ("Carc.", "1A"),
    ("Carc.", "1B"),
    ("Repr.", "1A"),
    ("Repr.", "1B"),
    ("STOT SE", "1"),
    ("STOT RE", "1"),
    ("Asp. Tox.", "1"),
    ("Pyr. Liq.", "1"),
    ("Pyr. Sol.", "1"),
    ("Water-react.", "1"),
    ("Water-react.", "2"),
}


def pictograms_for(ghs: tuple[GhsEntry, ...]) -> tuple[str, ...]:
    """The CLP pictograms of a classification, with the precedence rules of CLP Article 26(1):
    no GHS07 beside GHS06; none for skin or eye irritation beside GHS05; none for skin
    sensitisation or irritation beside GHS08 for respiratory sensitisation."""
    found: set[str] = set()
    gh07_reasons: set[str] = set()
    resp_sens = False
    for e in ghs:
        cls, cat = e.hazard_class, e.category
        if cls == "Flam. Gas" and cat == "2":
            continue  # Category 2 flammable gases carry no pictogram
        if cls == "Acute Tox.":
            if cat in ("1", "2", "3"):
                found.add("GHS06")
            else:
                gh07_reasons.add("acute")
            continue
        if cls == "STOT SE":
            if cat in ("1", "2"):
                found.add("GHS08")
            else:
                gh07_reasons.add("other")
            continue
        if cls in ("Aquatic Acute", "Aquatic Chronic"):
            if (cls, cat) in (
                ("Aquatic Acute", "1"),
                ("Aquatic Chronic", "1"),
                ("Aquatic Chronic", "2"),
            ):
                found.add("GHS09")
            continue
        picto = _PICTOGRAM.get(cls)
        if picto == "GHS07":
            reason = {"Skin Irrit.": "irrit", "Eye Irrit.": "irrit", "Skin Sens.": "sens"}
            gh07_reasons.add(reason.get(cls, "other"))
        elif picto:
            found.add(picto)
        if cls == "Resp. Sens.":
            resp_sens = True
    if "GHS06" in found:
        gh07_reasons.clear()
    if "GHS05" in found:
        gh07_reasons.discard("irrit")
    if resp_sens:
        gh07_reasons -= {"sens", "irrit"}
    if gh07_reasons:
        found.add("GHS07")
    return tuple(sorted(found))


def signal_word_for(ghs: tuple[GhsEntry, ...]) -> str:
    if any(
        (e.hazard_class, e.category) in _DANGER
        or (e.hazard_class == "Acute Tox." and e.category in ("1", "2", "3"))
        for e in ghs
    ):
        return "Danger"
    return "Warning" if any(not e.hazard_class.startswith("EUH") for e in ghs) else ""


def _substance(r: dict[str, str]) -> SubstanceRecord:
    hs_type = (r.get("thai_hs_type") or "").strip()
    return SubstanceRecord(
        cas=r["cas"].strip(),
        un_number=(r.get("un_number") or "").strip(),
        name_en=r["name_en"].strip(),
        name_th=(r.get("name_th") or "").strip(),
        synonyms=_split(r.get("synonyms", "")),
        formula=(r.get("formula") or "").strip(),
        molecular_weight=_dec(r.get("molecular_weight", "")),
        physical_state=r["physical_state"].strip(),
        liquefied_gas=(r.get("liquefied_gas") or "").strip().lower() in ("yes", "true", "1"),
        density_kg_m3=_dec(r.get("density_kg_m3", "")),
        boiling_point_c=_dec(r.get("boiling_point_c", "")),
        ghs=_ghs(r.get("ghs", "")),
        pictograms=_split(r.get("pictograms", "")),
        signal_word=(r.get("signal_word") or "").strip(),
        thai_hs_type=int(hs_type) if hs_type else None,
        seveso_categories=_split(r.get("seveso_categories", "")),
        seveso_named_entry=(r.get("seveso_named_entry") or "").strip() or None,
        emergency_en=(r.get("emergency_en") or "").strip(),
        emergency_th=(r.get("emergency_th") or "").strip(),
        erg_guide=(r.get("erg_guide") or "").strip(),
        source=(r.get("source") or "").strip(),
    )


@cache
def _substances() -> tuple[SubstanceRecord, ...]:
    return tuple(_substance(r) for r in rows("substances.csv"))


@cache
def _by_cas() -> dict[str, SubstanceRecord]:
    return {s.cas: s for s in _substances()}


def substances() -> list[SubstanceRecord]:
    return list(_substances())


def substance(cas: str) -> SubstanceRecord | None:
    try:
        return _by_cas().get(normalise_cas(cas))
    except CasError:
        return None


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"[\s\-_,.()'/]+", "", text)


@cache
def _index() -> dict[str, tuple[SubstanceRecord, ...]]:
    index: dict[str, list[SubstanceRecord]] = {}
    for s in _substances():
        keys = {s.cas, s.cas.replace("-", ""), s.name_en, s.name_th, *s.synonyms}
        if s.un_number:
            keys |= {s.un_number, f"UN{s.un_number}"}
        for key in keys:
            folded = _fold(key) if key else ""
            if folded and s not in index.setdefault(folded, []):
                index[folded].append(s)
    return {k: tuple(v) for k, v in index.items()}


def find(text: str) -> list[SubstanceRecord]:
    """Every substance whose CAS, UN number, English or Thai name or synonym equals `text`.

    Matching ignores case, spaces and punctuation but is otherwise exact: "LPG" finds the
    LPG row, never a near name. Several matches are all returned so that the caller asks which
    one is meant instead of guessing (UN 1971 is methane and natural gas).
    """
    folded = _fold(text or "")
    if not folded:
        return []
    return list(_index().get(folded, ()))


@cache
def seveso_categories() -> dict[str, SevesoCategory]:
    return {
        r["code"]: SevesoCategory(
            code=r["code"],
            group=r["group"],
            name_en=r["name_en"],
            name_th=r["name_th"],
            lower_t=Decimal(r["lower_t"]),
            upper_t=Decimal(r["upper_t"]),
        )
        for r in rows("seveso_categories.csv")
    }


@cache
def seveso_named() -> dict[str, SevesoNamed]:
    return {
        r["entry"]: SevesoNamed(
            entry=r["entry"],
            name_en=r["name_en"],
            name_th=r["name_th"],
            cas=_split(r.get("cas", "")),
            lower_t=Decimal(r["lower_t"]),
            upper_t=Decimal(r["upper_t"]),
        )
        for r in rows("seveso_named.csv")
    }


@cache
def _rmp() -> dict[str, RmpEntry]:
    return {
        r["cas"]: RmpEntry(
            cas=r["cas"],
            name=r["name"],
            kind=r["list"],
            threshold_lb=Decimal(r["threshold_lb"]),
            threshold_kg=Decimal(r["threshold_kg"]),
            toxic_endpoint_mg_l=_dec(r.get("toxic_endpoint_mg_l", "")),
        )
        for r in rows("rmp.csv")
    }


class CatalogueDataError(ValueError):
    """A data file breaks a rule the code relies on; the message lists every problem."""


def parse_hs_listings(
    records: list[dict[str, str]], known_cas: set[str] | frozenset[str]
) -> tuple[HsListing, ...]:
    """The rows of thai_hs_listings.csv as records, checked: the CAS number is in the catalogue,
    the list is one of HS_LISTS and its agency is the list's, the type is 1-4, the entry number
    and pages are whole numbers, the source is a URL and no entry appears twice. Every problem
    is reported at once (CatalogueDataError)."""
    problems: list[str] = []
    found: list[HsListing] = []
    seen: set[tuple[str, str, int | None]] = set()
    for n, r in enumerate(records, start=1):
        where = f"thai_hs_listings.csv row {n}"
        cas = (r.get("cas") or "").strip()
        hs_list = (r.get("list") or "").strip()
        entry = (r.get("entry_no") or "").strip()
        hs_type = (r.get("hs_type") or "").strip()
        agency_th = (r.get("agency_th") or "").strip()
        source = (r.get("source") or "").strip()
        pages = _split(r.get("page", ""))
        before = len(problems)
        if cas not in known_cas:
            problems.append(f"{where}: CAS {cas!r} is not in substances.csv")
        if hs_list not in HS_LISTS:
            problems.append(f"{where}: unknown list {hs_list!r}")
        elif agency_th != HS_LIST_AGENCY[hs_list.split(".")[0]]:
            problems.append(f"{where}: list {hs_list} is not {agency_th!r}'s")
        if hs_type not in {str(t) for t in HS_TYPES}:
            problems.append(f"{where}: type {hs_type!r} is not 1-4")
        if entry and not entry.isdecimal():
            problems.append(f"{where}: entry number {entry!r} is not a number")
        if not all(p.isdecimal() for p in pages):
            problems.append(f"{where}: page {r.get('page')!r} is not a number")
        if source and not source.startswith(("https://", "http://")):
            problems.append(f"{where}: source {source!r} is not a URL")
        if len(problems) > before:
            continue
        key = (cas, hs_list, int(entry) if entry else None)
        if key[2] is not None and key in seen:
            problems.append(f"{where}: {cas} list {hs_list} entry {entry} appears twice")
            continue
        seen.add(key)
        found.append(
            HsListing(
                cas=cas,
                list=hs_list,
                entry_no=key[2],
                name_th=(r.get("name_th") or "").strip(),
                name_en=(r.get("name_en") or "").strip(),
                hs_type=int(hs_type),
                agency_th=agency_th,
                agency_en=(r.get("agency_en") or "").strip(),
                condition_th=(r.get("condition_th") or "").strip(),
                condition_en=(r.get("condition_en") or "").strip(),
                source=source,
                pages=tuple(int(p) for p in pages),
            )
        )
    if problems:
        raise CatalogueDataError("; ".join(problems))
    return tuple(found)


@cache
def hs_listings() -> tuple[HsListing, ...]:
    """Every listing of thai_hs_listings.csv, checked against the catalogue when first read."""
    return parse_hs_listings(rows("thai_hs_listings.csv"), frozenset(_by_cas()))


@cache
def _hs_by_cas() -> dict[str, tuple[HsListing, ...]]:
    by_cas: dict[str, list[HsListing]] = {}
    for listing in hs_listings():
        by_cas.setdefault(listing.cas, []).append(listing)
    return {cas: tuple(v) for cas, v in by_cas.items()}


def hs_listings_for(cas: str) -> tuple[HsListing, ...]:
    """A substance's listings, in the file's order (none for an unknown CAS number)."""
    try:
        return _hs_by_cas().get(normalise_cas(cas), ())
    except CasError:
        return ()


def diw_hs_type(listings: tuple[HsListing, ...] | list[HsListing]) -> int | None:
    """The type of the substance's Department of Industrial Works listing (lists 5.1-5.6) when
    its DIW entries give exactly one type; None when there is no DIW entry or several types
    (then the listings say which entry has which type)."""
    types = {listing.hs_type for listing in listings if listing.is_diw}
    return types.pop() if len(types) == 1 else None


def rmp_entry(cas: str) -> RmpEntry | None:
    try:
        return _rmp().get(normalise_cas(cas))
    except CasError:
        return None
