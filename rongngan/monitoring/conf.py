"""The monitoring settings, each with its default and where the default comes from.

A deployment overrides any of them in settings (MONITORING_*); nothing here is read at import
time, so tests may use `override_settings`.
"""

from decimal import Decimal
from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # A point-parameter silent this long raises a data-gap event. The CEMS notification of the
    # Ministry of Industry (B.E. 2565) asks the factory to report an analyser failure; one hour
    # is one whole averaging period of the hourly limits.
    "MONITORING_GAP_MINUTES": 60,
    # A malfunction or shutdown notice is late when submitted more than this many hours after
    # the period it explains began (Ministry of Industry notification on continuous emission
    # monitoring, B.E. 2565, and DIW notification B.E. 2566: notify within 24 hours; to be
    # confirmed against the Royal Gazette text by the deployment).
    "MONITORING_NOTICE_DEADLINE_HOURS": 24,
    "MONITORING_NOTICE_DEADLINE_SOURCE": (
        "Ministry of Industry notification on continuous pollution monitoring B.E. 2565; "
        "DIW notification B.E. 2566"
    ),
    # An event escalates one level when it persists this many consecutive averaging periods,
    # and a new event starts at a higher level when this many events of the same kind opened
    # for the same point-parameter in the last WINDOW days.
    "MONITORING_ESCALATE_PERSIST_PERIODS": 3,
    "MONITORING_ESCALATE_REPEATS": 3,
    "MONITORING_ESCALATE_WINDOW_DAYS": 30,
    # Online vs laboratory value: flagged past this relative difference (percent of the
    # laboratory value). Configuration; DIW's online BOD/COD programme asks factories over
    # 500 m3/day to report the deviation.
    "MONITORING_DRIFT_TOLERANCE_PERCENT": Decimal("20"),
    # A continuous point "reported" in a period when its data availability reached this share
    # (percent); cf. the 90 % availability of 40 CFR 75 and EN 14181 practice.
    "MONITORING_REPORTING_MIN_AVAILABILITY": Decimal("80"),
    # Minute readings are kept this long (hourly and daily averages are kept for good).
    "MONITORING_MINUTE_RETENTION_DAYS": 400,
    # Readings dated further ahead than this (clock skew) are refused as in the future.
    "MONITORING_FUTURE_TOLERANCE_SECONDS": 300,
    # The validity regime of a point that names none (see data/validity.yaml).
    "MONITORING_DEFAULT_REGIME": "th-cems-default",
    # Minutes with the same value this long mark an analyser as flat-lined.
    "MONITORING_FLATLINE_MINUTES": 120,
    # A point is "in exceedance now" on the province's dashboard while an exceedance event of it
    # is not closed and its last exceeding period is this recent (twice this for daily limits).
    "MONITORING_NOW_HOURS": 24,
    # "queue": a batch of readings is stored in its request and averaged and judged right after
    # by its background task (`rongngan worker`); "inline": all of it in the request.
    "MONITORING_INGEST_PROCESSING": "queue",
    # Largest batch the API takes in one request.
    "MONITORING_MAX_BATCH_ROWS": 100_000,
}


def get(name: str) -> Any:
    return getattr(settings, name, DEFAULTS[name])
