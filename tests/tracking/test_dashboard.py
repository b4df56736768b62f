import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from liangxin.tracking.demo import demo_tracking_load


@pytest.fixture
def demo(personas, jinxiang_plan, shanting_plan):
    demo_tracking_load(actor="test", today=dt.date(2026, 11, 23))


def _queries(client, url):
    client.get(url)  # warm caches (permissions, content types)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response, len(queries)


def test_dashboard_query_count_is_bounded(client, personas, demo):
    client.force_login(personas["leader"])
    response, count = _queries(client, reverse("tracking:dashboard", args=["370828"]))
    body = response.content.decode()
    assert "gauge-" in body and "trend-" in body and "status-pie" in body
    assert count <= 12, count


def test_overview_and_scorecard_query_counts(client, personas, demo, commerce):
    client.force_login(personas["zb"])
    response, count = _queries(client, reverse("tracking:overview", args=["370828"]) + "?period=2026-10")
    assert "县商务局" in response.content.decode() and count <= 10, count
    response, count = _queries(client, reverse("tracking:scorecard", args=[commerce.id]))
    assert "报送完整率" in response.content.decode() and count <= 14, count


def test_demo_tracking_is_idempotent_and_marked(demo, jinxiang_plan):
    from liangxin.tracking.models import IndicatorValue, Report

    reports = Report.objects.count()
    demo_tracking_load(actor="test", today=dt.date(2026, 11, 23))
    assert Report.objects.count() == reports
    assert all(v.note == "演示数据" for v in IndicatorValue.objects.all())


def test_monthly_report_downloads_from_the_dashboard(client, personas, demo):
    import io

    import docx

    client.force_login(personas["leader"])
    response = client.get(reverse("tracking:monthly_report", args=["370828"]) + "?period=2026-10")
    assert response.status_code == 200
    document = docx.Document(io.BytesIO(response.content))
    assert any("工作进展通报" in p.text for p in document.paragraphs)
    client.force_login(personas["outsider"])
    assert client.get(reverse("tracking:monthly_report", args=["370828"])).status_code == 404


def test_the_working_group_sets_the_reporting_schedule(client, personas, jinxiang_plan):
    from liangxin.tracking.models import ReportingSchedule

    url = reverse("tracking:schedule", args=[jinxiang_plan.id])
    form = {"frequency": "quarterly", "due_day": 15, "first_period": "2026-01-01", "remind_before_days": 5, "escalate_after_days": 7}
    client.force_login(personas["leader"])
    assert client.post(url, form).status_code == 403
    client.force_login(personas["zb"])
    assert "次月截止日" in client.get(url).content.decode()
    refused = client.post(url, {**form, "due_day": 31})
    assert refused.status_code == 200 and 'class="field-error"' in refused.content.decode()
    assert client.post(url, form).status_code == 302
    schedule = ReportingSchedule.objects.get(plan=jinxiang_plan)
    assert (schedule.frequency, schedule.due_day, schedule.escalate_after_days) == ("quarterly", 15, 7)
    from liangxin.tracking.services import reports_open

    report = reports_open(actor="test", plan=jinxiang_plan, period_start=dt.date(2026, 8, 1))[0]
    assert (report.period_start, report.period_end, report.due_on) == (dt.date(2026, 7, 1), dt.date(2026, 9, 30), dt.date(2026, 10, 15))
