from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "rongngan.chemicals.supervision"
    label = "chemical_supervision"
    verbose_name = _("Storage-site inspections and ammonia refrigeration")
