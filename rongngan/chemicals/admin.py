from django.contrib import admin

from rongngan.chemicals.models import CatalogueLoad, ReceptorLayer, Substance


@admin.register(Substance)
class SubstanceAdmin(admin.ModelAdmin):
    """Read-only: the directory is written by `load_chemicals` from the catalogue files."""

    list_display = ["cas", "name_en", "name_th", "un_number", "seveso_named_entry"]
    search_fields = ["cas", "name_en", "name_th", "un_number"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(CatalogueLoad)
class CatalogueLoadAdmin(admin.ModelAdmin):
    list_display = ["version", "loaded_at", "created", "updated"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(ReceptorLayer)
class ReceptorLayerAdmin(admin.ModelAdmin):
    """Layers are uploaded through the API or pages; here an administrator may retire one."""

    list_display = ["name", "synthetic", "row_count", "is_active", "uploaded_by", "uploaded_at"]
    list_filter = ["synthetic", "is_active"]
    fields = ["name", "description", "is_active"]

    def has_add_permission(self, request: object) -> bool:
        return False
