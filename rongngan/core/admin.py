from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from rongngan.core.models import AuditEntry, District, Province, Subdistrict


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor_username", "action", "object_type", "object_repr", "ip", "source"]
    list_filter = ["action", "source", "object_type"]
    search_fields = ["actor_username", "object_repr", "request_id", "object_id"]
    date_hierarchy = "at"
    show_full_result_count = False


@admin.register(Province)
class ProvinceAdmin(ReadOnlyAdmin):
    list_display = ["code", "name_th", "name_en"]
    search_fields = ["code", "name_th", "name_en"]


@admin.register(District)
class DistrictAdmin(ReadOnlyAdmin):
    list_display = ["code", "name_th", "name_en", "province"]
    search_fields = ["code", "name_th", "name_en"]


@admin.register(Subdistrict)
class SubdistrictAdmin(ReadOnlyAdmin):
    list_display = ["code", "name_th", "name_en", "postcodes", "district"]
    search_fields = ["code", "name_th", "name_en", "postcodes"]
