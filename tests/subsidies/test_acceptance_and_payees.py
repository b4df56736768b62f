"""Acceptance (受理) as a step with its own time limit, claims paid to the claimant's own account
(cars), the programme settings that choose both, and the three time limits counted and shown."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.utils import timezone

from liangxin.accounts.models import Role
from liangxin.accounts.services import api_token_create, role_grant, user_create
from liangxin.core.errors import Conflict, ServiceError
from liangxin.subsidies.decision import usage_for
from liangxin.subsidies.disbursement import batch_create, payment_file
from liangxin.subsidies.ledger import ledger_verify
from liangxin.subsidies.models import BudgetPool, Claim, ClaimStatus, PayeeKind
from liangxin.subsidies.review import claim_review, claim_route
from liangxin.subsidies.rules.templates import template_copy
from liangxin.subsidies.services import claim_submit, pool_create, programme_create, programme_settings_update
from liangxin.subsidies.time_limits import claim_deadlines, time_limit_summary
from tests.subsidies.test_claims_money import _payload, flat_rate_decide
from tests.subsidies.test_disbursement import _result_csv

# A UnionPay debit card number that passes the Luhn check.
CARD = "6222020200112345679"


def _with_payee(n, account=CARD, name=None, **kwargs):
    payload = _payload(n, **kwargs)
    payload["payee"] = {"account": account, "bank": "工商银行金乡支行", "name": name or payload["claimant"]["name"]}
    return payload


@pytest.fixture
def staff(jinxiang):
    user = user_create(actor="test", username="window-staff", password="x")
    role_grant(actor="test", user=user, role=Role.PROGRAMME_STAFF, region=jinxiang)
    return user


@pytest.fixture
def cars(programme, staff):
    """A programme run like the car rules: staff accept each claim, money goes to the claimant."""
    pool_create(actor="test", programme=programme, name="汽车", allocated="10000")
    return programme_settings_update(actor=staff, programme=programme, payee_kind=PayeeKind.CLAIMANT, manual_acceptance=True,
                                     sample_rate=Decimal("0"))


def test_car_templates_start_with_claimant_payee_and_manual_acceptance(jinxiang):
    today = dt.date.today()
    rules = template_copy("car-scrap-2026", window_start=str(today), window_end=str(today + dt.timedelta(days=30)),
                          ownership_before=str(today))
    programme = programme_create(actor="test", region=jinxiang, year=today.year, name="汽车报废更新", template="car-scrap-2026",
                                 starts_on=today, ends_on=today + dt.timedelta(days=30), rules=rules.model_dump(mode="json"))
    assert programme.payee_kind == PayeeKind.CLAIMANT and programme.manual_acceptance
    assert (programme.sla_accept_days, programme.sla_review_days, programme.sla_pay_days) == (3, 15, 30)


def test_a_submitted_claim_holds_its_money_until_accepted_then_is_routed(cars, staff):
    claim, _ = claim_submit(actor="test", programme=cars, payload=_with_payee(1), decide=flat_rate_decide)
    assert claim.status == ClaimStatus.SUBMITTED and claim.accepted_at is None
    assert BudgetPool.objects.get(programme=cars).reserved == Decimal("450.00")
    assert ledger_verify().ok
    assert claim_route(claim=claim).status == ClaimStatus.SUBMITTED  # routing waits for acceptance
    with pytest.raises(Conflict, match="尚未受理"):
        claim_review(actor=staff, claim=claim, action="approve", reason="材料齐全")
    with pytest.raises(ServiceError, match="理由"):
        claim_review(actor=staff, claim=claim, action="accept", reason="")
    claim = claim_review(actor=staff, claim=claim, action="accept", reason="材料齐全，予以受理")
    assert claim.status == ClaimStatus.APPROVED and claim.accepted_at is not None  # not drawn: approved at once
    assert [r.action for r in claim.reviews.all()] == ["accept", "auto_approve"]
    with pytest.raises(Conflict):
        claim_review(actor=staff, claim=claim, action="accept", reason="again")
    assert ledger_verify().ok


def test_a_claim_not_accepted_gives_its_money_back(cars, staff):
    claim, _ = claim_submit(actor="test", programme=cars, payload=_with_payee(1), decide=flat_rate_decide)
    claim = claim_review(actor=staff, claim=claim, action="request_documents", reason="请补充机动车注销证明")
    assert claim.status == ClaimStatus.NEEDS_DOCUMENTS and claim.accepted_at is None
    claim = claim_review(actor=staff, claim=claim, action="reject", reason="逾期未补充材料，不予受理")
    assert claim.status == ClaimStatus.REJECTED
    assert BudgetPool.objects.get(programme=cars).reserved == 0
    assert ledger_verify().ok


def test_a_claimant_payee_is_required_validated_and_must_be_the_claimant(cars):
    with pytest.raises(ServiceError) as missing:
        claim_submit(actor="test", programme=cars, payload=_payload(1), decide=flat_rate_decide)
    assert missing.value.field == "payee.account"
    with pytest.raises(ServiceError, match="校验位") as bad_card:
        claim_submit(actor="test", programme=cars, payload=_with_payee(1, account="6222020200112345678"), decide=flat_rate_decide)
    assert bad_card.value.field == "payee.account"
    with pytest.raises(ServiceError, match="8–32 位数字"):
        claim_submit(actor="test", programme=cars, payload=_with_payee(1, account="12ab"), decide=flat_rate_decide)
    with pytest.raises(ServiceError, match="户名须与申请人姓名一致") as other_person:
        claim_submit(actor="test", programme=cars, payload=_with_payee(1, name="别人"), decide=flat_rate_decide)
    assert other_person.value.field == "payee.name"
    assert not Claim.objects.exists()  # bad input writes nothing


def test_claimants_are_paid_one_transfer_each_to_their_own_account(client, cars, staff):
    other_card = "6222020200112345687"
    for n, account in ((1, CARD), (2, other_card)):
        claim, _ = claim_submit(actor="test", programme=cars, payload=_with_payee(n, account=account), decide=flat_rate_decide)
        claim_review(actor=staff, claim=claim, action="accept", reason="受理")
    batch = batch_create(actor="test", programme=cars)
    assert batch.transfer_count == 2
    assert {t.payee_account for t in batch.transfers.all()} == {CARD, other_card}
    text = payment_file(batch, "csv").decode("utf-8-sig")
    assert CARD in text and "申请人1" in text
    client.force_login(staff)
    page = client.get(f"/claims/{Claim.objects.order_by('id').first().number}/").content.decode()
    assert "6222 **** 5679" in page and CARD not in page  # the page shows the account masked


def test_seller_programmes_keep_no_claimant_account(programme):
    pool_create(actor="test", programme=programme, name="家电", allocated="1000")
    claim, _ = claim_submit(actor="test", programme=programme, payload=_with_payee(1), decide=flat_rate_decide)
    assert claim.status == ClaimStatus.ACCEPTED and "payee" not in claim.facts


def test_usage_counts_every_claim_that_was_not_refused(jinxiang):
    """A person's approved, paid or returned claims used their quota; only refused ones did not.
    (Counting accepted claims only made an approved claim invisible to the engine's limits.)"""
    from liangxin.subsidies.decision import decide
    from tests.subsidies.test_claims_api import _claim

    today = dt.date.today()
    rules = template_copy("digital-2025", window_start=str(today - dt.timedelta(days=1)), window_end=str(today + dt.timedelta(days=30)))
    programme = programme_create(actor="test", region=jinxiang, year=today.year, name="数码", template="digital-2025",
                                 starts_on=today - dt.timedelta(days=1), ends_on=today + dt.timedelta(days=30),
                                 rules=rules.model_dump(mode="json"))
    programme_settings_update(actor="test", programme=programme, sample_rate=Decimal("0"))
    pool_create(actor="test", programme=programme, name="数码", allocated="10000")
    claim, _ = claim_submit(actor="test", programme=programme, payload=_claim(1), decide=decide, usage_for=usage_for)
    claim = claim_route(claim=claim)
    assert claim.status == ClaimStatus.APPROVED
    usage = usage_for(programme, claim.claimant_hash, _claim(1, imei="860000000000099"))
    assert usage["category_count"] == 1 and Decimal(str(usage["category_amount"])) == Decimal("450.00")


def test_time_limits_are_counted_from_submission_and_overdue_claims_are_marked(client, cars, staff):
    fresh, _ = claim_submit(actor="test", programme=cars, payload=_with_payee(1), decide=flat_rate_decide)
    late, _ = claim_submit(actor="test", programme=cars, payload=_with_payee(2, account="6222020200112345687"),
                           decide=flat_rate_decide)
    Claim.objects.filter(pk=late.pk).update(created_at=timezone.now() - dt.timedelta(days=5))
    rows = {r["stage"]: r for r in time_limit_summary(cars)}
    assert (rows["accept"]["waiting"], rows["accept"]["overdue"]) == (2, 1)
    client.force_login(staff)
    queue = client.get(f"/programmes/{cars.id}/review/", {"stage": "accept"}).content.decode()
    assert queue.count('data-overdue="1"') == 1 and late.number in queue and fresh.number in queue
    only_late = client.get(f"/programmes/{cars.id}/review/", {"stage": "accept", "overdue": "1"}).content.decode()
    assert late.number in only_late and fresh.number not in only_late
    # Accepted late: done, but not in time; the review clock now runs.
    claim_review(actor=staff, claim=Claim.objects.get(pk=late.pk), action="accept", reason="受理")
    rows = {r["stage"]: r for r in time_limit_summary(cars)}
    assert (rows["accept"]["done"], rows["accept"]["on_time"], rows["accept"]["rate"]) == (1, 0, 0.0)
    deadlines = {d.stage: d for d in claim_deadlines(Claim.objects.get(pk=late.pk))}
    assert deadlines["accept"].on_time is False and deadlines["review"].on_time is True
    assert deadlines["pay"].waiting and not deadlines["pay"].overdue()
    page = client.get(f"/programmes/{cars.id}/statistics/").content.decode()
    assert "办理时限" in page and "0.0%（0/1）" in page


def test_paid_claims_record_when_they_were_paid_and_count_for_the_pay_limit(cars, staff):
    claim, _ = claim_submit(actor="test", programme=cars, payload=_with_payee(1), decide=flat_rate_decide)
    claim_review(actor=staff, claim=claim, action="accept", reason="受理")
    batch = batch_create(actor="test", programme=cars)
    from liangxin.subsidies.disbursement import bank_result_import

    bank_result_import(actor="test", batch=batch, data=_result_csv(batch, {}), fmt="csv")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PAID and claim.paid_at is not None
    rows = {r["stage"]: r for r in time_limit_summary(cars)}
    assert (rows["pay"]["done"], rows["pay"]["on_time"]) == (1, 1)


def test_programme_settings_are_validated_and_audited(programme, staff):
    from liangxin.audit.models import AuditEntry

    with pytest.raises(ServiceError) as order:
        programme_settings_update(actor=staff, programme=programme, sla_accept_days=20, sla_review_days=15)
    assert order.value.field == "sla_accept_days"
    with pytest.raises(ServiceError):
        programme_settings_update(actor=staff, programme=programme, sample_rate=Decimal("1.5"))
    with pytest.raises(ServiceError):
        programme_settings_update(actor=staff, programme=programme, sample_seed="steer-the-draw")
    programme_settings_update(actor=staff, programme=programme, sample_rate=Decimal("0.10"), second_approval_above=Decimal("3000"))
    programme.refresh_from_db()
    assert programme.sample_rate == Decimal("0.10") and programme.second_approval_above == Decimal("3000")
    assert AuditEntry.objects.filter(action="programme.settings").exists()
    pool_create(actor="test", programme=programme, name="家电", allocated="1000")
    claim_submit(actor="test", programme=programme, payload=_payload(1), decide=flat_rate_decide)
    with pytest.raises(Conflict):
        programme_settings_update(actor=staff, programme=programme, payee_kind=PayeeKind.CLAIMANT)


def test_settings_page_and_acceptance_through_pages_and_api(client, cars, staff, jinxiang):
    client.force_login(staff)
    page = client.get(f"/programmes/{cars.id}/settings/")
    assert page.status_code == 200 and "受理时限" in page.content.decode()
    bad = client.post(f"/programmes/{cars.id}/settings/", {"sample_percent": "5", "sla_accept_days": "20", "sla_review_days": "15",
                                                          "sla_pay_days": "30", "payee_kind": "claimant", "manual_acceptance": "on"})
    assert bad.status_code == 400 and "受理 ≤ 审核 ≤ 拨付" in bad.content.decode()
    ok = client.post(f"/programmes/{cars.id}/settings/", {"sample_percent": "5", "sla_accept_days": "2", "sla_review_days": "10",
                                                         "sla_pay_days": "20", "payee_kind": "claimant", "manual_acceptance": "on",
                                                         "is_open": "on"})
    assert ok.status_code == 302
    cars.refresh_from_db()
    assert (cars.sla_accept_days, cars.sla_review_days, cars.sla_pay_days) == (2, 10, 20)
    leader = user_create(actor="test", username="leader-s", password="x")
    role_grant(actor="test", user=leader, role=Role.LEADER, region=jinxiang)
    client.force_login(leader)
    assert client.post(f"/programmes/{cars.id}/settings/", {"sample_percent": "0"}).status_code in (403, 404)

    first, _ = claim_submit(actor="test", programme=cars, payload=_with_payee(1), decide=flat_rate_decide)
    client.force_login(staff)
    page = client.get(f"/claims/{first.number}/").content.decode()
    assert 'value="accept"' in page and "不予受理" in page
    client.post(f"/claims/{first.number}/", {"action": "accept", "reason": "材料齐全"})
    assert Claim.objects.get(pk=first.pk).accepted_at is not None

    second, _ = claim_submit(actor="test", programme=cars, payload=_with_payee(2, account="6222020200112345687"),
                             decide=flat_rate_decide)
    token = api_token_create(actor="test", user=staff, name="review script")[1]
    response = client.post(f"/api/v1/claims/{second.number}/review", data=json.dumps({"action": "accept", "reason": "受理"}),
                           content_type="application/json", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] in ("approved", "in_review")


# --- returns and clawbacks --------------------------------------------------------------------


def test_a_return_before_approval_gives_the_reservation_back(cars, staff):
    from liangxin.subsidies.returns import claim_return_item

    claim, _ = claim_submit(actor="test", programme=cars, payload=_with_payee(1), decide=flat_rate_decide)
    assert claim.status == ClaimStatus.SUBMITTED
    claim = claim_return_item(actor=staff, claim=claim, reason="顾客取消购车")
    assert claim.status == ClaimStatus.REVERSED and BudgetPool.objects.get(programme=cars).reserved == 0
    assert ledger_verify().ok


def test_a_claim_in_a_payment_batch_cannot_be_returned_until_the_bank_answers(cars, staff):
    from liangxin.subsidies.returns import claim_return_item

    claim, _ = claim_submit(actor="test", programme=cars, payload=_with_payee(1), decide=flat_rate_decide)
    claim_review(actor=staff, claim=claim, action="accept", reason="受理")
    batch_create(actor="test", programme=cars)
    with pytest.raises(Conflict, match="拨付中"):
        claim_return_item(actor=staff, claim=claim, reason="退货")


def test_a_claimant_paid_for_a_fraudulent_claim_owes_it_back(client, cars, staff):
    from liangxin.subsidies.disbursement import bank_result_import
    from liangxin.subsidies.ledger import pool_balances
    from liangxin.subsidies.models import Clawback, LedgerAccount

    claim, _ = claim_submit(actor="test", programme=cars, payload=_with_payee(1), decide=flat_rate_decide)
    claim_review(actor=staff, claim=claim, action="accept", reason="受理")
    batch = batch_create(actor="test", programme=cars)
    bank_result_import(actor="test", batch=batch, data=_result_csv(batch, {}), fmt="csv")
    client.force_login(staff)
    assert client.post(f"/claims/{claim.number}/money/", {"action": "fraud", "reason": ""}).status_code == 302
    assert not Clawback.objects.exists()  # a reason is required
    client.post(f"/claims/{claim.number}/money/", {"action": "fraud", "reason": "旧车报废证明系伪造"})
    clawback = Clawback.objects.get(claim=claim)
    assert clawback.kind == Clawback.Kind.FRAUD and clawback.organisation is None  # the claimant was paid, so owes it
    pool = BudgetPool.objects.get(programme=cars)
    assert pool_balances(pool)[LedgerAccount.CLAWBACK] == Decimal("450.00") and ledger_verify().ok
    page = client.get(f"/programmes/{cars.id}/clawbacks/").content.decode()
    assert claim.number in page and "违规骗补" in page and "申请人 申请人1" in page
    client.post(f"/claims/{claim.number}/money/", {"action": "recover", "reference": "国库缴款书 0012"})
    clawback.refresh_from_db()
    assert clawback.status == Clawback.Status.RECOVERED and clawback.recovery_reference == "国库缴款书 0012"
    pool.refresh_from_db()
    assert pool.available == pool.allocated and ledger_verify().ok
    auditor = user_create(actor="test", username="auditor-c", password="x")
    role_grant(actor="test", user=auditor, role=Role.AUDITOR, region=cars.region)
    client.force_login(auditor)
    assert client.get(f"/programmes/{cars.id}/clawbacks/").status_code == 200  # auditors read
    assert client.post(f"/claims/{claim.number}/money/", {"action": "return", "reason": "x"}).status_code == 403


def test_a_seller_reports_a_return_through_the_api(client, programme, jinxiang):
    from liangxin.subsidies.disbursement import bank_result_import
    from liangxin.subsidies.services import organisation_create, organisation_token_issue

    shop = organisation_create(actor="test", region=jinxiang, name="某卖场", credit_code="91110000600037341L", kind="retailer",
                               bank_name="农业银行", bank_account="6228480000000000001")
    token = organisation_token_issue(actor="test", organisation=shop)
    pool_create(actor="test", programme=programme, name="家电", allocated="10000")
    programme_settings_update(actor="test", programme=programme, sample_rate=Decimal("0"))
    claims = [claim_route(claim=claim_submit(actor="test", programme=programme, payload=_payload(n), organisation=shop,
                                             decide=flat_rate_decide)[0]) for n in (1, 2)]
    headers = {"Authorization": f"Bearer {token}"}

    def post(number, body):
        return client.post(f"/api/v1/claims/{number}/return", data=json.dumps(body), content_type="application/json", headers=headers)

    before = post(claims[0].number, {"reason": "七天无理由退货"})
    assert before.status_code == 200 and before.json()["claim"]["status"] == "reversed" and before.json()["clawback_amount"] is None
    assert post(claims[0].number, {"reason": "again"}).status_code == 409
    assert post(claims[1].number, {"reason": ""}).status_code == 400
    batch = batch_create(actor="test", programme=programme)
    bank_result_import(actor="test", batch=batch, data=_result_csv(batch, {}), fmt="csv")
    after = post(claims[1].number, {"reason": "退货"})
    assert after.status_code == 200 and after.json()["clawback_amount"] == "450.00"
    other = client.post("/api/v1/claims/NOPE/return", data="{}", content_type="application/json", headers=headers)
    assert other.status_code in (404, 422)
    assert ledger_verify().ok


def test_service_errors_are_shown_in_english_to_english_users(client, cars, staff):
    claim, _ = claim_submit(actor="test", programme=cars, payload=_with_payee(1), decide=flat_rate_decide)
    client.force_login(staff)
    english = client.post(f"/claims/{claim.number}/", {"action": "accept", "reason": ""}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "a reason is required" in english and "审核必须写明理由" not in english
    chinese = client.post(f"/claims/{claim.number}/", {"action": "accept", "reason": ""}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "审核必须写明理由" in chinese.content.decode()


def test_auditors_see_no_write_controls_and_a_refusal_is_a_readable_page(client, cars, staff, settings):
    settings.DEBUG = False
    auditor = user_create(actor="test", username="auditor-w", password="x")
    role_grant(actor="test", user=auditor, role=Role.AUDITOR, region=cars.region)
    claim, _ = claim_submit(actor="test", programme=cars, payload=_with_payee(1), decide=flat_rate_decide)
    client.force_login(auditor)
    page = client.get(f"/claims/{claim.number}/").content.decode()
    assert 'value="accept"' not in page and "money-actions" not in page
    batches = client.get(f"/programmes/{cars.id}/batches/").content.decode()
    assert "batch-new" not in batches
    settings_page = client.get(f"/programmes/{cars.id}/settings/").content.decode()
    assert "申请人本人账户" in settings_page and ">claimant<" not in settings_page and "settings-form" not in settings_page
    refused = client.post(f"/programmes/{cars.id}/batches/new/")
    assert refused.status_code == 403
    body = refused.content.decode()
    assert "只有补贴业务人员和工作专班管理员可以办理以旧换新补贴" in body and "error-page" in body
    client.force_login(staff)
    assert 'value="accept"' in client.get(f"/claims/{claim.number}/").content.decode()
