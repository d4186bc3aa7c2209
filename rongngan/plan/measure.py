"""KPI results for a fiscal year: targets, quarter values (computed, by hand, overridden),
the actual value on a date, and its status.

Queries: the KPIs with their targets (2), the current hand-entered measurements of all of them
(1), and one aggregate query per bound KPI for all its quarters at once.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Prefetch

from rongngan.core import metrics
from rongngan.core.thai import (
    fiscal_quarter,
    fiscal_quarter_bounds,
    fiscal_year_bounds,
    fiscal_year_elapsed_share,
)
from rongngan.plan import status as st
from rongngan.plan.models import KPI, KPITarget, Measurement, Plan


@dataclass
class QuarterValue:
    quarter: int
    computed: Decimal | None = None  # what the bound metric gives for the quarter
    manual: Measurement | None = None
    override: Measurement | None = None

    @property
    def value(self) -> Decimal | None:
        """The value that counts: an override, else the computed value, else one by hand."""
        if self.override is not None:
            return self.override.value
        if self.computed is not None:
            return self.computed
        return self.manual.value if self.manual is not None else None

    @property
    def source(self) -> str:
        if self.override is not None:
            return "override"
        if self.computed is not None:
            return "metric"
        return "manual" if self.manual is not None else ""


@dataclass
class KPIResult:
    kpi: KPI
    fiscal_year: int
    as_of: date
    share: Decimal
    target: Decimal | None
    quarters: list[QuarterValue] = field(default_factory=list)
    actual: Decimal | None = None
    expected: Decimal | None = None
    status: str = st.NO_DATA
    metric: metrics.Metric | None = None
    year_to_date: bool = False  # `actual` is a rate computed over the year to date

    @property
    def bound(self) -> bool:
        return self.metric is not None

    @property
    def series(self) -> list[Decimal | None]:
        """Quarter by quarter: the running total (cumulative KPIs) or the level."""
        out: list[Decimal | None] = []
        running = Decimal(0)
        for qv in self.quarters:
            v = qv.value
            if self.kpi.accumulation == "cumulative":
                if v is None:
                    out.append(None)
                    continue
                running += v
                out.append(running)
            else:
                out.append(v)
        return out

    @property
    def progress(self) -> Decimal | None:
        """Actual as a share of the target (0-1+), for bars."""
        if self.actual is None or not self.target:
            return None
        return self.actual / self.target


def plain(value: Decimal) -> str:
    """A decimal without trailing zeros or exponent: 10.0000 -> "10", 31.4500 -> "31.45"."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def quarters_until(fiscal_year: int, as_of: date) -> list[tuple[int, date, date]]:
    """The quarters of `fiscal_year` begun by `as_of`, each cut at `as_of`."""
    out = []
    for q in (1, 2, 3, 4):
        start, end = fiscal_quarter_bounds(fiscal_year, q)
        if start > as_of:
            break
        out.append((q, start, min(end, as_of)))
    return out


def finished_as_of(fiscal_year: int, today: date) -> date | None:
    """End of the last finished quarter of `fiscal_year` on `today` (None: none finished)."""
    end = fiscal_year_bounds(fiscal_year)[1]
    if today > end:
        return end
    fy, q = fiscal_quarter(today)
    if fy != fiscal_year or q == 1:
        return None
    return fiscal_quarter_bounds(fiscal_year, q - 1)[1]


def clamp_as_of(fiscal_year: int, as_of: date) -> date:
    start, end = fiscal_year_bounds(fiscal_year)
    return min(max(as_of, start), end)


def _is_rate(metric: metrics.Metric | None, kpi: KPI) -> bool:
    """A level KPI bound to a metric that is a rate over its period (a share of what the
    period's records hold): the year's value is the rate over the year, not a quarter's."""
    return metric is not None and kpi.accumulation == "level" and metric.accumulation == "level"


def _computed(
    metric: metrics.Metric, kpi: KPI, fiscal_year: int, quarters: Sequence[tuple[int, date, date]]
) -> tuple[list[Decimal | None], Decimal | None]:
    """Computed value per quarter: what the quarter added (cumulative) or its level; and, for a
    rate, the rate over the year to the last quarter's end (in the same query)."""
    if not quarters:
        return [], None
    fy_start = fiscal_year_bounds(fiscal_year)[0]
    if _is_rate(metric, kpi):
        values = metric.compute(
            [(start, end) for _, start, end in quarters] + [(fy_start, quarters[-1][2])]
        )
        return list(values[:-1]), values[-1]
    if kpi.accumulation == "cumulative" and metric.accumulation == "cumulative":
        # Year-to-date totals, so that a record counted once in the year counts once.
        ytd = metric.compute([(fy_start, end) for _, _, end in quarters])
        out: list[Decimal | None] = []
        previous = Decimal(0)
        for total in ytd:
            if total is None:
                out.append(None)
                continue
            out.append(total - previous)
            previous = total
        return out, None
    return metric.compute([(start, end) for _, start, end in quarters]), None


def kpi_results(
    plan: Plan,
    fiscal_year: int,
    *,
    as_of: date,
    kpis: Iterable[KPI] | None = None,
) -> list[KPIResult]:
    as_of = clamp_as_of(fiscal_year, as_of)
    share = Decimal(str(fiscal_year_elapsed_share(fiscal_year, as_of)))
    quarters = quarters_until(fiscal_year, as_of)
    if kpis is None:
        kpis = (
            KPI.objects.filter(plan=plan)
            .select_related("strategy")
            .prefetch_related(
                Prefetch(
                    "targets",
                    queryset=KPITarget.objects.filter(fiscal_year=fiscal_year),
                    to_attr="year_targets",
                )
            )
        )
    kpis = list(kpis)
    entered: dict[tuple[int, int, str], Measurement] = {}
    for m in Measurement.objects.filter(
        kpi__in=kpis, fiscal_year=fiscal_year, is_current=True, quarter__lte=len(quarters)
    ).select_related("entered_by"):
        entered[(m.kpi_id, m.quarter, m.kind)] = m

    results = []
    for kpi in kpis:
        targets = getattr(kpi, "year_targets", None)
        if targets is None:
            targets = list(kpi.targets.filter(fiscal_year=fiscal_year))
        target = targets[0].value if targets else None
        metric = metrics.get(kpi.metric) if kpi.metric else None
        computed, year_rate = (
            _computed(metric, kpi, fiscal_year, quarters) if metric else ([], None)
        )
        r = KPIResult(
            kpi=kpi, fiscal_year=fiscal_year, as_of=as_of, share=share, target=target, metric=metric
        )
        for i, (q, _, _) in enumerate(quarters):
            r.quarters.append(
                QuarterValue(
                    quarter=q,
                    computed=computed[i] if computed else None,
                    manual=entered.get((kpi.pk, q, Measurement.Kind.MANUAL)),
                    override=entered.get((kpi.pk, q, Measurement.Kind.OVERRIDE)),
                )
            )
        values = [qv.value for qv in r.quarters if qv.value is not None]
        latest = r.quarters[-1] if r.quarters else None
        if _is_rate(metric, kpi) and not (latest is not None and latest.override is not None):
            # The rate over the year to date, from the records (an override of the latest
            # quarter states the corrected year-to-date rate and takes its place).
            r.actual = year_rate
            r.year_to_date = True
        elif values:
            if kpi.accumulation == "cumulative":
                r.actual = sum(values, Decimal(0))
            else:
                r.actual = values[-1]
        if target is not None:
            r.expected = st.expected_value(
                direction=kpi.direction,
                accumulation=kpi.accumulation,
                target=target,
                share=share,
                baseline=kpi.baseline_value,
            )
        r.status = st.judge(
            direction=kpi.direction,
            accumulation=kpi.accumulation,
            target=target,
            actual=r.actual,
            share=share,
            baseline=kpi.baseline_value,
        )
        results.append(r)
    return results


def status_counts(results: Iterable[KPIResult]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for r in results:
        counts[r.status] += 1
    return dict(counts)
