from typing import Any

from django.contrib import admin

from rongngan.chemicals.models import CatalogueLoad, ReceptorLayer, Substance
from rongngan.core import audit


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
    """The record of which catalogue version was loaded when: read-only, never deleted."""

    list_display = ["version", "loaded_at", "created", "updated"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(ReceptorLayer)
class ReceptorLayerAdmin(admin.ModelAdmin):
    """Layers are uploaded through the API or pages; here an administrator may retire one."""

    list_display = ["name", "synthetic", "row_count", "is_active", "uploaded_by", "uploaded_at"]
    list_filter = ["synthetic", "is_active"]
    fields = ["name", "description", "is_active"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False  # retired (is_active off), never deleted: zones' receptor lists cite it

    def save_model(self, request: Any, obj: ReceptorLayer, form: Any, change: bool) -> None:
        before = ReceptorLayer.objects.get(pk=obj.pk)
        changes = {
            name: [getattr(before, name), getattr(obj, name)]
            for name in self.fields
            if getattr(before, name) != getattr(obj, name)
        }
        super().save_model(request, obj, form, change)
        if changes:
            audit.record(actor=request.user, action="update", obj=obj, changes=changes)
