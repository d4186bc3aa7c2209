from django.urls import path

from rongngan.chemicals import views

app_name = "chemicals"

urlpatterns = [
    path("", views.directory, name="index"),
    path("substances/<str:cas>/", views.substance_detail, name="substance_detail"),
    path("sites/", views.site_list, name="site_list"),
    path("sites/new/", views.site_register, name="site_register"),
    path("sites/<int:pk>/", views.site_detail, name="site_detail"),
    path("sites/<int:pk>/declare/", views.inventory_declare, name="inventory_declare"),
    path(
        "sites/<int:pk>/declarations/<int:declaration>/",
        views.declaration_detail,
        name="declaration_detail",
    ),
    path("lookup/", views.substance_lookup, name="substance_lookup"),
    path("map/", views.risk_map, name="risk_map"),
    path("map/receptors.geojson", views.receptors_geojson, name="receptors_geojson"),
    path("receptors/upload/", views.receptor_upload, name="receptor_upload"),
]
