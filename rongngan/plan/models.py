"""The action plan: strategies, approaches, KPIs with targets, projects with budgets, and what
was measured against them.

Nothing here is overwritten: a measurement or a quarterly progress entry is replaced by a new
row that supersedes the old one (`is_current`), and every change leaves an audit entry.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from rongngan.core.models import Province

MONEY = {"max_digits": 14, "decimal_places": 4}
VALUE = {"max_digits": 20, "decimal_places": 4}


class Unit(models.TextChoices):
    PERCENT = "percent", _("percent")
    PERCENT_REDUCTION = "percent_reduction", _("percent reduction from the baseline")
    COUNT = "count", _("count")
    MILLION_BAHT = "million_baht", _("million baht")
    MILLION_TONNES_PER_YEAR = "million_tonnes_per_year", _("million tonnes per year")


class Direction(models.TextChoices):
    INCREASE = "increase", _("more is better")
    DECREASE = "decrease", _("less is better")
    CEILING = "ceiling", _("must not exceed")


class Accumulation(models.TextChoices):
    CUMULATIVE = "cumulative", _("adds up over the year")
    LEVEL = "level", _("a level measured at a point")


class Plan(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        ACTIVE = "active", _("in force")
        CLOSED = "closed", _("closed")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    title_th = models.CharField(_("title (Thai)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    first_year = models.PositiveSmallIntegerField(_("first fiscal year (B.E.)"))
    last_year = models.PositiveSmallIntegerField(_("last fiscal year (B.E.)"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    vision_th = models.TextField(_("vision (Thai)"), blank=True)
    vision_en = models.TextField(_("vision (English)"), blank=True)
    values = models.JSONField(_("values"), default=list, blank=True)  # [{"th","en"}]
    missions = models.JSONField(_("missions"), default=list, blank=True)  # [{"th","en"}]
    source = models.JSONField(_("source"), default=dict, blank=True)
    data_file = models.CharField(_("loaded from"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-first_year", "code"]
        verbose_name = _("action plan")
        constraints = [
            models.CheckConstraint(
                condition=Q(last_year__gte=models.F("first_year")), name="plan_years_in_order"
            )
        ]

    def __str__(self) -> str:
        return self.title_th

    @property
    def years(self) -> list[int]:
        return list(range(self.first_year, self.last_year + 1))


class Strategy(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="strategies")
    number = models.PositiveSmallIntegerField(_("number"))
    name_th = models.TextField(_("name (Thai)"))
    name_en = models.TextField(_("name (English)"), blank=True)

    class Meta:
        ordering = ["plan", "number"]
        verbose_name = _("strategy")
        verbose_name_plural = _("strategies")
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="strategy_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.name_th}"

    @property
    def code(self) -> str:
        return f"S{self.number}"


class Approach(models.Model):
    """A development approach (แนวทางการพัฒนา) under a strategy."""

    strategy = models.ForeignKey(Strategy, on_delete=models.PROTECT, related_name="approaches")
    number = models.PositiveSmallIntegerField(_("number"))
    name_th = models.TextField(_("name (Thai)"))
    name_en = models.TextField(_("name (English)"), blank=True)

    class Meta:
        ordering = ["strategy", "number"]
        verbose_name = _("development approach")
        constraints = [
            models.UniqueConstraint(fields=["strategy", "number"], name="approach_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.strategy.number}.{self.number} {self.name_th}"

    @property
    def code(self) -> str:
        return f"A{self.strategy.number}.{self.number}"


class KPI(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="kpis")
    strategy = models.ForeignKey(Strategy, on_delete=models.PROTECT, related_name="kpis")
    code = models.CharField(_("code"), max_length=20)
    name_th = models.TextField(_("name (Thai)"))
    name_en = models.TextField(_("name (English)"), blank=True)
    unit = models.CharField(_("unit"), max_length=30, choices=Unit.choices)
    unit_label_th = models.CharField(_("unit label (Thai)"), max_length=50, blank=True)
    unit_label_en = models.CharField(_("unit label (English)"), max_length=50, blank=True)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.INCREASE
    )
    accumulation = models.CharField(_("accumulation"), max_length=10, choices=Accumulation.choices)
    baseline_year = models.PositiveSmallIntegerField(
        _("baseline year (B.E.)"), null=True, blank=True
    )
    baseline_value = models.DecimalField(_("baseline value"), null=True, blank=True, **VALUE)
    metric = models.CharField(
        _("bound metric"),
        max_length=80,
        blank=True,
        help_text=_("Key of a metric another module publishes; empty means measured by hand."),
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plan_kpis",
        verbose_name=_("responsible officer"),
    )
    internal_note = models.TextField(_("internal note"), blank=True)
    source_number = models.CharField(max_length=10, blank=True)
    source_line = models.PositiveIntegerField(null=True, blank=True)
    sort = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["plan", "sort", "code"]
        verbose_name = _("KPI")
        verbose_name_plural = _("KPIs")
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="kpi_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.name_th}"

    @property
    def unit_text(self) -> str:
        from django.utils import translation

        if translation.get_language() == "en":
            return self.unit_label_en or self.get_unit_display()
        return self.unit_label_th or self.get_unit_display()


class KPITarget(models.Model):
    kpi = models.ForeignKey(KPI, on_delete=models.PROTECT, related_name="targets")
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year (B.E.)"))
    value = models.DecimalField(_("target"), **VALUE)

    class Meta:
        ordering = ["kpi", "fiscal_year"]
        verbose_name = _("KPI target")
        constraints = [
            models.UniqueConstraint(fields=["kpi", "fiscal_year"], name="kpi_target_unique"),
            models.CheckConstraint(condition=Q(value__gte=0), name="kpi_target_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.kpi.code} {self.fiscal_year}: {self.value}"


class TargetStatement(models.Model):
    """Another place in the plan document that states a target for the same KPI."""

    kpi = models.ForeignKey(KPI, on_delete=models.PROTECT, related_name="statements")
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year (B.E.)"))
    value = models.DecimalField(_("stated value"), **VALUE)
    unit_label_th = models.CharField(max_length=50, blank=True)
    unit_label_en = models.CharField(max_length=50, blank=True)
    where_th = models.CharField(max_length=300, blank=True)
    where_en = models.CharField(max_length=300, blank=True)
    quote_th = models.TextField(blank=True)
    source_line = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["kpi", "fiscal_year", "pk"]

    def __str__(self) -> str:
        return f"{self.kpi.code} {self.fiscal_year}: {self.value} ({self.where_th})"


class Project(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="projects")
    code = models.CharField(_("code"), max_length=20)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent project"),
    )
    strategy = models.ForeignKey(
        Strategy, on_delete=models.PROTECT, related_name="projects", verbose_name=_("strategy")
    )
    approach = models.ForeignKey(
        Approach,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("development approach"),
    )
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year (B.E.)"))
    name_th = models.TextField(_("name (Thai)"))
    name_en = models.TextField(_("name (English)"), blank=True)
    budget = models.DecimalField(_("budget (million baht)"), null=True, blank=True, **MONEY)
    budget_note = models.TextField(_("budget note"), blank=True)
    target_group_th = models.TextField(_("target group (Thai)"), blank=True)
    target_group_en = models.TextField(_("target group (English)"), blank=True)
    objectives = models.JSONField(_("objectives"), default=list, blank=True)
    outputs = models.JSONField(_("outputs"), default=list, blank=True)
    outcomes = models.JSONField(_("outcomes"), default=list, blank=True)
    responsible_unit_th = models.CharField(_("responsible unit"), max_length=300, blank=True)
    responsible_unit_en = models.CharField(max_length=300, blank=True)
    stated_province_count = models.PositiveSmallIntegerField(
        _("number of provinces stated"), null=True, blank=True
    )
    provinces = models.ManyToManyField(
        Province, blank=True, related_name="plan_projects", verbose_name=_("provinces")
    )
    kpis = models.ManyToManyField(
        KPI, blank=True, related_name="projects", verbose_name=_("KPIs served")
    )
    source_line = models.PositiveIntegerField(null=True, blank=True)
    sort = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["plan", "fiscal_year", "sort", "code"]
        verbose_name = _("project")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "fiscal_year", "code"], name="project_code_unique"
            ),
            models.CheckConstraint(
                condition=Q(budget__isnull=True) | Q(budget__gte=0),
                name="project_budget_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name_th}"


class ProjectTarget(models.Model):
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="targets")
    number = models.PositiveSmallIntegerField()
    text_th = models.TextField()
    text_en = models.TextField(blank=True)
    value = models.DecimalField(null=True, blank=True, **VALUE)
    unit_label_th = models.CharField(max_length=50, blank=True)
    unit_label_en = models.CharField(max_length=50, blank=True)

    class Meta:
        ordering = ["project", "number"]

    def __str__(self) -> str:
        return self.text_th


class Measurement(models.Model):
    """A value for one KPI and one fiscal quarter, entered by hand.

    `manual` measures a KPI nobody publishes a metric for; `override` replaces the computed value
    of a bound KPI for that quarter and must say why (the computed value stays visible).
    For a cumulative KPI the value is what the quarter added; for a level KPI, the level at the
    quarter's end.
    """

    class Kind(models.TextChoices):
        MANUAL = "manual", _("measured by hand")
        OVERRIDE = "override", _("override of the computed value")

    kpi = models.ForeignKey(KPI, on_delete=models.PROTECT, related_name="measurements")
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year (B.E.)"))
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    value = models.DecimalField(_("value"), **VALUE)
    reason = models.TextField(_("reason for the override"), blank=True)
    note = models.TextField(_("internal note"), blank=True)
    evidence_file = models.FileField(_("evidence file"), upload_to="plan/evidence/%Y/", blank=True)
    evidence_url = models.URLField(_("evidence link"), max_length=500, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now_add=True)
    is_current = models.BooleanField(default=True)
    superseded_by = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["kpi", "fiscal_year", "quarter", "-entered_at"]
        verbose_name = _("measurement")
        constraints = [
            models.UniqueConstraint(
                fields=["kpi", "fiscal_year", "quarter", "kind"],
                condition=Q(is_current=True),
                name="measurement_one_current",
            ),
            models.CheckConstraint(
                condition=Q(quarter__gte=1, quarter__lte=4), name="measurement_quarter_1_4"
            ),
            models.CheckConstraint(
                condition=~Q(kind="override") | ~Q(reason=""), name="override_has_reason"
            ),
        ]
        indexes = [models.Index(fields=["kpi", "fiscal_year", "is_current"])]

    def __str__(self) -> str:
        return f"{self.kpi.code} {self.fiscal_year}/Q{self.quarter}: {self.value}"


class ProjectProgress(models.Model):
    """What a project did in one quarter: money disbursed, results, problems and remedies."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="progress")
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year (B.E.)"))
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    disbursed = models.DecimalField(_("disbursed in the quarter (million baht)"), **MONEY)
    result_th = models.TextField(_("result"), blank=True)
    problems_th = models.TextField(_("problems and obstacles"), blank=True)
    remedies_th = models.TextField(_("remedies"), blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now_add=True)
    is_current = models.BooleanField(default=True)
    superseded_by = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["project", "fiscal_year", "quarter", "-entered_at"]
        verbose_name = _("project progress")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "fiscal_year", "quarter"],
                condition=Q(is_current=True),
                name="progress_one_current",
            ),
            models.CheckConstraint(
                condition=Q(quarter__gte=1, quarter__lte=4), name="progress_quarter_1_4"
            ),
            models.CheckConstraint(condition=Q(disbursed__gte=0), name="progress_disbursed_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.project.code} {self.fiscal_year}/Q{self.quarter}"
