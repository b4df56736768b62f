"""Each shipped template reproduces the published amounts. Section numbers (§) refer to
/work/shared/domain/trade-in-rules.md."""

import json
from decimal import Decimal

import pytest

from liangxin.subsidies.rules import TEMPLATES, RuleSet, subsidy_calculate, template_copy, template_get


def open_(template_id, **overrides):
    """A county's copy with the window filled (the sources leave most windows to localities)."""
    return template_copy(template_id, window_start="2020-01-01", window_end="2030-12-31", **overrides)


def codes_failed(decision):
    return [c.code for c in decision.failed]


@pytest.mark.parametrize("template_id", sorted(TEMPLATES))
def test_every_template_validates_cites_its_source_and_round_trips_through_json(template_id):
    rs = template_get(template_id)
    assert rs.source.document and (rs.source.url or rs.source.section)
    assert "trade-in-rules.md" in rs.source.section
    stored = json.loads(json.dumps(rs.model_dump(mode="json"), ensure_ascii=False))
    assert RuleSet.model_validate(stored) == rs


def test_templates_refuse_claims_until_the_county_fills_missing_figures():
    rs = template_get("car-replace-2025")  # §1.1: "NEV ≤ 15,000; fuel ≤ 13,000. Exact amounts set by localities."
    d = subsidy_calculate(rs, {"claim_date": "2025-03-01", "new_item": {"category": "乘用车", "fuel": "nev"}})
    assert not d.eligible and "parameter_missing" in codes_failed(d)
    assert "categories.乘用车.variants.0" in d.check("parameter_missing").details["missing"]


# --- appliances, §2.1 ----------------------------------------------------------------------


def fridge(price, grade, **extra):
    return {"claim_date": "2025-03-01", "documents": ["invoice"],
            "new_item": {"category": "冰箱", "price_after_discounts": price, "efficiency_grade": grade, **extra}}


def test_appliances_2025_s2_1_grade1_fridge_12000_hits_the_2000_cap():
    d = subsidy_calculate(open_("appliances-2025"), fridge("12000", 1))
    assert d.eligible and d.amount == Decimal("2000.00")
    assert d.cap_applied == "单件补贴上限 2,000 元"
    assert d.formula.startswith("12,000.00 元 × 20% = 2,400.00 元")


def test_appliances_2025_s2_1_grade2_is_15_percent_and_grade3_is_refused():
    d = subsidy_calculate(open_("appliances-2025"), fridge("3000", 2))
    assert d.amount == Decimal("450.00") and d.cap_applied is None and d.variant == "二级能效/水效"
    d3 = subsidy_calculate(open_("appliances-2025"), fridge("3000", 3))
    assert not d3.eligible and codes_failed(d3) == ["grade_required"] and d3.amount == Decimal("0.00")


def test_appliances_2025_s2_1_twelve_categories_and_air_conditioners_up_to_three():
    rs = open_("appliances-2025")
    assert len(rs.categories) == 12 and rs.category("洗碗机") is not None
    ac = {"claim_date": "2025-06-01", "documents": ["invoice"],
          "new_item": {"category": "空调", "price_after_discounts": "4000", "efficiency_grade": 1}}
    assert subsidy_calculate(rs, ac, usage={"period": "2025", "category_count": 2}).eligible
    third = subsidy_calculate(rs, ac, usage={"period": "2025", "category_count": 3})
    assert codes_failed(third) == ["per_person_category_limit"]
    assert codes_failed(subsidy_calculate(rs, fridge("3000", 1), usage={"period": "2025", "category_count": 1})) == [
        "per_person_category_limit"]


def test_appliances_2024_s2_1_eight_categories_no_water_purifier():
    rs = open_("appliances-2024")
    assert len(rs.categories) == 8
    d = subsidy_calculate(rs, {"claim_date": "2024-10-01", "documents": ["invoice"],
                               "new_item": {"category": "净水器", "price_after_discounts": "2000", "water_efficiency_grade": 1}})
    assert codes_failed(d) == ["category_not_covered"]
    assert subsidy_calculate(rs, fridge("12000", 1)).amount == Decimal("2000.00")


def test_appliances_2026_s2_1_grade1_only_15_percent_cap_1500():
    rs = open_("appliances-2026")
    assert subsidy_calculate(rs, fridge("12000", 1)).amount == Decimal("1500.00")
    assert codes_failed(subsidy_calculate(rs, fridge("3000", 2))) == ["grade_required"]


# --- digital products, §3 ------------------------------------------------------------------


def phone(**item):
    return {"claim_date": "2025-02-01", "documents": ["invoice"], "new_item": {"category": "手机", **item}}


def test_digital_2025_s3_phone_3500_after_500_retailer_discount_gives_450():
    d = subsidy_calculate(open_("digital-2025"), phone(price="3500", discounts=["500"]))
    assert d.eligible and d.amount == Decimal("450.00")
    assert d.formula == "（3,500.00 − 500.00）元 × 15% = 450.00 元"


def test_digital_2025_s3_phone_7000_is_ineligible_not_capped():
    d = subsidy_calculate(open_("digital-2025"), phone(price_after_discounts="7000"))
    assert not d.eligible and codes_failed(d) == ["price_ceiling"] and d.amount == Decimal("0.00")
    assert "6,000" in d.check("price_ceiling").message


def test_digital_2025_s3_iphone_7999_refused_5999_capped_at_500_full_500_from_3333():
    rs = open_("digital-2025")
    assert codes_failed(subsidy_calculate(rs, phone(price_after_discounts="7999"))) == ["price_ceiling"]
    d = subsidy_calculate(rs, phone(price_after_discounts="5999"))
    assert d.amount == Decimal("500.00") and d.cap_applied == "单件补贴上限 500 元"
    assert subsidy_calculate(rs, phone(price_after_discounts="3333")).amount == Decimal("499.95")
    assert subsidy_calculate(rs, phone(price_after_discounts="6000")).eligible  # ≤ 6,000 qualifies


def test_digital_2025_s3_starts_20_january_2025():
    d = subsidy_calculate(template_copy("digital-2025", window_end="2025-12-31"),
                          {**phone(price_after_discounts="3000"), "claim_date": "2025-01-19"})
    assert codes_failed(d) == ["window_closed"]


# --- cars, §1 ------------------------------------------------------------------------------


def car(new, old, *, date="2024-09-01", docs=("id_card", "scrap_certificate", "deregistration_certificate",
                                               "new_car_invoice", "bank_card")):
    return {"claim_date": date, "documents": list(docs), "new_item": {"category": "乘用车", **new},
            "old_item": {"vehicle_class": "小型载客汽车", "owner_is_applicant": True, "ownership_start": "2015-01-01",
                         **old}}


NEV = {"fuel": "nev", "in_nev_catalogue": True, "price_after_discounts": "150000"}
FUEL_18 = {"fuel": "gasoline", "displacement_l": "1.8", "price_after_discounts": "120000"}


def test_car_scrap_2024_s1_1_nev_20000_fuel_2l_15000_larger_engine_refused():
    rs = template_get("car-scrap-2024")
    old = {"fuel": "gasoline", "registration_date": "2010-05-01"}
    assert subsidy_calculate(rs, car(NEV, old)).amount == Decimal("20000.00")
    d = subsidy_calculate(rs, car(FUEL_18, old))
    assert d.amount == Decimal("15000.00") and d.formula == "2.0升及以下燃油乘用车定额补贴 15,000.00 元"
    big = subsidy_calculate(rs, car({**FUEL_18, "displacement_l": "2.5"}, old))
    assert codes_failed(big) == ["no_matching_standard"]


def test_car_scrap_2024_s1_1_old_car_registration_cutoffs_by_fuel():
    rs = template_get("car-scrap-2024")
    assert subsidy_calculate(rs, car(NEV, {"fuel": "diesel", "registration_date": "2013-06-30"})).eligible
    late = subsidy_calculate(rs, car(NEV, {"fuel": "gasoline", "registration_date": "2011-07-01"}))
    assert codes_failed(late) == ["old_item_condition"]
    assert subsidy_calculate(rs, car(NEV, {"fuel": "nev", "registration_date": "2018-04-30"})).eligible
    nev_to_fuel = subsidy_calculate(rs, car(FUEL_18, {"fuel": "nev", "registration_date": "2018-04-30"}))
    assert codes_failed(nev_to_fuel) == ["old_item_condition"]


def test_car_scrap_2024_s1_2_ownership_before_the_july_2024_cutoff_and_window_s1_3():
    rs = template_get("car-scrap-2024")
    old = {"fuel": "gasoline", "registration_date": "2010-05-01", "ownership_start": "2024-08-01"}
    assert codes_failed(subsidy_calculate(rs, car(NEV, old))) == ["ownership_too_short"]
    ok_old = {"fuel": "gasoline", "registration_date": "2010-05-01"}
    assert codes_failed(subsidy_calculate(rs, car(NEV, ok_old, date="2025-01-11"))) == ["window_closed"]
    assert subsidy_calculate(rs, car(NEV, ok_old, date="2025-01-10")).eligible


def test_car_scrap_2024_s1_3_documents_required():
    rs = template_get("car-scrap-2024")
    d = subsidy_calculate(rs, car(NEV, {"fuel": "gasoline", "registration_date": "2010-05-01"},
                                  docs=("id_card", "new_car_invoice", "bank_card")))
    assert codes_failed(d) == ["document_missing"]
    assert "报废机动车回收证明" in d.check("document_missing").message


def test_car_scrap_2025_s1_1_guosi_cutoffs_and_2025_01_08_holding_date():
    rs = template_copy("car-scrap-2025", window_end="2025-12-31")
    old = {"fuel": "gasoline", "registration_date": "2012-06-30", "ownership_start": "2020-01-01"}
    assert subsidy_calculate(rs, car(NEV, old, date="2025-03-01")).amount == Decimal("20000.00")
    late = {**old, "ownership_start": "2025-01-08"}
    assert codes_failed(subsidy_calculate(rs, car(NEV, late, date="2025-03-01"))) == ["ownership_too_short"]


def test_car_2025_s1_5_scrap_and_replace_exclude_each_other_for_one_new_car():
    rs = template_copy("car-scrap-2025", window_end="2025-12-31")
    old = {"fuel": "gasoline", "registration_date": "2012-01-01"}
    d = subsidy_calculate(rs, car(NEV, old, date="2025-03-01"), usage={"item_programmes": ["car_replace"]})
    assert codes_failed(d) == ["exclusive_programme"]


def test_car_replace_2025_s1_1_local_amounts_below_the_national_maximum():
    rs = open_("car-replace-2025", **{"categories.乘用车.variants.0.fixed": "12000",
                                      "categories.乘用车.variants.1.fixed": "10000"})
    claim = {"claim_date": "2025-04-01", "documents": ["id_card", "used_car_invoice", "new_car_invoice", "bank_card"],
             "new_item": {"category": "乘用车", **NEV},
             "old_item": {"owner_is_applicant": True, "transferred": True, "ownership_start": "2019-01-01"}}
    assert subsidy_calculate(rs, claim).amount == Decimal("12000.00")
    # §1.5: one 置换 subsidy per calendar year
    assert codes_failed(subsidy_calculate(rs, claim, usage={"period": "2025", "programme_count": 1})) == ["per_person_limit"]
    with pytest.raises(ValueError, match="国家标准上限 15000"):
        open_("car-replace-2025", **{"categories.乘用车.variants.0.fixed": "16000"})


def test_cars_2026_s1_1_percentage_with_cap():
    rs = template_copy("car-scrap-2026", window_end="2026-12-31", ownership_before="2025-01-08")
    old = {"fuel": "gasoline", "registration_date": "2013-06-30"}
    d = subsidy_calculate(rs, car({**NEV, "price_after_discounts": "100000"}, old, date="2026-02-01"))
    assert d.amount == Decimal("12000.00") and d.formula == "100,000.00 元 × 12% = 12,000.00 元"
    capped = subsidy_calculate(rs, car({**NEV, "price_after_discounts": "166700"}, old, date="2026-02-01"))
    assert capped.amount == Decimal("20000.00") and capped.cap_applied == "单件补贴上限 20,000 元"
    fuel = subsidy_calculate(rs, car(FUEL_18, old, date="2026-02-01"))
    assert fuel.amount == Decimal("12000.00")  # 10% of 120,000
    replace = template_copy("car-replace-2026", window_end="2026-12-31", ownership_before="2025-01-08")
    claim = {"claim_date": "2026-02-01", "documents": ["id_card", "used_car_invoice", "new_car_invoice", "bank_card"],
             "new_item": {"category": "乘用车", **FUEL_18, "price_after_discounts": "250000"},
             "old_item": {"owner_is_applicant": True, "transferred": True, "ownership_start": "2019-01-01"}}
    d = subsidy_calculate(replace, claim)
    assert d.amount == Decimal("13000.00") and d.cap_applied == "单件补贴上限 13,000 元"  # 6% = 15,000 → 13,000


# --- home renovation, §4.1 -----------------------------------------------------------------


def yueyang():
    """岳阳 2025: 15 %, each ≤ 2,000, ≤ 30,000 per consumer (§4.1)."""
    rs = template_get("home-renovation-2025")
    caps = {p: "2000" for p in rs.to_fill if p.endswith(".cap")}
    return open_("home-renovation-2025", per_person_total="30000", **caps)


def test_home_renovation_2025_s4_1_rates_15_20_30_with_per_item_cap():
    rs = yueyang()
    item = {"claim_date": "2025-05-01", "documents": ["invoice"]}
    d = subsidy_calculate(rs, {**item, "new_item": {"category": "装修材料", "price_after_discounts": "8000"}})
    assert d.amount == Decimal("1200.00") and d.variant == "其他产品"
    g1 = subsidy_calculate(rs, {**item, "new_item": {"category": "卫生洁具", "price_after_discounts": "5000",
                                                       "efficiency_grade": 1}})
    assert g1.amount == Decimal("1000.00")
    ageing = subsidy_calculate(rs, {**item, "new_item": {"category": "居家适老化产品", "price_after_discounts": "10000"}})
    assert ageing.amount == Decimal("2000.00") and ageing.cap_applied == "单件补贴上限 2,000 元"


def test_home_renovation_s4_1_per_person_total_caps_to_the_remainder_then_refuses():
    rs = yueyang()
    claim = {"claim_date": "2025-05-01", "documents": ["invoice"],
             "new_item": {"category": "家具照明", "price_after_discounts": "8000"}}
    d = subsidy_calculate(rs, claim, usage={"period": "2025", "programme_amount": "29500"})
    assert d.amount == Decimal("500.00") and "每人本活动累计补贴上限 30,000 元" in d.cap_applied
    full = subsidy_calculate(rs, claim, usage={"period": "2025", "programme_amount": "30000"})
    assert codes_failed(full) == ["per_person_total"]


# --- e-bikes, §4.2 -------------------------------------------------------------------------


def test_ebike_s4_2_shanghai_500_fixed_with_old_bike_and_battery_handed_in():
    rs = template_copy("ebike-trade-in", window_start="2024-10-16", window_end="2025-06-30",
                       **{"categories.电动自行车.variants.0.fixed": "600", "categories.电动自行车.variants.1.fixed": "500"})
    claim = {"claim_date": "2024-11-01", "documents": ["id_card", "trade_in_agreement"],
             "new_item": {"category": "电动自行车", "meets_gb43854": True, "battery_type": "lithium"},
             "old_item": {"registered": True, "handed_in": True, "battery_handed_in": True, "battery_type": "lead_acid"}}
    d = subsidy_calculate(rs, claim)
    assert d.amount == Decimal("500.00") and d.variant == "交售旧车换购新车"
    swap = subsidy_calculate(rs, {**claim, "new_item": {**claim["new_item"], "battery_type": "lead_acid"},
                                  "old_item": {**claim["old_item"], "battery_type": "lithium"}})
    assert swap.amount == Decimal("600.00")  # lithium → lead-acid pays more (2025, amount set locally)
    no_battery = subsidy_calculate(rs, {**claim, "old_item": {**claim["old_item"], "battery_handed_in": False}})
    assert codes_failed(no_battery) == ["old_item_condition"]


# --- farm machinery, §4.3 ------------------------------------------------------------------


def machine(kind, **old):
    return {"claim_date": "2025-05-01", "documents": ["scrap_certificate", "new_machine_invoice"],
            "new_item": {"category": "农业机械", "machine_type": kind}, "old_item": {"handed_in": True, **old}}


@pytest.mark.parametrize(("hp", "amount"), [(15, "1500"), (20, "3850"), (99, "10840"), (100, "13140"),
                                            (159.9, "13140"), (160, "18000"), (250, "20000")])
def test_farm_machinery_s4_3_tractor_power_band_table(hp, amount):
    d = subsidy_calculate(open_("farm-machinery-scrapping"), machine("拖拉机", power_hp=hp))
    assert d.eligible and d.amount == Decimal(amount)


def test_farm_machinery_s4_3_harvesters_and_new_purchase_required():
    rs = open_("farm-machinery-scrapping")
    assert subsidy_calculate(rs, machine("玉米收获机", rows=4)).amount == Decimal("30000.00")
    assert subsidy_calculate(rs, machine("采棉机", rows=3)).amount == Decimal("80000.00")
    assert codes_failed(subsidy_calculate(rs, machine("玉米收获机", rows=2))) == ["no_matching_standard"]
    no_new = machine("拖拉机", power_hp=120)
    no_new["new_item"]["purchased"] = False
    assert codes_failed(subsidy_calculate(rs, no_new)) == ["new_purchase_required"]
