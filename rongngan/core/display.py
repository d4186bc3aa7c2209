"""Dates for the values of a Problem's message: lazy, so that each is rendered when the message
is filled, in that message's language ("1 ต.ค. 2562" in the Thai message, "1 Oct 2562" in the
English one; see core.errors). Buddhist-era years, Bangkok time."""

import datetime as dt

from django.utils import timezone
from django.utils.functional import lazy

from rongngan.core.templatetags.thai import be_date, be_datetime


def be_moment(value: dt.datetime) -> str:
    """A moment to the second, in Bangkok time: "27 พ.ย. 2569 19:49:38"."""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{be_date(local)} {local:%H:%M:%S}"


lazy_be_date = lazy(be_date, str)  # a date
lazy_be_datetime = lazy(be_datetime, str)  # a date and the time to the minute
lazy_be_moment = lazy(be_moment, str)  # a date and the time to the second
