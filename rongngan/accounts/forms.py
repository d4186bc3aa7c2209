from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from rongngan.accounts.services import LoginLocked, login_check


class LoginForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": _(
            "Too many failed sign-ins for this account. Try again after %(until)s, or ask an "
            "administrator to unlock it."
        ),
    }

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            try:
                self.user_cache = login_check(self.request, username=username, password=password)
            except LoginLocked as locked:
                until = formats.date_format(timezone.localtime(locked.until), "H:i")
                raise forms.ValidationError(
                    self.error_messages["locked"], code="locked", params={"until": until}
                ) from locked
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data
