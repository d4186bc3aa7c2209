"""Admin pages: reference data and a read-only view of the register.

Factories and machines change only through the services (pages, API, import), which validate and
audit; the admin shows them but does not edit them. Inspector assignments are made here, through
the service, so they are audited too.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from rongngan.core.admin import ReadOnlyAdmin
from rongngan.registry import services
from rongngan.registry.models import Factory, FactoryAssignment, FactoryType, ImportJob, Machine


@admin.register(FactoryType)
class FactoryTypeAdmin(ReadOnlyAdmin):
    """Loaded from registry/data/factory_types.csv by migration; change the file, not the rows."""

    list_display = ["code", "name_th", "name_en", "waste_service"]
    search_fields = ["code", "name_th", "name_en"]


@admin.register(Factory)
class FactoryAdmin(ReadOnlyAdmin):
    list_display = ["registration_no", "name_th", "province", "factory_class", "status"]
    list_filter = ["status", "factory_class", "province"]
    search_fields = ["registration_no", "name_th", "name_en", "juristic_id"]
    list_select_related = ["province"]
    show_full_result_count = False


@admin.register(Machine)
class MachineAdmin(ReadOnlyAdmin):
    list_display = ["name", "machine_type", "factory", "registration_no", "mortgaged", "status"]
    search_fields = ["name", "registration_no", "factory__registration_no"]
    list_select_related = ["factory"]


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    list_display = ["id", "filename", "created_by", "created_at", "dry_run", "status"]


@admin.register(FactoryAssignment)
class FactoryAssignmentAdmin(admin.ModelAdmin):
    list_display = ["factory", "inspector", "is_active", "assigned_at", "reason"]
    list_filter = ["is_active"]
    raw_id_fields = ["factory", "inspector"]
    search_fields = ["factory__registration_no", "inspector__username"]
    fields = ["factory", "inspector", "reason"]
    actions = ["end_assignments"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # ended with the action below; the record stays

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: FactoryAssignment, form: Any, change: bool
    ) -> None:
        created = services.factory_assign_inspector(
            acting_user=request.user,
            factory=obj.factory,
            inspector=obj.inspector,
            reason=obj.reason,
        )
        obj.pk = created.pk

    @admin.action(description=_("End the selected assignments"))
    def end_assignments(self, request: HttpRequest, queryset: Any) -> None:
        for assignment in queryset.filter(is_active=True):
            services.assignment_end(acting_user=request.user, assignment=assignment)
