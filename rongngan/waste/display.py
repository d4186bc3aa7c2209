"""Dates of the waste pages and messages as people read them: Buddhist-era years, in the active
language ("ก.ย. 2569" in Thai, "Sep 2569" in English).

`lazy_be_month` is for the values of a Problem's message: it renders when the message is filled,
so the Thai message reads the Thai form and the English one the English form (dates and moments:
rongngan.core.display).
"""

import datetime as dt
from typing import Any

from django.utils import translation
from django.utils.functional import lazy

from rongngan.core.thai import EN_MONTHS_ABBR, THAI_MONTHS_ABBR, be_year


def _thai() -> bool:
    return (translation.get_language() or "th").startswith("th")


def be_month(value: Any) -> str:
    """A month (any date in it): "ก.ย. 2569" in Thai, "Sep 2569" in English."""
    if not isinstance(value, dt.date):
        return "" if value in (None, "") else str(value)
    names = THAI_MONTHS_ABBR if _thai() else EN_MONTHS_ABBR
    return f"{names[value.month - 1]} {be_year(value.year)}"


lazy_be_month = lazy(be_month, str)
