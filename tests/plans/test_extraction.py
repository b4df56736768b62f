"""The notice extractor end to end: seeds, full test notices, file reading."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from liangxin.plans.extraction import NoticeReadError, extract_plan, read_notice

from .extraction_helpers import FIELDS
from .pdf_builder import build_pdf

HERE = Path(__file__).resolve().parent
NOTICES = HERE / "notices"
SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"
SCORER = SEEDS.parent / "tools" / "score_plan.py"
REPO = Path(__file__).resolve().parents[2]

SEED_FILES = sorted(SEEDS.glob("*.txt")) if SEEDS.is_dir() else []


# -------------------------------------------------------------- seeds ---


@pytest.mark.skipif(not SEED_FILES or not SCORER.is_file(), reason="shared/seeds not present")
@pytest.mark.parametrize("seed", SEED_FILES, ids=lambda p: p.stem)
def test_seed_scores_and_runtime(seed: Path, tmp_path: Path):
    gold = seed.with_suffix(".gold.json")
    if not gold.is_file():
        pytest.skip(f"no gold reading for {seed.name}")
    started = time.perf_counter()
    plan = extract_plan(read_notice(seed), source=seed.name)
    elapsed = time.perf_counter() - started
    assert elapsed < 1.0, f"extraction took {elapsed:.2f}s"

    pred = tmp_path / "pred.json"
    pred.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
    out = subprocess.run(
        [sys.executable, str(SCORER), str(gold), str(pred), "--verbose"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    last = out.strip().splitlines()[-1]
    m = re.match(r"plan-score: F1=([\d.]+)", last)
    assert m, out
    assert float(m.group(1)) >= 0.97, out


# ----------------------------------------------------- full notices ---


def _plan(name: str) -> dict:
    return extract_plan(read_notice(NOTICES / name), source=name)


def _targets(plan: dict) -> list[tuple]:
    return [tuple(t[k] for k in FIELDS) for t in plan["targets"]]


def test_city_implementation_plan_with_page_debris():
    plan = _plan("city_implementation_plan.txt")
    assert {k: plan[k] for k in ("doc_no", "issuer", "region", "issued_on", "title", "kind")} == {
        "doc_no": "云政办发〔2024〕18号",
        "issuer": "云泽市人民政府办公室",
        "region": "云泽市",
        "issued_on": "2024-06-03",
        "title": "云泽市推动大规模设备更新和消费品以旧换新实施方案",
        "kind": "实施方案",
    }
    assert plan["doc_no_quote"] == "云政办发（2024）18号"
    assert [s["title"] for s in plan["sections"]] == [
        "总体要求",
        "实施设备更新行动",
        "实施消费品以旧换新行动",
        "保障措施",
    ]
    assert [
        (t["no"], t["section"], t["title"], t["lead_units"], t["responsible_units"]) for t in plan["tasks"]
    ] == [
        (1, 2, "推进工业设备更新,加快技术改造", ["市工业和信息化局"], ["市财政局", "市发展改革委"]),
        (2, 2, "推进农业机械更新", ["市农业农村局"], ["市财政局", "各区县人民政府"]),
        (3, 3, "开展汽车以旧换新", ["市商务局", "市公安局"], []),
        (4, 3, "开展家电以旧换新", ["市商务局"], ["各区县", "各园区"]),
        (5, 4, "加强组织领导", ["市发展改革委"], ["市政府有关部门"]),
    ]
    assert _targets(plan) == [
        (None, "全市规模以上工业企业关键工序数控化率", 2025, "level", None, ">=", 70, "%"),
        (None, "数字化研发设计工具普及率", 2025, "level", None, ">=", 85, "%"),
        (None, "新能源汽车保有量", 2025, "level", None, ">", 12000, "辆"),
        (None, "设备投资规模", 2027, "growth", 2023, "~", 30, "%"),
        (None, "再生资源回收量", 2027, "growth", 2023, ">=", 100, "%"),
        (1, "实施技术改造项目", None, "annual", None, ">=", 60, "个"),
        (1, "投资1000万元以上的项目", None, "annual", None, ">=", 20, "个"),
        (1, "全市技改投资", 2024, "growth", 2023, ">=", 9, "%"),
        (2, "全市农机报废更新", 2025, "level", None, ">=", 800, "台"),
        (2, "全市农机报废更新", 2027, "level", None, ">=", 1500, "台"),
        (2, "主要农作物耕种收综合机械化率", 2025, "level", None, ">=", 90, "%"),
        (2, "主要农作物耕种收综合机械化率", 2027, "level", None, ">=", 92, "%"),
        (3, "汽车销售龙头企业", 2025, "level", None, ">=", 2, "家"),
        (3, "举办汽车促消费活动", None, "annual", None, ">=", 4, "场"),
        (3, "二手车交易量与新车交易量之比", 2025, "level", None, ">=", 0.6, "ratio"),
        (4, "全市废旧家电回收网点", 2026, "level", None, "~", 300, "个"),
        (4, "家电以旧换新销售额", 2026, "level", None, ">=", 300000000, "元"),
        (4, "废旧家电规范回收率", 2026, "level", None, ">=", 60, "%"),
    ]
    # Extra keys for the importer.
    task1 = plan["tasks"][0]
    assert task1["quote"] == "推进工业设备更新,加快技术改造。"
    assert task1["units_quote"] == "（牵头单位：市工业和信息化局，责任单位：市财政局、市发展改革委）"
    assert all(t["quote"] for t in plan["targets"])


def test_province_measures_without_unit_parentheses():
    plan = _plan("province_measures.txt")
    assert (plan["doc_no"], plan["issuer"], plan["region"], plan["issued_on"], plan["kind"]) == (
        "澜政办发〔2024〕7号",
        "澜江省人民政府办公厅",
        "澜江省",
        "2024-04-28",
        "若干举措",
    )
    assert [
        (t["no"], t["section"], t["title"], t["lead_units"], t["responsible_units"]) for t in plan["tasks"]
    ] == [
        (1, 2, "工业领域", [], []),
        (2, 2, "建筑和市政领域", [], []),
        (1, 3, "汽车以旧换新", [], []),
        (2, 3, "家电以旧换新", [], []),
    ]
    assert _targets(plan) == [
        (None, "全省工业领域设备投资", 2027, "annual_growth", None, ">=", 10, "%"),
        (1, "滚动推进省级重点技改项目", None, "annual", None, ">=", 1000, "个"),
        (1, "全省累计建成省级智能工厂和数字化车间", 2025, "level", None, ">=", 500, "家"),
        (2, "完成更新改造", 2027, "level", None, ">=", 15000, "台"),
        (1, "全省汽车报废更新补贴申请量", 2025, "growth", 2024, ">=", 20, "%"),
        (2, "全省家电以旧换新销售额", 2025, "level", None, "~", 5000000000, "元"),
    ]


def test_traditional_county_measures():
    plan = _plan("county_traditional.txt")
    assert (plan["title"], plan["region"], plan["kind"]) == (
        "松岭县推动大规模设备更新和消费品以旧换新工作措施",
        "松岭县",
        "工作措施",
    )
    assert [(t["no"], t["title"], t["lead_units"], t["responsible_units"]) for t in plan["tasks"]] == [
        (1, "推动汽车以旧换新", ["县商务局"], ["县财政局", "县公安局"]),
        (2, "推动家电以旧换新", ["县商务局", "县发展和改革局"], []),
    ]
    assert plan["sections"][0]["title"] == "总体要求"
    assert plan["tasks"][0]["units_quote"] == "（牽頭單位：縣商務局，責任單位：縣財政局、縣公安局）"
    assert _targets(plan) == [
        (None, "全县新能源汽车保有量", 2025, "level", None, ">=", 6000, "辆"),
        (None, "报废汽车回收量", 2025, "growth", 2023, ">=", 100, "%"),
        (1, "举办汽车促消费活动", None, "annual", None, ">=", 3, "场"),
        (2, "规范回收网点", 2025, "level", None, ">=", 50, "个"),
    ]


def _task_rows(plan: dict) -> list[tuple]:
    return [
        (t["no"], t["section"], t["title"], t["lead_units"], t["responsible_units"]) for t in plan["tasks"]
    ]


def test_county_inline_tasks_and_preamble_targets():
    plan = _plan("county_inline_tasks.txt")
    assert (plan["doc_no"], plan["issuer"], plan["issued_on"], plan["kind"]) == (
        "桐溪政发〔2024〕9号",
        "桐溪县人民政府",
        "2024-06-18",
        "工作方案",
    )
    assert [s["title"] for s in plan["sections"]] == [
        "总体要求",
        "推动重点领域设备更新",
        "开展消费品以旧换新",
        "保障措施",
    ]
    shared = (["县发展和改革局"], ["县财政局", "县融媒体中心"])
    assert _task_rows(plan) == [
        (1, 2, "推进工业设备更新", ["县工业和信息化局"], ["县财政局"]),
        (2, 2, "推进农业机械报废更新", ["县农业农村局"], []),
        (3, 2, "推进老旧电梯更新改造", ["县住房和城乡建设局"], ["各乡镇"]),
        (1, 3, "开展汽车以旧换新", ["县商务局"], ["县公安局"]),
        (2, 3, "开展家电以旧换新", ["县商务局"], []),
        (1, 4, "加强组织领导", *shared),
        (2, 4, "强化资金保障", *shared),
        (3, 4, "抓好宣传引导", *shared),
    ]
    assert _targets(plan) == [
        (None, "全县工业企业设备更新投资", 2025, "level", None, ">=", 500000000, "元"),
        (None, "报废汽车回收量", 2027, "growth", 2023, ">=", 50, "%"),
        (1, "完成技术改造项目", 2025, "level", None, ">=", 40, "个"),
        (2, "报废更新农机", 2025, "level", None, ">=", 300, "台"),
        (1, "举办汽车促消费活动", None, "annual", None, ">=", 4, "场"),
        (2, "废旧家电回收网点", 2026, "level", None, ">=", 60, "个"),
    ]


def test_county_inline_tasks_survive_rewrapping_and_half_width_brackets():
    text = read_notice(NOTICES / "county_inline_tasks.txt")
    plan, mangled = extract_plan(text), extract_plan(_mangle(text, 28, False, True))
    assert (len(mangled["tasks"]), len(mangled["targets"])) == (8, 6)
    assert _task_rows(mangled) == _task_rows(plan)
    assert _targets(mangled) == _targets(plan)


def test_county_articles():
    plan = _plan("county_articles.txt")
    assert (plan["title"], plan["region"], plan["kind"]) == (
        "青川县推动消费品以旧换新若干措施",
        "青川县",
        "若干措施",
    )
    assert plan["sections"] == []
    # 第一条 (purpose) and 第六条 (entry into force) frame the measures; 第二条
    # states the aims; the （一）（二） points of 第四条 are not tasks.
    assert _task_rows(plan) == [
        (3, None, "支持汽车以旧换新", ["县商务局"], ["县财政局", "县公安局"]),
        (4, None, "支持家电以旧换新", ["县商务局"], []),
        (5, None, "加大金融支持", ["县财政局"], ["人民银行青川县支行"]),
    ]
    assert _targets(plan) == [
        (None, "全县汽车以旧换新", 2025, "level", None, ">=", 3000, "辆"),
        (None, "家电以旧换新销售额", 2025, "level", None, ">=", 200000000, "元"),
        (3, "举办汽车促消费活动", None, "annual", None, ">=", 5, "场"),
        (4, "回收网点", 2025, "level", None, ">=", 40, "个"),
    ]


def test_district_bracket_headings():
    plan = _plan("district_bracket_headings.txt")
    assert plan["sections"] == [
        {"no": 1, "title": "总体目标"},
        {"no": 2, "title": "重点任务"},
        {"no": 3, "title": "保障措施"},
    ]
    assert _task_rows(plan) == [
        (1, 2, "推进工业设备更新", ["区工业和信息化局"], []),
        (2, 2, "推进交通运输设备更新", ["区交通运输局"], ["区财政局"]),
        (1, 3, "加强组织领导", ["区发展和改革局"], []),
        (2, 3, "强化资金保障", ["区财政局"], []),
    ]
    assert _targets(plan) == [
        (None, "全区规模以上工业企业数字化改造覆盖率", 2025, "level", None, ">=", 60, "%"),
        (1, "实施技改项目", 2025, "level", None, ">=", 50, "个"),
        (2, "淘汰老旧营运车辆", None, "annual", None, ">=", 100, "辆"),
    ]


# ------------------------------------------------------- read_notice ---

SAMPLE = "青禾县推动大规模设备更新工作方案\n一、总体要求\n到2025年，新建公共充电桩600个。"


def test_read_txt_utf8_and_gbk(tmp_path: Path):
    utf8 = tmp_path / "a.txt"
    utf8.write_text(SAMPLE, encoding="utf-8")
    gbk = tmp_path / "b.txt"
    gbk.write_bytes(SAMPLE.encode("gbk"))
    bom = tmp_path / "c.TXT"
    bom.write_bytes(SAMPLE.encode("utf-8-sig"))
    assert read_notice(utf8) == SAMPLE
    assert read_notice(gbk) == SAMPLE
    assert read_notice(str(bom)) == SAMPLE


def test_read_docx_paragraphs_and_tables_in_order(tmp_path: Path):
    docx = pytest.importorskip("docx")
    document = docx.Document()
    document.add_paragraph("青禾县推动大规模设备更新工作方案")
    document.add_paragraph("一、总体要求")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "指标"
    table.cell(0, 1).text = "目标值"
    table.cell(1, 0).text = "公共充电桩"
    table.cell(1, 1).text = "600个"
    document.add_paragraph("二、重点任务")
    path = tmp_path / "notice.docx"
    document.save(path)
    lines = read_notice(path).split("\n")
    assert lines == [
        "青禾县推动大规模设备更新工作方案",
        "一、总体要求",
        "指标",
        "目标值",
        "公共充电桩",
        "600个",
        "二、重点任务",
    ]


def test_read_pdf_built_by_hand(tmp_path: Path):
    path = tmp_path / "notice.pdf"
    path.write_bytes(build_pdf(SAMPLE.split("\n")))
    text = read_notice(path)
    assert [x.strip() for x in text.split("\n") if x.strip()] == SAMPLE.split("\n")
    plan = extract_plan(text)
    assert [(t["metric"], t["year"], t["value"], t["unit"]) for t in plan["targets"]] == [
        ("公共充电桩", 2025, 600, "个")
    ]


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice is not installed")
def test_read_pdf_converted_by_libreoffice(tmp_path: Path):
    docx = pytest.importorskip("docx")
    document = docx.Document()
    for line in SAMPLE.split("\n"):
        document.add_paragraph(line)
    src = tmp_path / "notice.docx"
    document.save(src)
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(src)],
        capture_output=True,
        timeout=180,
        check=False,
    )
    pdf = tmp_path / "notice.pdf"
    if not pdf.is_file():
        pytest.skip("LibreOffice could not convert the file here")
    plan = extract_plan(read_notice(pdf))
    assert [(t["metric"], t["year"], t["value"], t["unit"]) for t in plan["targets"]] == [
        ("公共充电桩", 2025, 600, "个")
    ]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("broken.docx", b"this is not a zip archive"),
        ("broken.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage"),
        ("noheader.pdf", b"plain bytes"),
        ("notice.doc", b"\xd0\xcf\x11\xe0 old word format"),
        ("notice", b"no extension"),
    ],
)
def test_unreadable_files_raise_notice_read_error(tmp_path: Path, name: str, content: bytes):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(NoticeReadError) as info:
        read_notice(path)
    message = str(info.value)
    assert "无法读取" in message and "Cannot read" in message
    assert isinstance(info.value, ValueError)


def test_missing_file_raises(tmp_path: Path):
    with pytest.raises(NoticeReadError, match="no such file"):
        read_notice(tmp_path / "absent.txt")


def test_undecodable_text_raises(tmp_path: Path):
    path = tmp_path / "bad.txt"
    path.write_bytes(bytes(range(128, 256)) * 4)
    with pytest.raises(NoticeReadError):
        read_notice(path)


def test_module_entry_point_prints_json():
    out = subprocess.run(
        [sys.executable, "-m", "liangxin.plans.extraction", str(NOTICES / "county_traditional.txt")],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    ).stdout
    plan = json.loads(out)
    assert plan["source"] == "county_traditional.txt"
    assert "松岭县" in out  # ensure_ascii=False
    assert out.startswith("{\n  ")  # indent=2


# A 繁體 rendering of common characters, independent of the extractor's own table.
_TO_TRADITIONAL = str.maketrans(
    "辆个项场县区发号实务旧换设备规费动业农机达标准数据较约两别责单牵头门负职镇产园资环应经济财税卫传统优质绿厂车电装销点网络进总体举学医疗会导领组织强调",
    "輛個項場縣區發號實務舊換設備規費動業農機達標準數據較約兩別責單牽頭門負職鎮產園資環應經濟財稅衛傳統優質綠廠車電裝銷點網絡進總體舉學醫療會導領組織強調",
)


def _mangle(text: str, width: int, traditional: bool, half_width: bool) -> str:
    """Re-wrap at a fixed width with blank lines and page numbers, as a PDF export would."""
    out: list[str] = []
    for para in (p.strip() for p in text.split("\n")):
        for k in range(0, len(para), width):
            out.append(para[k : k + width])
            if len(out) % 25 == 0:
                out.append(f"— {len(out) // 25} —")
    mangled = "\n\n".join(out)
    if traditional:
        mangled = mangled.translate(_TO_TRADITIONAL)
    if half_width:
        mangled = mangled.replace("（", "(").replace("）", ")").replace("：", ":")
    return mangled


@pytest.mark.skipif(not SEED_FILES or not SCORER.is_file(), reason="shared/seeds not present")
@pytest.mark.parametrize("seed", SEED_FILES, ids=lambda p: p.stem)
@pytest.mark.parametrize(("width", "traditional", "half_width"), [(28, False, False), (33, True, True)])
def test_seed_survives_rewrapping_debris_and_traditional(seed, width, traditional, half_width, tmp_path):
    gold = seed.with_suffix(".gold.json")
    if not gold.is_file():
        pytest.skip(f"no gold reading for {seed.name}")
    text = _mangle(read_notice(seed), width, traditional, half_width)
    pred = tmp_path / "pred.json"
    pred.write_text(json.dumps(extract_plan(text, source=seed.name), ensure_ascii=False), encoding="utf-8")
    out = subprocess.run(
        [sys.executable, str(SCORER), str(gold), str(pred), "--verbose"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    score = float(re.search(r"plan-score: F1=([\d.]+)", out).group(1))
    assert score >= 0.97, out
