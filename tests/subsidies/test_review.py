import json
from decimal import Decimal

import pytest

from liangxin.accounts.models import Role
from liangxin.accounts.services import api_token_create, role_grant, user_create
from liangxin.core.errors import Forbidden, ServiceError
from liangxin.subsidies.ledger import ledger_verify, pool_balances
from liangxin.subsidies.models import Claim, ClaimStatus, LedgerAccount
from liangxin.subsidies.review import claim_review, claim_route, sample_draw
from liangxin.subsidies.services import claim_submit, pool_create
from tests.subsidies.test_claims_money import _payload, flat_rate_decide


def test_a_five_percent_sample_draws_three_to_seven_percent_reproducibly():
    seed = "a3f1c2d4e5b60718293a4b5c6d7e8f90"
    draws = [sample_draw(seed, f"370828261123{n:08d}") for n in range(2000)]
    drawn = sum(d < Decimal("0.05") for d in draws)
    assert 60 <= drawn <= 140, drawn  # 3 % … 7 % of 2,000
    assert draws == [sample_draw(seed, f"370828261123{n:08d}") for n in range(2000)]
    assert sample_draw("another-seed", "37082826112300000001") != draws[1]


def _accepted(programme, n, **kwargs):
    claim, _ = claim_submit(actor="test", programme=programme, payload=_payload(n, **kwargs), decide=flat_rate_decide)
    assert claim.status == ClaimStatus.ACCEPTED, claim.reasons
    return claim


@pytest.fixture
def people(jinxiang):
    staff = [user_create(actor="test", username=f"reviewer{i}", password="x") for i in (1, 2)]
    for user in staff:
        role_grant(actor="test", user=user, role=Role.PROGRAMME_STAFF, region=jinxiang)
    auditor = user_create(actor="test", username="auditor-x", password="x")
    role_grant(actor="test", user=auditor, role=Role.AUDITOR, region=jinxiang)
    role_grant(actor="test", user=auditor, role=Role.PROGRAMME_STAFF, region=jinxiang)
    return {"a": staff[0], "b": staff[1], "auditor": auditor}


def test_clean_claims_are_approved_automatically_and_committed(programme):
    programme.sample_rate = Decimal("0")
    programme.save(update_fields=["sample_rate"])
    pool = pool_create(actor="test", programme=programme, name="家电", allocated="1000")
    claim = claim_route(claim=_accepted(programme, 1))
    assert claim.status == ClaimStatus.APPROVED and claim.reviews.get().action == "auto_approve"
    balances = pool_balances(pool)
    assert balances[LedgerAccount.COMMITTED] == Decimal("450.00") and balances[LedgerAccount.RESERVED] == 0
    assert ledger_verify().ok


def test_drawn_claims_wait_for_two_different_people_above_the_threshold(programme, people):
    programme.sample_rate, programme.second_approval_above = Decimal("1"), Decimal("400")
    programme.save(update_fields=["sample_rate", "second_approval_above"])
    pool_create(actor="test", programme=programme, name="家电", allocated="1000")
    claim = claim_route(claim=_accepted(programme, 1))
    assert claim.status == ClaimStatus.IN_REVIEW and claim.sampled
    with pytest.raises(ServiceError, match="理由"):
        claim_review(actor=people["a"], claim=claim, action="approve", reason="")
    claim = claim_review(actor=people["a"], claim=claim, action="approve", reason="发票与实物核对一致")
    assert claim.status == ClaimStatus.IN_REVIEW and claim.first_approved_by == people["a"]
    with pytest.raises(Forbidden) as excinfo:
        claim_review(actor=people["a"], claim=claim, action="approve", reason="再次通过")
    assert excinfo.value.code == "maker_checker"
    claim = claim_review(actor=people["b"], claim=claim, action="approve", reason="复核通过")
    assert claim.status == ClaimStatus.APPROVED
    assert [r.action for r in claim.reviews.all()] == ["queue", "first_approve", "approve"]
    assert ledger_verify().ok


def test_auditors_may_not_approve_even_with_a_programme_role(programme, people):
    programme.sample_rate = Decimal("1")
    programme.save(update_fields=["sample_rate"])
    pool_create(actor="test", programme=programme, name="家电", allocated="1000")
    claim = claim_route(claim=_accepted(programme, 1))
    with pytest.raises(Forbidden) as excinfo:
        claim_review(actor=people["auditor"], claim=claim, action="approve", reason="通过")
    assert excinfo.value.code == "role_conflict"


def test_rejection_releases_the_money_and_documents_can_be_requested(programme, people):
    programme.sample_rate = Decimal("1")
    programme.save(update_fields=["sample_rate"])
    pool = pool_create(actor="test", programme=programme, name="家电", allocated="1000")
    claim = claim_route(claim=_accepted(programme, 1))
    claim = claim_review(actor=people["a"], claim=claim, action="request_documents", reason="请补充旧机回收凭证")
    assert claim.status == ClaimStatus.NEEDS_DOCUMENTS
    claim = claim_review(actor=people["a"], claim=claim, action="reject", reason="发票与序列号不符")
    pool.refresh_from_db()
    assert claim.status == ClaimStatus.REJECTED and pool.reserved == 0 and pool.available == Decimal("1000")
    assert ledger_verify().ok


def test_maker_checker_and_role_conflicts_through_the_api(client, programme, people):
    programme.sample_rate, programme.second_approval_above = Decimal("1"), Decimal("100")
    programme.save(update_fields=["sample_rate", "second_approval_above"])
    pool_create(actor="test", programme=programme, name="家电", allocated="1000")
    claim = claim_route(claim=_accepted(programme, 1))

    def review(user, action="approve", reason="核对无误"):
        _t, key = api_token_create(actor="test", user=user, name="t")
        return client.post(f"/api/v1/claims/{claim.number}/review", data=json.dumps({"action": action, "reason": reason}),
                           content_type="application/json", headers={"Authorization": f"Bearer {key}"})

    assert review(people["a"]).status_code == 200
    second = review(people["a"])
    assert second.status_code == 403 and second.json()["code"] == "maker_checker"
    conflict = review(people["auditor"])
    assert conflict.status_code == 403 and conflict.json()["code"] == "role_conflict" and conflict.json()["message_en"]
    assert review(people["b"]).json()["status"] == "approved"
    assert Claim.objects.get(pk=claim.pk).decided_by == people["b"]


def test_maker_checker_and_role_conflicts_through_the_pages(client, programme, people):
    programme.sample_rate, programme.second_approval_above = Decimal("1"), Decimal("100")
    programme.save(update_fields=["sample_rate", "second_approval_above"])
    pool_create(actor="test", programme=programme, name="家电", allocated="1000")
    claim = claim_route(claim=_accepted(programme, 1))
    url = f"/claims/{claim.number}/"
    client.force_login(people["a"])
    assert client.post(url, {"action": "approve", "reason": "初审通过"}).status_code == 302
    again = client.post(url, {"action": "approve", "reason": "再次通过"})
    assert again.status_code == 403 and "另一人" in again.content.decode()
    client.force_login(people["auditor"])
    conflict = client.post(url, {"action": "approve", "reason": "通过"})
    assert conflict.status_code == 403 and "岗位不相容" in conflict.content.decode()
    client.force_login(people["b"])
    assert client.post(url, {"action": "approve", "reason": "复核通过"}).status_code == 302
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.APPROVED
    assert "复核通过" in client.get(url).content.decode()
