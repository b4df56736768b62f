from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from liangxin.accounts.permissions import get_audit_region_for_user
from liangxin.audit.selectors import audit_entries_for_region, audit_object_types


class AuditFilterForm(forms.Form):
    action = forms.CharField(label=_("操作"), required=False)
    object_type = forms.CharField(label=_("对象类型"), required=False)
    actor = forms.CharField(label=_("操作人"), required=False)
    date_from = forms.DateField(label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


@login_required
def audit_log(request, code: str):
    region = get_audit_region_for_user(request.user, code)
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    entries = audit_entries_for_region(region, **{k: v for k, v in filters.items() if v}).select_related("actor")
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "region": region,
        "form": form,
        "page": page,
        "object_types": audit_object_types(region),
        "query": query.urlencode(),
    }
    template = "audit/_entries.html" if request.headers.get("HX-Request") else "audit/log.html"
    return render(request, template, context)
