"""/monitoring/... pages (see views.py); the API is under /api/v1/monitoring/ (api_urls.py)."""

from django.urls import path

from rongngan.monitoring import views

app_name = "monitoring"
urlpatterns = [
    path("", views.index, name="index"),
    path("now/", views.dashboard, name="dashboard"),
    path("points/", views.point_list, name="point_list"),
    path("points/new/", views.point_create, name="point_create"),
    path("points/<int:pk>/", views.point_detail, name="point_detail"),
    path("points/<int:pk>/series/", views.point_series, name="point_series"),
    path("points/<int:pk>/parameters/", views.parameter_set, name="parameter_set"),
    path("points/<int:pk>/lab-results/new/", views.lab_result_create, name="lab_result_create"),
    path("points/<int:pk>/notices/new/", views.notice_create, name="notice_create"),
    path("upload/", views.upload, name="upload"),
    path("events/", views.event_list, name="event_list"),
    path("events/<int:pk>/", views.event_detail, name="event_detail"),
    path("events/<int:pk>/explain/", views.event_explain, name="event_explain"),
    path("events/<int:pk>/decide/", views.event_decide, name="event_decide"),
    path("notifications/", views.notifications, name="notifications"),
    path("factories/", views.factory_search, name="factory_search"),
    path("factories/<int:pk>/", views.factory_public, name="factory_public"),
    path("factories/<int:pk>/daily.csv", views.factory_csv, name="factory_csv"),
]
