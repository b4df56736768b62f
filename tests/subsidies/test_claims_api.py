"""Claim intake through the API with a real shipped rule template (digital products 2025)."""

import datetime as dt
import json
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections  # noqa: F401 - connection is read by skipif

from liangxin.core.errors import ServiceError
from liangxin.subsidies.models import Claim
from liangxin.subsidies.rules.templates import template_copy
from liangxin.subsidies.services import (
    organisation_create,
    organisation_token_issue,
    pool_create,
    programme_create,
)
from tests.subsidies.test_claims_money import _id_card

TODAY = dt.date.today()


@pytest.fixture
def setup(jinxiang):
    rules = template_copy("digital-2025", window_start=str(TODAY - dt.timedelta(days=30)), window_end=str(TODAY + dt.timedelta(days=30)))
    programme = programme_create(actor="test", region=jinxiang, year=TODAY.year, name="数码产品购新", template="digital-2025",
                                 starts_on=TODAY - dt.timedelta(days=30), ends_on=TODAY + dt.timedelta(days=30),
                                 rules=rules.model_dump(mode="json"))
    pool_create(actor="test", programme=programme, name="数码", allocated="100000")
    shop = organisation_create(actor="test", region=jinxiang, name="某数码专卖店", credit_code="91110000600037341L", kind="retailer")
    return programme, organisation_token_issue(actor="test", organisation=shop)


def _claim(n=1, price="3500", discounts=("500",), imei=None):
    return {
        "claimant": {"name": "张三", "id_card": _id_card(n), "phone": f"1390000{n:04d}"},
        "new_item": {"category": "手机", "price": price, "discounts": list(discounts), "identifier": imei or f"86{n:013d}",
                     "invoice": f"INV{n:08d}"},
        "documents": ["invoice"],
    }


def _post(client, programme, key, body, idem=None):
    headers = {"Authorization": f"Bearer {key}"}
    if idem:
        headers["Idempotency-Key"] = idem
    return client.post(f"/api/v1/programmes/{programme.id}/claims", data=json.dumps(body), content_type="application/json", headers=headers)


def test_a_3500_phone_after_a_500_discount_gets_450(client, setup):
    programme, key = setup
    response = _post(client, programme, key, _claim())
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] in ("approved", "in_review") and Decimal(body["amount"]) == Decimal("450.00")
    assert "450.00" in json.dumps(body["decision"], ensure_ascii=False)


def test_a_7000_phone_is_ineligible_with_a_reason(client, setup):
    programme, key = setup
    body = _post(client, programme, key, _claim(price="7000", discounts=())).json()
    assert body["status"] == "rejected" and Decimal(body["amount"]) == 0
    assert any("price" in r["code"] for r in body["reasons"])


def test_the_same_imei_twice_is_refused(client, setup):
    programme, key = setup
    _post(client, programme, key, _claim(1, imei="861234567890123"))
    body = _post(client, programme, key, _claim(2, imei="861234567890123")).json()
    assert [r["code"] for r in body["reasons"]] == ["duplicate_serial"]


def test_bad_input_names_the_field_in_both_languages(client, setup):
    programme, key = setup
    bad = _claim()
    bad["claimant"]["id_card"] = "123"
    response = _post(client, programme, key, bad)
    assert response.status_code == 400
    assert response.json()["field"] == "claimant.id_card" and response.json()["message_en"]
    assert _post(client, programme, "org_wrong", _claim()).status_code == 401


def test_citizens_check_status_with_the_phone_digits(client, setup):
    programme, key = setup
    number = _post(client, programme, key, _claim(7)).json()["number"]
    ok = client.get(f"/api/v1/public/claims/{number}", {"phone_last4": "0007"})
    assert ok.status_code == 200 and ok.json()["amount"] == "450.00"
    assert client.get(f"/api/v1/public/claims/{number}", {"phone_last4": "1234"}).status_code == 404
    assert "1390000" not in ok.content.decode()  # the phone is never shown in full
    for _ in range(10):
        client.get(f"/api/v1/public/claims/{number}", {"phone_last4": "9999"})
    assert client.get(f"/api/v1/public/claims/{number}", {"phone_last4": "0007"}).status_code == 400


def test_openapi_describes_claim_endpoints_with_error_codes(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    submit = paths["/api/v1/programmes/{programme_id}/claims"]["post"]
    assert {"200", "201", "400", "401", "404", "409"} <= set(submit["responses"])
    assert "/api/v1/public/claims/{number}" in paths


def test_organisations_need_a_valid_credit_code(jinxiang):
    with pytest.raises(ServiceError) as excinfo:
        organisation_create(actor="test", region=jinxiang, name="x", credit_code="91110000600037341X", kind="retailer")
    assert excinfo.value.field == "credit_code"


@pytest.mark.skipif("connection.vendor != 'postgresql'")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_same_idempotency_key_replayed_concurrently_gives_one_claim(live_server):
    import urllib.request

    from liangxin.regions.models import Region

    region = Region.objects.get(code="370828")
    rules = template_copy("digital-2025", window_start=str(TODAY - dt.timedelta(days=1)), window_end=str(TODAY + dt.timedelta(days=1)))
    programme = programme_create(actor="test", region=region, year=TODAY.year, name="幂等测试", starts_on=TODAY - dt.timedelta(days=1),
                                 ends_on=TODAY + dt.timedelta(days=1), rules=rules.model_dump(mode="json"))
    pool_create(actor="test", programme=programme, name="数码", allocated="100000")
    shop = organisation_create(actor="test", region=region, name="店", credit_code="91110000600037341L", kind="retailer")
    key = organisation_token_issue(actor="test", organisation=shop)
    numbers, barrier = [], threading.Barrier(10)

    def replay():
        request = urllib.request.Request(
            f"{live_server.url}/api/v1/programmes/{programme.id}/claims", data=json.dumps(_claim(3)).encode(), method="POST",
            headers={"Authorization": f"Bearer {key}", "Idempotency-Key": "retry-42", "Content-Type": "application/json"},
        )
        barrier.wait()
        with urllib.request.urlopen(request, timeout=30) as response:
            numbers.append(json.loads(response.read())["number"])
        connections.close_all()

    threads = [threading.Thread(target=replay) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(numbers) == 10 and len(set(numbers)) == 1
    assert Claim.objects.filter(programme=programme).count() == 1


def test_claim_recompute_reproduces_the_stored_decision(client, setup, capsys):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    programme, key = setup
    number = _post(client, programme, key, _claim(8)).json()["number"]
    call_command("claim", "recompute", number)
    out = capsys.readouterr().out
    assert "（3,500.00 − 500.00）元 × 15% = 450.00 元" in out and "一致" in out
    claim = Claim.objects.get(number=number)
    claim.decision = {**claim.decision, "amount": "999.00"}
    claim.save(update_fields=["decision"])
    with pytest.raises(CommandError, match="不一致"):
        call_command("claim", "recompute", number)
    with pytest.raises(CommandError, match="未找到申请编号"):
        call_command("claim", "recompute", "nope")


def test_the_claim_page_names_documents_and_coded_values_as_people_say_them(client, setup, personas):
    programme, key = setup
    number = _post(client, programme, key, _claim()).json()["number"]
    client.force_login(personas["programme"])
    response = client.get(f"/claims/{number}/")
    page = response.content.decode()
    assert response.status_code == 200, page[:300]
    assert "注明 SN/IMEI 的个人抬头发票" in page and "：</strong>invoice" not in page
