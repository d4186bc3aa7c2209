"""Admin pages of industrial waste: the processors' permits and DIW's assessment marks.

They come from DIW's own licensing and assessment, not from the parties, so an administrator
keeps them here. Every addition and change is audited; nothing is deleted: a permit ends by its
"valid until" date and a mark is corrected, so that what was permitted on a day stays known.
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from rongngan.core import audit
from rongngan.waste.models import ProcessorAssessment, ProcessorPermit, WasteCode

PERMIT_FIELDS = [
    "processor",
    "waste_code",
    "operation",
    "capacity_tonnes",
    "permit_no",
    "valid_from",
    "valid_until",
]
ASSESSMENT_FIELDS = ["processor", "year", "mark", "assessed_on", "note"]


class AuditedAdmin(admin.ModelAdmin):
    """Adds and changes leave an audit entry (who, when, before and after); no deletion."""

    audited: list[str] = []

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        before = (
            audit.snapshot(type(obj).objects.get(pk=obj.pk), self.audited)
            if change and obj.pk
            else {}
        )
        super().save_model(request, obj, form, change)
        # As stored (a quantity typed "250" is "250.0000" in its column), so that what did not
        # change compares equal.
        after = audit.snapshot(type(obj).objects.get(pk=obj.pk), self.audited)
        if change:
            changes = audit.diff(before, after)
            if changes:
                audit.record(
                    actor=request.user, action="update", obj=obj, changes=changes, note="admin"
                )
        else:
            audit.record(actor=request.user, action="create", obj=obj, changes=after, note="admin")


class PermitForm(forms.ModelForm):
    class Meta:
        model = ProcessorPermit
        fields = PERMIT_FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A permit names a waste entry, not a chapter or sub-chapter heading.
        self.fields["waste_code"].queryset = WasteCode.objects.filter(level=WasteCode.Level.ENTRY)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("valid_from"), data.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", _("The end is before the start."))
        return data


@admin.register(ProcessorPermit)
class ProcessorPermitAdmin(AuditedAdmin):
    form = PermitForm
    audited = PERMIT_FIELDS
    fields = PERMIT_FIELDS
    list_display = PERMIT_FIELDS
    list_filter = ["operation"]
    search_fields = ["processor__registration_no", "processor__name_th", "waste_code__code"]
    raw_id_fields = ["processor"]
    list_select_related = ["processor", "waste_code", "operation"]


@admin.register(ProcessorAssessment)
class ProcessorAssessmentAdmin(AuditedAdmin):
    audited = ASSESSMENT_FIELDS
    fields = ASSESSMENT_FIELDS
    list_display = ["processor", "year", "mark", "assessed_on"]
    list_filter = ["mark", "year"]
    search_fields = ["processor__registration_no", "processor__name_th"]
    raw_id_fields = ["processor"]
    list_select_related = ["processor"]
