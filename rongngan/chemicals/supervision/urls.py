from django.urls import path

from rongngan.chemicals.supervision import views

app_name = "supervision"

urlpatterns = [
    path("", views.inspection_list, name="inspection_list"),
    path("new/", views.inspection_create, name="inspection_create"),
    path("grade-preview/", views.grade_preview, name="grade_preview"),
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection_detail"),
    path("inspections/<int:pk>/photos/", views.photo_add, name="photo_add"),
    path("photos/<int:pk>/", views.photo_file, name="photo_file"),
    path("inspections/<int:pk>/correct/", views.inspection_correct, name="inspection_correct"),
    path("sites/<int:site_id>/", views.site_history, name="site"),
    path("actions/", views.action_list, name="actions"),
    path("actions/<int:pk>/evidence/", views.action_evidence, name="action_evidence"),
    path("actions/<int:pk>/close/", views.action_close, name="action_close"),
    path("statistics/", views.statistics, name="statistics"),
    path("refrigeration/", views.plant_list, name="plant_list"),
    path("refrigeration/new/", views.plant_create, name="plant_create"),
    path("refrigeration/<int:pk>/", views.plant_detail, name="plant_detail"),
    path("refrigeration/<int:pk>/edit/", views.plant_edit, name="plant_edit"),
    path("refrigeration/<int:pk>/inspect/", views.plant_inspect, name="plant_inspect"),
]
