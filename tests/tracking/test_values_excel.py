import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from liangxin.core.errors import ServiceError
from liangxin.tracking.models import IndicatorValue
from liangxin.tracking.values_excel import ValuesSheetInvalid, values_import_xlsx, values_template_xlsx


def _sheet(region, rows, department=None):
    workbook = openpyxl.load_workbook(io.BytesIO(values_template_xlsx(region, department)))
    sheet = workbook["指标数值"]
    sheet.delete_rows(2, sheet.max_row)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_template_lists_the_regions_indicators(jinxiang_plan, jinxiang):
    sheet = openpyxl.load_workbook(io.BytesIO(values_template_xlsx(jinxiang)))["指标数值"]
    names = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "新能源汽车保有量" in names and "公共充电桩保有量" in names
    assert [c.value for c in sheet[1]] == ["指标名称", "计量单位", "期别", "期间", "数值", "说明"]


def test_import_records_every_row(jinxiang_plan, jinxiang):
    data = _sheet(jinxiang, [["新能源汽车保有量", "辆", "年", 2023, 12000, "统计年鉴"],
                             ["新能源汽车保有量", "辆", "月", "2026-09", "24,100", ""],
                             ["公共充电桩保有量", "台", "季度", "2026Q3", 1800, ""]])
    rows = values_import_xlsx(actor="test", region=jinxiang, file=data)
    assert len(rows) == 3
    assert IndicatorValue.objects.get(indicator__name="新能源汽车保有量", period_kind="month").value == 24100
    assert {v.source for v in rows} == {"imported"}


def test_every_bad_row_is_listed_and_nothing_is_written(jinxiang_plan, jinxiang):
    data = _sheet(jinxiang, [["新能源汽车保有量", "辆", "年", 2023, 12000, ""],
                             ["不存在的指标", "个", "年", 2023, 1, ""],
                             ["公共充电桩保有量", "台", "周", "2026-09", 1, ""],
                             ["公共充电桩保有量", "台", "月", "2026-13", 1, ""],
                             ["公共充电桩保有量", "台", "月", "2026-09", "很多", ""],
                             ["新能源汽车保有量", "辆", "年", "2023", 12500, ""]])
    with pytest.raises(ValuesSheetInvalid) as excinfo:
        values_import_xlsx(actor="test", region=jinxiang, file=data)
    errors = "\n".join(excinfo.value.errors)
    assert "第 3 行：指标“不存在的指标”不在指标目录中" in errors
    assert "第 4 行：期别“周”应为 年、季度 或 月" in errors
    assert "第 5 行：期间“2026-13”与期别不符" in errors
    assert "第 6 行：数值“很多”不是数字" in errors
    assert "第 7 行：与第 2 行重复" in errors
    assert not IndicatorValue.objects.exists()


def test_wrong_files_are_refused(jinxiang_plan, jinxiang, shanting):
    with pytest.raises(ServiceError, match="无法读取该文件"):
        values_import_xlsx(actor="test", region=jinxiang, file=b"not a workbook")
    with pytest.raises(ServiceError, match="不是本地区"):
        values_import_xlsx(actor="test", region=jinxiang, file=_sheet(shanting, [["x", "", "年", 2023, 1, ""]]))


def test_department_staff_import_only_their_indicators(client, personas, jinxiang_plan, jinxiang):
    client.force_login(personas["staff"])  # 县商务局 leads the car and appliance trade-in tasks
    data = _sheet(jinxiang, [["关键工序数控化率", "%", "年", 2025, 66, ""]])
    response = client.post(reverse("tracking:values", args=["370828"]), {"file": SimpleUploadedFile("v.xlsx", data)})
    assert "不在本单位负责的指标中" in response.content.decode()
    data = _sheet(jinxiang, [["新能源汽车保有量", "辆", "年", 2025, 19800, ""]])
    response = client.post(reverse("tracking:values", args=["370828"]), {"file": SimpleUploadedFile("v.xlsx", data)})
    assert response.status_code == 302
    client.force_login(personas["leader"])
    assert client.post(reverse("tracking:values", args=["370828"]), {}).status_code == 403
    assert "19800" in client.get(reverse("tracking:values", args=["370828"])).content.decode()
