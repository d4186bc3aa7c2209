"""A site's hazard status computed from its current inventory and the rules modules.

Kept apart from the database so the one-site path (`services.hazard_recompute`) and the bulk path
(`services.hazards_recompute_all`, 30,000 sites at once) run the same code on plain facts:

- tier: `tiers.assess` over every item, maximum quantity in tonnes (Seveso III Note 4), a pure
  substance by its catalogue categories and named entry, a mixture by the categories its
  declarant classified it in; items declared as unable to initiate a major accident are passed
  with can_initiate=False (the 2 % rule is applied by `tiers`).
- RMP: each listed substance's summed maximum quantity against its 40 CFR 68.130 threshold.
- zone: for substances with a toxic endpoint above `oca.screening`, the EPA OCA worst case of the
  largest vessel (the largest container declared, else the whole item), in the site's stated
  surroundings or, when none is stated, "rural" (open country: the larger distance).
"""

import dataclasses
import enum
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

KG_PER_TONNE = Decimal(1000)
GAS_STATES = {"gas", "liquefied_gas"}
DEFAULT_SETTING = "rural"


@dataclass(frozen=True)
class SubstanceFacts:
    id: int
    cas: str
    name_en: str
    name_th: str
    physical_state: str
    liquefied_gas: bool
    boiling_point_c: Decimal | None
    seveso_categories: tuple[str, ...]
    seveso_named_entry: str
    rmp_kind: str
    rmp_threshold_kg: Decimal | None
    toxic_endpoint_mg_l: Decimal | None
    ghs: tuple[Mapping[str, Any], ...]
    pictograms: tuple[str, ...]
    signal_word: str
    emergency_en: str
    emergency_th: str


SUBSTANCE_FIELDS = [f.name for f in dataclasses.fields(SubstanceFacts)]


def substance_facts(row: Mapping[str, Any]) -> SubstanceFacts:
    """From a `Substance.objects.values(*SUBSTANCE_FIELDS)` row (or a model's __dict__)."""
    return SubstanceFacts(
        id=row["id"],
        cas=row["cas"],
        name_en=row["name_en"],
        name_th=row["name_th"],
        physical_state=row["physical_state"],
        liquefied_gas=row["liquefied_gas"],
        boiling_point_c=row["boiling_point_c"],
        seveso_categories=tuple(row["seveso_categories"] or ()),
        seveso_named_entry=row["seveso_named_entry"] or "",
        rmp_kind=row["rmp_kind"] or "",
        rmp_threshold_kg=row["rmp_threshold_kg"],
        toxic_endpoint_mg_l=row["toxic_endpoint_mg_l"],
        ghs=tuple(row["ghs"] or ()),
        pictograms=tuple(row["pictograms"] or ()),
        signal_word=row["signal_word"] or "",
        emergency_en=row["emergency_en"] or "",
        emergency_th=row["emergency_th"] or "",
    )


@dataclass(frozen=True)
class ItemFacts:
    line: int
    substance: SubstanceFacts | None
    mixture_name: str
    mixture_categories: tuple[str, ...]
    physical_state: str
    max_kg: Decimal
    largest_container_kg: Decimal | None
    storage_type: str
    temperature_c: Decimal | None
    isolated: bool

    @property
    def label(self) -> str:
        return self.substance.name_en if self.substance else self.mixture_name

    @property
    def key(self) -> str:
        return f"{self.line}:{self.substance.cas if self.substance else 'mixture'}"


ITEM_FIELDS = [
    "line",
    "substance_id",
    "mixture_name",
    "mixture_categories",
    "physical_state",
    "max_kg",
    "largest_container_kg",
    "storage_type",
    "temperature_c",
    "isolated",
]


def item_facts(row: Mapping[str, Any], substances: Mapping[int, SubstanceFacts]) -> ItemFacts:
    """From an `InventoryItem.objects.values(*ITEM_FIELDS)` row."""
    sid = row["substance_id"]
    return ItemFacts(
        line=row["line"],
        substance=substances[sid] if sid else None,
        mixture_name=row["mixture_name"] or "",
        mixture_categories=tuple(row["mixture_categories"] or ()),
        physical_state=row["physical_state"],
        max_kg=Decimal(row["max_kg"]),
        largest_container_kg=(
            None if row["largest_container_kg"] is None else Decimal(row["largest_container_kg"])
        ),
        storage_type=row["storage_type"] or "",
        temperature_c=row["temperature_c"],
        isolated=bool(row["isolated"]),
    )


@dataclass
class HazardFacts:
    tier: str = "none"
    hazard_ratio: float = 0.0
    sums: Any = field(default_factory=dict)
    contributions: Any = field(default_factory=list)
    explanation: Any = field(default_factory=list)
    rmp_crossed: list[dict[str, Any]] = field(default_factory=list)
    public_substances: list[dict[str, Any]] = field(default_factory=list)
    zone_radius_km: Decimal | None = None
    zone_cas: str = ""
    zone_substance: str = ""
    zone_method: str = ""
    zone_setting: str = ""
    zone_details: dict[str, Any] = field(default_factory=dict)


_SCALARS = (str, int, float, bool, type(None))


def jsonable(value: Any) -> Any:
    """Results of the rules modules (dataclasses, Decimals, enums, tuples) as JSON values.

    Decimals become strings so that exact boundaries (a sum of exactly 1) survive the round trip.
    Dispatches on the exact type first: the bulk recompute converts a few million values.
    """
    t = type(value)
    if t in _SCALARS:
        return None if t is float and not math.isfinite(value) else value
    if t is Decimal:
        return str(value)
    if t is dict:
        return {str(k): jsonable(v) for k, v in value.items()}
    if t is list or t is tuple:
        return [jsonable(v) for v in value]
    fields = getattr(t, "__dataclass_fields__", None)
    if fields is not None:
        return {name: jsonable(getattr(value, name)) for name in fields}
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if isinstance(value, enum.Enum):
        return jsonable(value.value)
    if isinstance(value, str | int | float):
        return value
    return str(value)


def lower_ratio(sums: Mapping[str, Mapping[str, Any]]) -> float:
    """The largest of the three Seveso sums at the lower-tier thresholds (1: lower tier reached).

    `tiers.assess` returns {"lower": {group: sum}, "upper": {group: sum}}.
    """
    return max((float(v) for v in (sums.get("lower") or {}).values()), default=0.0)


def _public(items: list[ItemFacts]) -> list[dict[str, Any]]:
    """What the public may know of an upper-tier site: which substances, their hazard classes
    and emergency advice; never quantities, vessels or containers."""
    out: dict[str, dict[str, Any]] = {}
    for item in items:
        s = item.substance
        if s is None:
            out.setdefault(
                f"mixture:{item.mixture_name}",
                {
                    "cas": "",
                    "name_en": item.mixture_name,
                    "name_th": item.mixture_name,
                    "hazard_classes": [],
                    "seveso_categories": sorted(item.mixture_categories),
                    "pictograms": [],
                    "signal_word": "",
                    "emergency_en": "",
                    "emergency_th": "",
                },
            )
            continue
        out.setdefault(
            s.cas,
            {
                "cas": s.cas,
                "name_en": s.name_en,
                "name_th": s.name_th,
                "hazard_classes": sorted({str(g.get("hazard_class", "")) for g in s.ghs} - {""}),
                "seveso_categories": sorted(s.seveso_categories),
                "pictograms": list(s.pictograms),
                "signal_word": s.signal_word,
                "emergency_en": s.emergency_en,
                "emergency_th": s.emergency_th,
            },
        )
    return list(out.values())


def _refrigerated(item: ItemFacts) -> bool:
    if item.storage_type == "refrigerated":
        return True
    bp = item.substance.boiling_point_c if item.substance else None
    return item.temperature_c is not None and bp is not None and item.temperature_c <= bp


def _zone(items: list[ItemFacts], setting: str, facts: HazardFacts) -> None:
    from rongngan.chemicals import oca

    by_cas: dict[str, list[ItemFacts]] = {}
    for item in items:
        s = item.substance
        if s is None or s.toxic_endpoint_mg_l is None:
            continue
        if item.physical_state not in GAS_STATES and s.physical_state not in GAS_STATES:
            continue
        by_cas.setdefault(s.cas, []).append(item)
    best: tuple[float, Any, ItemFacts, Decimal] | None = None
    notes: list[dict[str, str]] = []
    for cas, group in by_cas.items():
        total = sum((i.max_kg for i in group), Decimal(0))
        try:
            if not oca.screening(cas, total):
                continue
        except oca.OcaError as exc:
            notes.append({"cas": cas, "error": getattr(exc, "code", str(exc))})
            continue
        vessel_item = max(group, key=lambda i: i.largest_container_kg or i.max_kg)
        vessel = vessel_item.largest_container_kg or vessel_item.max_kg
        try:
            zone = oca.worst_case_zone(
                cas, vessel, setting, liquefied_refrigerated=_refrigerated(vessel_item)
            )
        except oca.OcaError as exc:
            notes.append({"cas": cas, "error": getattr(exc, "code", str(exc))})
            continue
        distance = float(zone.distance_km)
        if best is None or distance > best[0]:
            best = (distance, zone, vessel_item, vessel)
    if notes:
        facts.zone_details["not_computed"] = notes
    if best is None:
        return
    _distance, zone, item, vessel = best
    facts.zone_radius_km = Decimal(str(zone.distance_km)).quantize(Decimal("0.001"))
    facts.zone_cas = item.substance.cas if item.substance else ""
    facts.zone_substance = item.label
    facts.zone_method = str(zone.method)
    facts.zone_setting = setting
    facts.zone_details.update({"zone": jsonable(zone), "vessel_kg": str(vessel), "line": item.line})


def _tier_items(items: list[ItemFacts]) -> list[Any]:
    from rongngan.chemicals import tiers

    return [
        tiers.TierItem(
            key=item.key,
            label=item.label,
            quantity_t=item.max_kg / KG_PER_TONNE,
            categories=tuple(
                item.substance.seveso_categories if item.substance else item.mixture_categories
            ),
            named_entry=(item.substance.seveso_named_entry or None) if item.substance else None,
            can_initiate=not item.isolated,
        )
        for item in items
    ]


def steps(items: list[ItemFacts]) -> list[Any]:
    """The rules' steps for these items ([code, params] pairs), for the explanation sentences."""
    from rongngan.chemicals import tiers

    if not items:
        return []
    try:
        return jsonable(tiers.assess(_tier_items(items)).explanation)
    except tiers.TierError as exc:
        return [["error", {"code": exc.code}]]


def compute(items: list[ItemFacts], surroundings: str = "") -> HazardFacts:
    from rongngan.chemicals import tiers

    facts = HazardFacts()
    if not items:
        return facts
    try:
        result = tiers.assess(_tier_items(items))
    except tiers.TierError as exc:
        # Bad reference data must not stop a bulk run: the site shows why it has no status.
        facts.explanation = {"error": exc.code, "params": jsonable(exc.params)}
        return facts
    facts.tier = str(result.tier)
    facts.sums = jsonable(result.sums)
    facts.contributions = jsonable(result.contributions)
    # The step-by-step sentences are not cached (they are most of the volume at national scale):
    # `steps(items)` rebuilds them for the one site a reader opens.
    facts.explanation = {
        "direct": jsonable(result.direct),
        "ignored_2pct": jsonable(result.ignored_2pct),
        "qualifying": jsonable(getattr(result, "qualifying", {})),
        "labels": {item.key: item.label for item in items},
    }
    facts.hazard_ratio = max(
        [lower_ratio(result.sums)]
        + [float(c.ratio) for c in result.contributions if c.level == "lower" and not c.ignored]
    )
    # RMP: per substance, the sum of the maximum quantities against the threshold quantity.
    totals: dict[str, tuple[SubstanceFacts, Decimal]] = {}
    for item in items:
        s = item.substance
        if s is not None and s.rmp_threshold_kg is not None:
            prev = totals.get(s.cas, (s, Decimal(0)))[1]
            totals[s.cas] = (s, prev + item.max_kg)
    for cas, (s, kg) in sorted(totals.items()):
        if kg >= s.rmp_threshold_kg:
            facts.rmp_crossed.append(
                {
                    "cas": cas,
                    "name_en": s.name_en,
                    "name_th": s.name_th,
                    "list": s.rmp_kind,
                    "threshold_kg": str(s.rmp_threshold_kg),
                    "quantity_kg": format(kg.normalize(), "f"),
                }
            )
    setting = surroundings or DEFAULT_SETTING
    _zone(items, setting, facts)
    facts.zone_details["setting_basis"] = "site" if surroundings else "default_rural"
    if facts.tier != "none":
        # the published fields (the public map reads them for upper-tier sites only)
        facts.public_substances = _public(items)
    return facts
