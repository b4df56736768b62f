from django import forms
from django.utils.translation import gettext_lazy as _

from liangxin.tracking.models import Frequency


class ScheduleForm(forms.Form):
    frequency = forms.ChoiceField(label=_("报送周期"), choices=Frequency.choices)
    due_day = forms.IntegerField(label=_("次月截止日（1–28）"), min_value=1, max_value=28)
    first_period = forms.DateField(label=_("首个报送期"), widget=forms.DateInput(attrs={"type": "date"}))
    remind_before_days = forms.IntegerField(label=_("截止前几天提醒"), min_value=0, max_value=28)
    escalate_after_days = forms.IntegerField(label=_("逾期几天上报专班"), min_value=1, max_value=60)
