"""The money-protecting rules of claim intake, independent of any rule template: duplicate
identifiers, per-person slots and budget pools are enforced by the database, also under races."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from liangxin.subsidies.demo import demo_id_card as _id_card  # shared with the demo
from liangxin.subsidies.models import Claim, ClaimIdentifier, ClaimSlot
from liangxin.subsidies.services import claim_submit, pool_create, programme_create


def flat_rate_decide(rules, payload, usage):
    """A minimal decision: 15% of the price, capped, one per category per person."""
    price = Decimal(str(payload["new_item"]["price"]))
    amount = min((price * Decimal(rules["rate"])).quantize(Decimal("0.01")), Decimal(rules["cap"]))
    return {
        "eligible": True, "amount": amount, "price": price, "category": payload["new_item"]["category"],
        "limit": rules["limit"], "checks": [],
        "identifiers": [("serial", payload["new_item"]["serial"]), ("invoice", payload["new_item"]["invoice"])],
        "trace": {"formula": f"{price} × {rules['rate']} = {amount}"},
    }


@pytest.fixture
def programme(jinxiang):
    return programme_create(actor="test", region=jinxiang, year=dt.date.today().year, name="测试家电", starts_on=dt.date.today() - dt.timedelta(days=30),
                            ends_on=dt.date.today() + dt.timedelta(days=30), rules={"rate": "0.15", "cap": "500", "limit": 1})


def _payload(n: int, *, person: int | None = None, serial: str | None = None, category: str = "冰箱"):
    return {
        "claimant": {"name": f"申请人{n}", "id_card": _id_card(person if person is not None else n), "phone": f"138{n:08d}"},
        "new_item": {"category": category, "price": "3000", "serial": serial or f"SN{n:06d}", "invoice": f"INV{n:06d}"},
    }


def test_a_clean_claim_reserves_its_amount(programme):
    pool = pool_create(actor="test", programme=programme, name="家电", allocated="1000")
    claim, created = claim_submit(actor="test", programme=programme, payload=_payload(1), decide=flat_rate_decide)
    assert created and claim.status == "accepted" and claim.amount == Decimal("450.00")
    pool.refresh_from_db()
    assert pool.reserved == Decimal("450.00")
    assert claim.claimant_masked.startswith("370") and "*" in claim.claimant_masked
    assert "*" in claim.facts["claimant"]["id_card"] and "*" in claim.facts["claimant"]["phone"]


def test_duplicates_and_limits_and_budget_each_give_a_reason(programme):
    pool_create(actor="test", programme=programme, name="家电", allocated="900")
    claim_submit(actor="test", programme=programme, payload=_payload(1), decide=flat_rate_decide)
    same_serial, _ = claim_submit(actor="test", programme=programme, payload=_payload(2, serial="SN000001"), decide=flat_rate_decide)
    assert [r["code"] for r in same_serial.reasons] == ["duplicate_serial"]
    second_fridge, _ = claim_submit(actor="test", programme=programme, payload=_payload(3, person=1), decide=flat_rate_decide)
    assert [r["code"] for r in second_fridge.reasons] == ["per_person_category_limit"]
    claim_submit(actor="test", programme=programme, payload=_payload(4), decide=flat_rate_decide)
    broke, _ = claim_submit(actor="test", programme=programme, payload=_payload(5), decide=flat_rate_decide)
    assert [r["code"] for r in broke.reasons] == ["budget_exhausted"]
    # The refused claim released what it held: its serial can be claimed once money is back.
    assert not ClaimIdentifier.objects.filter(claim=broke).exists() and not ClaimSlot.objects.filter(claim=broke).exists()


def test_the_same_idempotency_key_returns_the_same_claim(programme):
    pool_create(actor="test", programme=programme, name="家电", allocated="10000")
    first, created = claim_submit(actor="test", programme=programme, payload=_payload(1), idempotency_key="k1", decide=flat_rate_decide)
    again, created_again = claim_submit(actor="test", programme=programme, payload=_payload(1), idempotency_key="k1", decide=flat_rate_decide)
    assert created and not created_again and again.pk == first.pk
    from liangxin.core.errors import Conflict

    with pytest.raises(Conflict):
        claim_submit(actor="test", programme=programme, payload=_payload(2), idempotency_key="k1", decide=flat_rate_decide)


def test_a_bad_id_card_names_the_field(programme):
    from liangxin.core.errors import ServiceError

    payload = _payload(1)
    payload["claimant"]["id_card"] = "370828198001010010"
    with pytest.raises(ServiceError) as excinfo:
        claim_submit(actor="test", programme=programme, payload=payload, decide=flat_rate_decide)
    assert excinfo.value.field == "claimant.id_card"


@pytest.mark.skipif("connection.vendor != 'postgresql'")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_hundred_racing_claims_never_overspend():
    from liangxin.regions.models import Region

    region = Region.objects.get(code="370828")
    programme = programme_create(actor="test", region=region, year=dt.date.today().year, name="并发测试", starts_on=dt.date.today() - dt.timedelta(days=30),
                                 ends_on=dt.date.today() + dt.timedelta(days=30), rules={"rate": "0.15", "cap": "500", "limit": 1})
    pool = pool_create(actor="test", programme=programme, name="家电", allocated=str(450 * 50))
    payloads = [_payload(n) for n in range(200)]
    # Pairs racing for the same person-category slot and for the same serial number.
    payloads += [_payload(1000 + n, person=n) for n in range(10)]
    payloads += [_payload(2000 + n, person=500 + n, serial=f"SN{n:06d}") for n in range(10)]
    results, errors = [], []
    # 60 threads, each with its own connection (the server allows 100): every submission races the others.
    workers = 60
    barrier = threading.Barrier(workers)

    def worker(chunk):
        try:
            barrier.wait()
            for payload in chunk:
                results.append(claim_submit(actor="test", programme=programme, payload=payload, decide=flat_rate_decide)[0])
        except Exception as exc:  # noqa: BLE001 - surfaced by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(payloads[i::workers],)) for i in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    pool.refresh_from_db()
    accepted = Claim.objects.filter(programme=programme, status="accepted")
    assert accepted.count() == 50
    assert pool.reserved == Decimal(450 * 50) and pool.available == 0
    assert Claim.objects.filter(programme=programme).count() == len(payloads)
    for claim in Claim.objects.filter(programme=programme, status="rejected"):
        assert claim.reasons and claim.reasons[0]["code"] in {"budget_exhausted", "duplicate_serial", "per_person_category_limit"}
    assert ClaimSlot.objects.values("person_hash", "category", "period").distinct().count() == ClaimSlot.objects.count()
    assert connection.vendor == "postgresql"


def test_claims_outside_the_daily_hours_are_refused(programme, monkeypatch):
    from django.utils import timezone

    pool_create(actor="test", programme=programme, name="家电", allocated="1000")
    programme.daily_opens_at, programme.daily_closes_at = dt.time(10, 0), dt.time(18, 0)
    programme.save(update_fields=["daily_opens_at", "daily_closes_at"])
    tz = timezone.get_current_timezone()
    monkeypatch.setattr(timezone, "localtime", lambda *a, **k: dt.datetime.combine(dt.date.today(), dt.time(9, 59), tzinfo=tz))
    early, _ = claim_submit(actor="test", programme=programme, payload=_payload(1), decide=flat_rate_decide)
    assert [r["code"] for r in early.reasons] == ["outside_claim_hours"] and "10:00–18:00" in early.reasons[0]["message"]
    monkeypatch.setattr(timezone, "localtime", lambda *a, **k: dt.datetime.combine(dt.date.today(), dt.time(10, 0), tzinfo=tz))
    on_time, _ = claim_submit(actor="test", programme=programme, payload=_payload(2), decide=flat_rate_decide)
    assert on_time.status == "accepted"


def test_a_per_person_total_is_enforced_by_the_database(jinxiang):
    from liangxin.subsidies.models import PersonTotal

    programme = programme_create(actor="test", region=jinxiang, year=dt.date.today().year, name="家装测试",
                                 starts_on=dt.date.today() - dt.timedelta(days=1), ends_on=dt.date.today() + dt.timedelta(days=1),
                                 rules={"rate": "0.15", "cap": "500", "limit": 5, "per_person_total": "800"})
    pool_create(actor="test", programme=programme, name="家装", allocated="10000")
    first, _ = claim_submit(actor="test", programme=programme, payload=_payload(1, category="橱柜"), decide=flat_rate_decide)
    second, _ = claim_submit(actor="test", programme=programme, payload=_payload(2, person=1, category="卫浴"), decide=flat_rate_decide)
    assert first.status == "accepted"
    assert [r["code"] for r in second.reasons] == ["per_person_total"] and "800" in second.reasons[0]["message"]
    assert PersonTotal.objects.get().amount == Decimal("450.00")
    # Someone else is not affected.
    other, _ = claim_submit(actor="test", programme=programme, payload=_payload(3, category="卫浴"), decide=flat_rate_decide)
    assert other.status == "accepted"
