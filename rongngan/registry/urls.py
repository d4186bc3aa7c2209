from django.urls import path

from rongngan.registry import views

app_name = "registry"
urlpatterns = [
    path("", views.factory_list, name="factory_list"),
    path("export.<str:kind>", views.factory_export, name="factory_export"),
    path("new/", views.factory_create, name="factory_create"),
    path("import/", views.factory_import, name="factory_import"),
    path("import/template.csv", views.import_template, name="import_template"),
    path("import/<int:pk>/", views.import_job, name="import_job"),
    path("options/districts/", views.district_options, name="district_options"),
    path("options/subdistricts/", views.subdistrict_options, name="subdistrict_options"),
    path("thailand.geojson", views.thailand_outline, name="thailand_geojson"),
    path("<int:pk>/", views.factory_detail, name="factory_detail"),
    path("<int:pk>/edit/", views.factory_edit, name="factory_edit"),
    path("<int:pk>/machines/add/", views.machine_add, name="machine_add"),
    path("<int:pk>/inspectors/", views.assignment_add, name="assignment_add"),
    path(
        "<int:pk>/inspectors/<int:assignment_pk>/end/",
        views.assignment_end,
        name="assignment_end",
    ),
    path("<int:pk>/machines/<int:machine_pk>/edit/", views.machine_edit, name="machine_edit"),
]
