"""Pollution monitoring: points, their parameters and limits, readings, averages and events.

The shape follows the OGC SensorThings model: a MonitoringPoint is the Thing (a stack, an
effluent outlet, an ambient station), a PointParameter its Datastream (one parameter, one unit,
one instrument range) and a Reading an Observation. Readings are the platform's largest table:
on PostgreSQL it is partitioned by month on `ts` with a BRIN index (see migrations/0001 and
`storage.py`), and a reading is identified by (point_parameter, ts) so a retried batch can never
duplicate a minute.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from rongngan.accounts.models import Organisation
from rongngan.core.models import Province
from rongngan.registry.models import Factory


def _num(verbose: object = "", **kw: object) -> models.DecimalField:
    return models.DecimalField(verbose, max_digits=18, decimal_places=6, **kw)  # type: ignore[arg-type]


class Medium(models.TextChoices):
    WATER = "water", _("water")
    AIR = "air", _("air")
    AMBIENT = "ambient", _("ambient air")


class Averaging(models.TextChoices):
    HOUR = "hour", _("hourly average")
    DAY = "day", _("daily average")
    MONTH = "month", _("monthly average")
    GRAB = "grab", _("grab sample")
    INSTANT = "instant", _("instantaneous")


class Comparator(models.TextChoices):
    MAX = "max", _("not more than")
    MIN = "min", _("not less than")
    RANGE = "range", _("within the range")


class Parameter(models.Model):
    """A measured quantity from the catalogue (data/parameters.csv)."""

    code = models.CharField(_("code"), max_length=30, primary_key=True)
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_th = models.CharField(_("name (Thai)"), max_length=120)
    medium = models.CharField(_("medium"), max_length=10, choices=Medium.choices)
    unit = models.CharField(_("unit"), max_length=20)
    molecular_weight = _num(_("molecular weight"), null=True, blank=True)
    range_min = _num(_("plausible minimum"), null=True, blank=True)
    range_max = _num(_("plausible maximum"), null=True, blank=True)

    class Meta:
        ordering = ["medium", "code"]
        verbose_name = _("parameter")
        verbose_name_plural = _("parameters")

    def __str__(self) -> str:
        return f"{self.code} ({self.unit})"


class Standard(models.Model):
    """A legal standard (a notification) from the catalogue (data/standards.yaml)."""

    code = models.CharField(_("code"), max_length=60, unique=True)
    title_th = models.TextField(_("title (Thai)"))
    title_en = models.TextField(_("title (English)"), blank=True)
    medium = models.CharField(_("medium"), max_length=10, choices=Medium.choices)
    issued_by = models.CharField(_("issued by"), max_length=200, blank=True)
    reference = models.CharField(_("reference"), max_length=300, blank=True)
    effective_from = models.DateField(_("effective from"), null=True, blank=True)
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    url = models.URLField(_("source address"), max_length=500, blank=True)
    catalogue_version = models.CharField(_("catalogue version"), max_length=40, blank=True)

    class Meta:
        ordering = ["medium", "code"]
        verbose_name = _("standard")
        verbose_name_plural = _("standards")

    def __str__(self) -> str:
        return self.code


class LimitRule(models.Model):
    """One limit of a standard: a parameter, its averaging period, reference conditions, the
    fuel, process or receiving water it applies to, its levels and its effective dates."""

    key = models.CharField(max_length=64, unique=True, editable=False)
    standard = models.ForeignKey(Standard, on_delete=models.PROTECT, related_name="limits")
    parameter = models.ForeignKey(Parameter, on_delete=models.PROTECT, related_name="limits")
    unit = models.CharField(_("unit"), max_length=20)
    averaging = models.CharField(_("averaging"), max_length=10, choices=Averaging.choices)
    comparator = models.CharField(_("comparator"), max_length=10, choices=Comparator.choices)
    value = _num(_("limit"), null=True, blank=True)
    upper_value = _num(_("upper level"), null=True, blank=True)
    low_value = _num(_("range low"), null=True, blank=True)
    high_value = _num(_("range high"), null=True, blank=True)
    ref_temperature_k = _num(_("reference temperature (K)"), null=True, blank=True)
    ref_pressure_kpa = _num(_("reference pressure (kPa)"), null=True, blank=True)
    ref_o2_percent = _num(_("reference oxygen (%)"), null=True, blank=True)
    dry_basis = models.BooleanField(_("dry basis"), default=False)
    applies_to = models.JSONField(_("applies to"), default=dict, blank=True)
    effective_from = models.DateField(_("effective from"), null=True, blank=True)
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    source = models.TextField(_("source"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    in_catalogue = models.BooleanField(default=True)

    class Meta:
        ordering = ["standard__code", "parameter_id", "averaging"]
        verbose_name = _("limit rule")
        verbose_name_plural = _("limit rules")

    def __str__(self) -> str:
        return f"{self.standard.code} {self.parameter_id} {self.averaging}"


class MonitoringPoint(models.Model):
    class Kind(models.TextChoices):
        STACK = "stack", _("stack")
        EFFLUENT_OUTLET = "effluent_outlet", _("effluent outlet")
        AMBIENT = "ambient", _("ambient station")

    class Method(models.TextChoices):
        CONTINUOUS = "continuous", _("continuous (online analyser)")
        PERIODIC = "periodic", _("periodic (laboratory sample)")

    class Frequency(models.TextChoices):
        MINUTE = "minute", _("every minute")
        HOUR = "hour", _("hourly")
        DAY = "day", _("daily")
        MONTH = "month", _("monthly")
        QUARTER = "quarter", _("quarterly")
        HALF_YEAR = "half_year", _("every six months")
        YEAR = "year", _("yearly")

    factory = models.ForeignKey(Factory, on_delete=models.PROTECT, related_name="monitoring_points")
    # Kept from the factory so that a province's dashboard needs no join to the register.
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    code = models.CharField(_("point code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    method = models.CharField(_("method"), max_length=12, choices=Method.choices)
    frequency = models.CharField(_("reporting frequency"), max_length=10, choices=Frequency.choices)
    validity_regime = models.CharField(_("validity regime"), max_length=40, blank=True)
    ref_o2_percent = _num(_("reference oxygen (%)"), null=True, blank=True)
    ref_temperature_k = _num(_("reference temperature (K)"), null=True, blank=True)
    ref_pressure_kpa = _num(_("reference pressure (kPa)"), null=True, blank=True)
    dry_basis = models.BooleanField(_("dry basis"), default=False)
    urban = models.BooleanField(_("urban area"), default=False)
    receiving_water = models.CharField(_("receiving water"), max_length=120, blank=True)
    fuel = models.CharField(_("fuel"), max_length=40, blank=True)
    process = models.CharField(_("process"), max_length=80, blank=True)
    large_discharge = models.BooleanField(_("discharges over 500 m³ a day"), default=False)
    # Further key-values the catalogue's `applies_to` conditions name (e.g. {"source":
    # "boiler_furnace", "combustion": "with_fuel"}), see data/standards.yaml.
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["factory_id", "code"]
        verbose_name = _("monitoring point")
        verbose_name_plural = _("monitoring points")
        indexes = [models.Index(fields=["province", "active"])]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def applies_to(self) -> dict[str, object]:
        """What the catalogue's `applies_to` keys are matched against."""
        out: dict[str, object] = {**self.attributes, "kind": self.kind, "urban": self.urban}
        for name in ("fuel", "process", "receiving_water"):
            if getattr(self, name):
                out[name] = getattr(self, name)
        if self.large_discharge:
            out["large_discharge"] = True
        return out


class PointParameter(models.Model):
    """A parameter measured at a point (a Datastream): the unit readings are kept in, the
    instrument range, and the most recent reading (kept here so dashboards need no scan)."""

    point = models.ForeignKey(MonitoringPoint, on_delete=models.PROTECT, related_name="parameters")
    parameter = models.ForeignKey(Parameter, on_delete=models.PROTECT, related_name="+")
    unit = models.CharField(_("unit"), max_length=20)
    range_min = _num(_("instrument range minimum"), null=True, blank=True)
    range_max = _num(_("instrument range maximum"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    last_reading_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["point_id", "parameter_id"]
        verbose_name = _("point parameter")
        verbose_name_plural = _("point parameters")
        constraints = [
            models.UniqueConstraint(
                fields=["point", "parameter"], name="monitoring_one_parameter_per_point"
            )
        ]

    def __str__(self) -> str:
        return f"{self.point.code}/{self.parameter_id}"


class PointLimit(models.Model):
    """A limit applying at a point: copied from a catalogue rule or set by the licence.

    Versioned: a change closes the current version (effective_to) and adds the next; a limit
    that was in force is never overwritten, so an old exceedance is judged by the old limit.
    """

    class Basis(models.TextChoices):
        CATALOGUE = "catalogue", _("standard (catalogue)")
        LICENCE = "licence", _("licence condition")

    point_parameter = models.ForeignKey(
        PointParameter, on_delete=models.PROTECT, related_name="limits"
    )
    version = models.PositiveIntegerField(default=1)
    basis = models.CharField(_("basis"), max_length=10, choices=Basis.choices)
    rule = models.ForeignKey(
        LimitRule, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reference = models.CharField(_("legal reference"), max_length=300, blank=True)
    document = models.CharField(_("licence document"), max_length=300, blank=True)
    unit = models.CharField(_("unit"), max_length=20)
    averaging = models.CharField(_("averaging"), max_length=10, choices=Averaging.choices)
    comparator = models.CharField(_("comparator"), max_length=10, choices=Comparator.choices)
    value = _num(_("limit"), null=True, blank=True)
    upper_value = _num(_("upper level"), null=True, blank=True)
    low_value = _num(_("range low"), null=True, blank=True)
    high_value = _num(_("range high"), null=True, blank=True)
    ref_o2_percent = _num(_("reference oxygen (%)"), null=True, blank=True)
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["point_parameter_id", "averaging", "-version"]
        verbose_name = _("point limit")
        verbose_name_plural = _("point limits")
        indexes = [models.Index(fields=["point_parameter", "effective_from"])]

    def __str__(self) -> str:
        return f"{self.point_parameter_id} {self.averaging} {self.comparator} {self.value}"


class IngestBatch(models.Model):
    class Status(models.TextChoices):
        ACCEPTED = "accepted", _("accepted")
        PARTLY = "partly", _("accepted with rows quarantined")
        REJECTED = "rejected", _("refused")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    idempotency_key = models.CharField(max_length=128, blank=True)
    format = models.CharField(max_length=10)
    mode = models.CharField(max_length=12)
    status = models.CharField(max_length=10, choices=Status.choices)
    rows = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)
    quarantined = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # What the batch's stored rows touched, {point_parameter_id: [hour start, ...]} (UTC, ISO
    # 8601): the hours whose averages the batch's processing rebuilds and judges.
    touched = models.JSONField(default=dict, blank=True)
    # When the averages and judgments of the batch were done (inline, or by its queued task);
    # empty while queued.
    processed_at = models.DateTimeField(null=True, blank=True)
    events_opened = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="monitoring_batch_key_once_per_user",
            )
        ]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=Q(processed_at__isnull=True),
                name="monitoring_batch_queued",
            )
        ]

    def __str__(self) -> str:
        return f"batch {self.pk} ({self.status}, {self.accepted}/{self.rows})"


class QuarantinedRow(models.Model):
    batch = models.ForeignKey(IngestBatch, on_delete=models.PROTECT, related_name="quarantine")
    row = models.PositiveIntegerField()
    raw = models.JSONField()
    problems = models.JSONField()

    class Meta:
        ordering = ["batch_id", "row"]

    def __str__(self) -> str:
        return f"batch {self.batch_id} row {self.row}"


class Reading(models.Model):
    """One value of one point-parameter at one minute. See migrations/0001 for the table:
    partitioned by month on PostgreSQL, a plain table on SQLite."""

    pk = models.CompositePrimaryKey("point_parameter_id", "ts")
    point_parameter = models.ForeignKey(
        PointParameter, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    ts = models.DateTimeField()
    value = _num()  # as sent
    unit = models.CharField(max_length=20)  # as sent
    value_std = _num(null=True)  # in the point-parameter's unit
    flags = models.CharField(max_length=60, blank=True, default="")
    batch_id = models.BigIntegerField(null=True)

    def __str__(self) -> str:
        return f"{self.point_parameter_id} {self.ts:%Y-%m-%d %H:%M} {self.value}"


class HourlyAggregate(models.Model):
    point_parameter = models.ForeignKey(PointParameter, on_delete=models.PROTECT, related_name="+")
    period_start = models.DateTimeField()
    value = _num(null=True)
    corrected_value = _num(null=True)
    minutes = models.PositiveSmallIntegerField(default=0)
    valid_minutes = models.PositiveSmallIntegerField(default=0)
    valid = models.BooleanField(default=False)
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["point_parameter_id", "period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["point_parameter", "period_start"], name="monitoring_one_hour"
            )
        ]

    def __str__(self) -> str:
        return f"{self.point_parameter_id} {self.period_start:%Y-%m-%d %H}h {self.value}"


class DailyAggregate(models.Model):
    """A day is a Bangkok calendar day (the legal day of the reports)."""

    point_parameter = models.ForeignKey(PointParameter, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    value = _num(null=True)
    corrected_value = _num(null=True)
    valid_hours = models.PositiveSmallIntegerField(default=0)
    valid = models.BooleanField(default=False)
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["point_parameter_id", "day"]
        constraints = [
            models.UniqueConstraint(fields=["point_parameter", "day"], name="monitoring_one_day")
        ]

    def __str__(self) -> str:
        return f"{self.point_parameter_id} {self.day} {self.value}"


class DataAvailability(models.Model):
    """Valid hours as a share of the hours of the month (to now, for the current month)."""

    point_parameter = models.ForeignKey(PointParameter, on_delete=models.PROTECT, related_name="+")
    month = models.DateField()
    expected_hours = models.PositiveIntegerField()
    valid_hours = models.PositiveIntegerField()
    percent = models.DecimalField(max_digits=6, decimal_places=2)

    class Meta:
        ordering = ["point_parameter_id", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["point_parameter", "month"], name="monitoring_one_availability"
            )
        ]

    def __str__(self) -> str:
        return f"{self.point_parameter_id} {self.month:%Y-%m} {self.percent}%"


class LabResult(models.Model):
    """A laboratory analysis of a sample; where the point also measures the parameter online,
    the online hourly average of the sampled hour is kept beside it with the drift."""

    point_parameter = models.ForeignKey(
        PointParameter, on_delete=models.PROTECT, related_name="lab_results"
    )
    lab = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lab_name = models.CharField(_("laboratory"), max_length=255, blank=True)
    lab_registration_no = models.CharField(
        _("laboratory registration number"), max_length=60, blank=True
    )
    report_no = models.CharField(_("report number"), max_length=80)
    sampled_at = models.DateTimeField(_("sampled at"))
    value = _num(_("value"))
    unit = models.CharField(_("unit"), max_length=20)
    value_std = _num(null=True)
    online_value = _num(_("online value"), null=True, blank=True)
    drift_percent = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    drift_flagged = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sampled_at"]
        indexes = [models.Index(fields=["point_parameter", "sampled_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["point_parameter", "report_no", "sampled_at"],
                name="monitoring_lab_result_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.report_no} {self.point_parameter_id} {self.value} {self.unit}"


class Notice(models.Model):
    """A malfunction, shutdown or maintenance notice: it explains a gap and is shown beside
    the data; late when submitted after the deadline the CEMS notification sets."""

    class Kind(models.TextChoices):
        MALFUNCTION = "malfunction", _("analyser malfunction")
        SHUTDOWN = "shutdown", _("process shutdown")
        MAINTENANCE = "maintenance", _("planned maintenance")

    point = models.ForeignKey(MonitoringPoint, on_delete=models.PROTECT, related_name="notices")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"), null=True, blank=True)
    reason = models.TextField(_("reason"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"))
    late = models.BooleanField(_("late"), default=False)

    class Meta:
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["point", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.point_id} {self.starts_at:%Y-%m-%d %H:%M}"


class Event(models.Model):
    class Kind(models.TextChoices):
        EXCEEDANCE = "exceedance", _("exceedance")
        DATA_GAP = "data_gap", _("data gap")
        DRIFT = "drift", _("online-laboratory drift")

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        EXPLAINED = "explained", _("explained by the operator")
        CLOSED = "closed", _("closed")

    class Decision(models.TextChoices):
        ACCEPTED = "accepted", _("explanation accepted")
        VIOLATION = "violation", _("violation confirmed")
        REOPENED = "reopened", _("explanation not sufficient")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    point_parameter = models.ForeignKey(
        PointParameter, on_delete=models.PROTECT, related_name="events"
    )
    limit = models.ForeignKey(
        PointLimit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Kept so that lists by factory or province need no join.
    factory = models.ForeignKey(Factory, on_delete=models.PROTECT, related_name="+")
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="+")
    averaging = models.CharField(max_length=10, blank=True)
    opened_at = models.DateTimeField(_("opened at"))
    first_period = models.DateTimeField(_("first period"))
    last_period = models.DateTimeField(_("last period"))
    periods = models.PositiveIntegerField(_("periods"), default=1)
    worst_value = _num(null=True)
    evidence = models.JSONField(default=dict)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    level = models.PositiveSmallIntegerField(_("escalation level"), default=1)
    explanation = models.TextField(_("explanation"), blank=True)
    explained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    explained_at = models.DateTimeField(null=True, blank=True)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("monitoring event")
        verbose_name_plural = _("monitoring events")
        indexes = [
            models.Index(fields=["province", "status"]),
            models.Index(fields=["factory", "opened_at"]),
            models.Index(fields=["point_parameter", "kind", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.point_parameter_id} {self.first_period:%Y-%m-%d %H:%M}"


class Notification(models.Model):
    """An in-app notice to one user (shown on the pages); e-mailed after commit too."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="monitoring_notifications"
    )
    event = models.ForeignKey(
        Event, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    subject = models.CharField(max_length=255)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.subject


class RetentionRun(models.Model):
    """What the retention command removed, and when (the audit of dropped minute data)."""

    at = models.DateTimeField(auto_now_add=True)
    cutoff = models.DateTimeField()
    dropped_partitions = models.JSONField(default=list)
    deleted_rows = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"retention {self.at:%Y-%m-%d} before {self.cutoff:%Y-%m-%d}"
