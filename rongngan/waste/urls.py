from django.urls import path

from rongngan.waste import views

app_name = "waste"
urlpatterns = [
    path("", views.manifest_list, name="manifest_list"),
    path("processors/", views.processor_list, name="processor_list"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/codes/", views.dashboard_codes, name="dashboard_codes"),
    path("dashboard/capacity/", views.dashboard_capacity, name="dashboard_capacity"),
    path("streams/", views.streams, name="streams"),
    path("held/", views.held, name="held"),
    path("approvals/<int:pk>/decide/", views.approval_decide, name="approval_decide"),
    path("manifests/new/", views.manifest_create, name="manifest_create"),
    path("manifests/<int:pk>/", views.manifest_detail, name="manifest_detail"),
    path("manifests/<int:pk>/sign/", views.manifest_sign, name="manifest_sign"),
    path("manifests/<int:pk>/delete/", views.manifest_delete, name="manifest_delete"),
    path("manifests/<int:pk>/cancel/", views.manifest_cancel, name="manifest_cancel"),
    path("manifests/<int:pk>/receive/", views.manifest_receive, name="manifest_receive"),
    path("manifests/<int:pk>/process/", views.manifest_process, name="manifest_process"),
    path("manifests/<int:pk>/reroute/", views.manifest_reroute, name="manifest_reroute"),
    path("manifests/<int:pk>/return/", views.manifest_return, name="manifest_return"),
    path("manifests/<int:pk>/corrections/", views.correction_open, name="correction_open"),
    path(
        "manifests/<int:pk>/corrections/<int:correction_pk>/apply/",
        views.correction_apply,
        name="correction_apply",
    ),
    path(
        "manifests/<int:pk>/corrections/<int:correction_pk>/withdraw/",
        views.correction_withdraw,
        name="correction_withdraw",
    ),
    path("manifests/<int:pk>/resolve/", views.discrepancy_resolve, name="discrepancy_resolve"),
]
