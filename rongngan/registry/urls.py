from django.urls import path

from rongngan.registry import views

app_name = "registry"
urlpatterns = [
    path("", views.factory_list, name="factory_list"),
]
