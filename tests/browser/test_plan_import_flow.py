"""End to end in headless Chromium: log in, upload a notice, correct a unit, confirm, see the plan."""

import pytest

from liangxin.accounts.models import Role
from liangxin.accounts.services import role_grant, user_create
from liangxin.plans.models import Plan
from liangxin.regions.models import Region
from tests.plans.conftest import JINXIANG

pytestmark = pytest.mark.browser


# serialized_rollback: the flush after a transactional test would otherwise wipe the preloaded regions.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_working_group_imports_a_notice_in_the_browser(live_server, browser_page, tmp_path):
    user = user_create(actor="test", username="zb-browser", password="browser-pass-123")
    role_grant(actor="test", user=user, role=Role.WORKING_GROUP_ADMIN, region=Region.objects.get(code="370828"))
    page = browser_page

    page.goto(f"{live_server.url}/account/login/")
    page.fill("#id_username", "zb-browser")
    page.fill("#id_password", "browser-pass-123")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    assert "金乡县" in page.content()

    page.goto(f"{live_server.url}/r/370828/plans/")
    page.set_input_files("input[name=file]", str(JINXIANG))
    page.click("#upload-notice")
    page.wait_for_selector("#confirm-import")
    assert "导入预览" in page.content()

    unit = page.locator("input[value='5G基站']").locator("xpath=ancestor::tr").locator("input[name$='-unit']")
    assert unit.input_value() == "个"
    unit.fill("座")
    page.click("#confirm-import")
    page.wait_for_selector("#targets")

    body = page.content()
    assert "金乡县推动大规模设备更新和消费品以旧换新工作方案" in body
    assert "金政发〔2024〕4号" in body
    assert "≥900座" in body
    plan = Plan.objects.get(doc_no="金政发〔2024〕4号")
    assert plan.targets.get(metric="5G基站").unit == "座"
    assert plan.tasks.count() == 34
