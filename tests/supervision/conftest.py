"""Supervision fixtures: 金乡县's plan with the 2026-10 period opened (due 2026-11-10), 县商务局's
report, and a clock the pages can be set to."""

import datetime as dt

import pytest
from django.utils import timezone

from liangxin.accounts.models import Role, User
from liangxin.accounts.services import role_grant, user_create
from liangxin.tracking.models import Report
from liangxin.tracking.services import reports_open

PERIOD = dt.date(2026, 10, 1)
DUE = dt.date(2026, 11, 10)


@pytest.fixture
def clock(monkeypatch):
    """Set what `timezone.localdate()` answers for services, selectors and pages."""

    def _set(day: dt.date):
        monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)
        return day

    return _set


@pytest.fixture
def report(personas, jinxiang_plan, commerce):
    reports_open(actor="test", plan=jinxiang_plan, period_start=PERIOD)
    report = Report.objects.select_related("plan__region", "department").get(
        plan=jinxiang_plan, department=commerce, period_start=PERIOD
    )
    assert report.due_on == DUE
    User.objects.filter(username="staff").update(email="staff@jinxiang.example")
    return report


@pytest.fixture
def finance_staff(personas, jinxiang, finance):
    user = user_create(actor="test", username="finance_staff", password="x-very-long-pass", display_name="财政局联络员")
    role_grant(actor="test", user=user, role=Role.DEPARTMENT_STAFF, region=jinxiang, department=finance)
    return user
