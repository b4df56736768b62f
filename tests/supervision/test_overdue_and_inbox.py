"""The overdue list with reporting rates per department, and the inbox."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from liangxin.supervision.models import Notification
from liangxin.supervision.selectors import department_rates, overdue_by_department
from liangxin.supervision.services import notify, reminders_send
from liangxin.tracking.models import Report
from liangxin.tracking.services import reports_open
from tests.supervision.conftest import DUE, PERIOD


def _submitted(report, day: dt.date):
    Report.objects.filter(pk=report.pk).update(
        status="submitted", first_submitted_at=timezone.make_aware(dt.datetime(day.year, day.month, day.day, 9))
    )


def test_overdue_reports_grouped_by_department_with_days(report, personas, django_assert_max_num_queries):
    region = report.plan.region
    reports_open(actor="test", plan=report.plan, period_start=dt.date(2026, 9, 1))  # due 2026-10-10
    others = list(Report.objects.filter(plan=report.plan, period_start=PERIOD).exclude(pk=report.pk))
    _submitted(others[0], DUE)
    with django_assert_max_num_queries(1):
        groups = overdue_by_department(region, today=DUE + dt.timedelta(days=3))
    mine = next(g for g in groups if g["department"] == report.department)
    assert [(r.period_start, r.days_overdue) for r in mine["reports"]] == [(dt.date(2026, 9, 1), 34), (PERIOD, 3)]
    assert mine["max_days"] == 34 and mine["count"] == 2
    assert others[0].department not in [g["department"] for g in groups if g["count"] == 2]
    names = [g["department"].name for g in groups]
    assert names == sorted(names)
    # On the due date itself a report is not yet overdue.
    on_due = [r.period_start for g in overdue_by_department(region, today=DUE) for r in g["reports"]]
    assert on_due and set(on_due) == {dt.date(2026, 9, 1)}


def test_completeness_and_timeliness_per_department(report, personas, django_assert_max_num_queries):
    region = report.plan.region
    others = list(Report.objects.filter(plan=report.plan, period_start=PERIOD).exclude(pk=report.pk).order_by("id"))
    _submitted(report, DUE - dt.timedelta(days=2))  # on time
    _submitted(others[0], DUE + dt.timedelta(days=4))  # late
    with django_assert_max_num_queries(1):
        rows = {row["department"].id: row for row in department_rates(region, PERIOD, today=DUE + dt.timedelta(days=5))}
    assert len(rows) == len(others) + 1
    mine = rows[report.department_id]
    assert (mine["expected"], mine["received"], mine["on_time"], mine["completeness"], mine["timeliness"]) == (1, 1, 1, 1.0, 1.0)
    late = rows[others[0].department_id]
    assert (late["received"], late["on_time"], late["completeness"], late["timeliness"], late["overdue"]) == (1, 0, 1.0, 0.0, 0)
    silent = rows[others[1].department_id]
    assert (silent["received"], silent["completeness"], silent["overdue"]) == (0, 0.0, 1)


def test_overdue_page(client, report, personas, clock):
    clock(DUE + dt.timedelta(days=2))
    _submitted(report, DUE - dt.timedelta(days=1))
    client.force_login(personas["leader"])
    response = client.get(reverse("supervision:overdue", args=[report.plan.region.code]), {"period": "2026-10"})
    body = response.content.decode()
    assert response.status_code == 200 and "逾期未报" in body and "各部门报送率" in body
    assert f'<tr data-department="{report.department_id}">' in body
    row = body.split(f'<tr data-department="{report.department_id}">')[1].split("</tr>")[0]
    assert '<td class="completeness">100%</td>' in row and '<td class="timeliness">100%</td>' in row
    assert "2 天" in body
    client.force_login(personas["outsider"])
    assert client.get(reverse("supervision:overdue", args=[report.plan.region.code])).status_code == 404


def test_region_tabs_link_the_supervision_pages(client, report, personas):
    client.force_login(personas["leader"])
    body = client.get(reverse("supervision:notices", args=["370828"])).content.decode()
    assert 'href="/r/370828/supervision/"' in body and 'href="/r/370828/overdue/"' in body


def test_inbox_lists_own_messages_and_marks_them_read(client, report, personas, django_assert_max_num_queries):
    staff, zb = personas["staff"], personas["zb"]
    reminders_send(today=DUE)
    from django.db import transaction

    with transaction.atomic():
        notify(users=[zb], region=report.plan.region, kind="notice", title="给专班的消息")
    [message] = Notification.objects.filter(user=staff)
    client.force_login(staff)
    page = client.get(reverse("supervision:inbox")).content.decode()
    assert message.title in page and "给专班的消息" not in page
    # The navbar badge: one COUNT query.
    assert 'id="navbar-inbox"' in page and '<span class="tag is-danger is-rounded ml-1"' in page

    response = client.post(reverse("supervision:read", args=[message.id]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'data-read="1"' in response.content.decode()
    message.refresh_from_db()
    assert message.read_at is not None
    assert "is-rounded" not in client.get(reverse("supervision:inbox")).content.decode().split('id="navbar-inbox"')[1].split("</a>")[0]
    assert client.get(reverse("supervision:inbox"), {"unread": "1"}).content.decode().count('id="notification-') == 0

    # Someone else's message does not exist for this user.
    other = Notification.objects.get(user=zb)
    assert client.post(reverse("supervision:read", args=[other.id])).status_code == 404
    other.refresh_from_db()
    assert other.read_at is None

    client.force_login(zb)
    assert client.post(reverse("supervision:read", args=[other.id]), {"next": "https://evil.example/"}).url == reverse("supervision:inbox")
    with transaction.atomic():
        notify(users=[zb, zb], region=None, kind="notice", title="两条")
    assert Notification.objects.filter(user=zb, read_at__isnull=True).count() == 1
    client.post(reverse("supervision:read_all"))
    assert not Notification.objects.filter(user=zb, read_at__isnull=True).exists()


def test_navbar_badge_costs_one_query(client, personas, django_assert_num_queries):
    from django.template import Context, Template

    with django_assert_num_queries(1):
        html = Template('{% include "supervision/_navbar_inbox.html" %}').render(Context({"user": personas["zb"]}))
    assert 'href="/inbox/"' in html


def test_inbox_needs_login(client, db):
    assert client.get(reverse("supervision:inbox")).status_code == 302


def test_webhook_page_adds_and_toggles_robots_without_showing_the_token(client, personas, jinxiang):
    from liangxin.audit.models import AuditEntry
    from liangxin.supervision.models import RegionWebhook

    url = reverse("supervision:webhooks", args=[jinxiang.code])
    client.force_login(personas["leader"])
    assert client.get(url).status_code == 403
    client.force_login(personas["zb"])
    response = client.post(url, {"kind": "dingtalk", "name": "专班群", "url": "https://oapi.dingtalk.com/robot/send?access_token=SECRET"})
    assert response.status_code == 302
    hook = RegionWebhook.objects.get()
    assert hook.enabled and hook.region == jinxiang
    body = client.get(url).content.decode()
    assert "专班群" in body and "SECRET" not in body
    client.post(url, {"toggle": hook.id})
    hook.refresh_from_db()
    assert not hook.enabled
    entries = AuditEntry.objects.filter(object_type="supervision.regionwebhook").order_by("id")
    assert list(entries.values_list("action", flat=True)) == ["webhook.add", "webhook.disable"]
    assert "SECRET" not in str(entries[0].after)
    assert "Webhook" in client.post(url, {"kind": "wecom", "url": "not a url"}).content.decode()
