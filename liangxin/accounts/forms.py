from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from liangxin.accounts.throttle import login_is_locked, login_record_failure, login_record_success


def client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "") if request is not None else ""


class ThrottledLoginForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("用户名或密码错误。"),
        "locked": _("登录失败次数过多，请稍后再试。"),
    }

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        address = client_address(self.request)
        if login_is_locked(username, address):
            # Refused before the password is even checked, so a locked account cannot be probed.
            raise forms.ValidationError(self.error_messages["locked"], code="locked")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            login_record_failure(username, address)
            raise
        login_record_success(username)
        return cleaned


class TokenCreateForm(forms.Form):
    name = forms.CharField(label=_("用途"), max_length=100)
