"""Seveso III tier of an establishment from what it holds (Directive 2012/18/EU, Annex I).

The rules, as the Annex and its Notes set them:
- Each substance counts with the maximum quantity present or likely to be present at any one
  time (the caller passes that quantity, in tonnes).
- A named substance (Part 2) uses its Part 2 qualifying quantities; the Part 1 quantities of
  its categories are then not used. Its Part 1 categories still say which summations it enters.
- Three summations, each done for the lower-tier and the upper-tier quantities: health (H1-H3),
  physical (P1-P8) and environmental (E1-E2). A substance is counted in every group it belongs
  to; within one group it counts once, with the lowest qualifying quantity among its categories
  in that group. O1-O3 enter no summation: they count substance by substance.
- A group qualifies when its sum of q / Q is greater than or equal to 1; a substance alone
  qualifies when q >= Q. Sums are kept as exact fractions, so a sum of exactly 1 qualifies.
- The 2 % rule: a substance present at no more than 2 % of the relevant qualifying quantity is
  left out of a sum when it is placed where it cannot start a major accident elsewhere on site
  (`can_initiate=False`).

The result is data: the app renders and translates it. Explanation entries are (code, params):
  item_not_dangerous {key}; named_without_groups {key, entry};
  contribution / ignored_2pct / direct {key, group, level, basis, basis_kind, quantity_t,
    threshold_t, ratio}; sum {level, group, value, qualifies}; tier {tier} (always last).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from fractions import Fraction

from rongngan.chemicals.catalogue import seveso_categories, seveso_named

LEVELS = ("lower", "upper")
GROUPS = ("health", "physical", "environment")
OTHER = "other"
TWO_PERCENT = Fraction(2, 100)


class TierError(ValueError):
    def __init__(self, code: str, params: dict[str, object]) -> None:
        super().__init__(f"{code}: {params}")
        self.code = code
        self.params = params


@dataclass(frozen=True)
class TierItem:
    key: str
    label: str
    quantity_t: Decimal
    categories: tuple[str, ...]
    named_entry: str | None
    can_initiate: bool = True


@dataclass(frozen=True)
class Contribution:
    key: str
    group: str  # health | physical | environment | other
    level: str  # lower | upper
    ratio: Decimal  # q / Q
    threshold_t: Decimal  # Q
    basis: str  # the category code (e.g. "H2") or the Part 2 entry number (e.g. "35")
    basis_kind: str  # "category" | "named"
    ignored: bool = False  # left out of the sum by the 2 % rule


@dataclass(frozen=True)
class Direct:
    key: str
    level: str
    basis: str
    basis_kind: str
    threshold_t: Decimal


@dataclass
class TierResult:
    tier: str  # none | lower | upper
    sums: dict[str, dict[str, Decimal]]
    contributions: list[Contribution] = field(default_factory=list)
    direct: list[Direct] = field(default_factory=list)
    ignored_2pct: list[str] = field(default_factory=list)
    explanation: list[tuple[str, dict[str, object]]] = field(default_factory=list)
    qualifying: dict[str, list[str]] = field(default_factory=dict)  # level -> groups with sum >= 1


def _decimal(value: Fraction) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 28
        return Decimal(value.numerator) / Decimal(value.denominator)


def _fraction(value: Decimal) -> Fraction:
    return Fraction(value)


def _check(items: Sequence[TierItem]) -> None:
    categories = seveso_categories()
    named = seveso_named()
    keys: set[str] = set()
    for item in items:
        if item.key in keys:
            raise TierError("duplicate_key", {"key": item.key})
        keys.add(item.key)
        unknown = [c for c in item.categories if c not in categories]
        if unknown:
            raise TierError("unknown_category", {"key": item.key, "codes": unknown})
        if item.named_entry is not None and item.named_entry not in named:
            raise TierError("unknown_named_entry", {"key": item.key, "entry": item.named_entry})
        q = item.quantity_t
        if not isinstance(q, Decimal) or not q.is_finite() or q < 0:
            raise TierError("bad_quantity", {"key": item.key, "quantity": str(q)})


def _thresholds(item: TierItem, level: str) -> list[tuple[str, Fraction, str, str]]:
    """(group, Q, basis, basis_kind) for each group the item enters at this level."""
    categories = seveso_categories()
    groups: dict[str, tuple[Fraction, str]] = {}
    for code in item.categories:
        cat = categories[code]
        q = _fraction(cat.lower_t if level == "lower" else cat.upper_t)
        best = groups.get(cat.group)
        if best is None or q < best[0]:
            groups[cat.group] = (q, code)
    order = (*GROUPS, OTHER)
    if item.named_entry is not None:
        entry = seveso_named()[item.named_entry]
        q = _fraction(entry.lower_t if level == "lower" else entry.upper_t)
        found = [g for g in order if g in groups] or [OTHER]
        return [(g, q, item.named_entry, "named") for g in found]
    return [(g, groups[g][0], groups[g][1], "category") for g in order if g in groups]


def assess(items: Sequence[TierItem]) -> TierResult:
    _check(items)
    sums = {level: {g: Fraction(0) for g in GROUPS} for level in LEVELS}
    result = TierResult(tier="none", sums={})
    explain = result.explanation
    ignored: dict[str, None] = {}
    direct_levels: set[str] = set()

    for item in items:
        q = _fraction(item.quantity_t)
        if not item.categories and item.named_entry is None:
            explain.append(("item_not_dangerous", {"key": item.key}))
            continue
        if item.named_entry is not None and not item.categories:
            # Named but unclassified: it can qualify on its own, but enters no summation.
            explain.append(("named_without_groups", {"key": item.key, "entry": item.named_entry}))
        for level in LEVELS:
            reached_alone = False
            for group, threshold, basis, kind in _thresholds(item, level):
                ratio = q / threshold
                skip = (not item.can_initiate) and q <= TWO_PERCENT * threshold
                result.contributions.append(
                    Contribution(
                        key=item.key,
                        group=group,
                        level=level,
                        ratio=_decimal(ratio),
                        threshold_t=_decimal(threshold),
                        basis=basis,
                        basis_kind=kind,
                        ignored=skip,
                    )
                )
                params = {
                    "key": item.key,
                    "group": group,
                    "level": level,
                    "basis": basis,
                    "basis_kind": kind,
                    "quantity_t": item.quantity_t,
                    "threshold_t": _decimal(threshold),
                    "ratio": _decimal(ratio),
                }
                if skip:
                    ignored[item.key] = None
                    explain.append(("ignored_2pct", params))
                    continue
                explain.append(("contribution", params))
                if group in sums[level]:
                    sums[level][group] += ratio
                if q >= threshold and not reached_alone:
                    reached_alone = True
                    direct_levels.add(level)
                    result.direct.append(Direct(item.key, level, basis, kind, _decimal(threshold)))
                    explain.append(("direct", params))

    qualifying: dict[str, list[str]] = {}
    for level in LEVELS:
        qualifying[level] = [g for g in GROUPS if sums[level][g] >= 1]
        for g in GROUPS:
            explain.append(
                (
                    "sum",
                    {
                        "level": level,
                        "group": g,
                        "value": _decimal(sums[level][g]),
                        "qualifies": sums[level][g] >= 1,
                    },
                )
            )
    if qualifying["upper"] or "upper" in direct_levels:
        tier = "upper"
    elif qualifying["lower"] or "lower" in direct_levels:
        tier = "lower"
    else:
        tier = "none"
    explain.append(("tier", {"tier": tier}))

    result.tier = tier
    result.sums = {level: {g: _decimal(v) for g, v in sums[level].items()} for level in LEVELS}
    result.ignored_2pct = list(ignored)
    result.qualifying = qualifying
    return result
