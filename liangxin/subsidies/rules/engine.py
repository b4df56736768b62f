"""The subsidy engine: `subsidy_calculate(rule_set, claim_input, usage=...) -> Decision`.

Pure Python, no database. Every check is evaluated (not only the first failing one), so the
decision lists all reasons at once. The caller (the claims service) supplies `usage`: what this
person has already received in this programme, and enforces the limits again with database
constraints; the engine reports the check and the period the usage must be counted in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from .expressions import ExpressionError, expression_amount, expression_condition
from .schema import Category, Predicate, Rule, RuleSet, Variant

FEN = Decimal("0.01")
ZERO = Decimal("0.00")


# ---------------------------------------------------------------- input


class _Facts(BaseModel):
    model_config = ConfigDict(extra="allow")


class Person(_Facts):
    age: int | None = None
    is_resident: bool | None = None
    is_individual: bool = True
    real_name_verified: bool | None = None


class NewItem(_Facts):
    category: str
    price: Decimal | None = Field(None, ge=0, description="标价（元）")
    discounts: list[Decimal] = Field([], description="生产、销售、运营商等各项优惠（元）")
    price_after_discounts: Decimal | None = Field(None, ge=0, description="扣除各项优惠后的成交价（元）")
    efficiency_grade: int | None = None
    water_efficiency_grade: int | None = None
    identifier: str = Field("", description="SN/IMEI/VIN")
    invoice: str = ""
    purchased: bool = True

    def base_price(self) -> Decimal | None:
        if self.price_after_discounts is not None:
            return self.price_after_discounts
        if self.price is None:
            return None
        return self.price - sum(self.discounts, Decimal(0))


class OldItem(_Facts):
    kind: str = ""
    identifier: str = ""
    registration_date: dt.date | None = None
    ownership_start: dt.date | None = Field(None, description="登记在申请人名下的日期")
    fuel: str | None = None
    emission_standard: str | None = None
    handed_in: bool | None = None


class ClaimInput(_Facts):
    claim_date: dt.date
    person: Person = Person()
    new_item: NewItem
    old_item: OldItem | None = None
    documents: set[str] = set()


class Usage(BaseModel):
    """What this person already received, counted in `period` ("2025" for a calendar year,
    "all" for the whole programme). Usage of another period is ignored: limits reset by year."""

    model_config = ConfigDict(extra="forbid")

    period: str | None = None
    category_count: int = Field(0, ge=0)
    category_amount: Decimal = Field(Decimal(0), ge=0)
    programme_count: int = Field(0, ge=0)
    programme_amount: Decimal = Field(Decimal(0), ge=0)
    item_programmes: list[str] = Field([], description="这件新品已享受过补贴的活动类型（互斥判断）")

    @classmethod
    def from_records(cls, records: list[dict], *, rule_set: RuleSet, category: str, claim_date: dt.date,
                     item_programmes: list[str] = ()) -> Usage:
        """Aggregate earlier grants `[{"category", "date", "amount"}]` for the claim's period."""
        period = period_key(rule_set, claim_date)
        current = [r for r in records if period_key(rule_set, _as_date(r["date"])) == period]
        same = [r for r in current if r["category"] == category]
        return cls(
            period=period,
            category_count=len(same), category_amount=sum((Decimal(str(r["amount"])) for r in same), Decimal(0)),
            programme_count=len(current),
            programme_amount=sum((Decimal(str(r["amount"])) for r in current), Decimal(0)),
            item_programmes=list(item_programmes),
        )


def _as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def period_key(rule_set: RuleSet, claim_date: dt.date) -> str:
    return str(claim_date.year) if rule_set.limit_period == "year" else "all"


# ---------------------------------------------------------------- output


@dataclass
class Check:
    code: str
    message: str
    passed: bool
    details: dict = field(default_factory=dict)


@dataclass
class Decision:
    eligible: bool
    amount: Decimal
    category: str
    rule_set_id: str
    rule_set_version: int
    checks: list[Check]
    formula: str = ""
    cap_applied: str | None = None
    variant: str | None = None
    base_price: Decimal | None = None
    limit: int | None = None
    limit_period: str = ""
    inputs: dict = field(default_factory=dict)

    @property
    def failed(self) -> list[Check]:
        return [c for c in self.checks if not c.passed]

    def check(self, code: str) -> Check | None:
        return next((c for c in self.checks if c.code == code), None)

    def as_dict(self) -> dict:
        """JSON-ready: money as strings with two decimals."""
        data = asdict(self)
        data["amount"] = str(self.amount)
        data["base_price"] = None if self.base_price is None else str(self.base_price)
        data["checks"] = [_jsonable(asdict(c)) for c in self.checks]
        data["inputs"] = _jsonable(self.inputs)
        return data

    def summary(self) -> str:
        """One paragraph in plain Chinese."""
        if not self.eligible:
            reasons = "；".join(c.message for c in self.failed)
            return f"不予补贴：{reasons}"
        text = f"补贴 {_yuan(self.amount)} 元。计算：{self.formula}"
        if self.cap_applied:
            text += f"（按{self.cap_applied}）"
        return text


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [_jsonable(v) for v in value]
        return sorted(items, key=str) if isinstance(value, (set, frozenset)) else items
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def _yuan(amount: Decimal) -> str:
    return f"{amount:,.2f}"


def _percent(rate: Decimal) -> str:
    text = format((rate * 100).normalize(), "f")
    return f"{text}%"


def _money_text(amount: Decimal) -> str:
    """Caps read as published: 2,000 元, 1,500.50 元."""
    return f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"


# ---------------------------------------------------------------- predicates


_MISSING = object()


def _fact(facts: dict, path: str) -> Any:
    current: Any = facts
    for part in path.split("."):
        if not isinstance(current, dict) or part not in current:
            return _MISSING
        current = current[part]
    return current


def _as_number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float, Decimal)):
        return Decimal(str(value))
    if isinstance(value, str):
        try:
            return Decimal(value.strip())
        except ArithmeticError:
            return None
    return None


def _as_day(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and len(value) == 10:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _comparable(fact: Any, value: Any) -> tuple[Any, Any]:
    """Compare numbers as Decimal and dates as dates, whichever side is text (facts given as
    extra attributes arrive as JSON strings: "1.8" litres, "2012-06-30")."""
    if isinstance(fact, bool) or isinstance(value, bool):
        return fact, value
    a, b = _as_number(fact), _as_number(value)
    if a is not None and b is not None:
        return a, b
    a, b = _as_day(fact), _as_day(value)
    if a is not None and b is not None:
        return a, b
    return fact, value


def predicate_holds(pred: Predicate, facts: dict) -> bool:
    fact = _fact(facts, pred.field)
    if pred.op == "present":
        return fact is not _MISSING and fact not in (None, "")
    if pred.op == "absent":
        return fact is _MISSING or fact in (None, "")
    if fact is _MISSING or fact is None:
        return False
    if pred.op == "is_true":
        return fact is True
    if pred.op == "is_false":
        return fact is False
    if pred.op in ("in", "not_in"):
        inside = any(a == b for a, b in (_comparable(fact, v) for v in pred.value))
        return inside if pred.op == "in" else not inside
    fact, value = _comparable(fact, pred.value)
    try:
        return {
            "eq": lambda: fact == value, "ne": lambda: fact != value, "lt": lambda: fact < value,
            "le": lambda: fact <= value, "gt": lambda: fact > value, "ge": lambda: fact >= value,
        }[pred.op]()
    except TypeError:
        return False


def _all(preds: list[Predicate], facts: dict) -> bool:
    return all(predicate_holds(p, facts) for p in preds)


# ---------------------------------------------------------------- the calculation


class _Trace:
    def __init__(self):
        self.checks: list[Check] = []

    def add(self, code: str, passed: bool, message_ok: str, message_fail: str, **details) -> bool:
        self.checks.append(Check(code, message_ok if passed else message_fail, passed, details))
        return passed


def _rule_check(trace: _Trace, rule: Rule, facts: dict, activation: dict) -> None:
    if rule.applies_when and not _all(rule.applies_when, facts):
        return
    passed = _all(rule.all_of, facts)
    if rule.any_of:
        passed = passed and any(_all(group, facts) for group in rule.any_of)
    details: dict = {}
    if rule.all_of:
        details["all_of"] = [p.describe() for p in rule.all_of]
    if rule.any_of:
        details["any_of"] = [" 且 ".join(p.describe() for p in g) for g in rule.any_of]
    if rule.expression:
        details["expression"] = rule.expression
        try:
            passed = expression_condition(rule.expression, activation) and passed
        except ExpressionError as exc:
            details["error"] = exc.message
            trace.add(rule.code, False, "", f"{rule.message}（{exc.message}）", **details)
            return
    trace.add(rule.code, passed, f"符合：{rule.message}", rule.message, **details)


def _activation(claim: ClaimInput, usage: Usage) -> dict:
    data = claim.model_dump(mode="python")
    base = claim.new_item.base_price()
    data["new_item"]["price_after_discounts"] = base
    return {
        "claim": {"claim_date": claim.claim_date, "documents": sorted(claim.documents),
                  "category": claim.new_item.category},
        "person": data["person"], "new_item": data["new_item"], "old_item": data.get("old_item") or {},
        "usage": usage.model_dump(mode="python"),
    }


def _facts(claim: ClaimInput, usage: Usage) -> dict:
    act = _activation(claim, usage)
    act["claim"]["documents"] = set(claim.documents)
    return act


def subsidy_calculate(rule_set: RuleSet | dict, claim_input: ClaimInput | dict, *,
                      usage: Usage | dict | None = None) -> Decision:
    """Decide one claim. Inputs may be models or plain dicts (validated here)."""
    rs = rule_set if isinstance(rule_set, RuleSet) else RuleSet.model_validate(rule_set)
    claim = claim_input if isinstance(claim_input, ClaimInput) else ClaimInput.model_validate(claim_input)
    usage = Usage() if usage is None else (usage if isinstance(usage, Usage) else Usage.model_validate(usage))
    trace = _Trace()
    facts = _facts(claim, usage)
    activation = _activation(claim, usage)
    period = period_key(rs, claim.claim_date)
    if usage.period is not None and usage.period != period:
        # Usage of an earlier year: the limits reset, nothing of it counts now.
        usage = Usage(period=period, item_programmes=usage.item_programmes)

    missing = rs.missing_parameters()
    trace.add("parameter_missing", not missing, "规则参数齐全",
              f"规则参数尚未填写：{', '.join(missing)}，请先补全本地标准", missing=missing)

    in_window = (rs.window_start is None or claim.claim_date >= rs.window_start) and (
        rs.window_end is None or claim.claim_date <= rs.window_end)
    window_text = f"{rs.window_start or '不限'} 至 {rs.window_end or '不限'}"
    trace.add("window_closed", in_window, f"申请日期在受理期内（{window_text}）",
              f"申请日期 {claim.claim_date} 不在受理期内（{window_text}）", claim_date=claim.claim_date.isoformat())

    category = rs.category(claim.new_item.category)
    covered = [c.code for c in rs.categories]
    trace.add("category_not_covered", category is not None, f"品类“{claim.new_item.category}”在补贴范围内",
              f"品类“{claim.new_item.category}”不在本活动补贴范围内（范围：{'、'.join(covered)}）", covered=covered)

    base = claim.new_item.base_price()
    amount = ZERO
    formula = ""
    cap_applied: str | None = None
    variant: Variant | None = None

    if category is not None:
        _category_checks(trace, rs, category, claim, base, facts)
    _documents_check(trace, rs, category, claim)
    for rule in rs.rules + (category.rules if category else []):
        _rule_check(trace, rule, facts, activation)
    _ownership_check(trace, rs, claim)
    if rs.new_purchase_required:
        trace.add("new_purchase_required", claim.new_item.purchased, "已购置新品",
                  "须同时购置新品才能享受报废补贴")
    if rs.exclusive_with or usage.item_programmes:
        clash = sorted(set(usage.item_programmes) & (set(rs.exclusive_with) | {rs.programme}))
        trace.add("exclusive_programme", not clash, "这件新品未享受过互斥的补贴",
                  f"这件新品已享受过 {'、'.join(clash)} 补贴，与本活动只能选其一", clash=clash)

    if category is not None:
        variant = next((v for v in category.variants if _all(v.when, facts)), None)
        labels = [v.label for v in category.variants]
        trace.add("no_matching_standard", variant is not None, f"适用补贴标准：{variant.label if variant else ''}",
                  f"不符合本品类任何补贴标准（{'、'.join(labels)}）", standards=labels)
        if variant is not None and variant.method is not None:
            amount, formula, cap_applied = _amount(trace, rs, variant, base, activation, _base_text(claim.new_item))
        amount, cap_applied = _limits(trace, rs, category, usage, amount, cap_applied)

    eligible = all(c.passed for c in trace.checks)
    rounded = amount.quantize(FEN, rounding=rs.rounding) if eligible else ZERO
    if not eligible:
        formula = formula or "不予补贴"
    return Decision(
        eligible=eligible, amount=rounded, category=claim.new_item.category, rule_set_id=rs.id,
        rule_set_version=rs.version, checks=trace.checks, formula=formula,
        cap_applied=cap_applied if eligible else None, variant=variant.label if variant else None,
        base_price=base, limit=(category.per_person_limit if category else None) or rs.per_person_limit,
        limit_period=period,
        inputs={"claim": claim.model_dump(mode="json"), "usage": usage.model_dump(mode="json")},
    )


def _category_checks(trace: _Trace, rs: RuleSet, cat: Category, claim: ClaimInput, base, facts) -> None:
    if cat.max_grade is not None:
        grade = getattr(claim.new_item, cat.grade_field, None)
        label = "水效" if "water" in cat.grade_field else "能效"
        ok = isinstance(grade, int) and grade <= cat.max_grade
        trace.add("grade_required", ok, f"{label}等级 {grade} 级，符合 {cat.max_grade} 级及以上要求",
                  f"{label}等级须达到 {cat.max_grade} 级及以上（申请为 {grade if grade is not None else '未填写'}）",
                  grade=grade, required=cat.max_grade)
    if cat.price_ceiling is not None or cat.price_floor is not None or any(v.rate for v in cat.variants):
        trace.add("price_missing", base is not None, "已填写成交价", "未填写成交价")
    if cat.price_ceiling is not None and base is not None:
        trace.add("price_ceiling", base <= cat.price_ceiling,
                  f"成交价 {_yuan(base)} 元未超过单件价格上限 {_money_text(cat.price_ceiling)} 元",
                  f"成交价 {_yuan(base)} 元超过单件价格上限 {_money_text(cat.price_ceiling)} 元，不予补贴",
                  price=base, ceiling=cat.price_ceiling)
    if cat.price_floor is not None and base is not None:
        trace.add("price_floor", base >= cat.price_floor,
                  f"成交价 {_yuan(base)} 元不低于 {_money_text(cat.price_floor)} 元",
                  f"成交价 {_yuan(base)} 元低于 {_money_text(cat.price_floor)} 元，不予补贴",
                  price=base, floor=cat.price_floor)


def _documents_check(trace: _Trace, rs: RuleSet, cat: Category | None, claim: ClaimInput) -> None:
    required = rs.required_documents + (cat.required_documents if cat else [])
    if not required:
        return
    missing = [d for d in required if d.code not in claim.documents]
    trace.add("document_missing", not missing, "材料齐全",
              f"缺少材料：{'、'.join(d.name for d in missing)}", missing=[d.code for d in missing])


def _ownership_check(trace: _Trace, rs: RuleSet, claim: ClaimInput) -> None:
    if rs.ownership_before is None:
        return
    start = claim.old_item.ownership_start if claim.old_item else None
    ok = start is not None and start < rs.ownership_before
    trace.add("ownership_too_short", ok,
              f"旧品于 {start} 登记在申请人名下，早于 {rs.ownership_before}",
              f"旧品须在 {rs.ownership_before} 之前登记在申请人名下（申请为 {start or '未填写'}）",
              ownership_start=start.isoformat() if start else None, before=rs.ownership_before.isoformat())


def _base_text(item: NewItem) -> str:
    if item.price_after_discounts is None and item.price is not None and item.discounts:
        minus = " − ".join(_yuan(d) for d in item.discounts)
        return f"（{_yuan(item.price)} − {minus}）元"
    base = item.base_price()
    return f"{_yuan(base)} 元" if base is not None else ""


def _amount(trace: _Trace, rs: RuleSet, v: Variant, base, activation,
            base_text: str = "") -> tuple[Decimal, str, str | None]:
    cap_applied = None
    if v.method == "fixed":
        raw = v.fixed
        formula = f"{v.label}定额补贴 {_yuan(raw)} 元"
    elif v.method == "rate":
        if base is None:
            return ZERO, "", None
        raw = base * v.rate
        exact = raw.quantize(FEN, rounding=rs.rounding)
        formula = f"{base_text or _yuan(base) + ' 元'} × {_percent(v.rate)} = {_yuan(exact)} 元"
    else:
        try:
            raw = expression_amount(v.expression, activation)
        except ExpressionError as exc:
            trace.add("expression_error", False, "", f"金额表达式无法计算：{exc.message}", expression=v.expression)
            return ZERO, "", None
        formula = f"按表达式 {v.expression} 计算 = {_yuan(raw.quantize(FEN, rounding=rs.rounding))} 元"
    if v.cap is not None and raw > v.cap:
        raw = v.cap
        cap_applied = f"单件补贴上限 {_money_text(v.cap)} 元"
        formula += f"，超过单件补贴上限，按 {_yuan(v.cap)} 元"
    return raw, formula, cap_applied


def _limits(trace: _Trace, rs: RuleSet, cat: Category, usage: Usage, amount: Decimal,
            cap_applied: str | None) -> tuple[Decimal, str | None]:
    period_text = "本年度" if rs.limit_period == "year" else "本活动期内"
    if cat.per_person_limit is not None:
        used = usage.category_count
        trace.add("per_person_category_limit", used < cat.per_person_limit,
                  f"{period_text}本品类已补贴 {used} 件，上限 {cat.per_person_limit} 件",
                  f"{period_text}本品类已补贴 {used} 件，已达每人 {cat.per_person_limit} 件上限",
                  used=used, limit=cat.per_person_limit, period=usage.period)
    if rs.per_person_limit is not None:
        used = usage.programme_count
        trace.add("per_person_limit", used < rs.per_person_limit,
                  f"{period_text}已享受本活动补贴 {used} 次，上限 {rs.per_person_limit} 次",
                  f"{period_text}已享受本活动补贴 {used} 次，已达每人 {rs.per_person_limit} 次上限",
                  used=used, limit=rs.per_person_limit, period=usage.period)
    for label, total, used in (
        ("本品类", cat.per_person_total, usage.category_amount),
        ("本活动", rs.per_person_total, usage.programme_amount),
    ):
        if total is None:
            continue
        remaining = total - used
        ok = trace.add("per_person_total", remaining > 0,
                       f"{period_text}{label}已补贴 {_yuan(used)} 元，累计上限 {_money_text(total)} 元",
                       f"{period_text}{label}已补贴 {_yuan(used)} 元，已达每人累计上限 {_money_text(total)} 元",
                       used=used, total=total, scope=label)
        if ok and amount > remaining:
            amount = remaining
            cap_applied = (f"每人{label}累计补贴上限 {_money_text(total)} 元（已用 {_yuan(used)} 元，"
                           f"剩余 {_yuan(remaining)} 元）")
    return amount, cap_applied


# ---------------------------------------------------------------- adapter for the claims service


def decide(rules: dict, payload: dict, usage: dict | None = None) -> dict:
    """`claim_submit(decide=...)` adapter: stored rules + claim payload + usage → plain dict with
    eligible, amount, price, category, limit, limit_resets_yearly, checks, identifiers, trace.
    Payload keys the engine does not model (claimant name, id card, phone) are ignored."""
    rule_set = RuleSet.model_validate(rules)
    data = {k: v for k, v in payload.items() if k in ClaimInput.model_fields or k == "claim_date"}
    data.setdefault("claim_date", dt.date.today())
    if "person" not in data and isinstance(payload.get("claimant"), dict):
        data["person"] = {k: v for k, v in payload["claimant"].items() if k not in ("name", "id_card", "phone")}
    decision = subsidy_calculate(rule_set, data, usage=usage or None)
    claim = ClaimInput.model_validate(data)
    identifiers = [("serial", claim.new_item.identifier), ("invoice", claim.new_item.invoice)]
    if claim.old_item is not None:
        identifiers.append(("old_item", claim.old_item.identifier))
    trace = decision.as_dict()
    return {
        "eligible": decision.eligible, "amount": decision.amount, "price": decision.base_price or Decimal(0),
        "category": decision.category, "limit": decision.limit,
        "limit_resets_yearly": rule_set.limit_period == "year",
        "checks": [{"code": c.code, "message": c.message, "message_en": c.code, "passed": c.passed}
                   for c in decision.checks],
        "identifiers": [(k, v) for k, v in identifiers if v],
        "trace": trace,
    }


__all__ = ["ClaimInput", "Check", "Decision", "NewItem", "OldItem", "Person", "Usage", "decide",
           "period_key", "predicate_holds", "subsidy_calculate", "ROUND_HALF_UP"]
