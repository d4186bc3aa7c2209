from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from rongngan.accounts.api import MeView, TokenView
from rongngan.plan import api as plan_api
from rongngan.registry import api as registry_api
from rongngan.waste import api as waste_api

router = DefaultRouter()
router.register("factories", registry_api.FactoryViewSet, basename="factory")
router.register("factory-types", registry_api.FactoryTypeViewSet, basename="factory-type")
router.register("imports", registry_api.ImportJobViewSet, basename="import-job")
router.register("provinces", registry_api.ProvinceViewSet, basename="province")
router.register("plan/plans", plan_api.PlanViewSet, basename="plan")
router.register("plan/strategies", plan_api.StrategyViewSet, basename="plan-strategy")
router.register("plan/projects", plan_api.ProjectViewSet, basename="plan-project")
router.register("plan/kpis", plan_api.KPIViewSet, basename="plan-kpi")
router.register("waste/codes", waste_api.WasteCodeViewSet, basename="waste-code")
router.register("waste/operations", waste_api.OperationViewSet, basename="waste-operation")
router.register("waste/streams", waste_api.StreamViewSet, basename="waste-stream")
router.register("waste/approvals", waste_api.ApprovalViewSet, basename="waste-approval")
router.register("waste/manifests", waste_api.ManifestViewSet, basename="waste-manifest")
router.register("waste/processors", waste_api.ProcessorViewSet, basename="waste-processor")
router.register("waste/mass-balance", waste_api.MassBalanceViewSet, basename="waste-mass-balance")
router.register("waste/annual-reports", waste_api.AnnualReportViewSet, basename="waste-report")
router.register("waste/capacity", waste_api.CapacityViewSet, basename="waste-capacity")

machine_list = registry_api.MachineViewSet.as_view({"get": "list", "post": "create"})
machine_detail = registry_api.MachineViewSet.as_view({"get": "retrieve", "patch": "partial_update"})

assignment_list = registry_api.AssignmentViewSet.as_view({"get": "list", "post": "create"})
assignment_end = registry_api.AssignmentViewSet.as_view({"post": "end"})

urlpatterns = [
    path("", include(router.urls)),
    path("chemicals/", include("rongngan.chemicals.api_urls")),
    path("chemicals/", include("rongngan.chemicals.supervision.api_urls")),
    path("monitoring/", include("rongngan.monitoring.api_urls")),
    path("factories/<str:factory_pk>/machinery/", machine_list, name="machine-list"),
    path("factories/<str:factory_pk>/machinery/<str:pk>/", machine_detail, name="machine-detail"),
    path("factories/<str:factory_pk>/assignments/", assignment_list, name="assignment-list"),
    path(
        "factories/<str:factory_pk>/assignments/<str:pk>/end/",
        assignment_end,
        name="assignment-end",
    ),
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("me/", MeView.as_view(), name="api-me"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
]
