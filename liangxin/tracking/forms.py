from django import forms
from django.utils.translation import gettext_lazy as _

from liangxin.tracking.models import ComputedMeasure, Frequency


class ScheduleForm(forms.Form):
    frequency = forms.ChoiceField(label=_("报送周期"), choices=Frequency.choices)
    due_day = forms.IntegerField(label=_("次月截止日（1–28）"), min_value=1, max_value=28)
    first_period = forms.DateField(label=_("首个报送期"), widget=forms.DateInput(attrs={"type": "date"}))
    remind_before_days = forms.IntegerField(label=_("截止前几天提醒"), min_value=0, max_value=28)
    escalate_after_days = forms.IntegerField(label=_("逾期几天上报专班"), min_value=1, max_value=60)


class ComputedSourceForm(forms.Form):
    """A ledger source for one indicator; the service checks units, programmes and categories."""

    indicator = forms.ModelChoiceField(label=_("指标"), queryset=None, empty_label=_("请选择指标"))
    measure = forms.ChoiceField(label=_("计算口径"), choices=ComputedMeasure.choices)
    programmes = forms.ModelMultipleChoiceField(
        label=_("补贴活动（不选则为本地区全部活动）"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    categories = forms.CharField(
        label=_("品类（用“、”分隔，留空为全部品类）"),
        required=False,
        max_length=400,
        widget=forms.TextInput(attrs={"placeholder": _("如：冰箱、洗衣机")}),
    )

    def __init__(self, *args, region, **kwargs):
        from liangxin.plans.models import Indicator
        from liangxin.tracking.computed import region_programmes

        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = Indicator.objects.order_by("name")
        self.fields["indicator"].label_from_instance = lambda i: f"{i.name}（{i.unit}）"
        self.fields["programmes"].queryset = region_programmes(region).order_by("-year", "name")
