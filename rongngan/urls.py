from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from rongngan.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("language/", core_views.set_language, name="set_language"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("accounts/", include("rongngan.accounts.urls")),
    path("factories/", include("rongngan.registry.urls")),
    path("plan/", include("rongngan.plan.urls")),
    path("waste/", include("rongngan.waste.urls")),
    path("chemicals/supervision/", include("rongngan.chemicals.supervision.urls")),
    path("chemicals/", include("rongngan.chemicals.urls")),
    path("monitoring/", include("rongngan.monitoring.urls")),
    path("api/v1/", include("rongngan.api_urls")),
    path("admin/", admin.site.urls),
]
