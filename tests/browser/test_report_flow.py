"""End to end in headless Chromium: a department submits its report, the working group returns
it with a reason, and the dashboard shows the new status."""

import datetime as dt

import pytest

from liangxin.accounts.models import Role
from liangxin.accounts.services import role_grant, user_create
from liangxin.regions.models import Region
from liangxin.regions.services import department_resolve
from liangxin.tracking.models import Report
from liangxin.tracking.services import reports_open
from tests.plans.conftest import JINXIANG, import_notice

pytestmark = pytest.mark.browser


def _login(page, base, username):
    page.goto(f"{base}/account/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "browser-pass-123")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


# serialized_rollback: the flush after a transactional test would otherwise wipe the preloaded regions.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_department_submits_and_the_working_group_returns(live_server, browser_page):
    region = Region.objects.get(code="370828")
    plan, _ = import_notice(JINXIANG, region)
    reports_open(actor="test", plan=plan, period_start=dt.date(2026, 10, 1))
    commerce = department_resolve(region, "县商务局")
    report = Report.objects.get(plan=plan, department=commerce)
    clerk = user_create(actor="test", username="clerk-browser", password="browser-pass-123")
    role_grant(actor="test", user=clerk, role=Role.DEPARTMENT_STAFF, region=region, department=commerce)
    chief = user_create(actor="test", username="zb-browser", password="browser-pass-123")
    role_grant(actor="test", user=chief, role=Role.WORKING_GROUP_ADMIN, region=region)
    page, base = browser_page, live_server.url

    _login(page, base, "clerk-browser")
    page.goto(f"{base}/reports/{report.id}/")
    for entry in report.entries.all():
        page.select_option(f"select[name='entry-{entry.task_id}-status']", "on_track")
        page.fill(f"textarea[name='entry-{entry.task_id}-progress']", "本月已组织实施")
    page.click("#submit-report")
    page.wait_for_selector("#report-status[data-status='submitted']")
    page.click("button[type=submit]:has-text('退出登录')")

    _login(page, base, "zb-browser")
    page.goto(f"{base}/reports/{report.id}/")
    page.fill("#review textarea[name='reason']", "请补充佐证材料")
    page.click("#return-report")
    page.wait_for_selector("#report-status[data-status='returned']")
    assert "请补充佐证材料" in page.inner_text("#return-reason")

    page.goto(f"{base}/r/370828/dashboard/")
    tag = page.locator(f"[data-report='{report.id}']")
    assert tag.get_attribute("data-status") == "returned"
    assert "已退回" in tag.inner_text()
