"""Returned items and clawbacks (退货冲回、追回). The consumer's quota stays used, as the rules
say: the slot row is kept; only the money moves back.

- Returned before payment: the subsidy is cancelled (the seller deducts it from the refund at the
  till) and the money goes back to the pool.
- Returned after payment, or found to be obtained by cheating (违规骗补): a clawback order
  (追回单) records what the payee owes — the seller that was paid, or the claimant whose card was
  paid — and the money returns to the pool when it is recovered.
"""

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from liangxin.audit.services import audit_record
from liangxin.core.errors import Conflict, ServiceError
from liangxin.core.i18n import chinese, chinese_display
from liangxin.subsidies.ledger import ledger_post
from liangxin.subsidies.models import BudgetPool, Claim, ClaimStatus, Clawback, LedgerAccount, PayeeKind

# Claims whose money is held for them but not yet committed: a return gives the reservation back.
_RESERVED = (ClaimStatus.SUBMITTED, ClaimStatus.ACCEPTED, ClaimStatus.IN_REVIEW, ClaimStatus.NEEDS_DOCUMENTS)


def _locked(claim: Claim) -> Claim:
    return Claim.objects.select_for_update(of=("self",)).select_related("pool", "organisation", "programme__region").get(pk=claim.pk)


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("reason_required", "请写明原因", "a reason is required", field="reason")
    return reason[:200]


def _indicators_refresh(claim: Claim, actor) -> None:
    from liangxin.tracking.computed import indicator_values_refresh_on_commit

    indicator_values_refresh_on_commit(programme=claim.programme, days=[claim.decided_at, claim.paid_at], actor=actor)


def _open_clawback(*, actor, claim: Claim, reason: str, kind: str) -> Clawback:
    if hasattr(claim, "clawback"):
        raise Conflict("clawback_exists", "该申请已有追回单", "a clawback already exists")
    # Who was paid owes it back: the seller, or the claimant whose own account was paid.
    debtor = claim.organisation if claim.programme.payee_kind == PayeeKind.SELLER else None
    clawback = Clawback.objects.create(claim=claim, organisation=debtor, amount=claim.amount, reason=reason, kind=kind)
    ledger_post(actor_label=str(actor), kind="clawback.open", pool=claim.pool, claim=claim,
                memo=f"申请 {claim.number} {chinese(Clawback.Kind(kind).label)}，应追回 {claim.amount} 元",
                moves=[(LedgerAccount.PAID, LedgerAccount.CLAWBACK, claim.amount)])
    BudgetPool.objects.filter(pk=claim.pool_id).update(paid=F("paid") - claim.amount)
    claim.status = ClaimStatus.REVERSED
    claim.save(update_fields=["status"])
    audit_record(actor=actor, action="clawback.open", instance=clawback, region=claim.programme.region,
                 after={"claim": claim.number, "amount": clawback.amount, "kind": kind, "reason": reason})
    _indicators_refresh(claim, actor)
    return clawback


@transaction.atomic
def claim_return_item(*, actor, claim: Claim, reason: str) -> Claim | Clawback:
    """An item returned to the seller. Before payment the subsidy is cancelled; after payment a
    clawback order is opened against whoever was paid."""
    reason = _reason(reason)
    claim = _locked(claim)
    if claim.status in (*_RESERVED, ClaimStatus.APPROVED):
        account = LedgerAccount.COMMITTED if claim.status == ClaimStatus.APPROVED else LedgerAccount.RESERVED
        BudgetPool.objects.filter(pk=claim.pool_id).update(reserved=F("reserved") - claim.amount)
        ledger_post(actor_label=str(actor), kind="claim.reverse", pool=claim.pool, claim=claim,
                    memo=f"申请 {claim.number} 退货，冲回 {claim.amount} 元",
                    moves=[(account, LedgerAccount.AVAILABLE, claim.amount)])
        claim.status = ClaimStatus.REVERSED
        claim.save(update_fields=["status"])
        audit_record(actor=actor, action="claim.reverse", instance=claim, region=claim.programme.region, after={"reason": reason})
        if claim.decided_at is not None:  # only an approved claim was counted in the indicators
            _indicators_refresh(claim, actor)
        return claim
    if claim.status == ClaimStatus.PAID:
        return _open_clawback(actor=actor, claim=claim, reason=reason, kind=Clawback.Kind.RETURN)
    if claim.status == ClaimStatus.IN_PAYMENT:
        raise Conflict("claim_in_payment", "该申请正在拨付中，请待银行回盘后再办理退货",
                       "the claim is in a payment batch; record the return after the bank's result")
    raise Conflict("claim_not_returnable", f"申请当前为“{chinese_display(claim, 'status')}”，不能办理退货冲回",
                   "only claims holding or having received money can be reversed")


@transaction.atomic
def clawback_for_fraud(*, actor, claim: Claim, reason: str) -> Clawback:
    """A paid subsidy found to be obtained by cheating (违规骗补): recover it from whoever was paid."""
    reason = _reason(reason)
    claim = _locked(claim)
    if claim.status != ClaimStatus.PAID:
        raise Conflict("claim_not_paid", f"申请当前为“{chinese_display(claim, 'status')}”；未拨付的申请请驳回或退货冲回",
                       "only paid claims can be clawed back; reject or reverse unpaid ones")
    return _open_clawback(actor=actor, claim=claim, reason=reason, kind=Clawback.Kind.FRAUD)


@transaction.atomic
def clawback_recover(*, actor, clawback: Clawback, reference: str = "") -> Clawback:
    """The money came back: it returns to the pool's available balance."""
    clawback = Clawback.objects.select_for_update(of=("self",)).select_related("claim__pool", "claim__programme__region").get(pk=clawback.pk)
    if clawback.status != Clawback.Status.OPEN:
        raise Conflict("clawback_closed", "该追回单已办结", "already recovered")
    ledger_post(actor_label=str(actor), kind="clawback.recover", pool=clawback.claim.pool, claim=clawback.claim,
                memo=f"申请 {clawback.claim.number} 追回到账 {clawback.amount} 元" + (f"（{reference.strip()[:60]}）" if reference.strip() else ""),
                moves=[(LedgerAccount.CLAWBACK, LedgerAccount.AVAILABLE, clawback.amount)])
    clawback.status, clawback.recovered_at = Clawback.Status.RECOVERED, timezone.now()
    clawback.recovery_reference = reference.strip()[:64]
    clawback.save(update_fields=["status", "recovered_at", "recovery_reference"])
    audit_record(actor=actor, action="clawback.recover", instance=clawback, region=clawback.claim.programme.region,
                 after={"amount": clawback.amount, "reference": clawback.recovery_reference})
    return clawback
