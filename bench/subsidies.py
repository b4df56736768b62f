"""The subsidy money path at county scale: intake, review, payment batch, bank files, ledger, pages.

Run: `make bench` (or `.venv/bin/python bench/subsidies.py [--claims N]`). Builds a throw-away SQLite
database under a temporary directory through the real services only: one 2025 appliance programme
from the shipped template, 40 sellers with settlement accounts, N claims submitted and routed as the
API does (5 % spot-check rate), half the drawn claims approved by a person, one payment batch (one
transfer per seller), its .xlsx and .csv files, a bank result with a few failed transfers,
reconciliation and `ledger verify`. Baselines are measured in the same run: operations in units of
one claim_submit (median), pages as a ratio against the home page. Each line also gives its SQL
queries: compare two runs (`--claims 1000` and `--claims 5000`); a page whose count grows with N is
a bug. The default is 2,000 claims, not 5,000, to stay near two minutes on a 2-core machine.
"""

import argparse
import atexit
import csv
import datetime as dt
import io
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ["LIANGXIN_VAR_DIR"] = tempfile.mkdtemp(prefix="liangxin-bench-")
atexit.register(shutil.rmtree, os.environ["LIANGXIN_VAR_DIR"], ignore_errors=True)  # 40 MB at 5,000 claims
os.environ.pop("DATABASE_URL", None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liangxin.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

REPEAT = 15
DEFAULT_CLAIMS = 2000  # about 2 minutes on 2 cores; 5,000 take about 5
SELLERS = 40
SAMPLE_RATE = Decimal("0.05")
FAILED_TRANSFERS = 3
DUPLICATE_EVERY = 50  # every 50th claim repeats an earlier serial number and is refused at intake
RETURNS = 5  # paid claims returned afterwards, so the clawbacks page has rows
PAGE_BUDGET_MS = 150
# (category, price, efficiency grade): the 2025 appliance categories at ordinary prices.
ITEMS = [
    ("冰箱", "3999", 1),
    ("洗衣机", "2899", 2),
    ("空调", "4599", 1),
    ("电视", "5299", 2),
    ("冰箱", "12000", 1),
    ("热水器", "1899", 2),
    ("空调", "3299", 2),
    ("电视", "2999", 1),
    ("洗衣机", "1599", 1),
    ("电脑", "6999", 2),
    ("吸油烟机", "2499", 1),
    ("家用灶具", "1299", 2),
    ("净水器", "2199", 1),
    ("洗碗机", "4299", 1),
    ("电饭煲", "599", 2),
    ("微波炉", "799", 1),
]


def id_card(n: int) -> str:
    """A valid GB 11643 number for simulated person n: 1,000 sequence numbers per birth date, birth
    dates counted from 1986 (370828, 金乡县, was assigned after 1985; python-stdnum checks that)."""
    born = dt.date(1986, 1, 1) + dt.timedelta(days=n // 1000)
    body = f"370828{born:%Y%m%d}{n % 1000:03d}"
    total = sum(int(d) * (2 ** (17 - i) % 11) for i, d in enumerate(body))
    return body + "10X98765432"[total % 11]


def credit_code(n: int) -> str:
    from stdnum.cn.uscc import calc_check_digit

    body = f"91370828MA{n:07d}"
    return body + calc_check_digit(body)


def payload(n: int) -> dict:
    category, price, grade = ITEMS[n % len(ITEMS)]
    serial = n - 1 if n % DUPLICATE_EVERY == 0 else n
    grade_field = "water_efficiency_grade" if category == "净水器" else "efficiency_grade"
    return {
        "claimant": {"name": f"压测申请人{n}", "id_card": id_card(n), "phone": f"139{n:08d}"},
        "new_item": {
            "category": category,
            "price": price,
            grade_field: grade,
            "identifier": f"BENCH-SN-{serial:07d}",
            "invoice": f"BENCH-INV-{n:07d}",
        },
        "old_item": {"kind": category, "identifier": f"BENCH-OLD-{n:07d}", "handed_in": True},
        "documents": ["invoice", "old_item_receipt", "id_card"],
    }


@dataclass
class Sample:
    ms: float  # wall time
    cpu_ms: float  # CPU time of this process: steadier than wall time when other jobs share the machine
    queries: int


class QueryCounter:
    """Counts SQL statements (no cap, unlike the debug query log's 9,000)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def measured(function, *args, **kwargs):
    """(result, Sample) of one call."""
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        wall, cpu = time.perf_counter(), time.process_time()
        result = function(*args, **kwargs)
        sample = Sample(
            (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000, counter.count
        )
    return result, sample


def result_file(batch, failing: set[int]) -> bytes:
    """The bank's answer, one row per transfer, as tests/subsidies/test_disbursement.py builds it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["批次号", "明细号", "金额", "结果", "失败原因", "银行流水号"])
    for transfer in batch.transfers.order_by("line"):
        failed = transfer.line in failing
        writer.writerow(
            [
                batch.number,
                transfer.line,
                f"{transfer.amount:.2f}",
                "失败" if failed else "成功",
                "收款账户户名不符（压测）" if failed else "",
                "" if failed else f"BK{batch.id:03d}{transfer.line:06d}",
            ]
        )
    return buffer.getvalue().encode("utf-8-sig")


def build(n_claims: int, ops: list) -> dict:
    """Everything through the services; `ops` collects (operation, Sample) of the one-off steps."""
    from liangxin.accounts.models import Role
    from liangxin.accounts.services import role_grant, user_create
    from liangxin.regions.models import Region
    from liangxin.subsidies.decision import decide, usage_for
    from liangxin.subsidies.disbursement import (
        bank_result_import,
        batch_create,
        payment_file,
        payment_file_read,
        reconciliation,
    )
    from liangxin.subsidies.ledger import ledger_verify
    from liangxin.subsidies.models import Claim, ClaimStatus
    from liangxin.subsidies.returns import claim_return_item
    from liangxin.subsidies.review import claim_review, claim_route
    from liangxin.subsidies.rules.templates import template_copy
    from liangxin.subsidies.services import (
        claim_submit,
        organisation_create,
        pool_create,
        programme_create,
        programme_settings_update,
    )

    call_command("migrate", verbosity=0)
    region = Region.objects.get(code="370828")
    admin = user_create(actor="bench", username="bench-zb", password="x")
    role_grant(actor="bench", user=admin, role=Role.WORKING_GROUP_ADMIN, region=region)
    today = dt.date.today()
    start, end = today - dt.timedelta(days=60), today + dt.timedelta(days=120)
    rules = template_copy("appliances-2025", window_start=str(start), window_end=str(end))
    programme = programme_create(
        actor=admin,
        region=region,
        year=today.year,
        name="家电以旧换新（压测）",
        template="appliances-2025",
        starts_on=start,
        ends_on=end,
        rules=rules.model_dump(mode="json"),
        funding_shares={"central": 90, "provincial": 5, "county": 5},
    )
    programme = programme_settings_update(actor=admin, programme=programme, sample_rate=SAMPLE_RATE)
    pool_create(actor=admin, programme=programme, name="家电补贴资金", allocated=str(n_claims * 2000))
    sellers = [
        organisation_create(
            actor=admin,
            region=region,
            name=f"金乡压测家电卖场{k:02d}",
            credit_code=credit_code(k),
            kind="retailer",
            bank_name="农业银行金乡支行",
            bank_account=f"62284800{k:011d}",
        )
        for k in range(1, SELLERS + 1)
    ]
    # A few big stores and a long tail, as in a county: seller k sells in proportion to 1/k.
    chooser = random.Random(2025)
    weights = [1 / k for k in range(1, SELLERS + 1)]

    submit, route, started = [], [], time.perf_counter()
    for n in range(1, n_claims + 1):
        seller = chooser.choices(sellers, weights)[0]
        # As POST /api/v1/programmes/{id}/claims calls it: the seller's token and an Idempotency-Key.
        (claim, _created), sample = measured(
            claim_submit,
            actor=f"org:{seller.id}",
            programme=programme,
            payload=payload(n),
            organisation=seller,
            idempotency_key=f"bench-{n}",
            decide=decide,
            usage_for=usage_for,
        )
        submit.append(sample)
        _claim, sample = measured(claim_route, claim=claim)
        route.append(sample)
        if n % 1000 == 0:
            print(f"  … {n} claims in {time.perf_counter() - started:.0f}s", flush=True)
    intake_s = time.perf_counter() - started

    queued = list(Claim.objects.filter(programme=programme, status=ClaimStatus.IN_REVIEW).order_by("id"))
    review = []
    for claim in queued[: len(queued) // 2]:  # the other half stays in the queue for the queue page
        _claim, sample = measured(
            claim_review, actor=admin, claim=claim, action="approve", reason="抽查：发票与序列号一致"
        )
        review.append(sample)

    batch, sample = measured(batch_create, actor=admin, programme=programme)
    ops.append((f"batch_create ({batch.item_count} claims → {batch.transfer_count} transfers)", sample))
    xlsx, sample = measured(payment_file, batch, "xlsx")
    ops.append((f"payment_file .xlsx ({len(xlsx) // 1024} KiB)", sample))
    csv_file, sample = measured(payment_file, batch, "csv")
    ops.append((f"payment_file .csv ({len(csv_file) // 1024} KiB)", sample))
    assert payment_file_read(xlsx, "xlsx")["details_ok"] and payment_file_read(csv_file, "csv")["checksum_ok"]
    # The smallest sellers' transfers fail (account name mismatch): their claims go back to the queue.
    failing = set(range(batch.transfer_count, max(batch.transfer_count - FAILED_TRANSFERS, 1), -1))
    outcome, sample = measured(
        bank_result_import, actor=admin, batch=batch, data=result_file(batch, failing), fmt="csv"
    )
    ops.append((f"bank_result_import ({outcome['paid']} paid, {outcome['failed']} failed transfers)", sample))
    rows, sample = measured(reconciliation, programme)
    assert all(row["matches"] for row in rows), rows
    ops.append(("reconciliation (1 batch)", sample))
    report, sample = measured(ledger_verify)
    assert report.ok, report.problems[:5]
    ops.append((f"ledger_verify ({report.transactions} ledger transactions)", sample))

    # The failed claims go out again in a second batch, all paid; then a few items come back.
    retry = batch_create(actor=admin, programme=programme)
    bank_result_import(actor=admin, batch=retry, data=result_file(retry, set()), fmt="csv")
    for claim in Claim.objects.filter(programme=programme, status=ClaimStatus.PAID).order_by("-id")[:RETURNS]:
        claim_return_item(actor=admin, claim=claim, reason="顾客退货，已拨付补贴转追回（压测）")
    assert all(row["matches"] for row in reconciliation(programme))
    # The longest trace: a spot-checked claim approved by a person, then paid (any paid claim if none was drawn).
    detail = (
        Claim.objects.filter(programme=programme, status=ClaimStatus.PAID).order_by("-sampled", "id").first()
    )
    return {
        "admin": admin,
        "programme": programme,
        "batch": batch,
        "claim": detail,
        "submit": submit,
        "route": route,
        "intake_s": intake_s,
        "review": review,
        "queued": len(queued),
    }


def page_ms(client: Client, url: str) -> tuple[float, float, int]:
    """Median wall and CPU time of REPEAT requests after one warm-up, and the warm-up's SQL queries."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    count = len(queries)  # read it now: the next request clears the connection's query log
    walls, cpus = [], []
    for _ in range(REPEAT):
        wall, cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(walls), statistics.median(cpus), count


def row(name: str, samples: list[Sample], total_ms: float | None = None) -> tuple:
    """(name, n, total ms, median ms, median CPU ms, median queries) of a series of calls."""
    return (
        name,
        len(samples),
        sum(s.ms for s in samples) if total_ms is None else total_ms,
        statistics.median(s.ms for s in samples),
        statistics.median(s.cpu_ms for s in samples),
        statistics.median(s.queries for s in samples),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--claims", type=int, default=DEFAULT_CLAIMS, help=f"claims to submit (default {DEFAULT_CLAIMS})"
    )
    args = parser.parse_args()
    setup_test_environment()
    started = time.perf_counter()
    ops: list[tuple[str, Sample]] = []
    world = build(args.claims, ops)
    from django.db.models import Count

    from liangxin.subsidies.models import Claim, ClaimStatus, LedgerEntry

    programme, batch = world["programme"], world["batch"]
    counts = dict(Claim.objects.filter(programme=programme).values_list("status").annotate(n=Count("id")))
    print(
        f"data built in {time.perf_counter() - started:.0f}s: {args.claims} claims, {SELLERS} sellers, "
        f"{SAMPLE_RATE:.0%} spot checks ({world['queued']} drawn, {len(world['review'])} of them approved by a person)"
    )
    print(
        "  claims by status: "
        + ", ".join(f"{ClaimStatus(k).label} {v}" for k, v in sorted(counts.items()))
        + f"; {LedgerEntry.objects.count()} ledger entries"
    )

    submit, route = world["submit"], world["route"]
    tenth = max(len(submit) // 10, 1)
    intake = [
        Sample(a.ms + b.ms, a.cpu_ms + b.cpu_ms, a.queries + b.queries)
        for a, b in zip(submit, route, strict=True)
    ]
    rows = [
        row("claim_submit — the baseline", submit),
        row("  claim_submit, first 10 % of claims", submit[:tenth]),
        row("  claim_submit, last 10 % of claims", submit[-tenth:]),
        row("claim_route", route),
        row("intake: claim_submit + claim_route", intake, total_ms=world["intake_s"] * 1000),
    ]
    if world["review"]:
        rows.append(row("claim_review approve (spot-checked claims)", world["review"]))
    rows += [row(name, [sample]) for name, sample in ops]
    unit, unit_cpu = rows[0][3], rows[0][4]
    rate = args.claims / world["intake_s"]
    print()
    print(
        f"Operations — baseline: one claim_submit, median {unit:.1f} ms ({unit_cpu:.1f} ms CPU) in this run;"
    )
    print(
        "'× submit' = median wall time ÷ that baseline; several calls: median of each, SQL queries the median per call"
    )
    print(
        f"{'operation':<58}{'n':>6}{'total s':>9}{'ms each':>10}{'cpu ms':>9}{'queries':>9}{'× submit':>10}"
    )
    for name, n, total_ms, ms, cpu_ms, queries in rows:
        print(
            f"{name:<58}{n:>6}{total_ms / 1000:>9.2f}{ms:>10.1f}{cpu_ms:>9.1f}{queries:>9.0f}{ms / unit:>10.1f}"
        )
    print(f"intake throughput: {rate:.1f} claims/s (claim_submit + claim_route, one process, SQLite)")

    client = Client()
    client.force_login(world["admin"])
    pages = {
        "home (baseline)": "/",
        "review queue": f"/programmes/{programme.id}/review/",
        "statistics": f"/programmes/{programme.id}/statistics/",
        "statistics ?format=xlsx": f"/programmes/{programme.id}/statistics/?format=xlsx",
        "batches list": f"/programmes/{programme.id}/batches/",
        f"batch detail ({batch.item_count} claims)": f"/batches/{batch.number}/",
        "claims list": f"/programmes/{programme.id}/claims/",
        f"claim detail ({'spot-checked, ' if world['claim'].sampled else ''}paid)": f"/claims/{world['claim'].number}/",
        "clawbacks": f"/programmes/{programme.id}/clawbacks/",
    }
    timings = {}
    print()
    print(
        f"Pages — baseline: the home page in this run; median of {REPEAT} requests, server side (budget {PAGE_BUDGET_MS} ms)"
    )
    print(f"{'page':<40}{'median ms':>10}{'cpu ms':>9}{'× home':>9}{'queries':>9}")
    for name, url in pages.items():
        ms, cpu_ms, queries = page_ms(client, url)
        timings[name] = (ms, queries)
        home = timings["home (baseline)"][0]
        flag = "" if ms < PAGE_BUDGET_MS else "  OVER BUDGET"
        print(f"{name:<40}{ms:>10.1f}{cpu_ms:>9.1f}{ms / home:>9.1f}{queries:>9}{flag}")

    home = timings.pop("home (baseline)")[0]
    print()
    print(
        f"Key figures ({args.claims} claims, {SELLERS} sellers; baselines: one claim_submit = {unit:.1f} ms, home page = {home:.1f} ms):"
    )
    first, last = rows[1][3], rows[2][3]
    print(f"intake: {rate:.1f} claims/s, median {rows[4][3]:.1f} ms per claim (submit + route)")
    print(
        f"claim_submit: median {unit:.1f} ms, {first:.1f} ms for the first 10 % of claims and {last:.1f} ms for the last"
    )
    for name, sample in ops:
        print(f"{name}: {sample.ms:.0f} ms = {sample.ms / unit:.0f} claim-submits, {sample.queries} queries")
    for name, (ms, queries) in timings.items():
        print(f"page {name}: {ms:.1f} ms = {ms / home:.1f}× home, {queries} queries")
    print(f"total run: {time.perf_counter() - started:.0f}s")


if __name__ == "__main__":
    main()
