from django import forms
from django.utils.translation import gettext_lazy as _

from liangxin.regions.models import AliasStatus, DepartmentKind


class RegionCreateForm(forms.Form):
    code = forms.CharField(label=_("行政区划代码"), max_length=6)
    name = forms.CharField(label=_("名称"), max_length=50)
    parent_code = forms.CharField(label=_("上级代码（可不填，按代码推断）"), max_length=6, required=False)


class DepartmentCreateForm(forms.Form):
    name = forms.CharField(label=_("部门名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类型"), choices=[("", _("按名称推断"))] + list(DepartmentKind.choices), required=False)


class DepartmentUpdateForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=DepartmentKind.choices)
    short_name = forms.CharField(label=_("简称"), max_length=50, required=False)


class AliasDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("confirm", _("确认")), ("reject", _("否决"))])


class AliasFilterForm(forms.Form):
    status = forms.ChoiceField(choices=[("", _("全部"))] + list(AliasStatus.choices), required=False)
