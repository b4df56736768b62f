"""Quantitative targets: one test per phenomenon, on snippets written for the tests."""

from __future__ import annotations

from liangxin.plans.extraction import extract_plan

from .extraction_helpers import plan_of, preamble_targets, rows, task_plan


def test_level_with_year_and_plain_percentage():
    assert preamble_targets("到2026年，全区工业企业设备联网率达到65%。") == [
        ("全区工业企业设备联网率", 2026, "level", None, ">=", 65, "%"),
    ]


def test_year_with_stray_spaces_and_year_end():
    assert preamble_targets("到 2025 年底，城镇老旧供水管网改造率达到 95 %以上。") == [
        ("城镇老旧供水管网改造率", 2025, "level", None, ">=", 95, "%"),
    ]


def test_wan_and_yi_folding():
    got = preamble_targets(
        "到2025年，全市新能源汽车保有量达到2万辆，报废汽车回收量达到0.5万辆，"
        "家电以旧换新销售额达到10亿元，二手车出口额达到300万元。"
    )
    assert got == [
        ("全市新能源汽车保有量", 2025, "level", None, ">=", 20000, "辆"),
        ("报废汽车回收量", 2025, "level", None, ">=", 5000, "辆"),
        ("家电以旧换新销售额", 2025, "level", None, ">=", 1000000000, "元"),
        ("二手车出口额", 2025, "level", None, ">=", 3000000, "元"),
    ]


def test_decimal_yi_gives_exact_integer():
    got = preamble_targets("到2027年，高端装备营业收入达到12.5亿元。")
    assert got == [("高端装备营业收入", 2027, "level", None, ">=", 1250000000, "元")]
    assert isinstance(got[0][5], int)


def test_comparator_words():
    got = preamble_targets(
        "到2025年，A类设备更新率超过80%，B类网点数量突破200个，C类活动不少于6场，"
        "D类项目不低于40项，E类车辆约3000辆，F类回收站点150个左右，"
        "G类设备故障率不超过2%，H类审批时限5个工作日以内。"
    )
    comps = [(r[0], r[4], r[5], r[6]) for r in got]
    assert comps == [
        ("A类设备更新率", ">", 80, "%"),
        ("B类网点数量", ">", 200, "个"),
        ("C类活动", ">=", 6, "场"),
        ("D类项目", ">=", 40, "项"),
        ("E类车辆", "~", 3000, "辆"),
        ("F类回收站点", "~", 150, "个"),
        ("G类设备故障率", "<=", 2, "%"),
        ("H类审批时限", "<=", 5, "工作日"),
    ]


def test_zuoyou_wins_over_daodao():
    assert preamble_targets("到2025年，充电桩保有量达到1.5万个左右。") == [
        ("充电桩保有量", 2025, "level", None, "~", 15000, "个"),
    ]


def test_bare_number_is_at_least():
    assert preamble_targets("到2025年，新建公共充电桩600个。") == [
        ("公共充电桩", 2025, "level", None, ">=", 600, "个"),
    ]


def test_fenbie_pairs_years_with_values():
    got = preamble_targets("到2025年和2027年，累计培育省级绿色工厂分别达到4家以上、7家以上。")
    assert got == [
        ("省级绿色工厂", 2025, "level", None, ">=", 4, "家"),
        ("省级绿色工厂", 2027, "level", None, ">=", 7, "家"),
    ]


def test_fenbie_pairs_metrics_with_values():
    got = preamble_targets("到2027年，规上企业设备联网率、工业互联网平台普及率分别超过60%、45%。")
    assert got == [
        ("规上企业设备联网率", 2027, "level", None, ">", 60, "%"),
        ("工业互联网平台普及率", 2027, "level", None, ">", 45, "%"),
    ]


def test_fenbie_values_before_the_noun():
    got = preamble_targets("到2025年和2027年，分别改造提升30个、50个乡镇农贸市场。")
    assert got == [
        ("改造提升乡镇农贸市场", 2025, "level", None, ">=", 30, "个"),
        ("改造提升乡镇农贸市场", 2027, "level", None, ">=", 50, "个"),
    ]


def test_year_list_carries_to_next_fenbie_and_bare_fenbie_inherits_metric():
    got = preamble_targets(
        "全县公共充电桩保有量年均增长25%以上，到2025年和2027年，分别达到800台、1200台，"
        "快充桩占比分别达到30%、40%。"
    )
    assert got == [
        ("全县公共充电桩保有量", None, "annual_growth", None, ">=", 25, "%"),
        ("全县公共充电桩保有量", 2025, "level", None, ">=", 800, "台"),
        ("全县公共充电桩保有量", 2027, "level", None, ">=", 1200, "台"),
        ("快充桩占比", 2025, "level", None, ">=", 30, "%"),
        ("快充桩占比", 2027, "level", None, ">=", 40, "%"),
    ]


def test_yibei_is_one_hundred_percent_growth():
    assert preamble_targets("到2027年，废旧电池回收量较2023年增加约一倍。") == [
        ("废旧电池回收量", 2027, "growth", 2023, "~", 100, "%"),
    ]


def test_liang_counts_as_two():
    assert preamble_targets("到2025年，培育省级再制造示范企业两家。") == [
        ("省级再制造示范企业", 2025, "level", None, ">=", 2, "家"),
    ]


def test_range_gives_lower_bound_and_at_least():
    assert preamble_targets("每年评选2～4项左右设备更新典型案例。") == [
        ("评选设备更新典型案例", None, "annual", None, ">=", 2, "项"),
    ]


def test_ratio_with_half_width_colon():
    assert preamble_targets("到2026年，二手车交易量与新车销量之比达到0.7:1。") == [
        ("二手车交易量与新车销量之比", 2026, "level", None, ">=", 0.7, "ratio"),
    ]


def test_recurring_yearly_targets_have_no_year():
    got = preamble_targets("到2025年，每年举办汽车下乡活动8场以上，其中县城展销不少于2场。")
    assert got == [
        ("举办汽车下乡活动", None, "annual", None, ">=", 8, "场"),
        ("县城展销", None, "annual", None, ">=", 2, "场"),
    ]


def test_average_growth():
    assert preamble_targets("全县新能源汽车保有量年均增长20%以上。") == [
        ("全县新能源汽车保有量", None, "annual_growth", None, ">=", 20, "%"),
    ]


def test_growth_against_stated_base_year():
    assert preamble_targets("到2027年，农业机械投资规模较2023年增长35%以上。") == [
        ("农业机械投资规模", 2027, "growth", 2023, ">=", 35, "%"),
    ]


def test_bare_growth_is_against_the_year_before():
    assert preamble_targets("2024年，全县技改投资增长12%。") == [
        ("全县技改投资", 2024, "growth", 2023, ">=", 12, "%"),
    ]


def test_year_carries_over_within_paragraph_until_restated():
    got = preamble_targets(
        "到2025年，建成绿色工厂6家。推动企业上云用云，上云企业达到300家。到2027年，建成绿色工厂9家。"
    )
    assert got == [
        ("绿色工厂", 2025, "level", None, ">=", 6, "家"),
        ("上云企业", 2025, "level", None, ">=", 300, "家"),
        ("绿色工厂", 2027, "level", None, ">=", 9, "家"),
    ]


def test_standing_rule_without_year():
    assert preamble_targets("公交、出租等公共领域新增车辆中新能源汽车比例不低于80%。") == [
        ("公交、出租等公共领域新增车辆中新能源汽车比例", None, "level", None, ">=", 80, "%"),
    ]


def test_qualifier_numbers_are_not_targets():
    got = preamble_targets(
        "每年实施单体投资1000万元以上的技改项目50项。加快淘汰使用15年以上的老旧设备，"
        "淘汰国三及以下排放标准柴油货车，建设5G基站，推动4A级景区设备更新。"
    )
    assert got == [("实施技改项目", None, "annual", None, ">=", 50, "项")]


def test_qualitative_aims_are_not_targets():
    assert preamble_targets("到2027年，重点行业能效水平大幅提升，老旧营运柴油货车基本淘汰。") == []


def test_targets_carry_their_task_number():
    plan = task_plan(
        "（一）推进充电设施建设。到2025年，新建充电桩500个。（牵头单位：县发展改革局）",
        "（二）推进家电换新。每年举办家电促消费活动3场以上。（牵头单位：县商务局）",
    )
    assert [r[0] for r in rows(plan)] == [1, 2]


def test_traditional_characters_and_simplified_units():
    got = preamble_targets("到2025年，全縣新能源汽車保有量達到8000輛以上，規範回收網點達到120個。")
    assert got == [
        ("全县新能源汽车保有量", 2025, "level", None, ">=", 8000, "辆"),
        ("规范回收网点", 2025, "level", None, ">=", 120, "个"),
    ]


def test_tai_tao_unit_is_tai():
    assert preamble_targets("到2025年，补贴更新农机具1200台（套）。") == [
        ("补贴更新农机具", 2025, "level", None, ">=", 1200, "台"),
    ]


def test_growth_against_last_year():
    assert preamble_targets("2025年，汽车报废更新量较上年增长15%。") == [
        ("汽车报废更新量", 2025, "growth", 2024, ">=", 15, "%"),
    ]


def test_full_width_digits_and_percent():
    assert preamble_targets("到２０２５年，城市生活垃圾回收利用率达到３５％。") == [
        ("城市生活垃圾回收利用率", 2025, "level", None, ">=", 35, "%"),
    ]


def test_percentage_share_before_its_noun():
    assert preamble_targets("到2027年，80%以上的规上工业企业完成数字化改造。") == [
        ("规上工业企业完成数字化改造", 2027, "level", None, ">=", 80, "%"),
    ]


def test_chao_alone_means_more_than():
    assert preamble_targets("到2025年，全市二手车交易量超30万辆。") == [
        ("全市二手车交易量", 2025, "level", None, ">", 300000, "辆"),
    ]


def test_percentage_points():
    assert preamble_targets("到2027年，规上企业研发投入占比较2023年提高2个百分点。") == [
        ("规上企业研发投入占比", 2027, "growth", 2023, ">=", 2, "百分点"),
    ]


def test_descriptive_counts_are_not_targets():
    assert preamble_targets("到2025年，重点从3个方面推进设备更新，分2个阶段实施。") == []


# ------------------------------------------ before the first heading ---


def test_targets_in_the_preamble_are_plan_level():
    plan = plan_of(
        "为推动设备更新，制定本方案。到2025年，全县新能源汽车保有量达到6000辆。",
        "一、总体要求",
        "推动。",
        "二、重点任务",
        "（一）推进充电设施建设。到2025年，新建充电桩100个。",
    )
    assert rows(plan) == [
        (None, "全县新能源汽车保有量", 2025, "level", None, ">=", 6000, "辆"),
        (1, "充电桩", 2025, "level", None, ">=", 100, "个"),
    ]


def test_unnumbered_overall_goal_paragraph_before_the_first_heading():
    plan = plan_of(
        "总体目标：到2027年，全县设备投资规模较2023年增长30%，报废汽车回收量达到1.2万辆。",
        "一、重点任务",
        "（一）推进设备更新。内容。",
    )
    assert rows(plan) == [
        (None, "全县设备投资规模", 2027, "growth", 2023, ">=", 30, "%"),
        (None, "报废汽车回收量", 2027, "level", None, ">=", 12000, "辆"),
    ]


def test_cover_letter_before_an_untitled_plan_is_not_read():
    # The plan text does not repeat its title, so only the cover letter's
    # date tells where the plan's own preamble starts.
    plan = extract_plan(
        "某某县人民政府\n关于印发某某县推动大规模设备更新工作方案的通知\n各乡镇：\n"
        "现将方案印发给你们，请每年报送工作进展2次。\n某某县人民政府\n2024年6月1日\n"
        "到2025年，全县新建充电桩100个。\n一、重点任务\n（一）推进。内容。\n"
    )
    assert rows(plan) == [(None, "全县新建充电桩", 2025, "level", None, ">=", 100, "个")]
    assert plan["issued_on"] == "2024-06-01"


def test_plan_without_any_heading_still_gives_its_targets():
    # The signature closing the plan is not a cover letter to skip.
    plan = plan_of(
        "为推动设备更新，制定本方案。到2025年，新建公共充电桩600个，每年举办促消费活动3场以上。",
        "某某县人民政府",
        "2024年6月1日",
    )
    assert rows(plan) == [
        (None, "公共充电桩", 2025, "level", None, ">=", 600, "个"),
        (None, "举办促消费活动", None, "annual", None, ">=", 3, "场"),
    ]


# ------------------------------------------------------ inline tasks ---


def test_unit_parenthesis_right_after_the_number_is_not_in_the_metric():
    plan = task_plan("（一）推进充电设施建设。到2025年，新建充电桩500个（牵头单位：县发展改革局）。")
    assert rows(plan) == [(1, "充电桩", 2025, "level", None, ">=", 500, "个")]
    assert plan["targets"][0]["quote"] == "新建充电桩500个"


def test_inline_items_carry_their_targets_and_the_lead_in_year():
    plan = plan_of(
        "一、总体要求",
        "推动。",
        "二、重点任务",
        "到2025年，重点做好以下工作：一是推进充电设施建设，新建充电桩100个（牵头单位：县发展改革局）；"
        "二是改造提升农贸市场5个（牵头单位：县商务局）；三是推进家电换新，每年举办活动3场以上。",
        "三、保障措施",
        "一是强化资金保障，争取资金1亿元；二是加强宣传。",
    )
    assert rows(plan) == [
        (1, "充电桩", 2025, "level", None, ">=", 100, "个"),
        (2, "改造提升农贸市场", 2025, "level", None, ">=", 5, "个"),
        (3, "举办活动", None, "annual", None, ">=", 3, "场"),
        # A new paragraph: the year of section 二 does not reach here.
        (1, "资金", None, "level", None, ">=", 100000000, "元"),
    ]
