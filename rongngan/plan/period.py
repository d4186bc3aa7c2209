"""The fiscal year and quarter a page or an API call shows, and the date values are judged on."""

from typing import Any

from django.utils import timezone

from rongngan.core.thai import (
    fiscal_quarter,
    fiscal_quarter_bounds,
    fiscal_year,
    fiscal_year_bounds,
    fiscal_year_elapsed_share,
)
from rongngan.plan import measure, queries
from rongngan.plan.models import Plan


class Period:
    """The fiscal year and quarter a page shows, and the date values are judged on.

    Staff see a year as of today (or the end of a chosen quarter); the public sees only
    finished quarters.
    """

    def __init__(self, request: Any, plan: Plan) -> None:
        today = timezone.localdate()
        current = fiscal_year(today)
        default_year = min(max(current, plan.first_year), plan.last_year)
        try:
            year = int(request.GET.get("year") or default_year)
        except ValueError:
            year = default_year
        if year not in plan.years:
            year = default_year
        try:
            quarter = int(request.GET.get("quarter") or 0)
        except ValueError:
            quarter = 0
        quarter = quarter if quarter in (1, 2, 3, 4) else 0
        self.year = year
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

    def query(self, **extra: Any) -> str:
        from urllib.parse import urlencode

        params = {"year": self.year, **({"quarter": self.quarter} if self.quarter else {})}
        params.update(extra)
        return urlencode(params)
