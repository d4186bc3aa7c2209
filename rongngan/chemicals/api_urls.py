from django.urls import include, path
from rest_framework.routers import SimpleRouter

from rongngan.chemicals import api

router = SimpleRouter()
router.register("substances", api.SubstanceViewSet, basename="chemical-substance")
router.register("sites", api.SiteViewSet, basename="chemical-site")

urlpatterns = [
    path("", include(router.urls)),
    path("sites/<str:pk>/inventory/", api.SiteInventoryView.as_view(), name="chemical-inventory"),
    path("sites/<str:pk>/hazard/", api.SiteHazardView.as_view(), name="chemical-hazard"),
    path("risk/areas/", api.AreaLayerView.as_view(), name="chemical-risk-areas"),
    path("risk/sites/", api.RiskSitesView.as_view(), name="chemical-risk-sites"),
    path("receptors/", api.ReceptorsView.as_view(), name="chemical-receptors"),
]
