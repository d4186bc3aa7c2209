"""API routes under /api/v1/chemicals/ (included by the project's api_urls)."""

from django.urls import path

from rongngan.chemicals.supervision import api

inspections = api.StorageInspectionViewSet
actions = api.CorrectiveActionViewSet
plants = api.RefrigerationPlantViewSet

urlpatterns = [
    path(
        "storage-inspections/",
        inspections.as_view({"get": "list", "post": "create"}),
        name="storage-inspection-list",
    ),
    path(
        "storage-inspections/stats/",
        api.StorageStatsViewSet.as_view({"get": "list"}),
        name="storage-inspection-stats",
    ),
    path(
        "storage-inspections/checklist/",
        api.ChecklistViewSet.as_view({"get": "list"}),
        name="storage-inspection-checklist",
    ),
    path(
        "storage-inspections/corrective-actions/",
        actions.as_view({"get": "list"}),
        name="corrective-action-list",
    ),
    path(
        "storage-inspections/corrective-actions/<str:pk>/",
        actions.as_view({"get": "retrieve"}),
        name="corrective-action-detail",
    ),
    path(
        "storage-inspections/corrective-actions/<str:pk>/evidence/",
        actions.as_view({"post": "evidence"}),
        name="corrective-action-evidence",
    ),
    path(
        "storage-inspections/corrective-actions/<str:pk>/close/",
        actions.as_view({"post": "close"}),
        name="corrective-action-close",
    ),
    path(
        "storage-inspections/<str:pk>/",
        inspections.as_view({"get": "retrieve"}),
        name="storage-inspection-detail",
    ),
    path(
        "storage-inspections/<str:pk>/correct/",
        inspections.as_view({"post": "correct"}),
        name="storage-inspection-correct",
    ),
    path(
        "refrigeration-plants/",
        plants.as_view({"get": "list", "post": "create"}),
        name="refrigeration-plant-list",
    ),
    path(
        "refrigeration-plants/stats/",
        api.RefrigerationStatsViewSet.as_view({"get": "list"}),
        name="refrigeration-plant-stats",
    ),
    path(
        "refrigeration-plants/<str:pk>/",
        plants.as_view({"get": "retrieve", "patch": "partial_update"}),
        name="refrigeration-plant-detail",
    ),
    path(
        "refrigeration-plants/<str:pk>/inspections/",
        plants.as_view({"get": "inspections", "post": "inspect"}),
        name="refrigeration-plant-inspections",
    ),
]
