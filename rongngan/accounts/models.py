from typing import Any

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from rongngan.core.models import District, Province


class Organisation(models.Model):
    class Kind(models.TextChoices):
        DIW_BUREAU = "diw_bureau", _("DIW central bureau")
        PROVINCIAL_OFFICE = "provincial_office", _("Provincial industry office")
        LOCAL_GOVERNMENT = "local_government", _("Local government")
        OPERATOR = "operator", _("Factory operator")
        LAB = "lab", _("Private analytical laboratory")
        WASTE_PROCESSOR = "waste_processor", _("Waste processor")
        WASTE_TRANSPORTER = "waste_transporter", _("Waste transporter")

    code = models.SlugField(max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name_th = models.CharField(_("name (Thai)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    juristic_id = models.CharField(_("juristic ID"), max_length=13, blank=True)
    province = models.ForeignKey(
        Province, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("province")
    )
    district = models.ForeignKey(
        District, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("district")
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["kind", "name_th"]
        verbose_name = _("organisation")
        constraints = [
            models.UniqueConstraint(
                fields=["juristic_id"],
                condition=~Q(juristic_id=""),
                name="organisation_juristic_id_unique",
            )
        ]

    def __str__(self) -> str:
        return self.name_th


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    OFFICER = "officer", _("DIW officer (national)")
    PROVINCIAL_OFFICER = "provincial_officer", _("Provincial officer")
    LOCAL_GOV = "local_gov", _("Local government")
    OPERATOR = "operator", _("Factory operator")
    INSPECTOR = "inspector", _("Inspector")
    COMMITTEE = "committee", _("Committee member")


class RongnganUserManager(UserManager):
    def create_superuser(
        self, username: str, email: str | None = None, password: str | None = None, **extra: object
    ) -> "User":
        extra.setdefault("role", Role.ADMIN)
        return super().create_superuser(username, email, password, **extra)


class User(AbstractUser):
    objects = RongnganUserManager()

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.OPERATOR)
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name=_("organisation"),
    )
    # The area a provincial officer or local government acts for.
    province = models.ForeignKey(
        Province, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("province")
    )
    district = models.ForeignKey(
        District, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("district")
    )
    language = models.CharField(_("language"), max_length=5, default="th")

    class Meta:
        verbose_name = _("user")
        constraints = [
            models.CheckConstraint(
                condition=~Q(role__in=["provincial_officer", "local_gov"])
                | Q(province__isnull=False),
                name="user_area_role_has_province",
            ),
            models.CheckConstraint(
                condition=~Q(role="operator") | Q(organisation__isnull=False),
                name="user_operator_has_organisation",
            ),
        ]

    def clean(self) -> None:
        super().clean()
        errors: dict[str, Any] = {}
        if self.role == Role.OPERATOR and self.organisation_id is None:
            errors["organisation"] = ValidationError(
                _("An operator acts for an organisation: choose it."), code="required"
            )
        if self.role in {Role.PROVINCIAL_OFFICER, Role.LOCAL_GOV} and self.province_id is None:
            errors["province"] = ValidationError(
                _("This role acts for a province: choose it."), code="required"
            )
        if errors:
            raise ValidationError(errors)

    @property
    def is_national(self) -> bool:
        return self.role in {Role.ADMIN, Role.OFFICER, Role.COMMITTEE} or self.is_superuser


class LoginAttempt(models.Model):
    """Kept to lock an account name after repeated failures, whichever address they come from."""

    username = models.CharField(max_length=150, db_index=True)
    at = models.DateTimeField(auto_now_add=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    succeeded = models.BooleanField()

    class Meta:
        indexes = [models.Index(fields=["username", "-at"])]

    def __str__(self) -> str:
        return f"{self.username} {self.at:%Y-%m-%d %H:%M} {'ok' if self.succeeded else 'failed'}"
