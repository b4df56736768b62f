from django import forms
from django.utils.translation import gettext_lazy as _

ALLOWED_NOTICE_SUFFIXES = (".txt", ".docx", ".pdf")


class NoticeUploadForm(forms.Form):
    file = forms.FileField(label=_("通知文件（.txt / .docx / .pdf）"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(ALLOWED_NOTICE_SUFFIXES):
            raise forms.ValidationError(_("只支持 .txt、.docx、.pdf 文件"))
        return upload


class SheetUploadForm(forms.Form):
    file = forms.FileField(label=_("任务分解表（.xlsx）"))


class PlanFilterForm(forms.Form):
    section = forms.IntegerField(required=False)
    department = forms.IntegerField(required=False)
    year = forms.IntegerField(required=False)


class IndicatorForm(forms.Form):
    name = forms.CharField(label=_("指标名称"), max_length=100)
    unit = forms.CharField(label=_("计量单位"), max_length=20)
    direction = forms.ChoiceField(label=_("方向"), choices=[("up", _("越高越好")), ("down", _("越低越好"))])
    keywords = forms.CharField(label=_("识别关键词（每行一个）"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    description = forms.CharField(label=_("口径说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
