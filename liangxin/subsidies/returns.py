"""Returned items and clawbacks (退货冲回、追回). The consumer's quota stays used, as the
rules say: the slot row is kept; only the money moves back."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from liangxin.audit.services import audit_record
from liangxin.core.errors import Conflict, ServiceError
from liangxin.subsidies.ledger import ledger_post
from liangxin.subsidies.models import BudgetPool, Claim, ClaimStatus, Clawback, LedgerAccount


@transaction.atomic
def claim_return_item(*, actor, claim: Claim, reason: str) -> Claim | Clawback:
    """An item returned to the seller. Before payment the subsidy is simply cancelled
    (deducted from the refund at the till); after payment a clawback order is opened."""
    claim = Claim.objects.select_for_update(of=("self",)).select_related("pool", "organisation", "programme__region").get(pk=claim.pk)
    if not (reason or "").strip():
        raise ServiceError("reason_required", "请写明退货原因", "a reason is required", field="reason")
    if claim.status == ClaimStatus.APPROVED:
        BudgetPool.objects.filter(pk=claim.pool_id).update(reserved=F("reserved") - claim.amount)
        ledger_post(actor_label=str(actor), kind="claim.reverse", pool=claim.pool, claim=claim,
                    memo=f"申请 {claim.number} 退货，冲回 {claim.amount} 元",
                    moves=[(LedgerAccount.COMMITTED, LedgerAccount.AVAILABLE, claim.amount)])
        claim.status = ClaimStatus.REVERSED
        claim.save(update_fields=["status"])
        audit_record(actor=actor, action="claim.reverse", instance=claim, region=claim.programme.region, after={"reason": reason})
        return claim
    if claim.status == ClaimStatus.PAID:
        if hasattr(claim, "clawback"):
            raise Conflict("clawback_exists", "该申请已有追回单", "a clawback already exists")
        clawback = Clawback.objects.create(claim=claim, organisation=claim.organisation, amount=claim.amount, reason=reason.strip()[:200])
        ledger_post(actor_label=str(actor), kind="clawback.open", pool=claim.pool, claim=claim,
                    memo=f"申请 {claim.number} 已拨付后退货，应追回 {claim.amount} 元",
                    moves=[(LedgerAccount.PAID, LedgerAccount.CLAWBACK, claim.amount)])
        BudgetPool.objects.filter(pk=claim.pool_id).update(paid=F("paid") - claim.amount)
        claim.status = ClaimStatus.REVERSED
        claim.save(update_fields=["status"])
        audit_record(actor=actor, action="clawback.open", instance=clawback, region=claim.programme.region,
                     after={"amount": clawback.amount, "reason": reason})
        return clawback
    raise Conflict("claim_not_returnable", f"申请当前为“{claim.get_status_display()}”，不能办理退货冲回",
                   "only approved or paid claims can be reversed")


@transaction.atomic
def clawback_recover(*, actor, clawback: Clawback) -> Clawback:
    """The money came back: it returns to the pool's available balance."""
    clawback = Clawback.objects.select_for_update(of=("self",)).select_related("claim__pool", "claim__programme__region").get(pk=clawback.pk)
    if clawback.status != Clawback.Status.OPEN:
        raise Conflict("clawback_closed", "该追回单已办结", "already recovered")
    ledger_post(actor_label=str(actor), kind="clawback.recover", pool=clawback.claim.pool, claim=clawback.claim,
                memo=f"申请 {clawback.claim.number} 追回到账 {clawback.amount} 元",
                moves=[(LedgerAccount.CLAWBACK, LedgerAccount.AVAILABLE, clawback.amount)])
    clawback.status, clawback.recovered_at = Clawback.Status.RECOVERED, timezone.now()
    clawback.save(update_fields=["status", "recovered_at"])
    audit_record(actor=actor, action="clawback.recover", instance=clawback, region=clawback.claim.programme.region,
                 after={"amount": clawback.amount})
    return clawback
