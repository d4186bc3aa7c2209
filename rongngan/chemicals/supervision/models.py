"""Storage-site inspections (plan P7) and the ammonia refrigeration register (plan P3).

An inspection is never edited once submitted: a correction makes a new version that supersedes
the old one (`is_current` marks the version that counts). Grades, upgrades and energy figures are
computed by the services and stored, with the checklist or benchmark version they came from, so
a later change of the data files does not rewrite history.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from rongngan.chemicals.models import StorageSite


class Grade(models.TextChoices):
    ABOVE = "above", _("Above criteria")
    WITHIN = "within", _("Within criteria")


class ChecklistVersion(models.Model):
    """One version of data/storage_checklist.yaml, loaded by a data migration."""

    version = models.CharField(_("version"), max_length=20, unique=True)
    title_th = models.CharField(max_length=255)
    title_en = models.CharField(max_length=255)
    source = models.TextField(_("source"))
    threshold_percent = models.DecimalField(max_digits=5, decimal_places=2)
    critical_min_score = models.PositiveSmallIntegerField()
    due_critical_days = models.PositiveSmallIntegerField()
    due_other_days = models.PositiveSmallIntegerField()
    sections = models.JSONField()
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-loaded_at", "-pk"]
        verbose_name = _("checklist version")

    def __str__(self) -> str:
        return f"{self.title_th} {self.version}"

    def items(self) -> list[dict]:
        return [
            {**item, "section": s["code"]} for s in self.sections for item in s.get("items", [])
        ]

    def item_map(self) -> dict[str, dict]:
        return {i["code"]: i for i in self.items()}


class StorageInspection(models.Model):
    class Kind(models.TextChoices):
        INITIAL = "initial", _("Initial inspection")
        FOLLOW_UP = "follow_up", _("Follow-up inspection")

    site = models.ForeignKey(
        StorageSite,
        on_delete=models.PROTECT,
        related_name="storage_inspections",
        verbose_name=_("site"),
    )
    checklist = models.ForeignKey(
        ChecklistVersion, on_delete=models.PROTECT, verbose_name=_("checklist version")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    visited_on = models.DateField(_("visited on"))
    inspectors = models.CharField(_("inspectors"), max_length=500)
    # item code -> 0, 1, 2 or None (not applicable)
    scores = models.JSONField(_("scores"))
    item_notes = models.JSONField(_("notes per item"), default=dict, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    earned_points = models.DecimalField(max_digits=8, decimal_places=2)
    applicable_points = models.DecimalField(max_digits=8, decimal_places=2)
    percent = models.DecimalField(_("score (%)"), max_digits=5, decimal_places=2)
    critical_unmet = models.JSONField(_("critical items not met"), default=list, blank=True)
    grade = models.CharField(_("grade"), max_length=10, choices=Grade.choices)
    # Versions: a correction makes a new row that supersedes this one.
    root = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    supersedes = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
        verbose_name=_("supersedes"),
    )
    is_current = models.BooleanField(default=True)
    correction_reason = models.TextField(_("reason for correction"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-visited_on", "-pk"]
        verbose_name = _("storage-site inspection")
        indexes = [
            models.Index(fields=["site", "is_current", "visited_on"]),
            models.Index(fields=["is_current", "visited_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent__gte=0, percent__lte=100), name="storage_inspection_percent"
            ),
            models.CheckConstraint(
                condition=Q(version=1) | ~Q(correction_reason=""),
                name="storage_inspection_correction_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site.code} {self.visited_on} v{self.version}"

    def get_absolute_url(self) -> str:
        return reverse("supervision:inspection_detail", args=[self.pk])


class CorrectiveAction(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("To be corrected")
        EVIDENCE_SUBMITTED = "evidence_submitted", _("Evidence submitted")
        CLOSED = "closed", _("Corrected and closed")
        WITHDRAWN = "withdrawn", _("Withdrawn by correction")

    site = models.ForeignKey(
        StorageSite, on_delete=models.PROTECT, related_name="corrective_actions"
    )
    inspection = models.ForeignKey(
        StorageInspection,
        on_delete=models.PROTECT,
        related_name="corrective_actions",
        verbose_name=_("inspection"),
    )
    item_code = models.CharField(_("checklist item"), max_length=10)
    item_text = models.CharField(_("requirement"), max_length=500)
    critical = models.BooleanField(_("critical"), default=False)
    score = models.PositiveSmallIntegerField(_("score"))
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    evidence = models.TextField(_("evidence"), blank=True)
    evidence_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("corrective action")
        indexes = [models.Index(fields=["status", "due_on"]), models.Index(fields=["site"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_on__isnull=False),
                name="corrective_action_closed_has_date",
            )
        ]

    def __str__(self) -> str:
        return f"{self.site.code} {self.item_code} ({self.due_on})"


class SiteUpgrade(models.Model):
    """A site lifted to "above criteria" by a follow-up visit: counted once per site (KPI K2.9)."""

    site = models.ForeignKey(StorageSite, on_delete=models.PROTECT, related_name="upgrades")
    inspection = models.ForeignKey(
        StorageInspection, on_delete=models.PROTECT, related_name="upgrades"
    )
    previous_inspection = models.ForeignKey(
        StorageInspection, on_delete=models.PROTECT, related_name="+"
    )
    upgraded_on = models.DateField(_("upgraded on"))
    from_grade = models.CharField(_("from grade"), max_length=10, choices=Grade.choices)
    to_grade = models.CharField(_("to grade"), max_length=10, choices=Grade.choices)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-upgraded_on", "-pk"]
        verbose_name = _("site upgrade")
        indexes = [models.Index(fields=["withdrawn_at", "upgraded_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["site"],
                condition=Q(withdrawn_at__isnull=True),
                name="site_upgrade_once_per_site",
            )
        ]

    def __str__(self) -> str:
        return f"{self.site.code} {self.upgraded_on}"

    def get_absolute_url(self) -> str:
        return reverse("supervision:site", args=[self.site_id])


class RefrigerationPlant(models.Model):
    class Kind(models.TextChoices):
        COLD_STORE = "cold_store", _("Cold store")
        TUBE_ICE = "tube_ice", _("Tube-ice plant")
        BLOCK_ICE = "block_ice", _("Block-ice plant")
        OTHER = "other", _("Other ammonia refrigeration")

    site = models.OneToOneField(
        StorageSite,
        on_delete=models.PROTECT,
        related_name="refrigeration_plant",
        verbose_name=_("site"),
    )
    kind = models.CharField(_("plant kind"), max_length=12, choices=Kind.choices)
    ammonia_charge_kg = models.DecimalField(
        _("ammonia charge (kg)"), max_digits=12, decimal_places=2
    )
    # [{"type": "reciprocating|screw|other", "count": int, "motor_kw": "decimal"}]
    compressors = models.JSONField(_("compressors"), default=list)
    # [{"type": "evaporative|shell_and_tube|air_cooled", "count": int}]
    condensers = models.JSONField(_("condensers"), default=list)
    evaporators = models.CharField(_("evaporators"), max_length=255, blank=True)
    capacity_t_ice_per_day = models.DecimalField(
        _("ice capacity (t/day)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    cooled_volume_m3 = models.DecimalField(
        _("cooled volume (m³)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    operating_hours_per_year = models.PositiveIntegerField(_("operating hours a year"))
    tariff_baht_per_kwh = models.DecimalField(
        _("electricity tariff (baht/kWh)"), max_digits=6, decimal_places=4
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    registered_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Whether the last charge reached the site's chemical inventory (chemicals.services).
    inventory_synced = models.BooleanField(default=False)

    class Meta:
        ordering = ["site__code"]
        verbose_name = _("ammonia refrigeration plant")
        indexes = [models.Index(fields=["kind"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ammonia_charge_kg__gt=0), name="refrigeration_charge_positive"
            ),
            models.CheckConstraint(
                condition=Q(tariff_baht_per_kwh__gt=0), name="refrigeration_tariff_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site.name_th} ({self.get_kind_display()})"

    @property
    def compressor_kw(self) -> float:
        return sum(
            float(c.get("motor_kw") or 0) * int(c.get("count") or 0) for c in self.compressors
        )


class RefrigerationInspection(models.Model):
    plant = models.ForeignKey(
        RefrigerationPlant, on_delete=models.PROTECT, related_name="inspections"
    )
    visited_on = models.DateField(_("visited on"))
    inspectors = models.CharField(_("inspectors"), max_length=500)
    # Energy
    annual_electricity_kwh = models.DecimalField(
        _("electricity used in the last 12 months (kWh)"), max_digits=14, decimal_places=2
    )
    annual_output = models.DecimalField(
        _("output in the last 12 months (t of ice, or m³ cooled)"),
        max_digits=14,
        decimal_places=2,
    )
    condensing_temp_c = models.DecimalField(
        _("condensing temperature (°C)"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    evaporating_temp_c = models.DecimalField(
        _("evaporating temperature (°C)"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    sec = models.DecimalField(_("specific energy use"), max_digits=12, decimal_places=4)
    sec_unit = models.CharField(max_length=12)
    benchmark_sec = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    benchmark_version = models.CharField(max_length=20)
    tariff_baht_per_kwh = models.DecimalField(max_digits=6, decimal_places=4)
    potential_kwh = models.DecimalField(
        _("saving potential (kWh/yr)"), max_digits=14, decimal_places=2
    )
    potential_baht = models.DecimalField(
        _("saving potential (baht/yr)"), max_digits=14, decimal_places=2
    )
    # [{"code": str, "note": str, "saving_kwh_per_year": "decimal"}] verified at this visit
    measures_implemented = models.JSONField(_("measures implemented"), default=list, blank=True)
    implemented_kwh = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    implemented_baht = models.DecimalField(
        _("saving implemented (baht/yr)"), max_digits=14, decimal_places=2, default=0
    )
    # Safety: {"ammonia_detectors": bool, "emergency_ventilation": bool, "relief_valves": bool,
    # "ppe_scba": bool, "emergency_plan": bool}; leaks in the last 12 months
    safety = models.JSONField(_("safety"), default=dict)
    leaks_last_12_months = models.PositiveIntegerField(_("ammonia leaks in 12 months"), default=0)
    # Environment: {"wastewater_treated": bool, "noise_complaints": bool, "ammonia_odour": bool}
    environment = models.JSONField(_("environment"), default=dict)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-visited_on", "-pk"]
        verbose_name = _("refrigeration plant inspection")
        indexes = [models.Index(fields=["visited_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(potential_baht__gte=0, implemented_baht__gte=0),
                name="refrigeration_savings_not_negative",
            )
        ]

    def __str__(self) -> str:
        return f"{self.plant.site.code} {self.visited_on}"

    def get_absolute_url(self) -> str:
        return reverse("supervision:plant_detail", args=[self.plant_id])


def _photo_path(instance: "InspectionPhoto", filename: str) -> str:
    return f"supervision/photos/{instance.inspection.site_id}/{filename}"


class InspectionPhoto(models.Model):
    """A photo taken at a storage-site visit, kept with the first version of the inspection
    (corrections keep it); served only through a scoped view, never as a public file."""

    inspection = models.ForeignKey(
        StorageInspection, on_delete=models.PROTECT, related_name="photos"
    )
    file = models.FileField(_("photo"), upload_to=_photo_path)
    caption = models.CharField(_("caption"), max_length=255, blank=True)
    item_code = models.CharField(_("checklist item"), max_length=10, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("inspection photo")

    def __str__(self) -> str:
        return f"{self.inspection} {self.caption or self.file.name}"
