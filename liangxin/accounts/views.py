from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liangxin.accounts.forms import ThrottledLoginForm, TokenCreateForm
from liangxin.accounts.models import ApiToken
from liangxin.accounts.services import api_token_create, api_token_revoke
from liangxin.core.errors import ServiceError


class LoginView(auth_views.LoginView):
    form_class = ThrottledLoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


@login_required
def tokens(request):
    form = TokenCreateForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_key = api_token_create(actor=request.user, user=request.user, name=form.cleaned_data["name"])
        except ServiceError as exc:
            form.add_error("name", exc.localized)
        else:
            form = TokenCreateForm()
    token_list = ApiToken.objects.filter(user=request.user).order_by("-created_at")
    return render(request, "accounts/tokens.html", {"form": form, "tokens": token_list, "new_key": new_key})


@login_required
@require_POST
def token_revoke(request, token_id: int):
    # A user manages only their own tokens: the lookup is scoped to request.user.
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    api_token_revoke(actor=request.user, token=token)
    messages.success(request, _("令牌已停用"))
    return redirect("accounts:tokens")
