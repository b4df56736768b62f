"""Review (审核) of accepted claims: automatic approval unless drawn for a spot check (抽查)
or flagged; manual approve / reject / request documents, always with a reason; two people
for large amounts (maker-checker). Money moves in the fund ledger in the same transaction."""

import hashlib
import hmac
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from liangxin.accounts.models import Role
from liangxin.accounts.permissions import is_system_admin, roles_in_region
from liangxin.audit.services import audit_record
from liangxin.core.errors import Conflict, Forbidden, ServiceError
from liangxin.core.i18n import chinese_display
from liangxin.subsidies.ledger import ledger_post
from liangxin.subsidies.models import BudgetPool, Claim, ClaimReview, ClaimStatus, LedgerAccount

REVIEWER_ROLES = {Role.PROGRAMME_STAFF, Role.WORKING_GROUP_ADMIN}
# Roles whose holders must stay independent of the money they check.
INCOMPATIBLE_WITH_APPROVAL = {Role.AUDITOR}


def sample_draw(seed: str, claim_number: str) -> Decimal:
    """A number in [0, 1) fixed by the programme's recorded seed and the claim number: the draw
    can be redone by anyone holding the seed, and nobody can steer it per claim."""
    digest = hmac.new(seed.encode(), claim_number.encode(), hashlib.sha256).digest()
    return (Decimal(int.from_bytes(digest[:8], "big")) / Decimal(2**64)).quantize(Decimal("0.000000001"))


def _record(claim: Claim, action: str, actor, reason: str) -> None:
    user = actor if getattr(actor, "is_authenticated", False) else None
    ClaimReview.objects.create(claim=claim, action=action, actor=user,
                               actor_label=user.get_username() if user else str(actor), reason=reason[:300])
    audit_record(actor=actor, action=f"claim.{action}", instance=claim, region=claim.programme.region,
                 after={"status": claim.status, "reason": reason})


def _commit_money(claim: Claim, actor) -> None:
    """Approval turns the reservation into a commitment to pay (reserved → committed)."""
    ledger_post(actor_label=str(actor), kind="claim.commit", pool=claim.pool, claim=claim,
                memo=f"申请 {claim.number} 核定补贴 {claim.amount} 元",
                moves=[(LedgerAccount.RESERVED, LedgerAccount.COMMITTED, claim.amount)])


def _release_money(claim: Claim, actor) -> None:
    """A rejected claim gives its reservation back to the pool (reserved → available)."""
    BudgetPool.objects.filter(pk=claim.pool_id).update(reserved=F("reserved") - claim.amount)
    ledger_post(actor_label=str(actor), kind="claim.release", pool=claim.pool, claim=claim,
                memo=f"申请 {claim.number} 驳回，释放额度 {claim.amount} 元",
                moves=[(LedgerAccount.RESERVED, LedgerAccount.AVAILABLE, claim.amount)])


@transaction.atomic
def claim_route(*, claim: Claim) -> Claim:
    """Right after intake: approve automatically, or queue for a person when drawn or flagged."""
    claim = Claim.objects.select_for_update(of=("self",)).select_related("programme", "pool").get(pk=claim.pk)
    if claim.status != ClaimStatus.ACCEPTED:
        return claim
    programme = claim.programme
    claim.sample_draw = sample_draw(programme.sample_seed, claim.number)
    claim.sampled = claim.sample_draw < programme.sample_rate
    if claim.sampled or claim.flagged:
        claim.status = ClaimStatus.IN_REVIEW
        claim.save(update_fields=["sample_draw", "sampled", "status"])
        _record(claim, ClaimReview.Action.QUEUE, "system", "抽查" if claim.sampled else "风险标记")
        return claim
    claim.status, claim.decided_at = ClaimStatus.APPROVED, timezone.now()
    claim.save(update_fields=["sample_draw", "sampled", "status", "decided_at"])
    _commit_money(claim, "system")
    _record(claim, ClaimReview.Action.AUTO_APPROVE, "system", "全部校验通过，未被抽中")
    return claim


def can_review(user, claim: Claim) -> bool:
    """Whether the user may take review actions on the claim (the page shows the form only then)."""
    try:
        _check_reviewer(user, claim)
    except Forbidden:
        return False
    return True


def _check_reviewer(user, claim: Claim) -> None:
    region = claim.programme.region
    roles = roles_in_region(user, region)
    if roles & INCOMPATIBLE_WITH_APPROVAL:
        raise Forbidden("role_conflict", "审计人员不得审批补贴（岗位不相容）", "auditors may not approve claims (incompatible roles)")
    if not (is_system_admin(user) or roles & REVIEWER_ROLES):
        raise Forbidden("not_a_reviewer", "只有补贴业务人员或工作专班可以审核", "only programme staff or the working group review claims")


@transaction.atomic
def claim_review(*, actor, claim: Claim, action: str, reason: str) -> Claim:
    """accept (受理), approve, reject or request_documents, always with a reason. A claim that
    waits for acceptance can be accepted, rejected (不予受理) or sent back for documents."""
    claim = Claim.objects.select_for_update(of=("self",)).select_related("programme__region", "pool").get(pk=claim.pk)
    _check_reviewer(actor, claim)
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("reason_required", "审核必须写明理由", "a reason is required", field="reason")
    awaiting_acceptance = claim.status == ClaimStatus.SUBMITTED or (
        claim.status == ClaimStatus.NEEDS_DOCUMENTS and claim.accepted_at is None
    )
    if claim.status not in (ClaimStatus.SUBMITTED, ClaimStatus.IN_REVIEW, ClaimStatus.NEEDS_DOCUMENTS):
        raise Conflict("claim_not_in_review", f"申请当前为“{chinese_display(claim, 'status')}”，不在审核队列中", "the claim is not awaiting review")
    if action == "accept":
        if not awaiting_acceptance:
            raise Conflict("claim_already_accepted", "该申请已受理", "the claim has already been accepted")
        claim.status, claim.accepted_at = ClaimStatus.ACCEPTED, timezone.now()
        claim.save(update_fields=["status", "accepted_at"])
        _record(claim, ClaimReview.Action.ACCEPT, actor, reason)
        return claim_route(claim=claim)
    if action == "approve" and awaiting_acceptance:
        raise Conflict("claim_not_accepted", "申请尚未受理，请先受理再审核", "accept the claim before approving it")
    if action == "request_documents":
        claim.status = ClaimStatus.NEEDS_DOCUMENTS
        claim.save(update_fields=["status"])
        _record(claim, ClaimReview.Action.REQUEST_DOCUMENTS, actor, reason)
        return claim
    if action == "reject":
        claim.status, claim.decided_by, claim.decided_at = ClaimStatus.REJECTED, actor, timezone.now()
        claim.reasons = [*claim.reasons, {"code": "review_rejected", "message": reason, "message_en": "rejected on review"}]
        claim.save(update_fields=["status", "decided_by", "decided_at", "reasons"])
        _release_money(claim, actor)
        from liangxin.subsidies.services import person_totals_release

        person_totals_release(claim)
        _record(claim, ClaimReview.Action.REJECT, actor, reason)
        return claim
    if action != "approve":
        raise ServiceError("review_action", f"审核操作“{action}”无效", "unknown review action", field="action")
    threshold = claim.programme.second_approval_above
    needs_two = threshold is not None and claim.amount > threshold
    if needs_two and claim.first_approved_by_id is None:
        claim.first_approved_by = actor
        claim.save(update_fields=["first_approved_by"])
        _record(claim, ClaimReview.Action.FIRST_APPROVE, actor, reason)
        return claim
    if needs_two and claim.first_approved_by_id == actor.id:
        raise Forbidden("maker_checker", "金额超过双人审核线，复核须由另一人完成", "a second, different person must approve this amount")
    claim.status, claim.decided_by, claim.decided_at = ClaimStatus.APPROVED, actor, timezone.now()
    claim.save(update_fields=["status", "decided_by", "decided_at"])
    _commit_money(claim, actor)
    _record(claim, ClaimReview.Action.APPROVE, actor, reason)
    # Automatic approvals at intake are many and small: the nightly `indicators-compute` counts them.
    from liangxin.tracking.computed import indicator_values_refresh_on_commit

    indicator_values_refresh_on_commit(programme=claim.programme, days=[claim.decided_at], actor=actor)
    return claim
