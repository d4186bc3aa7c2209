from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from rongngan.accounts.models import LoginAttempt, Organisation, User


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["code", "name_th", "kind", "province", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name_th", "name_en", "juristic_id"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "role", "organisation", "province", "is_active"]
    list_filter = ["role", "is_active"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("Rongngan", {"fields": ("role", "organisation", "province", "district", "language")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "password1",
                    "password2",
                    "role",
                    "organisation",
                    "province",
                    "district",
                ),
            },
        ),
    )
    raw_id_fields = ["organisation"]


@admin.register(LoginAttempt)
class LoginAttemptAdmin(admin.ModelAdmin):
    list_display = ["username", "at", "ip", "succeeded"]
    list_filter = ["succeeded"]
    search_fields = ["username"]
    # Deleting the failures of an account name is how an administrator unlocks it.
    actions = ["delete_selected"]
