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
