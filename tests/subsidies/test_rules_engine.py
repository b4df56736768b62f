"""The rule engine on small hand-made rule sets: every check code passing and failing, limits with
yearly reset, rounding to fen, the CEL escape hatch and schema errors that name the field."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from pydantic import ValidationError

from liangxin.subsidies.rules import ExpressionError, RuleSet, Usage, decide, subsidy_calculate
from liangxin.subsidies.rules.expressions import expression_amount, expression_compile, expression_condition


def rule_set(**extra):
    data = {
        "id": "test", "name": "测试", "programme": "appliances", "year": 2025,
        "source": {"document": "测试", "section": "trade-in-rules.md §9"},
        "window_start": "2025-01-01", "window_end": "2025-12-31",
        "required_documents": [{"code": "invoice", "name": "发票"}],
        "categories": [{"code": "冰箱", "max_grade": 2, "price_ceiling": "10000", "per_person_limit": 1,
                        "variants": [{"label": "一级", "when": [{"field": "new_item.efficiency_grade", "op": "eq", "value": 1}],
                                      "rate": "0.20", "cap": "2000"},
                                     {"label": "二级", "rate": "0.15", "cap": "2000"}]}],
    }
    data.update(extra)
    return RuleSet.model_validate(data)


def claim(**item):
    return {"claim_date": "2025-03-01", "documents": ["invoice"], "person": {"age": 66},
            "new_item": {"category": "冰箱", "price_after_discounts": "3000", "efficiency_grade": 2, **item}}


def failed(d):
    return [c.code for c in d.failed]


def test_a_passing_decision_lists_every_check_passed_with_chinese_messages_and_echoes_inputs():
    d = subsidy_calculate(rule_set(), claim())
    assert d.eligible and d.amount == Decimal("450.00")
    codes = [c.code for c in d.checks]
    for code in ("parameter_missing", "window_closed", "category_not_covered", "grade_required", "price_ceiling",
                 "document_missing", "no_matching_standard", "per_person_category_limit"):
        assert code in codes and d.check(code).passed and d.check(code).message
    assert d.rule_set_id == "test" and d.rule_set_version == 1
    data = json.loads(json.dumps(d.as_dict(), ensure_ascii=False))
    assert data["amount"] == "450.00" and data["inputs"]["claim"]["new_item"]["price_after_discounts"] == "3000"
    assert d.summary() == "补贴 450.00 元。计算：3,000.00 元 × 15% = 450.00 元"


@pytest.mark.parametrize(("change", "code"), [
    ({"claim_date": "2026-01-01"}, "window_closed"),
    ({"new_item": {"category": "手机", "price_after_discounts": "3000"}}, "category_not_covered"),
    ({"new_item": {"category": "冰箱", "price_after_discounts": "3000", "efficiency_grade": 3}}, "grade_required"),
    ({"new_item": {"category": "冰箱", "price_after_discounts": "3000"}}, "grade_required"),
    ({"new_item": {"category": "冰箱", "price_after_discounts": "10000.01", "efficiency_grade": 1}}, "price_ceiling"),
    ({"new_item": {"category": "冰箱", "efficiency_grade": 1}}, "price_missing"),
    ({"documents": []}, "document_missing"),
])
def test_each_check_fails_alone_with_its_code_and_pays_nothing(change, code):
    d = subsidy_calculate(rule_set(), {**claim(), **change})
    assert failed(d) == [code] and not d.eligible and d.amount == Decimal("0.00") and d.cap_applied is None


def test_price_ceiling_is_ineligible_above_and_not_a_cap():
    assert subsidy_calculate(rule_set(), claim(price_after_discounts="10000", efficiency_grade=1)).amount == Decimal("2000.00")
    above = subsidy_calculate(rule_set(), claim(price_after_discounts="10000.01", efficiency_grade=1))
    assert not above.eligible and above.amount == Decimal("0.00")


def test_tiers_choose_the_first_matching_variant():
    assert subsidy_calculate(rule_set(), claim(efficiency_grade=1)).variant == "一级"
    assert subsidy_calculate(rule_set(), claim(efficiency_grade=1)).amount == Decimal("600.00")


def test_rounding_to_fen_half_up_and_configurable():
    d = subsidy_calculate(rule_set(), claim(price_after_discounts="1234.57"))  # × 15% = 185.1855
    assert d.amount == Decimal("185.19") and d.amount.as_tuple().exponent == -2
    down = subsidy_calculate(rule_set(rounding="ROUND_DOWN"), claim(price_after_discounts="1234.57"))
    assert down.amount == Decimal("185.18")
    assert subsidy_calculate(rule_set(), claim(price_after_discounts="0.03")).amount == Decimal("0.00")  # 0.0045


def test_per_person_category_limit_resets_by_year():
    rs = rule_set(window_start="2024-01-01", window_end="2025-12-31")
    used_2024 = Usage(period="2024", category_count=1)
    assert subsidy_calculate(rs, claim(), usage=used_2024).eligible  # 2024 usage does not count in 2025
    assert failed(subsidy_calculate(rs, claim(), usage=Usage(period="2025", category_count=1))) == [
        "per_person_category_limit"]
    whole = rule_set(limit_period="programme", window_start="2024-01-01")
    assert failed(subsidy_calculate(whole, claim(), usage={"period": "all", "category_count": 1})) == [
        "per_person_category_limit"]


def test_usage_from_records_counts_only_the_claim_period():
    rs = rule_set()
    records = [{"category": "冰箱", "date": "2024-11-02", "amount": "2000"},
               {"category": "洗衣机", "date": "2025-02-01", "amount": "300"}]
    usage = Usage.from_records(records, rule_set=rs, category="冰箱", claim_date=dt.date(2025, 3, 1))
    assert usage.period == "2025" and usage.category_count == 0 and usage.programme_amount == Decimal("300")


def test_per_person_total_and_programme_limit():
    rs = rule_set(per_person_total="1000", per_person_limit=2)
    d = subsidy_calculate(rs, claim(), usage={"period": "2025", "programme_amount": "800", "programme_count": 1})
    assert d.amount == Decimal("200.00") and d.cap_applied.startswith("每人本活动累计补贴上限 1,000 元")
    assert failed(subsidy_calculate(rs, claim(), usage={"period": "2025", "programme_amount": "1000"})) == ["per_person_total"]
    assert failed(subsidy_calculate(rs, claim(), usage={"period": "2025", "programme_count": 2})) == ["per_person_limit"]


def test_exclusive_programmes_for_one_item():
    rs = rule_set(programme="car_scrap", exclusive_with=["car_replace"])
    assert subsidy_calculate(rs, claim(), usage={"item_programmes": []}).check("exclusive_programme").passed
    d = subsidy_calculate(rs, claim(), usage={"item_programmes": ["car_replace"]})
    assert failed(d) == ["exclusive_programme"] and "car_replace" in d.check("exclusive_programme").message


def test_ownership_cutoff_and_structured_rules_with_any_of_and_applies_when():
    rs = rule_set(ownership_before="2025-01-08", rules=[
        {"code": "person_condition", "message": "申请人须年满 60 周岁",
         "all_of": [{"field": "person.age", "op": "ge", "value": 60}]},
        {"code": "old_item_condition", "message": "旧车注册日期不符合",
         "applies_when": [{"field": "old_item.kind", "op": "eq", "value": "car"}],
         "any_of": [[{"field": "old_item.fuel", "op": "eq", "value": "gasoline"},
                     {"field": "old_item.registration_date", "op": "le", "value": "2012-06-30"}],
                    [{"field": "old_item.fuel", "op": "eq", "value": "diesel"},
                     {"field": "old_item.registration_date", "op": "le", "value": "2014-06-30"}]]},
    ])
    old = {"kind": "car", "fuel": "diesel", "registration_date": "2014-06-30", "ownership_start": "2020-01-01"}
    assert subsidy_calculate(rs, {**claim(), "old_item": old}).eligible
    late = subsidy_calculate(rs, {**claim(), "old_item": {**old, "ownership_start": "2025-01-08"}})
    assert failed(late) == ["ownership_too_short"]
    assert failed(subsidy_calculate(rs, {**claim(), "old_item": {**old, "registration_date": "2014-07-01"}})) == [
        "old_item_condition"]
    assert failed(subsidy_calculate(rs, {**claim(), "person": {"age": 59}, "old_item": old})) == ["person_condition"]
    assert failed(subsidy_calculate(rs, claim())) == ["ownership_too_short"]  # no old item at all


def test_fixed_amount_by_sub_type_and_no_matching_standard():
    rs = rule_set(categories=[{"code": "乘用车", "variants": [
        {"label": "新能源", "when": [{"field": "new_item.fuel", "op": "eq", "value": "nev"}], "fixed": "20000"},
        {"label": "燃油 2.0 升及以下", "when": [{"field": "new_item.displacement_l", "op": "le", "value": 2}],
         "fixed": "15000"}]}])
    item = {"category": "乘用车"}
    assert subsidy_calculate(rs, {**claim(), "new_item": {**item, "fuel": "nev"}}).amount == Decimal("20000.00")
    assert subsidy_calculate(rs, {**claim(), "new_item": {**item, "displacement_l": "1.5"}}).amount == Decimal("15000.00")
    assert failed(subsidy_calculate(rs, {**claim(), "new_item": {**item, "displacement_l": "2.4"}})) == [
        "no_matching_standard"]


# --- CEL -----------------------------------------------------------------------------------


def test_cel_condition_rule():
    rs = rule_set(rules=[{"code": "person_condition", "message": "65 岁以上或本地户籍",
                          "expression": "person.age >= 65 || person.is_resident == true"}])
    assert subsidy_calculate(rs, claim()).eligible
    d = subsidy_calculate(rs, {**claim(), "person": {"age": 40, "is_resident": False}})
    assert failed(d) == ["person_condition"] and d.check("person_condition").details["expression"]


def test_cel_amount_rule_is_rounded_to_fen_and_capped():
    expr = "new_item.price_after_discounts * (person.age >= 60 ? 0.2 : 0.1)"
    rs = rule_set(categories=[{"code": "冰箱", "variants": [{"label": "按年龄", "expression": expr, "cap": "500"}]}])
    d = subsidy_calculate(rs, claim(price_after_discounts="1234.57"))
    assert d.amount == Decimal("246.91") and "按表达式" in d.formula
    assert subsidy_calculate(rs, claim(price_after_discounts="9000")).amount == Decimal("500.00")


def test_cel_expression_failing_at_runtime_is_a_failed_check_not_a_crash():
    rs = rule_set(rules=[{"code": "new_item_condition", "message": "须有型号",
                          "expression": 'new_item.model != ""'}])
    d = subsidy_calculate(rs, claim())
    assert failed(d) == ["new_item_condition"] and "没有字段" in d.check("new_item_condition").details["error"]


@pytest.mark.parametrize(("source", "code"), [
    ('__import__("os").system("id")', "expression_unknown_name"),
    ("person.__class__", None),
    ("open('/etc/passwd')", "expression_unknown_name"),
    ("person.age >=", "expression_syntax"),
    ("x" * 1001, "expression_too_long"),
    ("[1].map(a, [1].map(b, [1].map(c, c)))", "expression_too_complex"),
    ("", "expression_empty"),
])
def test_malicious_or_invalid_expressions_are_rejected_with_a_clear_error(source, code):
    with pytest.raises(ExpressionError) as info:
        expression_compile(source)
        expression_condition(source, {"person": {"age": 1}})
    if code:
        assert info.value.code == code
    assert info.value.message  # Chinese, for the rule editor


def test_expression_result_types_are_checked():
    with pytest.raises(ExpressionError, match="true/false"):
        expression_condition("person.age + 1", {"person": {"age": 1}})
    with pytest.raises(ExpressionError, match="数字"):
        expression_amount('"100"', {})
    with pytest.raises(ExpressionError, match="负数"):
        expression_amount("0.0 - 5.0", {})
    assert expression_amount("1.1 + 2.2", {}) == Decimal("3.3000000000000003")  # rounded to fen by the engine


def test_schema_rejects_a_bad_expression_naming_the_field():
    with pytest.raises(ValidationError) as info:
        rule_set(rules=[{"code": "person_condition", "message": "x", "expression": "person.age >"}])
    assert "rules.0.expression" in str(info.value).replace(" ", "") or "expression" in str(info.value)
    assert "表达式语法错误" in str(info.value)


# --- schema --------------------------------------------------------------------------------


@pytest.mark.parametrize(("patch", "field"), [
    ({"categories": []}, "categories"),
    ({"window_start": "2026-01-01"}, "window_start"),
    ({"categories": [{"code": "冰箱", "variants": [{"label": "x", "rate": "1.5"}]}]}, "categories.0.variants.0.rate"),
    ({"categories": [{"code": "冰箱", "variants": [{"label": "x", "rate": "0.1", "fixed": "100"}]}]}, "categories.0.variants.0"),
    ({"categories": [{"code": "冰箱", "variants": [{"label": "x", "rate": "0.1", "when": [{"field": "price", "op": "le", "value": 1}]}]}]},
     "categories.0.variants.0.when.0.field"),
    ({"per_person_limit": 0}, "per_person_limit"),
    ({"to_fill": ["categories.冰箱.nonexistent"]}, "to_fill"),
    ({"unknown_key": 1}, "unknown_key"),
])
def test_schema_validation_errors_name_the_field(patch, field):
    with pytest.raises(ValidationError) as info:
        rule_set(**patch)
    locs = [".".join(str(p) for p in e["loc"]) for e in info.value.errors()]
    assert any(loc == field or loc.startswith(field) for loc in locs) or any(
        field in e["msg"] for e in info.value.errors()), locs


def test_money_is_decimal_never_float():
    d = subsidy_calculate(rule_set(), claim(price_after_discounts="3000.10"))
    assert isinstance(d.amount, Decimal) and d.amount == Decimal("450.02")  # 450.015 half-up


def test_decide_adapter_for_the_claims_service():
    payload = {"claimant": {"name": "张三", "id_card": "x", "phone": "y"}, "claim_date": "2025-03-01",
               "documents": ["invoice"],
               "new_item": {"category": "冰箱", "price_after_discounts": "3000", "efficiency_grade": 2,
                            "identifier": "SN1", "invoice": "INV1"}}
    out = decide(rule_set().model_dump(mode="json"), payload, {})
    assert out["eligible"] and out["amount"] == Decimal("450.00") and out["limit"] == 1
    assert out["identifiers"] == [("serial", "SN1"), ("invoice", "INV1")] and out["limit_resets_yearly"]
    json.dumps(out["trace"], ensure_ascii=False)
