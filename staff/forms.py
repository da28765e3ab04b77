from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.utils.translation import gettext_lazy as _

from . import second_factor


class StaffLoginForm(AdminAuthenticationForm):
    """The admin login: username, password and, for anyone with a second factor,
    the code from their authenticator app or one of their recovery codes."""

    code = forms.CharField(
        label=_("Code"),
        required=False,
        max_length=32,
        help_text=_(
            "The 6-digit code your authenticator app shows, or one of your recovery codes. "
            "Leave empty if you have not set up a second factor yet."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "spellcheck": "false"}
        ),
    )

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "code_required": _(
            "Enter the code from your authenticator app (or a recovery code) to log in."
        ),
        "code_wrong": _(
            "That code is not right or has expired. Enter the code your app shows now, "
            "or one of your recovery codes."
        ),
        "code_throttled": _("Too many wrong codes: wait a minute, then try again."),
    }

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not second_factor.must_verify(user) or second_factor.needs_setup(user):
            # The admin sends a publisher without a device to set one up first.
            return
        code = self.cleaned_data.get("code")
        if not code:
            raise forms.ValidationError(self.error_messages["code_required"], code="code_required")
        try:
            # django-otp's user_logged_in handler records the device in the session.
            user.otp_device = second_factor.verify_code(user, code)
        except second_factor.CodeRefused as refused:
            key = "code_throttled" if refused.args[0] else "code_wrong"
            raise forms.ValidationError(self.error_messages[key], code=key) from None


class ConfirmAppForm(forms.Form):
    code = forms.CharField(
        label=_("Code from your app"),
        max_length=10,
        help_text=_("The 6-digit code your authenticator app shows for this site."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
