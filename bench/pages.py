"""Server time of the tracking pages with two plans and three years of monthly data.

Run: `make bench` (or `.venv/bin/python bench/pages.py`). Builds a throw-away SQLite database
under a temporary directory through the real services, then times each page with Django's test
client (median of N requests, server side only — no network, no browser) and prints it next to
the home page measured in the same run, as a ratio.
"""

import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ["LIANGXIN_VAR_DIR"] = tempfile.mkdtemp(prefix="liangxin-bench-")
os.environ.pop("DATABASE_URL", None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liangxin.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

REPEAT = 15


def build() -> dict:
    from liangxin.accounts.models import Role
    from liangxin.accounts.services import role_grant, user_create
    from liangxin.plans.demo import demo_plans_load
    from liangxin.plans.models import Indicator, Plan
    from liangxin.regions.models import Region
    from liangxin.tracking.services import indicator_value_record, reports_open, schedule_set

    call_command("migrate", verbosity=0)
    demo_plans_load(actor="bench")
    months = [dt.date(2023 + i // 12, i % 12 + 1, 1) for i in range(36)]
    indicators = list(Indicator.objects.all())
    for plan in Plan.objects.select_related("region"):
        schedule_set(actor="bench", plan=plan, first_period=months[0])
        for month in months:
            reports_open(actor="bench", plan=plan, period_start=month)
            for n, indicator in enumerate(indicators):
                indicator_value_record(actor="bench", region=plan.region, indicator=indicator, period_kind="month",
                                       period_start=month, value=1000 + n * 10 + month.month, source="computed")
    user = user_create(actor="bench", username="bench-leader", password="x")
    role_grant(actor="bench", user=user, role=Role.WORKING_GROUP_ADMIN, region=Region.objects.get(code="370828"))
    return {"user": user, "plan": Plan.objects.get(region__code="370828")}


def median_ms(client: Client, url: str) -> float:
    client.get(url)
    samples = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(samples)


def main() -> None:
    setup_test_environment()
    started = time.perf_counter()
    world = build()
    print(f"data built in {time.perf_counter() - started:.1f}s: 2 plans × 36 months of reports and indicator values")
    from liangxin.tracking.models import IndicatorValue, Report

    print(f"  {Report.objects.count()} reports, {IndicatorValue.objects.count()} indicator values")
    client = Client()
    client.force_login(world["user"])
    from liangxin.regions.models import Department

    department = Department.objects.get(region__code="370828", name="县商务局")
    pages = {
        "home (baseline)": "/",
        "dashboard": "/r/370828/dashboard/",
        "report overview": "/r/370828/reports/?period=2025-12",
        "department scorecard": f"/departments/{department.id}/scorecard/",
        "plan page": f"/plans/{world['plan'].id}/",
        "comparison": "/compare/",
    }
    baseline = None
    print(f"{'page':<22}{'median ms':>10}{'× home':>9}  (budget 150 ms)")
    for name, url in pages.items():
        ms = median_ms(client, url)
        baseline = baseline or ms
        flag = "" if ms < 150 else "  OVER BUDGET"
        print(f"{name:<22}{ms:>10.1f}{ms / baseline:>9.1f}{flag}")


if __name__ == "__main__":
    main()
