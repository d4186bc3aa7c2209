from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from rongngan.accounts.models import Organisation
from rongngan.core.models import District, Province, Subdistrict
from rongngan.registry.models import Factory


class SiteKind(models.TextChoices):
    # A factory under the Factory Act, or the storage place of a business licensed under the
    # Hazardous Substance Act B.E. 2535 that is not a factory (a warehouse, a depot, a cold store).
    FACTORY = "factory", _("Factory")
    HAZMAT_STORAGE = "hazmat_storage", _("Hazardous-substance storage site")


class SiteStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


class StorageSite(models.Model):
    """A place where hazardous substances are kept: what inventories, grades and zones hang on.

    Province, district and operator are held on the site itself (copied from the factory for a
    factory site) so that one scoping rule (`chemicals.scoping`) serves both kinds.
    """

    code = models.CharField(_("site code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=SiteKind.choices)
    factory = models.OneToOneField(
        Factory,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="storage_site",
        verbose_name=_("factory"),
    )
    operator = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="storage_sites",
        verbose_name=_("operator"),
    )
    name_th = models.CharField(_("name (Thai)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, verbose_name=_("province"))
    district = models.ForeignKey(District, on_delete=models.PROTECT, verbose_name=_("district"))
    subdistrict = models.ForeignKey(
        Subdistrict, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("subdistrict")
    )
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)
    status = models.CharField(
        _("status"), max_length=10, choices=SiteStatus.choices, default=SiteStatus.ACTIVE
    )
    registered_on = models.DateField(_("registered on"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("storage site")
        indexes = [
            models.Index(fields=["province", "status"]),
            models.Index(fields=["district"]),
            models.Index(fields=["operator"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    latitude__gte=5, latitude__lte=21, longitude__gte=97, longitude__lte=106
                ),
                name="storage_site_coordinates_in_thailand_box",
            ),
            models.CheckConstraint(
                condition=Q(kind="factory", factory__isnull=False)
                | Q(kind="hazmat_storage", factory__isnull=True),
                name="storage_site_factory_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name_th} ({self.code})"
