"""Target progress status (liangxin.tracking.progress): the worked vectors of progress-method.md §10,
the edge cases of §8, and our extensions (kinds, comparators, intra-year data, 每年 pro-rata)."""

import math
from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest

from liangxin.tracking.progress import (
    Period,
    Status,
    limit_coefficient,
    period_from_start,
    period_parse,
    progress_combine,
    target_assess,
    target_assess_record,
)

S = Status


def approx(x, rel=1e-3, abs=1e-3):
    return pytest.approx(x, rel=rel, abs=abs)


# ---------------------------------------------------------------- §10 derived vectors


def test_vector_a_sdg_build_1_1_1_trend_defaults_direction_down():
    # Base 2015 is missing: the next year with data (2020) is used (StatCan rule 1).
    r = target_assess({2020: 100, 2021: 120}, direction="down", base_year=2015)
    assert r.status == S.DETERIORATION
    assert r.method == "trend"
    assert r.ratio == approx(-0.2000)
    assert r.score == approx(-5)
    assert r.base_period == "2020年"
    assert any("改用其后最近一期2020年" in n for n in r.notes)


def test_vector_b_sdg_build_3_3_3_target_zero():
    data = {2015: 1.55, 2016: 1.6, 2017: 1.7, 2018: 1.75, 2019: 1.82}
    r = target_assess(data, direction="down", target_value=0, target_year=2030, base_year=2015)
    assert r.status == S.DETERIORATION
    assert r.ratio == approx(-0.1058)
    assert r.score == approx(-2.941)
    assert any("0.001" in n for n in r.notes)


def test_vector_c_open_sdg_1_5_4_limit_ignored_with_target():
    r = target_assess({2015: 5, 2016: 6}, target_value=9, target_year=2030, base_year=2015, limit=9)
    assert r.status == S.SUBSTANTIAL_PROGRESS
    assert r.ratio == approx(5.0045)
    assert r.score == 5
    assert r.label == "按计划推进" and r.label_en == "On track"
    assert any("limit" in n for n in r.notes)


def test_vector_d_charging_piles_level():
    r = target_assess({2023: 600, 2024: 1000}, target_value=1500, target_year=2025, unit="个")
    assert r.status == S.SUBSTANTIAL_PROGRESS
    assert r.ratio == approx(1.1472)
    assert r.score == approx(3.908)
    assert r.required_growth == approx((1500 / 600) ** 0.5 - 1)
    assert r.observed_growth == approx(1000 / 600 - 1)
    assert r.expected_value == approx(600 * (1500 / 600) ** 0.5)
    assert "目标2025年 ≥1500个" in r.explanation


def test_vector_e_equipment_investment_growth_28_percent():
    r = target_assess(
        {2023: Decimal("100"), 2024: Decimal("105")},
        kind="growth", target_value=Decimal("28"), unit="%", target_year=2027, base_year=2023,
    )
    assert r.status == S.MODERATE_PROGRESS
    assert r.label == "需加快进度"
    assert r.target_value == approx(128)
    assert r.ratio == approx(0.7854)
    assert r.score == approx(1.325)


def test_vector_f_digital_tools_share():
    r = target_assess({2023: 85, 2024: 87}, target_value=92, target_year=2027, unit="%")
    assert r.status == S.SUBSTANTIAL_PROGRESS
    assert r.ratio == approx(1.1776)
    assert r.score == approx(4.126)


def test_vector_g_energy_per_gdp_level_ceiling():
    r = target_assess({2023: 1.00, 2024: 0.97}, direction="down", comparator="<=", target_value=0.865,
                      target_year=2027)
    assert r.status == S.MODERATE_PROGRESS
    assert r.ratio == approx(0.8425)
    assert r.score == approx(1.732)
    assert r.notes == ()


def test_vector_g_as_stored_by_the_importer_growth_minus_13_5():
    # "较2023年下降13.5%" is stored as growth, value -13.5, comparator ">=" (at least that fall).
    r = target_assess({2023: 1.00, 2024: 0.97}, kind="growth", target_value=Decimal("-13.5"), comparator=">=",
                      unit="%", direction="down", target_year=2027, base_year=2023)
    assert r.comparator == "<="
    assert r.direction == "down"
    assert r.target_value == approx(0.865)
    assert r.status == S.MODERATE_PROGRESS
    assert r.ratio == approx(0.8425)


def test_vector_h2_met_at_base_then_worse_past_it():
    # The PR #318 formula would give +5.636 ("on track"); the newest one gives deterioration.
    r = target_assess({2015: 4, 2020: 6}, direction="down", target_value=5, target_year=2030)
    assert r.status == S.DETERIORATION
    assert r.ratio == approx(-5.636)
    assert r.score == -5


def test_vector_i_trend_with_limit():
    r = target_assess({2023: 85, 2024: 87}, limit=100)
    assert r.status == S.SUBSTANTIAL_PROGRESS
    assert r.limit_coefficient == approx(0.514)
    assert r.ratio == approx(0.0235)
    assert r.score == 5


def test_limit_coefficient_branches():
    assert limit_coefficient(85, 100) == approx(0.514)
    assert limit_coefficient(250, 100) == 1
    assert limit_coefficient(100, 100) == 0
    assert limit_coefficient(150, 100) == approx(1 - 0.5**4.44)


def test_vector_k_target_already_exceeded():
    r = target_assess({2023: 600, 2024: 1600}, target_value=1500, target_year=2025)
    assert r.status == S.TARGET_ACHIEVED
    assert r.label == "已达成"
    assert r.score == 5
    assert r.ratio == approx(2.8679)  # still recorded for the audit trail


def test_vector_l_flat():
    r = target_assess({2023: 100, 2024: 100}, kind="growth", target_value=28, unit="%", target_year=2027,
                      base_year=2023)
    assert r.status == S.LIMITED_PROGRESS
    assert r.ratio == approx(0.0)
    assert r.score == approx(-2.5)


# ---------------------------------------------------------------- bands and scores


@pytest.mark.parametrize(
    ("current", "status"),
    [
        (1.95 ** 0.5 * 100, S.SUBSTANTIAL_PROGRESS),  # exactly on the required path: P = 1
        (100 * (1 + 0.95 * (1.95 ** 0.5 - 1)), S.SUBSTANTIAL_PROGRESS),  # P = 0.95
        (100 * (1 + 0.94 * (1.95 ** 0.5 - 1)), S.MODERATE_PROGRESS),
        (100 * (1 + 0.60 * (1.95 ** 0.5 - 1)), S.MODERATE_PROGRESS),
        (100 * (1 + 0.59 * (1.95 ** 0.5 - 1)), S.LIMITED_PROGRESS),
        (99, S.DETERIORATION),
    ],
)
def test_ratio_bands(current, status):
    # Base 2023 100, target 195 by 2025: required CAGR √1.95 − 1, one year elapsed.
    r = target_assess({2023: 100, 2024: current}, target_value=195, target_year=2025)
    assert r.status == status


def test_custom_thresholds():
    r = target_assess({2023: 100, 2024: 105}, target_value=128, target_year=2027, thresholds=(0.7, 0.5, 0))
    assert r.status == S.SUBSTANTIAL_PROGRESS


def test_scores_at_anchor_points():
    # 0.95 → 2.5, 0.6 → 0, 1.3 → 5 (capped), −0.6 → −5.
    req = 1.21 ** 0.5 - 1  # target 121 by 2025 from 100 in 2023
    for p, score in [(0.95, 2.5), (0.6, 0.0), (1.3, 5.0), (2.0, 5.0)]:
        r = target_assess({2023: 100, 2024: 100 * (1 + p * req)}, target_value=121, target_year=2025)
        assert r.score == approx(score, abs=2e-3), p
    r = target_assess({2023: 100, 2024: 100 * (1 - 0.6 * req)}, target_value=121, target_year=2025)
    assert r.score == approx(-5.0)


# ---------------------------------------------------------------- §8 edge cases


def test_no_data():
    r = target_assess({}, target_value=10, target_year=2025)
    assert r.status == S.NOT_AVAILABLE
    assert r.label == "无法判断"
    assert r.reason == "没有观测数据" and r.reason_en == "no observations"
    assert r.score is None
    assert r.explanation == "无法判断：没有观测数据"


def test_missing_values_are_dropped_and_all_missing_is_no_data():
    r = target_assess({2023: 600, 2024: None, 2025: ""}, target_value=1500, target_year=2026)
    assert r.status == S.NOT_AVAILABLE and "两个时点" in r.reason
    r = target_assess({2023: None, 2024: float("nan"), 2025: Decimal("NaN")}, target_value=1500, target_year=2026)
    assert r.reason == "没有观测数据"


def test_unusable_values():
    r = target_assess({2023: 600, 2024: "很多"}, target_value=1500, target_year=2025)
    assert r.status == S.NOT_AVAILABLE
    assert "2024年" in r.reason and "不是数字" in r.reason
    assert "not a number" in r.reason_en
    assert target_assess({2023: 1, 2024: float("inf")}, target_value=3, target_year=2025).status == S.NOT_AVAILABLE
    assert target_assess({2023: 1, 2024: True}, target_value=3, target_year=2025).status == S.NOT_AVAILABLE
    r = target_assess({"去年": 1, 2024: 2}, target_value=3, target_year=2025)
    assert r.status == S.NOT_AVAILABLE and "无法识别的时期" in r.reason


def test_numeric_strings_with_thousands_separators():
    r = target_assess({"2023": "600", "2024": "1,000"}, target_value="1500", target_year=2025)
    assert r.ratio == approx(1.1472)


def test_duplicate_time_points():
    r = target_assess([("2024Q4", 5), ("2024-12", 6)], target_value=10, target_year=2026)
    assert r.status == S.NOT_AVAILABLE
    assert "同一时点" in r.reason


def test_base_year_after_latest_data():
    r = target_assess({2022: 10, 2023: 11}, target_value=20, target_year=2027, base_year=2024)
    assert r.status == S.NOT_AVAILABLE
    assert r.reason.startswith("基期（2024年）晚于最新数据")
    assert "after the latest data" in r.reason_en


def test_single_data_point():
    r = target_assess({2024: 10}, target_value=20, target_year=2027)
    assert r.status == S.NOT_AVAILABLE
    assert "至少需要两个时点" in r.reason


def test_single_data_point_that_meets_the_target_is_achieved():
    # Target achieved is checked first.
    assert target_assess({2024: 25}, target_value=20, target_year=2027).status == S.TARGET_ACHIEVED


def test_span_shorter_than_a_quarter():
    r = target_assess({"2024": 10, "2025-02": 11}, target_value=20, target_year=2027)
    assert r.status == S.NOT_AVAILABLE and "不足0.25年" in r.reason
    r = target_assess({"2024": 10, "2025-02": 11}, target_value=20, target_year=2027, min_span_years=0)
    assert r.status != S.NOT_AVAILABLE
    assert any("不足一年" in n for n in r.notes)


def test_zero_base_linear_by_default():
    # 0 → 50 with 1500 due at the end of 2025: 3.3 % of the distance in 50 % of the time.
    r = target_assess({2023: 0, 2024: 50}, target_value=1500, target_year=2025)
    assert r.method == "linear"
    assert r.ratio == approx((50 / 1500) / 0.5)
    assert r.status == S.LIMITED_PROGRESS
    assert r.expected_value == approx(750)
    r = target_assess({2023: 0, 2024: 800}, target_value=1500, target_year=2025)
    assert r.status == S.SUBSTANTIAL_PROGRESS


def test_zero_base_epsilon_like_newest_sdg_build():
    r = target_assess({2023: 0, 2024: 50}, target_value=1500, target_year=2025, zero_base="epsilon")
    assert r.method == "ratio"
    assert r.observed_growth == approx(50 / 0.001 - 1)
    assert r.status == S.SUBSTANTIAL_PROGRESS
    assert any("0.001" in n for n in r.notes)


def test_zero_base_unavailable_like_intermediate_sdg_build():
    r = target_assess({2023: 0, 2024: 50}, target_value=1500, target_year=2025, zero_base="unavailable")
    assert r.status == S.NOT_AVAILABLE and "基期值为0" in r.reason


def test_zero_base_trend_without_target():
    assert target_assess({2023: 0, 2024: 5}).status == S.NOT_AVAILABLE


def test_opposite_signs():
    r = target_assess({2023: -10, 2024: 5}, target_value=20, target_year=2026)
    assert r.status == S.NOT_AVAILABLE
    assert "符号相反" in r.reason
    assert r.reason_en == "base and current values have opposite signs"
    r = target_assess({2023: -10, 2024: -5}, target_value=20, target_year=2026)
    assert r.status == S.NOT_AVAILABLE and "目标值与基期值符号相反" in r.reason


def test_negative_base_and_current_sign_factor():
    # A loss shrinking from −10 to −5 towards −2 (higher is better): progress, not deterioration.
    r = target_assess({2023: -10, 2024: -5}, target_value=-2, target_year=2026)
    assert r.ratio > 0
    req = (0.2) ** (1 / 3) - 1
    assert r.ratio == approx(-1 * 1 * (0.5 - 1) / abs(req))
    assert r.status == S.SUBSTANTIAL_PROGRESS
    r = target_assess({2023: -10, 2024: -12}, target_value=-2, target_year=2026)
    assert r.status == S.DETERIORATION


def test_zero_target_with_negative_base_stays_real():
    r = target_assess({2023: -10, 2024: -5}, target_value=0, target_year=2026)
    assert r.status in (S.SUBSTANTIAL_PROGRESS, S.MODERATE_PROGRESS, S.LIMITED_PROGRESS)
    assert isinstance(r.ratio, float) and not math.isnan(r.ratio)


def test_target_met_whatever_the_trend():
    # Falling, but still above the target.
    r = target_assess({2023: 2000, 2024: 1800}, target_value=1500, target_year=2025)
    assert r.status == S.TARGET_ACHIEVED


def test_cap_already_met_at_base_is_achieved_with_a_note():
    r = target_assess({2023: 100, 2024: 105}, comparator="<=", direction="down", target_value=120,
                      target_year=2025)
    assert r.status == S.TARGET_ACHIEVED
    assert any("仍需保持" in n for n in r.notes)


def test_target_year_passed_keeps_computing():
    r = target_assess({2023: 600, 2024: 900, 2026: 1200}, target_value=1500, target_year=2025)
    assert r.status != S.NOT_AVAILABLE
    assert r.ratio is not None
    assert any("目标年份已过" in n for n in r.notes)


def test_target_year_equal_to_base_year_guard():
    r = target_assess({2025: 90, 2026: 95}, target_value=100, target_year=2025, base_year=2025)
    assert r.status == S.TARGET_NOT_ACHIEVED
    assert any("不晚于基期" in n for n in r.notes)
    assert target_assess({2025: 90, 2026: 100}, target_value=100, target_year=2025,
                         base_year=2025).status == S.TARGET_ACHIEVED


def test_target_equal_to_base_value_guard():
    r = target_assess({2023: 100, 2024: 95}, target_value=100, target_year=2026, base_year=2023)
    assert r.status == S.TARGET_NOT_ACHIEVED or r.status == S.DETERIORATION
    assert r.status == S.DETERIORATION and r.score == -5 and r.ratio is None
    assert any("所需增速为0" in n for n in r.notes)
    # "> 100" from a base of 100 and no movement: limited, not a division by zero.
    r = target_assess({2023: 100, 2024: 100}, comparator=">", target_value=100, target_year=2026)
    assert r.status == S.LIMITED_PROGRESS and r.score == -2.5


def test_growth_of_zero_percent_is_target_equal_to_base():
    r = target_assess({2023: 100, 2024: 99}, kind="growth", target_value=0, unit="%", target_year=2025,
                      base_year=2023)
    assert r.status == S.DETERIORATION


def test_direction_never_defaults_to_negative():
    # sdg-build treats anything but "positive" as negative; we default to higher-is-better.
    r = target_assess({2023: 100, 2024: 110})
    assert r.direction == "up"
    assert r.status == S.SUBSTANTIAL_PROGRESS
    assert target_assess({2023: 100, 2024: 110}, direction="positive").status == S.SUBSTANTIAL_PROGRESS
    assert target_assess({2023: 100, 2024: 110}, direction="negative").status == S.DETERIORATION
    with pytest.raises(ValueError):
        target_assess({2023: 100, 2024: 110}, direction="sideways")


def test_trend_moderate_and_limited():
    assert target_assess({2023: 100, 2024: 101}).status == S.MODERATE_PROGRESS
    assert target_assess({2023: 100, 2024: 100.2}).status == S.LIMITED_PROGRESS
    assert target_assess({2023: 100, 2024: 101}).score == approx(250 * 0.01 - 1.25)


def test_deadline_inside_a_year_march_rule_generalised():
    # StatCan's "March 20xx → 20xx−1" becomes an exact deadline: by the end of June 2025.
    r = target_assess({2023: 600, 2024: 1000}, target_value=1500, target_year="2025-06")
    assert r.target_position == approx(2025.5)
    assert r.required_growth == approx((1500 / 600) ** (1 / 1.5) - 1)
    assert r.target_period == "2025年6月"


def test_manual_override():
    r = target_assess({}, target_value=1, target_year=2025, manual_status="moderate_progress")
    assert r.status == S.MODERATE_PROGRESS and r.method == "manual"
    assert target_assess({}, manual_status="target_achieved").score == 5


def test_invalid_arguments_raise():
    with pytest.raises(ValueError):
        target_assess({2023: 1}, kind="monthly")
    with pytest.raises(ValueError):
        target_assess({2023: 1}, comparator="==")
    with pytest.raises(ValueError):
        target_assess({2023: 1}, tolerance=-1)


# ---------------------------------------------------------------- several series


def _stub(status, score):
    return target_assess({}, manual_status=status).__class__(
        status=status, label="", label_en="", score=score, method="manual", explanation="")


def test_combine_mean_min_and_all_achieved():
    results = [_stub(S.SUBSTANTIAL_PROGRESS, 4.0), _stub(S.DETERIORATION, -3.0), _stub(S.NOT_AVAILABLE, None)]
    mean = progress_combine(results)
    assert mean.score == approx(0.5) and mean.status == S.MODERATE_PROGRESS
    assert mean.available == 2 and mean.total == 3
    worst = progress_combine(results, rule="min")
    assert worst.status == S.DETERIORATION
    assert progress_combine([_stub(S.TARGET_ACHIEVED, 5.0)] * 2).status == S.TARGET_ACHIEVED
    assert progress_combine([_stub(S.TARGET_ACHIEVED, 5.0), _stub(S.SUBSTANTIAL_PROGRESS, 4.0)]).status \
        == S.SUBSTANTIAL_PROGRESS
    # StatCan rule 7: fewer than 60 % computable → not available.
    sparse = [_stub(S.SUBSTANTIAL_PROGRESS, 4.0), _stub(S.NOT_AVAILABLE, None), _stub(S.NOT_AVAILABLE, None)]
    assert progress_combine(sparse, min_available_share=0.6).status == S.NOT_AVAILABLE
    assert progress_combine([]).status == S.NOT_AVAILABLE


# ---------------------------------------------------------------- kinds


def test_growth_needs_the_exact_base_year():
    # X = base × 1.28 is defined by 2023's value: a later year must not stand in.
    r = target_assess({2024: 105, 2025: 110}, kind="growth", target_value=28, unit="%", target_year=2027,
                      base_year=2023)
    assert r.status == S.NOT_AVAILABLE
    assert r.reason == "缺少基期（2023年）数据"
    r = target_assess({2023: 100}, kind="growth", target_value=28, unit="%", target_year=2027)
    assert r.status == S.NOT_AVAILABLE and "基期" in r.reason


def test_growth_base_from_december_or_q4():
    for key in ("2023-12", "2023Q4", date(2023, 12, 31)):
        r = target_assess({key: 100, 2024: 105}, kind="growth", target_value=28, unit="%", target_year=2027,
                          base_year=2023)
        assert r.ratio == approx(0.7854), key


def test_growth_frozen_base_snapshot():
    r = target_assess({2024: 105}, kind="growth", target_value=28, unit="%", target_year=2027, base_year=2023,
                      base_value=Decimal("100"))
    assert r.ratio == approx(0.7854)
    assert any("冻结的基期值" in n for n in r.notes)
    r = target_assess({2024: 105}, kind="growth", target_value=28, unit="%", target_year=2027, base_value=100)
    assert r.status == S.NOT_AVAILABLE and "没有基期年份" in r.reason


def test_growth_additive_units():
    # 提高5个百分点: 40 % → 45 %; 增加500台: 1000 → 1500.
    r = target_assess({2023: 40, 2024: 43}, kind="growth", target_value=5, unit="百分点", target_year=2025,
                      base_year=2023, value_unit="%")
    assert r.target_value == approx(45)
    r = target_assess({2023: 1000, 2024: 1600}, kind="growth", target_value=500, unit="台", target_year=2025,
                      base_year=2023)
    assert r.target_value == approx(1500) and r.status == S.TARGET_ACHIEVED


def test_growth_exactly_met_despite_float_rounding():
    r = target_assess({2023: 100, 2027: 128}, kind="growth", target_value=Decimal("28"), unit="%",
                      target_year=2027, base_year=2023)
    assert r.status == S.TARGET_ACHIEVED


def test_growth_ceiling_does_not_clash_with_direction():
    r = target_assess({2023: 100, 2024: 104}, kind="growth", target_value=5, unit="%", comparator="<=",
                      direction="up", target_year=2024, base_year=2023)
    assert r.status == S.TARGET_ACHIEVED
    assert any("不一致" in n for n in r.notes)


def test_annual_growth_with_year_is_method_2_on_the_rate():
    # 年均增长≥30% to 2026 from 2023: required CAGR is 30 % exactly.
    r = target_assess({2023: 100, 2024: 120}, kind="annual_growth", target_value=30, unit="%", base_year=2023,
                      target_year=2026)
    assert r.required_growth == approx(0.30)
    assert r.observed_growth == approx(0.20)
    assert r.ratio == approx(0.20 / 0.30)
    assert r.status == S.MODERATE_PROGRESS
    assert r.target_value == approx(100 * 1.3**3)
    r = target_assess({2023: 100, 2025: 100 * 1.3**2}, kind="annual_growth", target_value=30, unit="%",
                      base_year=2023, target_year=2026)
    assert r.status == S.SUBSTANTIAL_PROGRESS and r.ratio == approx(1.0)


def test_annual_growth_without_year_is_a_standing_rate_rule():
    r = target_assess({2022: 100, 2024: 121}, kind="annual_growth", target_value=10, unit="%")
    assert r.observed_growth == approx(0.10)
    assert r.status == S.TARGET_ACHIEVED
    r = target_assess({2022: 100, 2024: 110}, kind="annual_growth", target_value=10, unit="%")
    assert r.status == S.LIMITED_PROGRESS or r.status == S.MODERATE_PROGRESS
    assert r.ratio == approx((1.1**0.5 - 1) / 0.10)
    # A ceiling on the rate (年均增长不超过2%) that is exceeded.
    r = target_assess({2022: 100, 2024: 110}, kind="annual_growth", target_value=2, unit="%", comparator="<=",
                      direction="down")
    assert r.status == S.DETERIORATION
    # 年均下降≥3% stored as -3 with ">=": a 2 %/yr fall is progress but not enough.
    r = target_assess({2022: 100, 2024: 96.04}, kind="annual_growth", target_value=-3, unit="%",
                      comparator=">=", direction="down")
    assert r.comparator == "<="
    assert r.ratio == approx(2 / 3)
    assert r.status == S.MODERATE_PROGRESS
    # The same on the signed scale: no comparator given, direction down → "<=" without a flip.
    r = target_assess({2022: 100, 2024: 96.04}, kind="annual_growth", target_value=-3, unit="%",
                      direction="down")
    assert r.comparator == "<=" and r.ratio == approx(2 / 3)


def test_annual_growth_rejects_rates_below_minus_100():
    r = target_assess({2022: 100, 2024: 96}, kind="annual_growth", target_value=-120, unit="%")
    assert r.status == S.NOT_AVAILABLE


def test_standing_rule_without_year():
    r = target_assess({"2025-03": 48, "2025-06": 52}, target_value=50, unit="%")
    assert r.status == S.TARGET_ACHIEVED and r.method == "standing"
    r = target_assess({"2025-03": 52, "2025-06": 45}, target_value=50, unit="%")
    assert r.status == S.TARGET_NOT_ACHIEVED
    assert r.label == "未达成" and r.score == -5
    assert r.explanation == "当前2025年6月 45%，要求 ≥50%，未满足 → 未达成"
    # A growth target without a year: judged at the latest observation.
    r = target_assess({2023: 100, 2025: 115}, kind="growth", target_value=10, unit="%", base_year=2023)
    assert r.status == S.TARGET_ACHIEVED and r.method == "standing"


def test_trend_needs_a_target_value_for_other_kinds():
    r = target_assess({2023: 100, 2024: 110}, kind="growth", base_year=2023)
    assert r.status == S.NOT_AVAILABLE and r.reason == "缺少目标值"


# ---------------------------------------------------------------- comparators


def test_more_than_requires_strictly_exceeding():
    assert target_assess({2023: 80, 2024: 92}, comparator=">", target_value=92,
                         target_year=2027).status != S.TARGET_ACHIEVED
    assert target_assess({2023: 80, 2024: 92}, comparator=">=", target_value=92,
                         target_year=2027).status == S.TARGET_ACHIEVED
    assert target_assess({2023: 80, 2024: 92.1}, comparator=">", target_value=92,
                         target_year=2027).status == S.TARGET_ACHIEVED


def test_about_within_tolerance():
    kw = {"comparator": "~", "target_value": 1500, "target_year": 2025}
    assert target_assess({2023: 600, 2024: 1430}, **kw).status == S.TARGET_ACHIEVED  # ≥ 1425
    assert target_assess({2023: 600, 2024: 1420}, **kw).status != S.TARGET_ACHIEVED
    assert target_assess({2023: 600, 2024: 1420}, tolerance=0.1, **kw).status == S.TARGET_ACHIEVED
    over = target_assess({2023: 600, 2024: 1700}, **kw)
    assert over.status == S.TARGET_ACHIEVED
    assert any("区间" in n for n in over.notes)


def test_about_on_a_lower_is_better_indicator():
    kw = {"comparator": "~", "direction": "down", "target_value": 0.865, "target_year": 2027}
    assert target_assess({2023: 1.0, 2024: 0.90}, **kw).status == S.TARGET_ACHIEVED  # ≤ 0.908
    # Required −3.6 %/yr, observed −2.5 %: P ≈ 0.70.
    assert target_assess({2023: 1.0, 2024: 0.975}, **kw).status == S.MODERATE_PROGRESS


def test_about_on_a_growth_target_applies_to_the_written_rate():
    # 增长30%左右: 28.5 %–31.5 % (±5 % of 30), i.e. levels 128.5–131.5.
    kw = {"kind": "growth", "comparator": "~", "target_value": 30, "unit": "%", "target_year": 2025,
          "base_year": 2023}
    assert target_assess({2023: 100, 2025: 128.6}, **kw).status == S.TARGET_ACHIEVED
    assert target_assess({2023: 100, 2025: 128.4}, **kw).status != S.TARGET_ACHIEVED


def test_at_most_is_a_lower_is_better_ceiling():
    r = target_assess({2023: 1.0, 2024: 0.97}, comparator="<=", target_value=0.865, target_year=2027)
    assert r.direction == "down"
    assert r.status == S.MODERATE_PROGRESS
    assert any("不一致" in n for n in r.notes)  # the default direction "up" disagreed
    assert target_assess({2023: 1.0, 2024: 0.86}, comparator="<=", target_value=0.865,
                         target_year=2027).status == S.TARGET_ACHIEVED


def test_comparator_default_follows_direction():
    assert target_assess({2023: 1.0, 2024: 0.97}, direction="down", target_value=0.865,
                         target_year=2027).comparator == "<="


# ---------------------------------------------------------------- intra-year data


@pytest.mark.parametrize(
    ("value", "end", "year", "label"),
    [
        (2025, 2026.0, 2025, "2025年"),
        ("2025", 2026.0, 2025, "2025年"),
        ("2025年", 2026.0, 2025, "2025年"),
        ("2025-03", 2025.25, 2025, "2025年3月"),
        ("2025-3", 2025.25, 2025, "2025年3月"),
        ("202503", 2025.25, 2025, "2025年3月"),
        ("2025年3月", 2025.25, 2025, "2025年3月"),
        ("2025/12", 2026.0, 2025, "2025年12月"),
        ("2025Q1", 2025.25, 2025, "2025年第1季度"),
        ("2025-Q2", 2025.5, 2025, "2025年第2季度"),
        ("2025年第三季度", 2025.75, 2025, "2025年第3季度"),
        ("2025年4季度", 2026.0, 2025, "2025年第4季度"),
        ("2025S1", 2025.5, 2025, "2025年上半年"),
        ("2025年下半年", 2026.0, 2025, "2025年下半年"),
        ("2025-06-30", 2025 + 181 / 365, 2025, "2025年6月30日"),
        ("2024年12月31日", 2025.0, 2024, "2024年12月31日"),
        (date(2025, 3, 31), 2025 + 90 / 365, 2025, "2025年3月31日"),
        (datetime(2024, 7, 1, 9, 30), 2024 + 183 / 366, 2024, "2024年7月1日"),
    ],
)
def test_period_parse(value, end, year, label):
    p = period_parse(value)
    assert p.end == approx(end, rel=1e-12, abs=1e-12)
    assert p.year == year and p.label == label


@pytest.mark.parametrize("bad", ["2025-13", "2025Q5", "25", "2025-02-30", "soon", True])
def test_period_parse_rejects(bad):
    with pytest.raises(ValueError):
        period_parse(bad)


def test_period_from_start_for_stored_rows():
    assert period_from_start("quarter", date(2025, 4, 1)) == period_parse("2025Q2")
    assert period_from_start("month", date(2025, 3, 1)).end == approx(2025.25)
    assert period_from_start("year", date(2025, 1, 1)).end == 2026.0
    assert period_from_start("half", date(2025, 7, 1)).label == "2025年下半年"
    assert isinstance(period_from_start("day", date(2025, 1, 1)), Period)
    with pytest.raises(ValueError):
        period_from_start("week", date(2025, 1, 1))


def test_monthly_current_uses_a_fractional_exponent():
    # Base 2023 (end of 2023 = 2024.0), current June 2025 (2025.5): 1.5 years.
    r = target_assess({"2023": 100, "2025-06": 130}, target_value=140, target_year=2026, base_year=2023)
    assert r.current_position == approx(2025.5)
    assert r.observed_growth == approx(1.3 ** (1 / 1.5) - 1)
    assert r.required_growth == approx(1.4 ** (1 / 3) - 1)
    assert r.expected_value == approx(100 * 1.4**0.5)
    assert r.explanation.startswith("基期2023年 100，当前2025年6月 130，目标2026年 ≥140，需年均增长 11.9%，"
                                    "实际年均增长 19.1%，比值 1.61 → 按计划推进")


def test_quarterly_series():
    data = {"2024Q4": 600, "2025Q1": 700, "2025Q2": 800, "2025Q3": 900}
    r = target_assess(data, target_value=1500, target_year=2025)
    assert r.base_period == "2024年第4季度" and r.current_period == "2025年第3季度"
    span = 0.75
    assert r.observed_growth == approx(1.5 ** (1 / span) - 1)
    assert r.required_growth == approx(2.5 - 1)
    assert r.ratio == approx((1.5 ** (1 / span) - 1) / 1.5)
    assert r.expected_value == approx(600 * 2.5**0.75)


def test_target_in_the_year_of_a_mid_year_observation_is_not_passed():
    r = target_assess({"2024": 600, "2025-06": 1000}, target_value=1500, target_year=2025)
    assert not any("已过" in n for n in r.notes)
    assert r.status == S.SUBSTANTIAL_PROGRESS


def test_as_of_ignores_later_data():
    data = {2023: 600, 2024: 1000, 2025: 1600}
    assert target_assess(data, target_value=1500, target_year=2025).status == S.TARGET_ACHIEVED
    r = target_assess(data, target_value=1500, target_year=2025, as_of=2024)
    assert r.current_value == 1000 and r.status == S.SUBSTANTIAL_PROGRESS


# ---------------------------------------------------------------- 每年 (recurring yearly) targets


def test_annual_behind_pro_rata():
    r = target_assess({"2025-01": 1, "2025-03": 1, "2025-06": 0}, kind="annual", target_value=5, unit="场")
    assert r.current_value == 2
    assert r.elapsed_share == approx(0.5)
    assert r.expected_value == approx(2.5)
    assert r.ratio == approx(0.8)
    assert r.status == S.MODERATE_PROGRESS
    assert r.explanation == ("2025年截至6月累计 2场，全年目标 ≥5场，按进度应达 2.5场（时间过去 50%），"
                             "比值 0.8 → 需加快进度")


def test_annual_ahead_and_achieved():
    r = target_assess({"2025Q1": 2}, kind="annual", target_value=5, as_of=date(2025, 4, 15))
    assert r.status == S.SUBSTANTIAL_PROGRESS
    assert r.ratio == approx(2 / (5 * 105 / 365))
    r = target_assess({"2025Q1": 3, "2025Q2": 2}, kind="annual", target_value=5)
    assert r.status == S.TARGET_ACHIEVED


def test_annual_limited_and_year_over():
    r = target_assess({"2025-01": 0, "2025-09": 1}, kind="annual", target_value=5)
    assert r.status == S.LIMITED_PROGRESS  # 1 of 3.75
    r = target_assess({"2024Q1": 1, "2024Q4": 3}, kind="annual", target_value=5)
    assert r.elapsed_share == 1
    assert r.status == S.TARGET_NOT_ACHIEVED
    assert "2024年全年" in r.explanation


def test_annual_strict_and_about():
    assert target_assess({"2025-06": 5}, kind="annual", comparator=">", target_value=5).status \
        != S.TARGET_ACHIEVED
    assert target_assess({"2025-06": 19}, kind="annual", comparator="~", target_value=20).status \
        == S.TARGET_ACHIEVED


def test_annual_counting_year_to_date_and_full_year_row():
    data = {"2025-03": 1, "2025-06": 3}  # running totals
    assert target_assess(data, kind="annual", target_value=5, annual_counting="year_to_date").current_value == 3
    assert target_assess(data, kind="annual", target_value=5).current_value == 4
    r = target_assess({"2025-06": 2, 2025: 6}, kind="annual", target_value=5)
    assert r.current_value == 6 and r.status == S.TARGET_ACHIEVED


def test_annual_uses_only_the_assessed_year():
    r = target_assess({2024: 9, "2025-03": 1}, kind="annual", target_value=5)
    assert r.current_value == 1
    r = target_assess({"2024-12": 9}, kind="annual", target_value=5, as_of="2025-02")
    assert r.status == S.NOT_AVAILABLE and r.reason == "2025年尚无数据"


def test_annual_ceiling():
    kw = {"kind": "annual", "comparator": "<=", "target_value": 4}
    assert target_assess({"2025-06": 1}, **kw).status == S.SUBSTANTIAL_PROGRESS  # 1 ≤ 2 expected
    assert target_assess({"2025-06": 3}, **kw).status == S.MODERATE_PROGRESS  # 2/3
    breached = target_assess({"2025-06": 5}, **kw)
    assert breached.status == S.TARGET_NOT_ACHIEVED and "超出全年上限" in breached.explanation
    assert target_assess({"2025Q4": 3}, **kw).status == S.TARGET_ACHIEVED
    assert target_assess({"2025-06": 0}, **kw).score == 5


def test_annual_without_value():
    assert target_assess({"2025-06": 1}, kind="annual").status == S.NOT_AVAILABLE


# ---------------------------------------------------------------- the model adapter and display


def test_target_assess_record_reads_a_target_like_object():
    target = SimpleNamespace(kind="growth", comparator=">=", value=Decimal("28.0000"), year=2027, base_year=2023,
                             unit="%", indicator=SimpleNamespace(direction="up", unit="亿元"))
    r = target_assess_record(target, {2023: Decimal("100"), 2024: Decimal("105")})
    assert r.status == S.MODERATE_PROGRESS
    assert "目标2027年 ≥128亿元" in r.explanation
    no_indicator = SimpleNamespace(kind="level", comparator="<=", value=Decimal("0.865"), year=2027,
                                   base_year=None, unit="吨标准煤/万元", indicator=None)
    assert target_assess_record(no_indicator, {2023: 1, 2024: 0.97}).status == S.MODERATE_PROGRESS


def test_as_dict_rounds_for_display():
    d = target_assess({2023: 600, 2024: 1000}, target_value=1500, target_year=2025).as_dict()
    assert d["status"] == "substantial_progress"
    assert d["ratio"] == 1.1472
    assert d["score"] == 3.908
    assert d["required_growth"] == 0.5811
    assert isinstance(d["notes"], list)
