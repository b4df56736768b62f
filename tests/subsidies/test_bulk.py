"""Bulk claim upload: the template, row validation with row numbers, both modes, bad files."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from liangxin.core.errors import ServiceError
from liangxin.subsidies.bulk import HEADERS, bulk_submit
from liangxin.subsidies.models import BudgetPool, Claim
from tests.subsidies.test_claims_money import _id_card
from tests.subsidies.test_pages import programme  # noqa: F401 - fixture

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _row(n, **changes):
    row = {"申请人姓名": f"申请人{n}", "身份证号": _id_card(n), "手机号": f"1390000{n:04d}", "品类": "手机", "品牌": "华为",
           "型号": "Mate", "序列号/IMEI/VIN": f"86{n:013d}", "标价": "3500", "优惠金额": "500", "成交价": "", "能效等级": "",
           "发票号码": f"INV{n:08d}", "旧品类型": "", "旧品编号": "", "材料": "invoice"}
    row.update(changes)
    return [row.get(h, "") for h in HEADERS]


def _xlsx(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "申请"
    ws.append(HEADERS)
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _csv(rows, encoding="utf-8-sig") -> bytes:
    import csv

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


GOOD_AND_BAD = [
    _row(1),                                   # row 2: accepted, 450
    _row(2, 身份证号="370828199001010000"),      # row 3: bad checksum
    _row(3, 标价="三千五"),                       # row 4: not a number
    _row(4, 标价="7000", 优惠金额=""),             # row 5: well-formed, refused by the price ceiling
    _row(5, 品类="冰箱"),                         # row 6: not a category of this programme
    _row(6, 手机号="12345"),                      # row 7: bad phone
    _row(7, 申请人姓名=""),                       # row 8: missing name
    _row(8, 材料="注明 SN/IMEI 的个人抬头发票"),      # row 9: a document may be given by its name
]


def test_accept_the_good_rows_reports_every_bad_row(programme):  # noqa: F811
    result = bulk_submit(actor="test", programme=programme, name="claims.xlsx", data=_xlsx(GOOD_AND_BAD), mode="accept_good")
    bad = {b.row: "；".join(b.reasons) for b in result.bad}
    assert sorted(bad) == [3, 4, 6, 7, 8]
    assert "身份证号码无效" in bad[3] and "标价“三千五”不是数字" in bad[4] and "品类“冰箱”不在本活动规则中" in bad[6]
    assert "手机号码无效" in bad[7] and "缺少申请人姓名" in bad[8]
    processed = {row: claim for row, claim, _created in result.claims}
    assert sorted(processed) == [2, 5, 9]
    assert processed[2].status == "approved" and processed[2].amount == 450
    assert processed[5].status == "rejected" and processed[5].reasons[0]["code"] == "price_ceiling"
    assert Claim.objects.filter(programme=programme).count() == 3


def test_all_or_nothing_submits_nothing_when_a_row_is_bad(programme):  # noqa: F811
    result = bulk_submit(actor="test", programme=programme, name="claims.xlsx", data=_xlsx(GOOD_AND_BAD), mode="all_or_nothing")
    assert result.refused and not result.claims and len(result.bad) == 5
    assert not Claim.objects.exists()
    assert BudgetPool.objects.get(programme=programme).reserved == 0


def test_all_or_nothing_accepts_a_clean_file_including_rows_the_rules_refuse(programme):  # noqa: F811
    rows = [_row(1), _row(2), _row(4, 标价="7000", 优惠金额="")]
    result = bulk_submit(actor="test", programme=programme, name="claims.csv", data=_csv(rows, "gb18030"), mode="all_or_nothing")
    assert not result.refused and not result.bad
    assert [c.status for _r, c, _c in result.claims] == ["approved", "approved", "rejected"]
    # The same file again finds the claims already made.
    again = bulk_submit(actor="test", programme=programme, name="claims.csv", data=_csv(rows, "gb18030"), mode="all_or_nothing")
    assert [created for _r, _c, created in again.claims] == [False, False, False]
    assert Claim.objects.count() == 3


def test_all_or_nothing_undoes_earlier_rows_when_the_service_refuses_one(programme, monkeypatch):  # noqa: F811
    from liangxin.subsidies import services

    real = services.claim_submit
    calls = []

    def flaky(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise ServiceError("boom", "服务拒绝了这一行")
        return real(**kwargs)

    monkeypatch.setattr(services, "claim_submit", flaky)
    result = bulk_submit(actor="test", programme=programme, name="c.xlsx", data=_xlsx([_row(1), _row(2)]), mode="all_or_nothing")
    assert result.refused and [b.row for b in result.bad] == [3]
    assert not Claim.objects.exists() and BudgetPool.objects.get(programme=programme).reserved == 0


def test_the_upload_page_in_both_modes(personas, login, programme):  # noqa: F811
    client = login(personas["programme"])
    url = f"/programmes/{programme.id}/claims/upload/"
    data = _xlsx(GOOD_AND_BAD)
    response = client.post(url, {"mode": "all_or_nothing", "file": SimpleUploadedFile("c.xlsx", data, XLSX)})
    page = response.content.decode()
    assert response.status_code == 200 and 'id="refused"' in page and 'data-row="3"' in page
    assert not Claim.objects.exists()
    response = client.post(url, {"mode": "accept_good", "file": SimpleUploadedFile("c.xlsx", data, XLSX)})
    page = response.content.decode()
    assert 'id="summary"' in page and page.count('data-status="approved"') == 2 and page.count('data-status="rejected"') == 1
    assert "超过单件价格上限" in page and "第 4 行" in page


@pytest.mark.parametrize(("name", "data", "message"), [
    ("c.xlsx", b"PK\x03\x04 this is not really a zip", "无法读取该文件"),
    ("c.xlsx", b"", "空文件"),
    ("c.csv", "姓名,电话\n张三,1\n".encode(), "表头缺少：申请人姓名、身份证号、手机号、品类"),
    ("c.csv", b"\xff\xfe\x00\x00\x81", "无法读取"),
])
def test_a_corrupted_or_foreign_file_is_refused_with_a_reason(personas, login, programme, name, data, message):  # noqa: F811
    client = login(personas["programme"])
    response = client.post(f"/programmes/{programme.id}/claims/upload/", {"mode": "accept_good", "file": SimpleUploadedFile(name, data)})
    assert response.status_code == 400 and message in response.content.decode()
    assert not Claim.objects.exists()


def test_other_file_types_are_refused(personas, login, programme):  # noqa: F811
    client = login(personas["programme"])
    response = client.post(f"/programmes/{programme.id}/claims/upload/", {"mode": "accept_good", "file": SimpleUploadedFile("c.pdf", b"%PDF")})
    assert response.status_code == 400 and "请上传 .xlsx 或 .csv 文件" in response.content.decode()


def test_the_template_downloads_with_chinese_headers_and_uploads_back(personas, login, programme):  # noqa: F811
    client = login(personas["programme"])
    response = client.get(f"/programmes/{programme.id}/claims/upload/template.xlsx")
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    wb = load_workbook(io.BytesIO(response.content))
    sheet = wb["申请"]
    assert [c.value for c in sheet[1]] == HEADERS
    assert sheet["B2"].number_format == "@"  # ID numbers stay text
    notes = "\n".join(str(c.value) for row in wb["说明"].iter_rows() for c in row if c.value)
    assert "手机、平板、智能手表手环" in notes and "个人抬头发票" in notes
    sheet.append(_row(9))
    out = io.BytesIO()
    wb.save(out)
    result = bulk_submit(actor="test", programme=programme, name="t.xlsx", data=out.getvalue(), mode="all_or_nothing")
    assert not result.bad and result.claims[0][1].status == "approved"
