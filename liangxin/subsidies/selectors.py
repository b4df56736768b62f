"""Reads for the subsidy pages: programmes with budget use, filtered claims, rules and the
calculation trace in plain words (the page's language; what the rules and the decision say stays as
written). No writes."""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db.models import Prefetch, QuerySet, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pydantic import ValidationError

from liangxin.subsidies.models import BudgetPool, Claim, ClaimStatus, Organisation, Programme, RuleSetVersion
from liangxin.subsidies.rules.schema import RuleSet

ZERO = Decimal("0.00")


def programmes_for_region(region) -> list[Programme]:
    """Programmes of the region, each with `pool_list` and `totals` (allocated, reserved, paid)."""
    programmes = list(
        Programme.objects.filter(region=region).prefetch_related(
            Prefetch("pools", queryset=BudgetPool.objects.order_by("name"), to_attr="pool_list")
        )
    )
    for p in programmes:
        p.totals = pool_totals(p.pool_list)
    return programmes


def pool_totals(pools) -> dict:
    totals = {"allocated": ZERO, "reserved": ZERO, "paid": ZERO}
    for pool in pools:
        for key in totals:
            totals[key] += getattr(pool, key)
    totals["available"] = totals["allocated"] - totals["reserved"] - totals["paid"]
    return totals


def current_rules(programme: Programme) -> RuleSetVersion | None:
    return programme.rule_versions.order_by("-version").first()


def rule_set_or_none(rules: dict) -> RuleSet | None:
    try:
        return RuleSet.model_validate(rules)
    except ValidationError:
        return None


def validation_messages(exc: ValidationError) -> list[str]:
    """pydantic errors as 「字段路径：说明」, the path as it is written in the rules JSON."""
    messages = []
    for error in exc.errors():
        path = ".".join(str(p) for p in error["loc"]) or _("（整体）")
        text = error["msg"].removeprefix("Value error, ")
        messages.append(f"{path}：{text}")
    return messages


def _money(value) -> str:
    amount = Decimal(str(value))
    return f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"


def _percent(rate) -> str:
    return format((Decimal(str(rate)) * 100).normalize(), "f") + "%"


def _variant_text(v) -> str:
    if v.rate is not None:
        text = _("按成交价 %(rate)s 补贴") % {"rate": _percent(v.rate)}
    elif v.fixed is not None:
        text = _("定额补贴 %(amount)s 元") % {"amount": _money(v.fixed)}
    elif v.expression:
        text = _("按表达式 %(expression)s 计算") % {"expression": v.expression}
    else:
        text = _("金额待地方填写")
    if v.cap is not None:
        text += _("，单件最高 %(amount)s 元") % {"amount": _money(v.cap)}
    if v.national_maximum is not None:
        text += _("（国家上限 %(amount)s 元）") % {"amount": _money(v.national_maximum)}
    return text


def rules_describe(rules: dict) -> dict | None:
    """The rule set in readable words; None when it is not a valid rule set."""
    rs = rule_set_or_none(rules)
    if rs is None:
        return None
    categories = []
    for c in rs.categories:
        facts = []
        if c.price_ceiling is not None:
            facts.append(_("单件成交价不超过 %(amount)s 元（超过不予补贴）") % {"amount": _money(c.price_ceiling)})
        if c.price_floor is not None:
            facts.append(_("单件成交价不低于 %(amount)s 元") % {"amount": _money(c.price_floor)})
        if c.max_grade is not None:
            if "water" in c.grade_field:
                facts.append(_("水效须达到 %(grade)s 级及以上") % {"grade": c.max_grade})
            else:
                facts.append(_("能效须达到 %(grade)s 级及以上") % {"grade": c.max_grade})
        if c.per_person_limit is not None:
            facts.append(_("每人最多 %(n)s 件") % {"n": c.per_person_limit})
        if c.per_person_total is not None:
            facts.append(_("每人累计最多 %(amount)s 元") % {"amount": _money(c.per_person_total)})
        facts += [_("须提供：%(document)s") % {"document": d.name} for d in c.required_documents]
        facts += [r.message for r in c.rules]
        categories.append({
            "code": c.code, "name": c.name if c.name and c.name != c.code else "",
            "variants": [{"label": v.label, "text": _variant_text(v), "when": _("，且 ").join(p.describe() for p in v.when)}
                         for v in c.variants],
            "facts": facts,
        })
    period = _("按自然年计算") if rs.limit_period == "year" else _("整个活动期内合计")
    limits = []
    if rs.per_person_limit is not None:
        limits.append(_("每人最多享受 %(n)s 次（%(period)s）") % {"n": rs.per_person_limit, "period": period})
    if rs.per_person_total is not None:
        limits.append(
            _("每人累计最多 %(amount)s 元（%(period)s）") % {"amount": _money(rs.per_person_total), "period": period}
        )
    if rs.ownership_before:
        limits.append(_("旧品须在 %(date)s 之前登记在申请人名下") % {"date": rs.ownership_before})
    if rs.exclusive_with:
        limits.append(_("与 %(programmes)s 只能享受其一") % {"programmes": "、".join(rs.exclusive_with)})
    if rs.new_purchase_required:
        limits.append(_("须同时购置新品"))
    return {
        "name": rs.name, "id": rs.id, "year": rs.year, "source": rs.source, "notes": rs.notes,
        "window": _("%(start)s 至 %(end)s") % {"start": rs.window_start or _("不限"), "end": rs.window_end or _("不限")},
        "period": period, "limits": limits, "rounding": rs.rounding,
        "documents": [d.name for d in rs.required_documents],
        "rules": [r.message for r in rs.rules],
        "categories": categories, "missing": rs.missing_parameters(),
    }


def documents_for(rs: RuleSet | None) -> list[tuple[str, str]]:
    """(code, name) of every document the programme asks for, programme-wide first."""
    if rs is None:
        return []
    seen, result = set(), []
    for d in rs.required_documents + [d for c in rs.categories for d in c.required_documents]:
        if d.code not in seen:
            seen.add(d.code)
            result.append((d.code, d.name))
    return result


CLAIM_FILTERS = ("status", "category", "organisation", "amount_min", "amount_max", "date_from", "date_to")


def _decimal(value) -> Decimal | None:
    try:
        return Decimal(str(value).strip()) if str(value or "").strip() else None
    except InvalidOperation:
        return None


def _date(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value).strip()) if value else None
    except ValueError:
        return None


def claims_for_programme(programme: Programme, filters: dict) -> QuerySet[Claim]:
    """Claims of a programme, newest first, narrowed by the filters that parse (others ignored)."""
    qs = Claim.objects.filter(programme=programme).select_related("organisation").only(
        "number", "status", "claimant_name", "category", "price", "amount", "created_at", "organisation__name",
    )
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("category"):
        qs = qs.filter(category=filters["category"])
    if str(filters.get("organisation") or "").isdigit():
        qs = qs.filter(organisation_id=int(filters["organisation"]))
    elif filters.get("organisation") == "none":
        qs = qs.filter(organisation__isnull=True)
    if (low := _decimal(filters.get("amount_min"))) is not None:
        qs = qs.filter(amount__gte=low)
    if (high := _decimal(filters.get("amount_max"))) is not None:
        qs = qs.filter(amount__lte=high)
    if (start := _date(filters.get("date_from"))) is not None:
        qs = qs.filter(created_at__date__gte=start)
    if (end := _date(filters.get("date_to"))) is not None:
        qs = qs.filter(created_at__date__lte=end)
    return qs.order_by("-created_at", "-id")


def claim_categories(programme: Programme) -> list[str]:
    return list(Claim.objects.filter(programme=programme).order_by("category").values_list("category", flat=True).distinct())


def organisations_for_region(region) -> QuerySet[Organisation]:
    return Organisation.objects.filter(region=region).order_by("name")


def claim_totals(programme: Programme) -> dict:
    """Money by stage: held for claims still being accepted or reviewed, approved and waiting for
    payment, and paid. (Each claim's status, summed to the fen.)"""
    rows = Claim.objects.filter(programme=programme).values("status").annotate(amount=Sum("amount"))
    by_status = {r["status"]: Decimal(r["amount"] or 0).quantize(Decimal("0.01")) for r in rows}
    zero = Decimal("0.00")

    def total(*statuses) -> Decimal:
        return sum((by_status.get(s, zero) for s in statuses), zero)

    return {
        "held": total(ClaimStatus.SUBMITTED, ClaimStatus.ACCEPTED, ClaimStatus.IN_REVIEW, ClaimStatus.NEEDS_DOCUMENTS),
        "committed": total(ClaimStatus.APPROVED, ClaimStatus.IN_PAYMENT),
        "paid": total(ClaimStatus.PAID),
    }


NEW_ITEM_LABELS = {
    "category": gettext_lazy("品类"), "brand": gettext_lazy("品牌"), "model": gettext_lazy("型号"),
    "identifier": gettext_lazy("序列号/IMEI/VIN"), "price": gettext_lazy("标价（元）"),
    "discounts": gettext_lazy("优惠金额（元）"), "price_after_discounts": gettext_lazy("成交价（元）"),
    "efficiency_grade": gettext_lazy("能效等级"), "water_efficiency_grade": gettext_lazy("水效等级"),
    "invoice": gettext_lazy("发票号码"), "purchased": gettext_lazy("已购置"), "serial": gettext_lazy("序列号/IMEI/VIN"),
    "fuel": gettext_lazy("燃料类型"), "in_nev_catalogue": gettext_lazy("列入新能源汽车车型目录"),
    "displacement_l": gettext_lazy("排量（升）"),
}
OLD_ITEM_LABELS = {
    "kind": gettext_lazy("旧品类型"), "identifier": gettext_lazy("旧品编号"), "registration_date": gettext_lazy("注册登记日期"),
    "ownership_start": gettext_lazy("登记在申请人名下日期"), "fuel": gettext_lazy("燃料类型"), "handed_in": gettext_lazy("已交售"),
    "vehicle_class": gettext_lazy("车辆类型"), "owner_is_applicant": gettext_lazy("登记在申请人名下"),
    "transferred": gettext_lazy("已转让"),
}
# Coded values the rule templates use, as people say them.
VALUE_LABELS = {"nev": gettext_lazy("新能源"), "gasoline": gettext_lazy("汽油"), "diesel": gettext_lazy("柴油"),
                "other": gettext_lazy("其他")}


def _echo(item: dict | None, labels: dict) -> list[tuple[str, str]]:
    if not isinstance(item, dict):
        return []
    rows = []
    for key, value in item.items():
        if value in (None, "", []):
            continue
        if isinstance(value, bool):
            value = _("是") if value else _("否")
        elif isinstance(value, list):
            value = "、".join(str(v) for v in value)
        elif isinstance(value, str) and value in VALUE_LABELS:
            value = VALUE_LABELS[value]
        rows.append((str(labels.get(key, key)), str(value)))
    return rows


def _document_names(claim: Claim, codes: list) -> list[str]:
    """The documents a claim came with, by the names its rule version gives them."""
    names = dict(documents_for(rule_set_or_none(claim.rule_version.rules)))
    return [names.get(code, code) for code in codes]


def claim_trace(claim: Claim) -> dict:
    """The stored decision as a page reads it. The claimant's ID card and phone come from the
    masked columns only; the stored facts were masked on arrival."""
    decision = claim.decision if isinstance(claim.decision, dict) else {}
    checks = [
        {"code": c.get("code", ""), "message": c.get("message", ""), "passed": bool(c.get("passed"))}
        for c in decision.get("checks", []) if isinstance(c, dict)
    ]
    engine_codes = {c["code"] for c in checks if not c["passed"]}
    # Refusals made when the money was taken (duplicates, limits, budget, window) are not in the engine's trace.
    later = [r for r in claim.reasons if r.get("code") not in engine_codes]
    facts = claim.facts if isinstance(claim.facts, dict) else {}
    usage = (decision.get("inputs") or {}).get("usage") or {}
    return {
        "checks": checks, "later": later,
        "formula": decision.get("formula", ""), "cap_applied": decision.get("cap_applied"),
        "variant": decision.get("variant"), "base_price": decision.get("base_price"),
        "limit": decision.get("limit"), "limit_period": decision.get("limit_period"),
        "rule_set": f"{decision.get('rule_set_id', '')} v{decision.get('rule_set_version', '')}" if decision.get("rule_set_id") else "",
        "new_item": _echo(facts.get("new_item"), NEW_ITEM_LABELS),
        "old_item": _echo(facts.get("old_item"), OLD_ITEM_LABELS),
        "documents": _document_names(claim, facts.get("documents") or []),
        "usage": usage,
    }
