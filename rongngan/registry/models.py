from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from rongngan.accounts.models import Organisation
from rongngan.core.models import District, Province, Subdistrict


class FactoryType(models.Model):
    """A category (ลำดับ) of the Factory Act ministerial regulation; loaded from data/."""

    code = models.CharField(_("code"), max_length=3, unique=True)
    name_th = models.TextField(_("name (Thai)"))
    name_en = models.TextField(_("name (English)"), blank=True)
    waste_service = models.BooleanField(_("waste service"), default=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("factory type")

    def __str__(self) -> str:
        return f"{self.code} {self.name_th[:60]}"


class FactoryClass(models.IntegerChoices):
    # Factory Act B.E. 2535 s.7: class 1 may start at once, 2 notifies first, 3 needs a licence.
    ONE = 1, _("Class 1")
    TWO = 2, _("Class 2")
    THREE = 3, _("Class 3")


class FactoryStatus(models.TextChoices):
    OPERATING = "operating", _("Operating")
    SUSPENDED = "suspended", _("Suspended")
    CLOSED = "closed", _("Closed")


class Factory(models.Model):
    registration_no = models.CharField(_("registration number"), max_length=40, unique=True)
    registration_kind = models.CharField(max_length=10, default="current")
    former_registration_no = models.CharField(
        _("former registration number"), max_length=40, blank=True, db_index=True
    )
    name_th = models.CharField(_("name (Thai)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    juristic_id = models.CharField(_("juristic ID"), max_length=13, blank=True, db_index=True)
    operator = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="factories",
        verbose_name=_("operator"),
    )
    types = models.ManyToManyField(FactoryType, related_name="factories", verbose_name=_("types"))
    primary_type = models.ForeignKey(
        FactoryType,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("main type"),
    )
    factory_class = models.PositiveSmallIntegerField(_("class"), choices=FactoryClass.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=FactoryStatus.choices, default=FactoryStatus.OPERATING
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, verbose_name=_("province"))
    district = models.ForeignKey(District, on_delete=models.PROTECT, verbose_name=_("district"))
    subdistrict = models.ForeignKey(
        Subdistrict, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("subdistrict")
    )
    postcode = models.CharField(_("postcode"), max_length=5, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    horsepower = models.DecimalField(
        _("horsepower"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    workers = models.PositiveIntegerField(_("workers"), null=True, blank=True)
    capital = models.DecimalField(
        _("capital (baht)"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    licensed_on = models.DateField(_("licensed on"), null=True, blank=True)
    started_on = models.DateField(_("started on"), null=True, blank=True)
    in_industrial_estate = models.BooleanField(_("in an industrial estate"), default=False)
    estate_name = models.CharField(_("industrial estate"), max_length=255, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=255, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=50, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    # Thai word-segmented tokens of the names and numbers, space-separated and lower-cased,
    # so that a Thai name is found by any word in it (see core.search).
    search_text = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["registration_no"]
        verbose_name = _("factory")
        verbose_name_plural = _("factories")
        indexes = [
            models.Index(fields=["province", "status"]),
            models.Index(fields=["district"]),
            models.Index(fields=["factory_class"]),
            models.Index(fields=["status"]),
            models.Index(fields=["name_th"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__gte=5, latitude__lte=21, longitude__gte=97, longitude__lte=106),
                name="factory_coordinates_in_thailand_box",
            ),
            models.CheckConstraint(
                condition=Q(factory_class__in=[1, 2, 3]), name="factory_class_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name_th} ({self.registration_no})"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("registry:factory_detail", args=[self.pk])


class FactoryAssignment(models.Model):
    """An inspector's case: the inspector may read the factory while the assignment is active."""

    factory = models.ForeignKey(Factory, on_delete=models.PROTECT, related_name="assignments")
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments"
    )
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    is_active = models.BooleanField(default=True)
    assigned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["factory", "inspector"],
                condition=Q(is_active=True),
                name="assignment_one_active_per_inspector",
            )
        ]

    def __str__(self) -> str:
        return f"{self.inspector} → {self.factory}"


class MachineStatus(models.TextChoices):
    IN_USE = "in_use", _("In use")
    IDLE = "idle", _("Idle")
    REMOVED = "removed", _("Removed")


class Machine(models.Model):
    """A machine registered under the Machinery Registration Act B.E. 2514 (mainly for mortgage)."""

    factory = models.ForeignKey(
        Factory, on_delete=models.PROTECT, related_name="machines", verbose_name=_("factory")
    )
    name = models.CharField(_("machine"), max_length=255)
    machine_type = models.CharField(_("type"), max_length=100)
    maker = models.CharField(_("maker"), max_length=255, blank=True)
    model_name = models.CharField(_("model"), max_length=100, blank=True)
    serial_no = models.CharField(_("serial number"), max_length=100, blank=True)
    year_made = models.PositiveSmallIntegerField(_("year made (C.E.)"), null=True, blank=True)
    horsepower = models.DecimalField(
        _("horsepower"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    registration_no = models.CharField(
        _("machinery registration number"), max_length=40, blank=True
    )
    registered_on = models.DateField(_("registered on"), null=True, blank=True)
    mortgaged = models.BooleanField(_("mortgaged"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=MachineStatus.choices, default=MachineStatus.IN_USE
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["factory_id", "id"]
        verbose_name = _("machine")
        indexes = [models.Index(fields=["registered_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["registration_no"],
                condition=~Q(registration_no=""),
                name="machine_registration_no_unique",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("registry:factory_detail", args=[self.factory_id])


class ImportJob(models.Model):
    """A file import run in the background by the task worker, with its report kept."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    filename = models.CharField(max_length=255)
    file = models.FileField(upload_to="imports/%Y/%m/")
    dry_run = models.BooleanField(default=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    report = models.JSONField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"import {self.pk} {self.filename}"
