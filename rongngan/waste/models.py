"""Industrial waste: codes and operations (reference data), processors' permits, generators'
streams and removal approvals, and manifests that follow each consignment from the generator
through its transporters to the processor.

A manifest is editable while a draft; from the generator's signature on it is the copy of record:
it changes only by signatures in order and by corrections, each of which makes a new version
that keeps the old one.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rongngan.accounts.models import Organisation
from rongngan.registry.models import Factory

QTY = {"max_digits": 18, "decimal_places": 4}


class WasteCode(models.Model):
    """An entry (or heading) of the List of Waste; codes are stored as six digits."""

    class Level(models.TextChoices):
        CHAPTER = "chapter", _("chapter")
        SUBCHAPTER = "subchapter", _("sub-chapter")
        ENTRY = "entry", _("entry")

    class Hazard(models.TextChoices):
        NONE = "", _("non-hazardous")
        ABSOLUTE = "absolute", _("hazardous (absolute entry)")
        MIRROR = "mirror", _("hazardous (mirror entry)")

    code = models.CharField(_("code"), max_length=6, primary_key=True)
    level = models.CharField(max_length=10, choices=Level.choices)
    chapter = models.CharField(max_length=2)
    subchapter = models.CharField(max_length=4, blank=True)
    description_en = models.TextField(_("description (English)"))
    description_th = models.TextField(_("description (Thai)"), blank=True)
    hazard = models.CharField(_("hazard"), max_length=10, choices=Hazard.choices, blank=True)
    mirror_of = models.CharField(_("mirror entry"), max_length=6, blank=True)
    diw_mark = models.CharField(_("DIW mark"), max_length=2, blank=True)  # HA / HM

    class Meta:
        ordering = ["code"]
        verbose_name = _("waste code")

    def __str__(self) -> str:
        return f"{self.display}{' *' if self.hazardous else ''} {self.description_en}"

    @property
    def display(self) -> str:
        return " ".join(self.code[i : i + 2] for i in range(0, len(self.code), 2))

    @property
    def hazardous(self) -> bool:
        return bool(self.hazard)


class Operation(models.Model):
    """Recovery (R1-R13) and disposal (D1-D15) operations of the Waste Framework Directive."""

    code = models.CharField(_("code"), max_length=3, primary_key=True)
    kind = models.CharField(max_length=10)  # recovery | disposal
    final = models.BooleanField(_("final operation"))
    description_en = models.TextField()
    description_th = models.TextField(blank=True)
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort"]
        verbose_name = _("waste operation")

    def __str__(self) -> str:
        return f"{self.code} {self.description_th or self.description_en}"

    @property
    def is_utilisation(self) -> bool:
        """Recovery that counts toward the utilisation rate: R1-R11."""
        return self.kind == "recovery" and self.final


class ProcessorPermit(models.Model):
    """What a waste-service factory may receive: a code, an operation and a yearly capacity."""

    processor = models.ForeignKey(Factory, on_delete=models.PROTECT, related_name="waste_permits")
    waste_code = models.ForeignKey(WasteCode, on_delete=models.PROTECT, related_name="+")
    operation = models.ForeignKey(Operation, on_delete=models.PROTECT, related_name="+")
    capacity_tonnes = models.DecimalField(_("capacity (t/year)"), **QTY)
    permit_no = models.CharField(_("permit number"), max_length=60, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    class Meta:
        verbose_name = _("processor permit")
        constraints = [
            models.UniqueConstraint(
                fields=["processor", "waste_code", "operation", "valid_from"],
                name="permit_unique",
            ),
            models.CheckConstraint(
                condition=Q(capacity_tonnes__gte=0), name="permit_capacity_gte_0"
            ),
        ]
        indexes = [models.Index(fields=["waste_code", "operation"])]

    def __str__(self) -> str:
        return f"{self.processor_id} {self.waste_code_id} {self.operation_id}"


class ProcessorAssessment(models.Model):
    """DIW's good-practice assessment of a waste processor (the plan's P9)."""

    class Mark(models.TextChoices):
        GOLD = "gold", _("excellent")
        SILVER = "silver", _("good")
        PASS = "pass", _("meets the criteria")
        FAIL = "fail", _("does not meet the criteria")

    processor = models.ForeignKey(
        Factory, on_delete=models.PROTECT, related_name="waste_assessments"
    )
    year = models.PositiveSmallIntegerField(_("fiscal year (B.E.)"))
    mark = models.CharField(_("mark"), max_length=10, choices=Mark.choices)
    assessed_on = models.DateField(_("assessed on"))
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["processor", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["processor", "year"], name="assessment_once_a_year")
        ]

    def __str__(self) -> str:
        return f"{self.processor_id} {self.year} {self.mark}"


class Unit(models.TextChoices):
    KG = "kg", _("kilograms")
    T = "t", _("tonnes")
    L = "L", _("litres")
    M3 = "m3", _("cubic metres")


class WasteStream(models.Model):
    """A waste a generator produces: its code and the quantity expected per year."""

    generator = models.ForeignKey(Factory, on_delete=models.PROTECT, related_name="waste_streams")
    waste_code = models.ForeignKey(WasteCode, on_delete=models.PROTECT, related_name="+")
    description = models.CharField(_("description"), max_length=300)
    hazardous = models.BooleanField(_("hazardous"))
    expected_tonnes = models.DecimalField(_("expected quantity (t/year)"), **QTY)
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["generator", "waste_code"]
        verbose_name = _("waste stream")
        constraints = [
            models.CheckConstraint(
                condition=Q(expected_tonnes__gte=0), name="stream_expected_gte_0"
            )
        ]

    def __str__(self) -> str:
        return f"{self.waste_code.display} {self.description}"


class Approval(models.Model):
    """Permission to send a stream out of the factory to a processor for an operation."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("requested")
        APPROVED = "approved", _("approved")
        REFUSED = "refused", _("refused")

    stream = models.ForeignKey(WasteStream, on_delete=models.PROTECT, related_name="approvals")
    processor = models.ForeignKey(Factory, on_delete=models.PROTECT, related_name="+")
    operation = models.ForeignKey(Operation, on_delete=models.PROTECT, related_name="+")
    quantity_tonnes = models.DecimalField(_("quantity (t/year)"), **QTY)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("removal approval")
        constraints = [
            models.CheckConstraint(condition=Q(quantity_tonnes__gt=0), name="approval_qty_gt_0")
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.stream} → {self.processor_id} {self.operation_id}"

    def is_valid_on(self, day) -> bool:
        return self.status == self.Status.APPROVED and (
            self.valid_until is None or day <= self.valid_until
        )

    def is_expired_on(self, day) -> bool:
        """Approved, but its validity ended before `day`: no manifest is made or handed over
        under it any more."""
        return (
            self.status == self.Status.APPROVED
            and self.valid_until is not None
            and self.valid_until < day
        )

    @property
    def expired(self) -> bool:
        return self.is_expired_on(timezone.localdate())

    @property
    def shown_status(self) -> str:
        """The status as pages and the API give it: an approval past its date is "expired"."""
        return "expired" if self.expired else self.status

    @property
    def shown_status_label(self) -> str:
        return _("expired") if self.expired else self.get_status_display()


class Manifest(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SCHEDULED = "scheduled", _("scheduled")
        IN_TRANSIT = "in_transit", _("in transit")
        RECEIVED = "received", _("received")
        ACCEPTED = "accepted", _("accepted")
        PARTLY_REFUSED = "partly_refused", _("partly refused")
        REFUSED = "refused", _("refused")
        PROCESSED = "processed", _("processed")
        CORRECTED = "corrected", _("corrected")
        CANCELLED = "cancelled", _("cancelled")

    number = models.CharField(_("manifest number"), max_length=30, unique=True)
    generator = models.ForeignKey(Factory, on_delete=models.PROTECT, related_name="manifests_out")
    processor = models.ForeignKey(Factory, on_delete=models.PROTECT, related_name="manifests_in")
    approval = models.ForeignKey(Approval, on_delete=models.PROTECT, related_name="manifests")
    operation = models.ForeignKey(
        Operation, on_delete=models.PROTECT, related_name="+", verbose_name=_("planned operation")
    )
    status = models.CharField(max_length=15, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveIntegerField(default=0)  # 0 while a draft; 1 once signed
    previous = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="onward",
        verbose_name=_("comes from manifest"),
        help_text=_("The manifest whose refused part, or whose stored waste, this one carries on."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    shipped_at = models.DateTimeField(_("taken by the first transporter"), null=True, blank=True)
    received_at = models.DateTimeField(_("received"), null=True, blank=True)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)
    final_operation = models.ForeignKey(
        Operation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("operation applied"),
    )
    # Kept by the services from the lines and the operation, so the plan's KPIs are one
    # indexed aggregate over manifests (see metrics.py and services.refresh_counted).
    generator_province = models.ForeignKey(
        "core.Province", on_delete=models.PROTECT, null=True, editable=False, related_name="+"
    )  # the generator's province at creation, for area statistics without a factory join
    counted_final = models.BooleanField(default=False, editable=False)
    counted_recovery = models.BooleanField(default=False, editable=False)
    accepted_hazardous_kg = models.DecimalField(default=0, editable=False, **QTY)
    accepted_other_kg = models.DecimalField(default=0, editable=False, **QTY)
    # Carries the refused part of `previous` back to its generator: the refusing processor is
    # this manifest's `generator` (it hands over) and the original generator its `processor`
    # (it receives). Nothing on it counts as waste managed; the waste is held again.
    is_return = models.BooleanField(_("return to the generator"), default=False)
    discrepancy = models.BooleanField(_("significant discrepancy"), default=False)
    discrepancy_resolved_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    # Signed by the generator but taken by no transporter: it may be cancelled, with a reason;
    # it stays on record.
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("manifest")
        indexes = [
            models.Index(fields=["generator", "-created_at"]),
            models.Index(fields=["processor", "-created_at"]),
            models.Index(fields=["status"]),
            # The dashboard's and the KPIs' year-long aggregates read only these columns: on
            # PostgreSQL they come from the index alone (an index-only scan), not the table.
            models.Index(
                fields=["received_at"],
                include=[
                    "status",
                    "generator_province",
                    "accepted_hazardous_kg",
                    "accepted_other_kg",
                    "counted_final",
                    "counted_recovery",
                    "final_operation",
                    "operation",
                ],
                name="manifest_received_covering",
            ),
            models.Index(fields=["shipped_at"], name="manifest_shipped_at"),
            models.Index(
                fields=["received_at"],
                condition=Q(discrepancy=True, discrepancy_resolved_at__isnull=True),
                name="manifest_open_discrepancy",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("waste:manifest_detail", args=[self.pk])


class ManifestLine(models.Model):
    manifest = models.ForeignKey(Manifest, on_delete=models.PROTECT, related_name="lines")
    number = models.PositiveSmallIntegerField()
    waste_code = models.ForeignKey(WasteCode, on_delete=models.PROTECT, related_name="+")
    hazardous = models.BooleanField()
    quantity = models.DecimalField(_("quantity"), **QTY)
    unit = models.CharField(_("unit"), max_length=3, choices=Unit.choices)
    density = models.DecimalField(
        _("density (kg/L)"), max_digits=10, decimal_places=4, null=True, blank=True
    )
    quantity_kg = models.DecimalField(**QTY)
    bulk = models.BooleanField(_("bulk"), default=False)
    container_type = models.CharField(_("container type"), max_length=40, blank=True)
    container_count = models.PositiveIntegerField(_("containers"), null=True, blank=True)
    received_kg = models.DecimalField(null=True, blank=True, **QTY)
    received_containers = models.PositiveIntegerField(null=True, blank=True)
    received_code = models.ForeignKey(
        WasteCode, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    accepted_kg = models.DecimalField(null=True, blank=True, **QTY)
    refused_kg = models.DecimalField(null=True, blank=True, **QTY)
    discrepancies = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["manifest", "number"]
        constraints = [
            models.UniqueConstraint(fields=["manifest", "number"], name="line_number_unique"),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="line_qty_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.manifest_id}/{self.number}"


class ManifestTransporter(models.Model):
    manifest = models.ForeignKey(Manifest, on_delete=models.PROTECT, related_name="transporters")
    order = models.PositiveSmallIntegerField()
    transporter = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    vehicle = models.CharField(_("vehicle registration"), max_length=30, blank=True)

    class Meta:
        ordering = ["manifest", "order"]
        constraints = [
            models.UniqueConstraint(fields=["manifest", "order"], name="transporter_order_unique")
        ]

    def __str__(self) -> str:
        return f"{self.manifest_id}#{self.order} {self.transporter_id}"


class Signature(models.Model):
    """One party's step on a manifest, in order; never changed."""

    class Step(models.TextChoices):
        GENERATOR = "generator", _("generator hands over")
        TRANSPORTER = "transporter", _("transporter takes over")
        RECEIPT = "receipt", _("processor receives")
        PROCESSED = "processed", _("processor records the operation")

    manifest = models.ForeignKey(Manifest, on_delete=models.PROTECT, related_name="signatures")
    step = models.CharField(max_length=12, choices=Step.choices)
    transporter_order = models.PositiveSmallIntegerField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(_("signed at"))
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["manifest", "signed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.manifest_id} {self.step} {self.signed_at:%Y-%m-%d}"


class ManifestVersion(models.Model):
    """The copy of record at each version: v1 at the generator's signature, then corrections.

    `event` says what made the version (a code, shown translated); `reason` is the correction's
    reason as its proposer wrote it (empty for the signature)."""

    class Event(models.TextChoices):
        SIGNED = "signed", _("signed by the generator")
        CORRECTED = "corrected", _("correction applied")

    manifest = models.ForeignKey(Manifest, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    event = models.CharField(max_length=10, choices=Event.choices, default=Event.CORRECTED)
    snapshot = models.JSONField()
    changes = models.JSONField(default=dict, blank=True)
    reason = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["manifest", "number"]
        constraints = [
            models.UniqueConstraint(fields=["manifest", "number"], name="manifest_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.manifest_id} v{self.number}"


class Correction(models.Model):
    """A proposed change to a signed manifest; applying it makes a new version."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        APPLIED = "applied", _("applied")
        WITHDRAWN = "withdrawn", _("withdrawn")

    manifest = models.ForeignKey(Manifest, on_delete=models.PROTECT, related_name="corrections")
    changes = models.JSONField()
    reason = models.TextField(_("reason"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["manifest", "-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["manifest"], condition=Q(status="open"), name="one_open_correction"
            )
        ]

    def __str__(self) -> str:
        return f"{self.manifest_id} correction {self.pk}"


KG_PER_TONNE = Decimal(1000)


class Alert(models.Model):
    """A clock that ran out: raised once per cause, closed when dealt with.

    A manifest clock names the manifest; the storage clock names the stream and the day the
    oldest waste still held passed 90 days; the annual-report clock names the factory and year.
    """

    class Kind(models.TextChoices):
        RECEIPT_CONTACT = "receipt_contact", _("receipt not confirmed: contact the parties")
        RECEIPT_EXCEPTION = "receipt_exception", _("receipt not confirmed: exception report")
        DISCREPANCY = "discrepancy", _("discrepancy unresolved: sent to the provincial office")
        STORAGE = "storage", _("waste stored at the generator over 90 days without approval")
        ANNUAL_REPORT = "annual_report", _("annual generator report missing")

    kind = models.CharField(max_length=20, choices=Kind.choices)
    manifest = models.ForeignKey(
        Manifest, null=True, blank=True, on_delete=models.PROTECT, related_name="alerts"
    )
    stream = models.ForeignKey(
        WasteStream, null=True, blank=True, on_delete=models.PROTECT, related_name="alerts"
    )
    factory = models.ForeignKey(
        Factory, null=True, blank=True, on_delete=models.PROTECT, related_name="waste_alerts"
    )
    year = models.PositiveIntegerField(null=True, blank=True)  # C.E. year an annual report covers
    province = models.ForeignKey(
        "core.Province", on_delete=models.PROTECT, related_name="+", verbose_name=_("province")
    )
    raised_on = models.DateField(_("raised on"))
    due_since = models.DateField(_("overdue since"))
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_on", "kind"]
        verbose_name = _("waste alert")
        indexes = [models.Index(fields=["closed_at", "province"])]
        constraints = [
            models.UniqueConstraint(fields=["kind", "manifest"], name="alert_once_per_manifest"),
            models.UniqueConstraint(
                fields=["kind", "stream", "due_since"], name="alert_once_per_stored_batch"
            ),
            models.UniqueConstraint(
                fields=["kind", "factory", "year"], name="alert_once_per_report_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.manifest_id or self.stream_id or self.factory_id}"


class GenerationRecord(models.Model):
    """What a generator reports it produced of a stream in one month (its waste log).

    A record is corrected by a new one that replaces it, with a reason; the old one is kept.
    """

    stream = models.ForeignKey(WasteStream, on_delete=models.PROTECT, related_name="generation")
    month = models.DateField(_("month"))  # the first day of the month
    quantity_kg = models.DecimalField(_("quantity (kg)"), **QTY)
    note = models.CharField(_("note"), max_length=300, blank=True)
    is_current = models.BooleanField(default=True)
    replaces = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by"
    )
    reason = models.CharField(_("reason for the correction"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["stream", "month"]
        verbose_name = _("waste generated")
        constraints = [
            models.CheckConstraint(condition=Q(quantity_kg__gte=0), name="generation_qty_gte_0"),
            models.UniqueConstraint(
                fields=["stream", "month"],
                condition=Q(is_current=True),
                name="generation_one_current_per_month",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.stream_id} {self.month:%Y-%m} {self.quantity_kg}"


class StoragePermission(models.Model):
    """An officer's approval to keep a stream at the generator beyond 90 days, until a date."""

    stream = models.ForeignKey(
        WasteStream, on_delete=models.PROTECT, related_name="storage_permissions"
    )
    valid_until = models.DateField(_("valid until"))
    reason = models.TextField(_("reason"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["stream", "-valid_until"]
        verbose_name = _("storage approval")

    def __str__(self) -> str:
        return f"{self.stream_id} ≤ {self.valid_until}"


class AnnualReport(models.Model):
    """A generator's yearly report (due 1 March for the calendar year before): the mass balance
    of each stream as the platform computed it when the generator submitted, with their note.
    An amended report is a new version; earlier versions are kept."""

    generator = models.ForeignKey(
        Factory, on_delete=models.PROTECT, related_name="waste_annual_reports"
    )
    year = models.PositiveIntegerField(_("year (C.E.)"))
    version = models.PositiveSmallIntegerField(default=1)
    figures = models.JSONField(default=list)
    note = models.TextField(_("note"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["generator", "-year", "-version"]
        verbose_name = _("annual waste report")
        constraints = [
            models.UniqueConstraint(
                fields=["generator", "year", "version"], name="annual_report_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.generator_id} {self.year} v{self.version}"


class NumberSeries(models.Model):
    """The last number used per manifest-number prefix (one per B.E. year): a locked counter,
    so numbering needs no scan of the manifests."""

    prefix = models.CharField(max_length=20, primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.prefix}{self.last}"
