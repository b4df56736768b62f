"""The rule-set data model: a subsidy programme's rules as data.

A `RuleSet` is validated by pydantic and serialises to JSON (`rule_set.model_dump(mode="json")`)
so it can be stored in `RuleSetVersion.rules` and read back with `RuleSet.model_validate(data)`.
Money is Decimal in yuan (serialised as a string), rates are Decimal fractions (0.15 = 15 %),
dates are ISO dates.

Shapes (see docs/domain trade-in-rules.md section 9):
- `Category`: one subsidised category with its price ceiling, grade requirement, per-person
  limit, per-person total, documents and conditions, and its `variants`;
- `Variant`: how the amount is computed for one sub-type or tier, chosen first-match by its
  `when` predicates: a `rate` (with optional `cap`), a `fixed` amount, or a CEL `expression`;
- `Rule`: a named check over the claim (`all_of` predicates, `any_of` groups, or a CEL
  `expression`), with a stable machine code and a Chinese message;
- `to_fill`: paths of parameters a county must fill before the rule set can decide claims
  (figures that the sources did not give or that differ by province).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .expressions import ExpressionError, expression_compile

Operator = Literal["eq", "ne", "lt", "le", "gt", "ge", "in", "not_in", "is_true", "is_false", "present", "absent"]

OPERATOR_TEXT = {
    "eq": "等于", "ne": "不等于", "lt": "小于", "le": "不超过", "gt": "大于", "ge": "不低于",
    "in": "属于", "not_in": "不属于", "is_true": "为是", "is_false": "为否", "present": "已填写", "absent": "未填写",
}

SCOPES = ("claim", "person", "new_item", "old_item", "usage")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


def _check_expression(value: str | None) -> str | None:
    if value is None:
        return value
    try:
        expression_compile(value)
    except ExpressionError as exc:
        raise ValueError(exc.message) from exc
    return value


class Source(_Model):
    """Where the rule set's figures come from."""

    document: str = Field(min_length=1, description="文件名称及文号")
    url: str = ""
    section: str = Field("", description="docs: /work/shared/domain/trade-in-rules.md 中的章节")
    reliability: str = Field("", description="A/B/C, as tagged in trade-in-rules.md")
    note: str = ""


class Predicate(_Model):
    """`field` is a dotted path into the claim: `new_item.fuel`, `old_item.registration_date`,
    `person.age`, `claim.claim_date`. Values compare as numbers, dates or text by the fact's type."""

    field: str = Field(min_length=3)
    op: Operator = "eq"
    value: Any = None

    @field_validator("field")
    @classmethod
    def _scope(cls, value: str) -> str:
        if value.split(".", 1)[0] not in SCOPES or "." not in value:
            raise ValueError(f"字段路径须以 {', '.join(SCOPES)} 之一开头，如 new_item.price")
        return value

    @model_validator(mode="after")
    def _value_shape(self):
        if self.op in ("in", "not_in") and not isinstance(self.value, list):
            raise ValueError(f"运算 {self.op} 的 value 须为列表")
        if self.op in ("eq", "ne", "lt", "le", "gt", "ge") and self.value is None:
            raise ValueError(f"运算 {self.op} 须给出 value")
        return self

    def describe(self) -> str:
        if self.op in ("is_true", "is_false", "present", "absent"):
            return f"{self.field} {OPERATOR_TEXT[self.op]}"
        return f"{self.field} {OPERATOR_TEXT[self.op]} {self.value}"


class Rule(_Model):
    """A check that passes when all `all_of` hold, at least one `any_of` group holds (if any),
    and the CEL `expression` is true (if any). Skipped when `applies_when` does not hold."""

    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    message: str = Field(min_length=1, description="不通过时的中文说明")
    applies_when: list[Predicate] = []
    all_of: list[Predicate] = []
    any_of: list[list[Predicate]] = []
    expression: str | None = None

    @field_validator("expression")
    @classmethod
    def _expression_compiles(cls, value: str | None) -> str | None:
        return _check_expression(value)

    @model_validator(mode="after")
    def _has_test(self):
        if not (self.all_of or self.any_of or self.expression):
            raise ValueError("规则须至少有 all_of、any_of 或 expression 之一")
        return self


class Variant(_Model):
    """How the amount is computed for one sub-type or tier (first matching variant wins)."""

    label: str = Field(min_length=1, description="如 一级能效、新能源乘用车、拖拉机 100–160 马力")
    when: list[Predicate] = []
    rate: Decimal | None = Field(None, ge=0, le=1)
    fixed: Decimal | None = Field(None, ge=0)
    expression: str | None = None
    cap: Decimal | None = Field(None, gt=0, description="单件补贴上限（元）")
    national_maximum: Decimal | None = Field(None, gt=0, description="国家规定的上限，地方标准不得高于此数")
    to_fill: bool = Field(False, description="金额须由地方填写")

    @field_validator("expression")
    @classmethod
    def _expression_compiles(cls, value: str | None) -> str | None:
        return _check_expression(value)

    @model_validator(mode="after")
    def _one_method(self):
        methods = [m for m in ("rate", "fixed", "expression") if getattr(self, m) is not None]
        if len(methods) > 1:
            raise ValueError(f"补贴方式只能选一种（rate / fixed / expression），现有 {', '.join(methods)}")
        if not methods and not self.to_fill:
            raise ValueError("须给出 rate、fixed 或 expression 之一（或标记 to_fill 由地方填写）")
        if self.national_maximum is not None:
            for name in ("fixed", "cap"):
                value = getattr(self, name)
                if value is not None and value > self.national_maximum:
                    raise ValueError(
                        f"{name} {value} 元高于国家标准上限 {self.national_maximum} 元：地方标准可以更严，不能更宽"
                    )
        return self

    @property
    def method(self) -> str | None:
        for m in ("rate", "fixed", "expression"):
            if getattr(self, m) is not None:
                return m
        return None


class Document(_Model):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str = Field(min_length=1)


class Category(_Model):
    code: str = Field(min_length=1, description="品类代码，与申请中 new_item.category 一致，如 冰箱")
    name: str = ""
    variants: list[Variant] = Field(min_length=1)
    price_ceiling: Decimal | None = Field(None, gt=0, description="单件价格上限：超过即不予补贴（不是封顶）")
    price_floor: Decimal | None = Field(None, ge=0, description="单件价格下限：低于即不予补贴")
    grade_field: str = Field("efficiency_grade", description="new_item 中的能效/水效等级字段")
    max_grade: int | None = Field(None, ge=1, le=5, description="能效/水效等级须不低于此级（1 为最高）")
    per_person_limit: int | None = Field(None, ge=1, description="每人每期本品类最多补贴件数")
    per_person_total: Decimal | None = Field(None, gt=0, description="每人每期本品类累计补贴上限（元）")
    required_documents: list[Document] = []
    rules: list[Rule] = []


class RuleSet(_Model):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_\-]*$", description="规则集标识，如 appliances-2025")
    version: int = Field(1, ge=1)
    name: str = Field(min_length=1)
    programme: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="活动类型，用于互斥判断，如 car_scrap")
    year: int = Field(ge=2020, le=2100)
    source: Source
    based_on: str = Field("", description="复制自哪个模板（id@version）")
    notes: list[str] = []
    window_start: dt.date | None = None
    window_end: dt.date | None = None
    rounding: Literal["ROUND_HALF_UP", "ROUND_DOWN", "ROUND_HALF_EVEN"] = "ROUND_HALF_UP"
    limit_period: Literal["year", "programme"] = Field("year", description="每人限额按自然年重置，或整个活动期内只计一次")
    per_person_limit: int | None = Field(None, ge=1, description="每人每期本活动最多补贴次数（不分品类）")
    per_person_total: Decimal | None = Field(None, gt=0, description="每人每期本活动累计补贴上限（元）")
    exclusive_with: list[str] = Field([], description="同一件新品只能享受其一的其他活动类型")
    ownership_before: dt.date | None = Field(None, description="旧品须在此日期之前登记在申请人名下")
    new_purchase_required: bool = False
    required_documents: list[Document] = []
    rules: list[Rule] = []
    categories: list[Category] = Field(min_length=1)
    to_fill: list[str] = Field([], description="须由地方填写的参数路径，填写前不能受理申请")

    @model_validator(mode="after")
    def _consistent(self):
        if self.window_start and self.window_end and self.window_start > self.window_end:
            raise ValueError("window_start 不能晚于 window_end")
        codes = [c.code for c in self.categories]
        duplicates = sorted({c for c in codes if codes.count(c) > 1})
        if duplicates:
            raise ValueError(f"品类代码重复：{', '.join(duplicates)}")
        for path in self.to_fill:
            try:
                path_get(self, path)
            except (KeyError, IndexError, AttributeError) as exc:
                raise ValueError(f"to_fill 中的路径 {path} 不存在") from exc
        return self

    def category(self, code: str) -> Category | None:
        return next((c for c in self.categories if c.code == code), None)

    def missing_parameters(self) -> list[str]:
        """Parameters listed in `to_fill` that are still empty, plus variants marked to_fill
        without an amount."""
        missing = [p for p in self.to_fill if path_get(self, p) in (None, "", [])]
        for c in self.categories:
            for i, v in enumerate(c.variants):
                if v.to_fill and v.method is None:
                    path = f"categories.{c.code}.variants.{i}"
                    if path not in missing:
                        missing.append(path)
        return missing


def _step(current: Any, part: str) -> Any:
    if isinstance(current, list):
        if part.lstrip("-").isdigit():
            return current[int(part)]
        for item in current:
            if getattr(item, "code", None) == part or (isinstance(item, dict) and item.get("code") == part):
                return item
        raise KeyError(part)
    if isinstance(current, dict):
        return current[part]
    if isinstance(current, BaseModel):
        if part not in type(current).model_fields:
            raise AttributeError(part)
        return getattr(current, part)
    raise KeyError(part)


def path_get(obj: Any, path: str) -> Any:
    """`categories.空调.per_person_limit` or `categories.0.variants.1.cap`: list items by index
    or by their `code`."""
    current = obj
    for part in path.split("."):
        current = _step(current, part)
    return current
