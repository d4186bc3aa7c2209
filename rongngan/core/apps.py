from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "rongngan.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        # Each app's metrics.py registers the KPI metrics it publishes (see core.metrics).
        autodiscover_modules("metrics")
