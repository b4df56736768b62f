"""Structure, units, header metadata, text clean-up and numerals."""

from __future__ import annotations

import pytest

from liangxin.plans.extraction import extract_plan
from liangxin.plans.extraction.numbers import cn_to_int, fold
from liangxin.plans.extraction.structure import find_doc_no
from liangxin.plans.extraction.text import canon, clean_lines, squeeze_spaces

from .extraction_helpers import plan_of, rows, task_plan, task_rows

# ------------------------------------------------------------ numerals ---


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("一", 1),
        ("十", 10),
        ("十八", 18),
        ("二十三", 23),
        ("三十四", 34),
        ("四十", 40),
        ("九十九", 99),
        ("一百零五", 105),
        ("两", 2),
        ("二〇二四", 2024),
    ],
)
def test_chinese_numerals(text, value):
    assert cn_to_int(text) == value


def test_fold_magnitudes():
    assert fold(2, "万") == 20000
    assert fold(0.5, "万") == 5000
    assert fold(10, "亿") == 1_000_000_000
    assert fold(300, "万") == 3_000_000
    assert fold(2.6, "亿") == 260_000_000


# ---------------------------------------------------------- clean-up ---


def test_stray_spaces_removed_but_not_between_latin_words():
    assert squeeze_spaces("2024 年 7月 23 日") == "2024年7月23日"
    assert squeeze_spaces("推广 AI 应用和 Wi Fi") == "推广AI应用和Wi Fi"


def test_page_debris_and_footer_dropped():
    raw = "正文第一行\n\n— 3 —\n\n正文第二行\n-4-\n5\n第 6 页\n正文第三行\n抄送：县委各部门。\n某县人民政府办公室  2024年5月8日印发\n"
    assert clean_lines(raw) == ["正文第一行", "正文第二行", "正文第三行"]


def test_footer_without_chaosong():
    raw = "正文。\n某某县人民政府办公室\n2024年5月8日印发\n"
    assert clean_lines(raw) == ["正文。"]


def test_canonical_text_keeps_length():
    written = "(十八) 推进,落实:比例0.8:1，1,000台［2024］"
    c = canon(written)
    assert len(c) == len(written)
    assert c.startswith("（十八）")
    assert "0.8：1" in c and "1,000台" in c and "〔2024〕" in c


@pytest.mark.parametrize(
    "line",
    [
        "某政发〔2024〕4号",
        "某政发[2024]4号",
        "某政发［2024］ 4 号",
        "某政发（2024）4号",
        "某政发(2024)4号",
        " 某政发 〔 2024 〕4 号",
    ],
)
def test_doc_no_variants_normalised(line):
    doc_no, quote = find_doc_no([squeeze_spaces(line)])
    assert doc_no == "某政发〔2024〕4号"
    assert quote


# ------------------------------------------------------------- header ---


def test_county_notice_header():
    text = (
        "青禾政发〔2024〕12 号\n\n青禾县人民政府\n关于印发青禾县推动大规模设备更新和\n\n消费品以旧换新工作方案的通知\n\n"
        "各乡镇人民政府：\n现将《青禾县推动大规模设备更新和消费品以旧换新工作方案》印发给你们。\n\n"
        "青禾县人民政府\n\n2024 年 8月 2 日\n\n一、总体要求\n推动设备更新。\n"
    )
    plan = extract_plan(text, source="a.txt")
    assert plan["source"] == "a.txt"
    assert plan["doc_no"] == "青禾政发〔2024〕12号"
    assert plan["issuer"] == "青禾县人民政府"
    assert plan["region"] == "青禾县"
    assert plan["issued_on"] == "2024-08-02"
    assert plan["title"] == "青禾县推动大规模设备更新和消费品以旧换新工作方案"
    assert plan["kind"] == "工作方案"


def test_district_notice_header_with_chinese_date():
    text = (
        "北塘区人民政府关于印发《北塘区推动大规模设备更新和消费品以旧换新工作措施》的通知\n"
        "北塘区人民政府\n二〇二四年七月十九日\n一、总体要求\n推动设备更新。\n"
    )
    plan = extract_plan(text)
    assert (plan["issuer"], plan["region"], plan["issued_on"], plan["kind"]) == (
        "北塘区人民政府",
        "北塘区",
        "2024-07-19",
        "工作措施",
    )
    assert plan["title"] == "北塘区推动大规模设备更新和消费品以旧换新工作措施"


def test_city_and_province_issuers():
    city = extract_plan("江城市人民政府\n关于印发江城市推动消费品以旧换新实施方案的通知\n一、总体要求\n")
    assert (city["issuer"], city["region"], city["kind"]) == ("江城市人民政府", "江城市", "实施方案")
    prov = extract_plan("南川省人民政府办公厅关于印发南川省推动大规模设备更新若干举措的通知\n一、总体要求\n")
    assert (prov["issuer"], prov["region"], prov["kind"]) == ("南川省人民政府办公厅", "南川省", "若干举措")


# ---------------------------------------------------------- structure ---


def test_sections_and_task_titles():
    plan = task_plan(
        "（一）推进工业设备更新。加快技术改造。（牵头单位：县工信局）",
        "(二) 推进农机更新, 加快报废淘汰。支持农机购置。（牵头单位：县农业农村局）",
    )
    assert plan["sections"] == [{"no": 1, "title": "总体要求"}, {"no": 2, "title": "重点任务"}]
    assert [(t["no"], t["section"], t["title"]) for t in plan["tasks"]] == [
        (1, 2, "推进工业设备更新"),
        (2, 2, "推进农机更新,加快报废淘汰"),
    ]
    assert plan["tasks"][0]["quote"] == "推进工业设备更新。"
    assert plan["tasks"][0]["units_quote"] == "（牵头单位：县工信局）"


def test_heading_on_its_own_line_is_the_title():
    plan = task_plan("（一）加快充电设施建设\n推进公共充电桩建设，优化布局。（牵头单位：县发改局）")
    assert plan["tasks"][0]["title"] == "加快充电设施建设"


def test_line_broken_title_and_blank_lines():
    # Every line wrapped at the same width, blank lines between them, as a
    # PDF-to-text conversion leaves them.
    plan = task_plan(
        "（一）推进老旧电梯更新改造，提升居民出行\n\n安全。加快更新不符合现行产品标准的老旧\n\n"
        "住宅电梯，推进既有住宅加装电梯，完善维\n\n护保养机制。（牵头单位：县住建局）"
    )
    assert plan["tasks"][0]["title"] == "推进老旧电梯更新改造，提升居民出行安全"


def test_task_numbers_continue_across_sections_up_to_thirty_four():
    parts = ["某县工作方案", "一、总体要求", "推动设备更新。"]
    no = 1
    for sec, cn in enumerate("二三四五六七", start=2):
        parts.append(f"{cn}、第{sec}部分")
        for _ in range(6):
            parts.append(f"（{_cn(no)}）任务{no}。内容。（牵头单位：县发改局）")
            no += 1
    plan = extract_plan("\n".join(parts))
    nos = [t["no"] for t in plan["tasks"]]
    assert nos == list(range(1, 31)) or nos == list(range(1, no))
    assert plan["tasks"][22]["no"] == 23 and plan["tasks"][22]["title"] == "任务23"
    assert plan["tasks"][-1]["section"] == 7


def _cn(n: int) -> str:
    digits = "零一二三四五六七八九"
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else digits[tens] + "十")
    return head + (digits[ones] if ones else "")


def test_task_numbers_restart_per_section():
    text = (
        "某县工作措施\n一、总体要求\n推动。\n二、设备更新\n（一）工业设备。内容。\n（二）农业机械。内容。\n"
        "三、以旧换新\n（一）汽车换新。内容。\n（二）家电换新。内容。\n"
    )
    plan = extract_plan(text)
    assert [(t["no"], t["section"], t["title"]) for t in plan["tasks"]] == [
        (1, 2, "工业设备"),
        (2, 2, "农业机械"),
        (1, 3, "汽车换新"),
        (2, 3, "家电换新"),
    ]


def test_numbered_items_under_overall_requirements_are_not_tasks():
    text = "某县实施方案\n一、总体要求\n（一）指导思想。坚持。\n（二）工作目标。到2025年，新建充电桩100个。\n二、重点任务\n（一）推进充电设施建设。建设。\n"
    plan = extract_plan(text)
    assert [(t["no"], t["title"]) for t in plan["tasks"]] == [(1, "推进充电设施建设")]
    assert plan["targets"][0]["task"] is None


def test_wrapped_line_starting_like_a_heading_is_not_a_heading():
    text = "某县方案\n一、总体要求\n推动设备更新和\n三、四类设备改造。\n二、重点任务\n（一）任务。内容。\n"
    plan = extract_plan(text)
    assert [s["title"] for s in plan["sections"]] == ["总体要求", "重点任务"]


# ---------------------------------------------------- numbering styles ---


@pytest.mark.parametrize(
    ("one", "two"),
    [("1.", "2."), ("1、", "2、"), ("1．", "2．"), ("（1）", "（2）"), ("(1)", "(2)"), ("1）", "2）")],
)
def test_arabic_numbered_tasks_under_chinese_sections(one, two):
    plan = plan_of(
        "一、总体要求",
        "推动设备更新。",
        "二、重点任务",
        f"{one}推进工业设备更新。加快改造。（牵头单位：县工信局）",
        f"{two}推进农机更新。支持购置。（牵头单位：县农业农村局，责任单位：县财政局）",
    )
    assert task_rows(plan) == [
        (1, 2, "推进工业设备更新", ["县工信局"], []),
        (2, 2, "推进农机更新", ["县农业农村局"], ["县财政局"]),
    ]


def test_each_section_keeps_its_own_task_level():
    plan = plan_of(
        "一、总体要求",
        "推动设备更新。",
        "二、设备更新",
        # A "1." line in the section's lead-in, and 1. 2. points inside （一）: not tasks.
        "围绕以下方面推进，",
        "1.工业领域优先。",
        "（一）推进工业设备更新。重点支持：",
        "1.技术改造；",
        "2.数字化改造。",
        "（二）推进农机更新。内容。",
        "三、以旧换新",
        "1.开展汽车以旧换新。支持：",
        "（1）报废更新；",
        "（2）置换更新。",
        "2.开展家电以旧换新。内容。",
        "四、保障措施",
        "加强组织领导，统筹推进以下",
        "1、项重点工作。",
    )
    assert [(t["no"], t["section"], t["title"]) for t in plan["tasks"]] == [
        (1, 2, "推进工业设备更新"),
        (2, 2, "推进农机更新"),
        (1, 3, "开展汽车以旧换新"),
        (2, 3, "开展家电以旧换新"),
    ]
    assert plan["tasks"][0]["content"] == "推进工业设备更新。重点支持：1.技术改造；2.数字化改造。"
    assert plan["tasks"][2]["content"] == "开展汽车以旧换新。支持：（1）报废更新；（2）置换更新。"


def test_inline_items_become_tasks_with_their_own_units():
    plan = plan_of(
        "一、总体要求",
        "推动设备更新。",
        "二、重点任务",
        "围绕重点领域，一是推进工业设备更新，加快技术改造（牵头单位：县工信局，责任单位：县财政局）；"
        "二是推进农业机械报废更新（县农业农村局负责）；三是迭新跃进，推动高端化升级。锚定目标，加快转型。"
        "（牵头单位：县发展改革局，各乡镇按照职责分工负责）",
    )
    assert task_rows(plan) == [
        (1, 2, "推进工业设备更新", ["县工信局"], ["县财政局"]),
        (2, 2, "推进农业机械报废更新", ["县农业农村局"], []),
        (3, 2, "迭新跃进，推动高端化升级", ["县发展改革局"], ["各乡镇"]),
    ]
    first = plan["tasks"][0]
    assert first["content"] == "推进工业设备更新，加快技术改造；"
    assert first["units_quote"] == "（牵头单位：县工信局，责任单位：县财政局）"


def test_inline_list_needs_two_items_in_sequence():
    plan = plan_of(
        "一、总体要求",
        "推动。",
        "二、重点任务",
        "坚持标准统一是前提，一是推进设备更新。",
        "三、以旧换新",
        "一是开展汽车换新；三是开展家电换新；二是开展家装换新。",
    )
    assert [(t["no"], t["section"], t["title"]) for t in plan["tasks"]] == [
        (1, 3, "开展汽车换新"),
        (2, 3, "开展家装换新"),
    ]
    # 三是 out of sequence stays inside the item before it.
    assert "三是开展家电换新" in plan["tasks"][0]["content"]


def test_inline_items_under_numbered_tasks_or_overall_requirements_stay_text():
    plan = plan_of(
        "一、总体要求",
        "一是坚持市场为主；二是坚持标准引领。",
        "二、设备更新",
        "（一）推进工业设备更新。一是技术改造；二是数字化改造。（牵头单位：县工信局）",
        "三、保障措施",
        "一是加强组织领导；二是强化资金保障。",
    )
    assert [(t["no"], t["section"], t["title"]) for t in plan["tasks"]] == [
        (1, 2, "推进工业设备更新"),
        (1, 3, "加强组织领导"),
        (2, 3, "强化资金保障"),
    ]


def test_unit_list_closing_an_inline_paragraph_is_every_items():
    plan = plan_of(
        "一、总体要求",
        "推动。",
        "二、保障措施",
        "一是加强组织领导；二是强化资金保障；三是抓好宣传引导。（牵头单位：县发展改革局，责任单位：县财政局）",
    )
    assert task_rows(plan) == [
        (n, 2, title, ["县发展改革局"], ["县财政局"])
        for n, title in ((1, "加强组织领导"), (2, "强化资金保障"), (3, "抓好宣传引导"))
    ]


def test_unit_list_closing_an_inline_paragraph_is_not_shared_when_items_name_their_own():
    plan = plan_of(
        "一、总体要求",
        "推动。",
        "二、保障措施",
        "一是加强组织领导（牵头单位：县委办）；二是强化资金保障；三是抓好宣传引导。（牵头单位：县委宣传部）",
    )
    assert [(t["no"], t["lead_units"]) for t in plan["tasks"]] == [
        (1, ["县委办"]),
        (2, []),
        (3, ["县委宣传部"]),
    ]


def test_second_inline_list_in_a_section_continues_the_count():
    plan = plan_of(
        "一、总体要求",
        "推动。",
        "二、重点任务",
        "在设备更新方面，一是推进工业设备更新；二是推进农机更新。",
        "在以旧换新方面，一是开展汽车换新；二是开展家电换新。",
    )
    assert [(t["no"], t["title"]) for t in plan["tasks"]] == [
        (1, "推进工业设备更新"),
        (2, "推进农机更新"),
        (3, "开展汽车换新"),
        (4, "开展家电换新"),
    ]
    # The second list's lead-in belongs to the item before it.
    assert plan["tasks"][1]["content"] == "推进农机更新。在以旧换新方面，"


def test_articles_under_chapters():
    plan = plan_of(
        "第一章 总则",
        "第一条 为推动消费品以旧换新，制定本措施。",
        "第二条 到2025年，全县汽车以旧换新达到3000辆。",
        "第二章 支持措施",
        "第三条 支持汽车以旧换新。给予补贴。（牵头单位：县商务局）",
        "第四条 支持家电以旧换新。重点支持：",
        "（一）一级能效家电；",
        "（二）智能家电。（牵头单位：县商务局，责任单位：县财政局）",
        "第三章 附则",
        "第五条 本措施由县商务局负责解释。",
    )
    assert [s["title"] for s in plan["sections"]] == ["总则", "支持措施", "附则"]
    assert task_rows(plan) == [
        (3, 2, "支持汽车以旧换新", ["县商务局"], []),
        (4, 2, "支持家电以旧换新", ["县商务局"], ["县财政局"]),
    ]
    assert rows(plan) == [(None, "全县汽车以旧换新", 2025, "level", None, ">=", 3000, "辆")]


def test_article_numbers_run_on_from_a_chapter_holding_one_article():
    plan = plan_of(
        "第一章 总则",
        "第一条 为推动消费品以旧换新，制定本措施。",
        "第二章 支持措施",
        "第二条 支持汽车以旧换新。给予补贴。",
        "第三条 支持家电以旧换新。给予补贴。",
    )
    assert [(t["no"], t["section"], t["title"]) for t in plan["tasks"]] == [
        (2, 2, "支持汽车以旧换新"),
        (3, 2, "支持家电以旧换新"),
    ]


def test_articles_without_chapters_skip_their_framing_articles():
    plan = plan_of(
        "第一条 为推动消费品以旧换新，制定本措施。",
        "第二条 支持汽车以旧换新。给予补贴。",
        "第三条 支持家电以旧换新。鼓励金融机构按照《贷款管理办法》",
        "第四条规定，优化信贷服务。",
        "第四条 为购买新能源汽车的个人消费者提供补贴。",
        "第五条 支持企业实现工作目标。加强服务。",
        "第六条 本措施自印发之日起施行。",
    )
    assert plan["sections"] == []
    assert [(t["no"], t["title"]) for t in plan["tasks"]] == [
        (2, "支持汽车以旧换新"),
        (3, "支持家电以旧换新"),
        (4, "为购买新能源汽车的个人消费者提供补贴"),
        (5, "支持企业实现工作目标"),
    ]
    assert "第四条规定" in plan["tasks"][1]["content"]


def test_bracket_headings_are_sections_in_an_unnumbered_notice():
    plan = plan_of(
        "【总体目标】",
        "到2025年，新建充电桩100个。",
        "【重点任务】",
        "（一）推进充电设施建设。建设。",
        "（二）推进家电换新。换新。",
        "【关闭窗口】",
    )
    assert plan["sections"] == [{"no": 1, "title": "总体目标"}, {"no": 2, "title": "重点任务"}]
    assert [(t["no"], t["section"]) for t in plan["tasks"]] == [(1, 2), (2, 2)]
    assert rows(plan)[0][0] is None


def test_bracket_lines_in_a_numbered_notice_are_not_sections():
    plan = plan_of(
        "【专栏】",
        "一、总体要求",
        "推动。",
        "二、重点任务",
        "【工业领域】",
        "1.推进设备更新。内容。",
        "2.推进技术改造。内容。",
    )
    assert [s["title"] for s in plan["sections"]] == ["总体要求", "重点任务"]
    assert [(t["no"], t["section"]) for t in plan["tasks"]] == [(1, 2), (2, 2)]


# -------------------------------------------------------------- units ---


def _units(paren: str) -> tuple[list[str], list[str]]:
    plan = task_plan(f"（一）推进设备更新。加快改造。{paren}")
    task = plan["tasks"][0]
    return task["lead_units"], task["responsible_units"]


def test_lead_and_responsible_units():
    assert _units("（牵头单位：县工业和信息化局、县发展和改革局，责任单位：县财政局、县应急管理局）") == (
        ["县工业和信息化局", "县发展和改革局"],
        ["县财政局", "县应急管理局"],
    )


def test_responsible_department_label_and_semicolon():
    assert _units("（牵头单位：县住房和城乡建设局；责任部门：县市场监管局）") == (
        ["县住房和城乡建设局"],
        ["县市场监管局"],
    )


def test_half_width_parentheses_and_colon():
    assert _units("(牵头单位:县商务局,责任单位:县财政局)") == (["县商务局"], ["县财政局"])


def test_unlabelled_units_are_leads():
    assert _units("（县科技局、县工业和信息化局、县市场监管局按职责分工负责）") == (
        ["县科技局", "县工业和信息化局", "县市场监管局"],
        [],
    )


def test_collective_bodies_appended_to_responsible():
    assert _units("（牵头单位：县商务局，各乡镇、各开发区按照职责分工负责）") == (
        ["县商务局"],
        ["各乡镇", "各开发区"],
    )
    assert _units("（牵头单位：县商务局，责任单位：县财政局，各乡镇，各开发区）") == (
        ["县商务局"],
        ["县财政局", "各乡镇", "各开发区"],
    )


def test_unit_name_broken_across_lines_and_page_number():
    plan = task_plan(
        "（一）推进设备更新。加快改造。（牵头单位：县工业和信\n\n— 7 —\n\n息化局，责任单位：县财政局）"
    )
    assert plan["tasks"][0]["lead_units"] == ["县工业和信息化局"]


def test_task_without_unit_parentheses():
    plan = task_plan("（一）推进设备更新。加快改造（含技术改造），提升水平。")
    assert plan["tasks"][0]["lead_units"] == []
    assert plan["tasks"][0]["responsible_units"] == []


def test_traditional_unit_names_given_in_simplified():
    assert _units("（牽頭單位：縣商務局，責任單位：縣財政局）") == (["县商务局"], ["县财政局"])


def test_unit_line_without_parentheses():
    plan = task_plan(
        "（一）推进设备更新。加快改造，提升水平。\n牵头单位：县工信局\n责任单位：县财政局、县统计局"
    )
    task = plan["tasks"][0]
    assert (task["lead_units"], task["responsible_units"]) == (["县工信局"], ["县财政局", "县统计局"])


def test_unit_parenthesis_on_heading_line_is_not_in_title():
    plan = task_plan("（一）推进设备更新（牵头单位：县工信局，责任单位：县财政局）。加快改造。")
    task = plan["tasks"][0]
    assert task["title"] == "推进设备更新"
    assert (task["lead_units"], task["responsible_units"]) == (["县工信局"], ["县财政局"])


def test_cover_letter_points_are_not_sections():
    text = (
        "某某县人民政府\n关于印发某某县推动大规模设备更新工作方案的通知\n"
        "各乡镇：现将方案印发给你们，并就有关事项通知如下：\n"
        "一、加强领导。各乡镇要高度重视。\n二、抓好落实。到2025年，完成报告3份。\n"
        "某某县人民政府\n2024年6月1日\n"
        "某某县推动大规模设备更新工作方案\n一、总体要求\n到2025年，新建充电桩100个。\n"
        "二、重点任务\n（一）推进充电设施建设。建设。（牵头单位：县发改局）\n"
    )
    plan = extract_plan(text)
    assert [s["title"] for s in plan["sections"]] == ["总体要求", "重点任务"]
    assert [(t["metric"], t["value"]) for t in plan["targets"]] == [("充电桩", 100)]
    assert plan["issued_on"] == "2024-06-01"


def test_lead_marked_inside_responsible_list():
    plan = task_plan("（一）推进设备更新。加快改造。\n责任单位：县发展改革局（牵头）、县财政局、县统计局")
    task = plan["tasks"][0]
    assert (task["lead_units"], task["responsible_units"]) == (["县发展改革局"], ["县财政局", "县统计局"])
