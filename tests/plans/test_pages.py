import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from liangxin.plans.models import Plan
from tests.plans.conftest import JINXIANG


@pytest.fixture
def plans(personas, jinxiang_plan, shanting_plan):
    return {"jinxiang": jinxiang_plan, "shanting": shanting_plan}


def test_plan_page_shows_header_targets_and_tasks_within_a_query_budget(client, personas, plans):
    client.force_login(personas["leader"])
    url = reverse("plans:detail", args=[plans["jinxiang"].id])
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    body = response.content.decode()
    assert response.status_code == 200
    assert "金政发〔2024〕4号" in body and "2024年5月14日" in body
    assert "省级以上绿色工厂" in body and "≥3家" in body
    assert "（34）" in body and "市生态环境局金乡县分局" in body
    assert len(queries) <= 15, [q["sql"] for q in queries]


def test_plan_page_filters_tasks_by_section_and_department(client, personas, plans):
    client.force_login(personas["zb"])
    plan = plans["jinxiang"]
    body = client.get(reverse("plans:detail", args=[plan.id]), {"section": 6}, headers={"HX-Request": "true"}).content.decode()
    assert "推动汽车以旧换新" in body and "促进产业高端化跃升" not in body
    department = plan.tasks.get(no=33).task_departments.get(role="lead").department
    body = client.get(
        reverse("plans:detail", args=[plan.id]), {"department": department.id}, headers={"HX-Request": "true"}
    ).content.decode()
    assert "优化金融政策供给" in body and "推动家电以旧换新" not in body


def test_task_and_department_pages(client, personas, plans):
    client.force_login(personas["staff"])
    task = plans["jinxiang"].tasks.get(no=16)
    body = client.get(reverse("plans:task", args=[task.id])).content.decode()
    assert "推动家电以旧换新" in body and "家电消费活动" in body and "县商务局" in body
    commerce = task.task_departments.get(role="lead").department
    body = client.get(reverse("regions:department", args=[commerce.id])).content.decode()
    assert "牵头的任务" in body and "推动家电以旧换新" in body and "家装家居促消费活动" in body


def test_comparison_shows_the_same_indicator_side_by_side(client, personas, plans):
    client.force_login(personas["sysadmin"])
    body = client.get(reverse("plans:compare")).content.decode()
    row = re.search(r"关键工序数控化率</strong>.*?</tr>", body, re.S).group(0)
    assert row.count("&gt;75%") == 2
    assert "较2023年增长≥45%" in body and "较2023年增长≥40%" in body
    assert body.count("较2023年增长≥28%") == 2
    assert 'id="comparison-chart"' in body


def test_comparison_hides_regions_the_user_cannot_see(client, personas, plans):
    client.force_login(personas["outsider"])
    body = client.get(reverse("plans:compare")).content.decode()
    assert "山亭区" in body and "金乡县" not in body and "≥40%" not in body


@pytest.mark.parametrize("persona, status", [("leader", 200), ("auditor", 200), ("outsider", 404), ("nobody", 404)])
def test_plan_and_task_pages_follow_region_permissions(client, personas, plans, persona, status):
    client.force_login(personas[persona])
    plan = plans["jinxiang"]
    assert client.get(reverse("plans:detail", args=[plan.id])).status_code == status
    assert client.get(reverse("plans:task", args=[plan.tasks.first().id])).status_code == status


def _upload(client, path, name=None):
    with open(path, "rb") as fh:
        from django.core.files.uploadedfile import SimpleUploadedFile

        upload = SimpleUploadedFile(name or path.name, fh.read())
    return client.post(reverse("plans:list", args=["370828"]), {"file": upload})


def test_upload_preview_correct_and_confirm(client, personas):
    client.force_login(personas["zb"])
    response = _upload(client, JINXIANG)
    assert response.status_code == 302
    draft_url = response.url
    body = client.get(draft_url).content.decode()
    assert "促进产业绿色化转型" in body and "开通5G基站900个" in body  # quotes beside the fields
    form = {"action": "confirm", "title": "金乡县推动大规模设备更新和消费品以旧换新工作方案"}
    # Correct the unit of the 5G target (index found from the page) and rename task 1.
    index = re.search(r'name="target-(\d+)-metric" value="5G基站"', body).group(1)
    form[f"target-{index}-unit"] = "座"
    form["task-0-title"] = "促进产业高端化跃升（修订）"
    response = client.post(draft_url, form)
    assert response.status_code == 302
    plan = Plan.objects.get(doc_no="金政发〔2024〕4号")
    assert plan.targets.get(metric="5G基站").unit == "座"
    assert plan.tasks.get(no=1).title == "促进产业高端化跃升（修订）"
    assert plan.tasks.count() == 34
    assert "座" in client.get(response.url).content.decode()


def test_preview_errors_are_shown_and_nothing_is_imported(client, personas):
    client.force_login(personas["zb"])
    draft_url = _upload(client, JINXIANG).url
    response = client.post(draft_url, {"action": "confirm", "target-0-value": "很多"})
    assert response.status_code == 200
    assert "目标第 1 行：目标值“很多”不是数字" in response.content.decode()
    assert not Plan.objects.exists()


def test_choosing_a_department_in_the_preview_records_a_confirmed_alias(client, personas, jinxiang, commerce):
    from liangxin.regions.models import DepartmentAlias

    client.force_login(personas["zb"])
    draft_url = _upload(client, JINXIANG).url
    body = client.get(draft_url).content.decode()
    index = re.search(r'<td>县财政局</td>.*?name="unit-(\d+)"', body, re.S).group(1)
    finance_id = re.search(r'<option value="(\d+)">县财政局</option>', body).group(1)
    # Claim that 县机关事务中心 is the finance bureau, to see the choice stick.
    index = re.search(r'<td>县机关事务中心</td>.*?name="unit-(\d+)"', body, re.S).group(1)
    client.post(draft_url, {"action": "confirm", f"unit-{index}": finance_id})
    alias = DepartmentAlias.objects.get(alias="县机关事务中心")
    assert alias.status == "confirmed" and alias.department.name == "县财政局"


def test_a_wrong_file_gets_a_clear_message(client, personas, tmp_path):
    client.force_login(personas["zb"])
    bad = tmp_path / "notice.docx"
    bad.write_bytes(b"PK\x03\x04 this is not really a docx")
    body = _upload(client, bad).content.decode()
    assert "无法" in body or "不是" in body
    xls = tmp_path / "plan.xls"
    xls.write_bytes(b"whatever")
    assert "只支持 .txt、.docx、.pdf 文件" in _upload(client, xls).content.decode()
    text = tmp_path / "letter.txt"
    text.write_text("关于召开会议的通知\n请准时参加。", encoding="utf-8")
    assert "没有在文件中找到任务或量化目标" in _upload(client, text).content.decode()


@pytest.mark.parametrize("persona, status", [("staff", 403), ("leader", 403), ("outsider", 404)])
def test_only_the_working_group_uploads(client, personas, persona, status):
    client.force_login(personas[persona])
    assert _upload(client, JINXIANG).status_code == status


def test_a_draft_is_private_to_its_uploader(client, personas):
    client.force_login(personas["zb"])
    draft_url = _upload(client, JINXIANG).url
    client.force_login(personas["city_zb"])
    assert client.get(draft_url).status_code == 404


def test_the_working_group_changes_a_targets_indicator(client, personas, plans):
    from liangxin.plans.models import Indicator

    target = plans["jinxiang"].targets.get(metric="5G基站")
    other = Indicator.objects.get(name="公共充电桩保有量")
    client.force_login(personas["leader"])
    assert client.post(reverse("plans:target_indicator", args=[target.id]), {"indicator": other.id}).status_code == 403
    client.force_login(personas["outsider"])
    assert client.post(reverse("plans:target_indicator", args=[target.id]), {"indicator": other.id}).status_code == 404
    client.force_login(personas["zb"])
    response = client.post(
        reverse("plans:target_indicator", args=[target.id]), {"indicator": other.id}, headers={"HX-Request": "true"}
    )
    assert "已保存" in response.content.decode()
    target.refresh_from_db()
    assert target.indicator == other


def test_indicator_catalogue_lists_and_adds(client, personas, plans):
    client.force_login(personas["leader"])
    body = client.get(reverse("plans:indicators")).content.decode()
    assert "关键工序数控化率" in body
    assert client.post(reverse("plans:indicators"), {"name": "x", "unit": "个", "direction": "up"}).status_code == 403
    client.force_login(personas["zb"])
    response = client.post(reverse("plans:indicators"), {"name": "村卫生室改造数量", "unit": "个", "direction": "up", "keywords": "村卫生室改造"})
    assert response.status_code == 302
    duplicate = client.post(reverse("plans:indicators"), {"name": "村卫生室改造数量", "unit": "个", "direction": "up"})
    assert "已存在" in duplicate.content.decode()


def test_excel_export_and_reimport_through_the_pages(client, personas, plans):
    import io

    import openpyxl
    from django.core.files.uploadedfile import SimpleUploadedFile

    plan = plans["jinxiang"]
    client.force_login(personas["leader"])
    response = client.get(reverse("plans:export", args=[plan.id]))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert client.get(reverse("plans:import_sheet", args=[plan.id])).status_code == 403

    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook["任务分解表"]
    header_row = next(r for r in range(1, 5) if sheet.cell(r, 1).value == "序号")
    sheet.cell(header_row + 1, 2).value = "促进产业高端化跃升（表格修订）"
    buffer = io.BytesIO()
    workbook.save(buffer)

    client.force_login(personas["zb"])
    upload = SimpleUploadedFile("edited.xlsx", buffer.getvalue())
    response = client.post(reverse("plans:import_sheet", args=[plan.id]), {"file": upload})
    assert response.status_code == 302
    assert plan.tasks.get(no=1).title == "促进产业高端化跃升（表格修订）"
    assert "表格修订" in client.get(response.url).content.decode()

    bad = SimpleUploadedFile("bad.xlsx", b"not a workbook")
    body = client.post(reverse("plans:import_sheet", args=[plan.id]), {"file": bad}).content.decode()
    assert "sheet-errors" in body and ".xlsx" in body


def test_outsiders_cannot_export(client, personas, plans):
    client.force_login(personas["outsider"])
    assert client.get(reverse("plans:export", args=[plans["jinxiang"].id])).status_code == 404
