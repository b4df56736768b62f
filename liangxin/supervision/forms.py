from django import forms
from django.utils.translation import gettext_lazy as _

from liangxin.supervision.models import NoticeStatus, SubjectKind, WebhookKind


class NoticeFilterForm(forms.Form):
    status = forms.ChoiceField(choices=[("", _("全部状态"))] + list(NoticeStatus.choices), required=False)
    department = forms.IntegerField(required=False)


class NoticeIssueForm(forms.Form):
    subject_kind = forms.ChoiceField(label=_("督办对象"), choices=SubjectKind.choices, widget=forms.HiddenInput)
    subject_id = forms.IntegerField(widget=forms.HiddenInput)
    department = forms.ModelChoiceField(label=_("责任部门"), queryset=None, empty_label=_("请选择部门"))
    title = forms.CharField(label=_("标题"), max_length=200, widget=forms.TextInput(attrs={"class": "input"}))
    body = forms.CharField(label=_("督办事项"), widget=forms.Textarea(attrs={"rows": 5, "class": "textarea"}))
    deadline = forms.DateField(label=_("反馈期限"), widget=forms.DateInput(attrs={"type": "date", "class": "input"}))

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        from liangxin.regions.models import Department

        self.fields["department"].queryset = Department.objects.filter(pk__in=[d.pk for d in departments]).order_by("name")


class NoticeActionForm(forms.Form):
    action = forms.ChoiceField(choices=[("respond", _("反馈")), ("close", _("办结")), ("escalate", _("升级督办"))])
    text = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))


class WebhookForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=WebhookKind.choices)
    name = forms.CharField(label=_("名称"), max_length=100, required=False, widget=forms.TextInput(attrs={"class": "input"}))
    url = forms.URLField(label=_("Webhook 地址"), max_length=500, assume_scheme="https", widget=forms.URLInput(attrs={"class": "input"}))
    at_all = forms.BooleanField(label=_("@所有人（仅钉钉）"), required=False)
