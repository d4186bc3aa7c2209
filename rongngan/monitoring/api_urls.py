"""/api/v1/monitoring/... (see api.py)."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from rongngan.monitoring import api

router = SimpleRouter()
router.register("points", api.PointViewSet, basename="monitoring-point")
router.register("batches", api.BatchViewSet, basename="monitoring-batch")
router.register("readings", api.ReadingViewSet, basename="monitoring-reading")
router.register("events", api.EventViewSet, basename="monitoring-event")
router.register("notices", api.NoticeViewSet, basename="monitoring-notice")
router.register("lab-results", api.LabResultViewSet, basename="monitoring-lab-result")
router.register("standards", api.StandardViewSet, basename="monitoring-standard")
router.register("notifications", api.NotificationViewSet, basename="monitoring-notification")

urlpatterns = [path("", include(router.urls))]
