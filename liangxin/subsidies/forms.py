import datetime as dt
import json
from decimal import Decimal

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from liangxin.subsidies.models import FundingSource, Organisation, PayeeKind
from liangxin.subsidies.rules.templates import TEMPLATES, template_get

INPUT = {"class": "input"}
DATE = {"type": "date", "class": "input"}

PARAMETER_LABELS = {
    "window_start": _("受理开始日期"),
    "window_end": _("受理截止日期"),
    "ownership_before": _("旧品须在此日期之前登记在申请人名下"),
    "per_person_total": _("每人累计补贴上限（元）"),
    "per_person_limit": _("每人最多补贴次数"),
}


def template_choices() -> list[tuple[str, str]]:
    return [(key, f"{template_get(key).name}（{key}）") for key in TEMPLATES]


def parameters_to_fill(template_id: str) -> list[tuple[str, str]]:
    """(path to set, label) for every parameter the template leaves to the county. A variant
    marked to_fill gets its amount as a fixed sum (`…variants.N.fixed`)."""
    rs = template_get(template_id)
    result = []
    for path in rs.missing_parameters():
        if path.split(".")[-1].isdigit():  # a whole variant: its amount is left open
            category, index = path.split(".")[1], int(path.split(".")[-1])
            variant = rs.category(category).variants[index]
            if variant.national_maximum:
                label = gettext("%(category)s · %(variant)s 补贴金额（元，国家上限 %(maximum)s 元）") % {
                    "category": category, "variant": variant.label, "maximum": variant.national_maximum}
            else:
                label = gettext("%(category)s · %(variant)s 补贴金额（元）") % {"category": category, "variant": variant.label}
            result.append((f"{path}.fixed", label))
            continue
        last = path.split(".")[-1]
        if path.startswith("categories."):
            parts = path.split(".")
            category = rs.category(parts[1])
            label = path
            if category is not None and len(parts) >= 4 and parts[3].isdigit():
                variant = category.variants[int(parts[3])]
                label = f"{category.code} · {variant.label} · " + (gettext("单件补贴上限（元）") if last == "cap" else last)
            elif category is not None:
                label = f"{category.code} · {PARAMETER_LABELS.get(last, last)}"
            result.append((path, label))
        else:
            result.append((path, PARAMETER_LABELS.get(path, path)))
    return result


def _parameter_field(path: str, label: str) -> forms.Field:
    last = path.split(".")[-1]
    if last in ("window_start", "window_end", "ownership_before"):
        return forms.DateField(label=label, required=False, widget=forms.DateInput(attrs=DATE))
    if last.endswith("limit"):
        return forms.IntegerField(label=label, required=False, min_value=1, widget=forms.NumberInput(attrs=INPUT))
    return forms.DecimalField(label=label, required=False, min_value=0, decimal_places=2, max_digits=12,
                              widget=forms.NumberInput(attrs={**INPUT, "step": "0.01"}))


class ProgrammeCreateForm(forms.Form):
    template = forms.ChoiceField(label=_("规则模板"), widget=forms.HiddenInput)
    name = forms.CharField(label=_("活动名称"), max_length=100, widget=forms.TextInput(attrs=INPUT))
    year = forms.IntegerField(label=_("年度"), min_value=2020, max_value=2100, widget=forms.NumberInput(attrs=INPUT))
    starts_on = forms.DateField(label=_("开始日期"), widget=forms.DateInput(attrs=DATE))
    ends_on = forms.DateField(label=_("结束日期"), widget=forms.DateInput(attrs=DATE))

    def __init__(self, *args, template_id: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = [(k, k) for k in TEMPLATES]
        self.parameters = parameters_to_fill(template_id)
        for i, (path, label) in enumerate(self.parameters):
            self.fields[f"param_{i}"] = _parameter_field(path, label)

    def parameter_fields(self):
        return [self[f"param_{i}"] for i in range(len(self.parameters))]

    def base_fields_bound(self):
        return [self[n] for n in ("name", "year", "starts_on", "ends_on")]

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["starts_on"] > data["ends_on"]:
            self.add_error("ends_on", _("结束日期不能早于开始日期"))
        overrides = {}
        for i, (path, label) in enumerate(self.parameters):
            value = data.get(f"param_{i}")
            if value in (None, ""):
                self.add_error(f"param_{i}", _("模板要求由地方填写此参数：%(label)s（%(path)s）") % {"label": label, "path": path})
                continue
            overrides[path] = value.isoformat() if isinstance(value, dt.date) else value
        data["overrides"] = overrides
        return data


class RulesForm(forms.Form):
    rules = forms.CharField(label=_("规则（JSON）"), widget=forms.Textarea(attrs={"class": "textarea is-family-monospace", "rows": 24}))
    note = forms.CharField(label=_("修改说明"), max_length=200, widget=forms.TextInput(attrs=INPUT))

    def clean_rules(self):
        try:
            data = json.loads(self.cleaned_data["rules"])
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(_("不是有效的 JSON：第 %(line)s 行第 %(col)s 列，%(msg)s") % {
                "line": exc.lineno, "col": exc.colno, "msg": exc.msg}) from None
        if not isinstance(data, dict):
            raise forms.ValidationError(_("规则须为 JSON 对象 {…}"))
        return data


class PoolForm(forms.Form):
    name = forms.CharField(label=_("资金池名称"), max_length=100, widget=forms.TextInput(attrs=INPUT))
    allocated = forms.DecimalField(label=_("下达额度（元）"), min_value=0, max_digits=14, decimal_places=2,
                                   widget=forms.NumberInput(attrs={**INPUT, "step": "0.01"}))
    category = forms.CharField(label=_("限定品类（留空为不限）"), max_length=40, required=False, widget=forms.TextInput(attrs=INPUT))
    source = forms.ChoiceField(label=_("资金来源"), choices=FundingSource.choices, initial=FundingSource.MIXED)


class OrganisationForm(forms.Form):
    name = forms.CharField(label=_("经营主体名称"), max_length=100, widget=forms.TextInput(attrs=INPUT))
    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=18, widget=forms.TextInput(attrs=INPUT))
    kind = forms.ChoiceField(label=_("类型"), choices=Organisation.Kind.choices)
    bank_name = forms.CharField(label=_("开户行"), max_length=100, required=False, widget=forms.TextInput(attrs=INPUT))
    bank_account = forms.CharField(label=_("结算账号（补贴拨付至此）"), max_length=40, required=False,
                                   widget=forms.TextInput(attrs={**INPUT, "autocomplete": "off", "inputmode": "numeric"}))


class OrganisationAccountForm(forms.Form):
    bank_name = forms.CharField(label=_("开户行"), max_length=100, widget=forms.TextInput(attrs=INPUT))
    bank_account = forms.CharField(label=_("结算账号"), max_length=40,
                                   widget=forms.TextInput(attrs={**INPUT, "autocomplete": "off", "inputmode": "numeric"}))
    reason = forms.CharField(label=_("变更原因"), max_length=200, widget=forms.TextInput(attrs=INPUT))


class ProgrammeSettingsForm(forms.Form):
    """Review and payment settings (审核与拨付设置). The sampling rate is entered in percent."""

    is_open = forms.BooleanField(label=_("受理中"), required=False)
    sample_percent = forms.DecimalField(label=_("抽查比例（%）"), min_value=0, max_value=100, max_digits=5, decimal_places=1,
                                        widget=forms.NumberInput(attrs={**INPUT, "step": "0.1"}))
    second_approval_above = forms.DecimalField(label=_("超过此金额需双人审核（元，留空为不需要）"), required=False, min_value=0,
                                               max_digits=12, decimal_places=2, widget=forms.NumberInput(attrs={**INPUT, "step": "0.01"}))
    payee_kind = forms.ChoiceField(label=_("补贴拨付给"), choices=PayeeKind.choices)
    manual_acceptance = forms.BooleanField(label=_("申请需工作人员受理（否则提交即受理）"), required=False)
    sla_accept_days = forms.IntegerField(label=_("受理时限（天）"), min_value=1, max_value=365, widget=forms.NumberInput(attrs=INPUT))
    sla_review_days = forms.IntegerField(label=_("审核时限（天）"), min_value=1, max_value=365, widget=forms.NumberInput(attrs=INPUT))
    sla_pay_days = forms.IntegerField(label=_("拨付时限（天）"), min_value=1, max_value=365, widget=forms.NumberInput(attrs=INPUT))
    daily_opens_at = forms.TimeField(label=_("每日受理开始（留空为全天）"), required=False,
                                     widget=forms.TimeInput(attrs={"type": "time", "class": "input"}))
    daily_closes_at = forms.TimeField(label=_("每日受理结束"), required=False,
                                      widget=forms.TimeInput(attrs={"type": "time", "class": "input"}))

    FIELD_OF = {"sample_rate": "sample_percent"}

    @classmethod
    def for_programme(cls, programme, data=None):
        initial = {name: getattr(programme, name) for name in (
            "is_open", "second_approval_above", "payee_kind", "manual_acceptance", "sla_accept_days", "sla_review_days",
            "sla_pay_days", "daily_opens_at", "daily_closes_at")}
        initial["sample_percent"] = (programme.sample_rate * 100).quantize(Decimal("0.1"))
        return cls(data, initial=initial)

    def changes(self) -> dict:
        data = dict(self.cleaned_data)
        data["sample_rate"] = (data.pop("sample_percent") / 100).quantize(Decimal("0.001"))
        return data


class ClaimForm(forms.Form):
    """One claim entered by programme staff (e.g. at a service window)."""

    form_key = forms.CharField(widget=forms.HiddenInput)
    name = forms.CharField(label=_("申请人姓名"), max_length=50, widget=forms.TextInput(attrs=INPUT))
    id_card = forms.CharField(label=_("身份证号"), max_length=18, widget=forms.TextInput(attrs={**INPUT, "autocomplete": "off"}))
    phone = forms.CharField(label=_("手机号"), max_length=14, widget=forms.TextInput(attrs={**INPUT, "autocomplete": "off"}))
    category = forms.ChoiceField(label=_("品类"))
    brand = forms.CharField(label=_("品牌"), max_length=50, required=False, widget=forms.TextInput(attrs=INPUT))
    model = forms.CharField(label=_("型号"), max_length=80, required=False, widget=forms.TextInput(attrs=INPUT))
    identifier = forms.CharField(label=_("序列号/IMEI/VIN"), max_length=60, required=False, widget=forms.TextInput(attrs=INPUT))
    price = forms.DecimalField(label=_("标价（元）"), min_value=0, max_digits=12, decimal_places=2, required=False,
                               widget=forms.NumberInput(attrs={**INPUT, "step": "0.01"}))
    discount = forms.DecimalField(label=_("优惠金额（元）"), min_value=0, max_digits=12, decimal_places=2, required=False,
                                  widget=forms.NumberInput(attrs={**INPUT, "step": "0.01"}))
    price_after_discounts = forms.DecimalField(label=_("成交价（元，扣除各项优惠后）"), min_value=0, max_digits=12, decimal_places=2,
                                               required=False, widget=forms.NumberInput(attrs={**INPUT, "step": "0.01"}))
    efficiency_grade = forms.IntegerField(label=_("能效等级"), min_value=1, max_value=5, required=False,
                                          widget=forms.NumberInput(attrs=INPUT))
    invoice = forms.CharField(label=_("发票号码"), max_length=60, required=False, widget=forms.TextInput(attrs=INPUT))
    old_kind = forms.CharField(label=_("旧品类型"), max_length=40, required=False, widget=forms.TextInput(attrs=INPUT))
    old_identifier = forms.CharField(label=_("旧品编号/回收证明编号"), max_length=60, required=False, widget=forms.TextInput(attrs=INPUT))
    documents = forms.MultipleChoiceField(label=_("已提供材料"), required=False, widget=forms.CheckboxSelectMultiple)
    payee_account = forms.CharField(label=_("收款账号（申请人本人）"), max_length=40, required=False,
                                    widget=forms.TextInput(attrs={**INPUT, "autocomplete": "off", "inputmode": "numeric"}))
    payee_bank = forms.CharField(label=_("开户行"), max_length=100, required=False, widget=forms.TextInput(attrs=INPUT))

    FIELD_OF = {"claimant.id_card": "id_card", "claimant.phone": "phone", "claimant.name": "name",
                "payee.account": "payee_account", "payee.name": "payee_account"}

    def __init__(self, *args, categories=(), documents=(), pays_claimant=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [(c, c) for c in categories]
        self.fields["documents"].choices = list(documents)
        if pays_claimant:
            self.fields["payee_account"].required = True
        else:
            # The seller is paid: no claimant account is asked for, so none is kept.
            del self.fields["payee_account"], self.fields["payee_bank"]

    def clean(self):
        data = super().clean()
        if data.get("price") is None and data.get("price_after_discounts") is None:
            self.add_error("price", _("请填写标价或成交价"))
        if data.get("price") is not None and data.get("discount") and data["discount"] > data["price"]:
            self.add_error("discount", _("优惠金额不能超过标价"))
        return data

    def payload(self) -> dict:
        d = self.cleaned_data
        new_item = {"category": d["category"], "identifier": d["identifier"].strip(), "invoice": d["invoice"].strip()}
        for key in ("brand", "model"):
            if d[key].strip():
                new_item[key] = d[key].strip()
        if d["price"] is not None:
            new_item["price"] = str(d["price"])
            new_item["discounts"] = [str(d["discount"])] if d["discount"] else []
        if d["price_after_discounts"] is not None:
            new_item["price_after_discounts"] = str(d["price_after_discounts"])
        if d["efficiency_grade"] is not None:
            new_item["efficiency_grade"] = d["efficiency_grade"]
        payload = {
            "claimant": {"name": d["name"].strip(), "id_card": d["id_card"].strip(), "phone": d["phone"].strip()},
            "new_item": new_item, "documents": list(d["documents"]),
        }
        if d["old_kind"].strip() or d["old_identifier"].strip():
            payload["old_item"] = {"kind": d["old_kind"].strip(), "identifier": d["old_identifier"].strip()}
        if d.get("payee_account"):
            payload["payee"] = {"name": d["name"].strip(), "account": d["payee_account"].strip(), "bank": d.get("payee_bank", "").strip()}
        return payload


class BulkUploadForm(forms.Form):
    MODES = [("accept_good", _("受理格式正确的行，列出有问题的行")), ("all_or_nothing", _("任何一行有问题则整个文件不受理"))]

    file = forms.FileField(label=_("申请表（.xlsx 或 .csv）"))
    mode = forms.ChoiceField(label=_("有问题的行如何处理"), choices=MODES, initial="accept_good", widget=forms.RadioSelect)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("请上传 .xlsx 或 .csv 文件"))
        if upload.size > 10 * 1024 * 1024:
            raise forms.ValidationError(_("文件超过 10 MB，请分批上传"))
        return upload
