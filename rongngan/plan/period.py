"""The fiscal year and quarter a page or an API call shows, and the date values are judged on."""

from typing import Any

from django.utils import timezone

from rongngan.core.errors import Problem
from rongngan.core.thai import (
    fiscal_quarter,
    fiscal_quarter_bounds,
    fiscal_year,
    fiscal_year_bounds,
    fiscal_year_elapsed_share,
)
from rongngan.plan import measure, queries
from rongngan.plan.models import KPITarget, Plan
from rongngan.plan.services import MSG


class Period:
    """The fiscal year and quarter a page shows, and the date values are judged on.

    Staff see a year as of today (or the end of a chosen quarter); the public sees only
    finished quarters.
    """

    def __init__(self, request: Any, plan: Plan) -> None:
        today = timezone.localdate()
        # A ?year or ?quarter that is not one of the plan's is not silently replaced: the
        # default is shown, with these problems (a notice on the page, a 400 in the API).
        self.problems: list[Problem] = []
        targeted = self.targeted_years(plan)
        default_year = self.default_year(plan, today, targeted)
        raw_year = str(request.GET.get("year") or "").strip()
        year = default_year
        if raw_year:
            asked = int(raw_year) if raw_year.isdecimal() and len(raw_year) <= 4 else None
            if asked in plan.years:
                year = asked
            else:
                self.problems.append(
                    Problem(
                        "year",
                        "year_outside_plan",
                        MSG["period_year"],
                        {"value": raw_year[:20], "first": plan.first_year, "last": plan.last_year},
                    )
                )
        raw_quarter = str(request.GET.get("quarter") or "").strip()
        quarter = 0
        if raw_quarter in ("1", "2", "3", "4"):
            quarter = int(raw_quarter)
        elif raw_quarter:
            self.problems.append(Problem("quarter", "quarter", MSG["quarter"], {}))
        self.year = year
        self.has_targets = year in targeted
        self.public = queries.is_public(request.user)
        limit = measure.finished_as_of(year, today) if self.public else today
        if quarter:
            as_of = fiscal_quarter_bounds(year, quarter)[1]
            if limit is not None and as_of > limit:
                as_of = limit
        else:
            as_of = limit
        self.available = as_of is not None and as_of >= fiscal_year_bounds(year)[0]
        self.as_of = measure.clamp_as_of(year, as_of) if self.available else None
        self.quarter = quarter
        if self.as_of is not None:
            fy, q = fiscal_quarter(self.as_of)
            self.as_of_quarter = q if fy == year else 4
            self.share = fiscal_year_elapsed_share(year, self.as_of)
        else:
            self.as_of_quarter = 0
            self.share = 0.0
        self.years = plan.years
        self.quarters = [1, 2, 3, 4]

    @staticmethod
    def targeted_years(plan: Plan) -> set[int]:
        return set(
            KPITarget.objects.filter(kpi__plan=plan)
            .values_list("fiscal_year", flat=True)
            .distinct()
        )

    @staticmethod
    def default_year(plan: Plan, today: Any, targeted: set[int]) -> int:
        """The current fiscal year within the plan's years; when no KPI has a target for it
        (a plan that has ended, or whose later years are not filled in yet), the latest year
        up to it that has targets."""
        year = min(max(fiscal_year(today), plan.first_year), plan.last_year)
        if year in targeted or not targeted:
            return year
        earlier = [y for y in targeted if y <= year]
        return max(earlier) if earlier else min(targeted)

    @property
    def messages(self) -> list[str]:
        return [p.text() for p in self.problems]

    def query(self, **extra: Any) -> str:
        from urllib.parse import urlencode

        params = {"year": self.year, **({"quarter": self.quarter} if self.quarter else {})}
        params.update(extra)
        return urlencode(params)
