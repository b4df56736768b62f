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
