"""Claim intake for retailers, dealers and recyclers, and the citizens' status lookup.

Organisations authenticate with their own token (`Authorization: Bearer org_…`). A retried
submission carrying the same `Idempotency-Key` header returns the claim already made."""

import datetime as dt
import hmac
from decimal import Decimal

from django.http import Http404
from ninja import Router, Schema
from ninja.responses import Status
from ninja.security import HttpBearer

from liangxin.core.i18n import chinese_display
from liangxin.subsidies.models import Claim, Programme
from liangxin.subsidies.review import claim_review, claim_route
from liangxin.subsidies.rules.engine import NewItem, OldItem
from liangxin.subsidies.services import claim_submit, organisation_authenticate

router = Router(tags=["subsidies"])
public_router = Router(tags=["public"])


class OrganisationToken(HttpBearer):
    def authenticate(self, request, token):
        organisation = organisation_authenticate(token)
        if organisation is not None:
            request.organisation = organisation
        return organisation


class ErrorOut(Schema):
    code: str
    message: str
    message_en: str
    field: str | None = None


class Claimant(Schema):
    name: str
    id_card: str
    phone: str


class Payee(Schema):
    """The claimant's own account, for programmes that pay claimants (cars); the holder must be the claimant."""

    account: str
    bank: str = ""
    name: str | None = None


class ClaimIn(Schema):
    """The claim as the rule engine reads it; the claimant's identifiers are hashed and masked on arrival."""

    claimant: Claimant
    new_item: NewItem
    old_item: OldItem | None = None
    documents: list[str] = []
    payee: Payee | None = None


class Reason(Schema):
    code: str
    message: str
    message_en: str


class ClaimOut(Schema):
    number: str
    status: str
    status_label: str
    amount: Decimal
    category: str
    reasons: list[Reason]
    decision: dict
    created_at: dt.datetime


def _out(claim: Claim) -> dict:
    return {
        "number": claim.number, "status": claim.status, "status_label": chinese_display(claim, "status"), "amount": claim.amount,
        "category": claim.category, "reasons": claim.reasons, "decision": claim.decision, "created_at": claim.created_at,
    }


@router.post(
    "/programmes/{programme_id}/claims",
    auth=OrganisationToken(),
    response={201: ClaimOut, 200: ClaimOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="提交补贴申请 (submit a claim; retailer/dealer/recycler token). Idempotency-Key header: a replay returns the same claim (200).",
)
def submit_claim(request, programme_id: int, payload: ClaimIn):
    from liangxin.subsidies.decision import decide, usage_for

    organisation = request.organisation
    programme = Programme.objects.select_related("region").filter(pk=programme_id, region=organisation.region).first()
    if programme is None:
        raise Http404
    key = (request.headers.get("Idempotency-Key") or "").strip()[:100] or None
    claim, created = claim_submit(
        actor=f"org:{organisation.id}", programme=programme, payload=payload.model_dump(mode="json"),
        organisation=organisation, idempotency_key=key, decide=decide, usage_for=usage_for,
    )
    if created:
        claim = claim_route(claim=claim)
    return Status(201 if created else 200, _out(claim))


@router.get("/claims/{number}", auth=OrganisationToken(), response={200: ClaimOut, 404: ErrorOut},
            summary="查询本单位提交的申请 (a claim the organisation submitted)")
def get_claim(request, number: str):
    claim = Claim.objects.filter(number=number, organisation=request.organisation).first()
    if claim is None:
        raise Http404
    return _out(claim)


class ReturnIn(Schema):
    reason: str


class ReturnOut(Schema):
    claim: ClaimOut
    clawback_amount: Decimal | None = None


@router.post("/claims/{number}/return", auth=OrganisationToken(),
             response={200: ReturnOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 409: ErrorOut},
             summary="退货 (an item the organisation sold was returned): before payout the subsidy is cancelled; "
                     "after payout a clawback order is opened against the payee.")
def return_item(request, number: str, payload: ReturnIn):
    from liangxin.subsidies.models import Clawback
    from liangxin.subsidies.returns import claim_return_item

    claim = Claim.objects.filter(number=number, organisation=request.organisation).first()
    if claim is None:
        raise Http404
    result = claim_return_item(actor=f"org:{request.organisation.id}", claim=claim, reason=payload.reason)
    claim.refresh_from_db()
    return {"claim": _out(claim), "clawback_amount": result.amount if isinstance(result, Clawback) else None}


class PublicClaimOut(Schema):
    number: str
    status_label: str
    amount: Decimal
    reasons: list[str]


@public_router.get("/claims/{number}", auth=None, response={200: PublicClaimOut, 404: ErrorOut},
                   summary="市民查询申请状态 (citizens: claim number + last four digits of the phone)")
def public_claim_status(request, number: str, phone_last4: str):
    from django.core.cache import cache

    from liangxin.core.errors import ServiceError

    # Four digits are only 10,000 guesses: a number gets a few wrong tries an hour.
    failures_key = f"claim-lookup-fail:{number}"
    if (cache.get(failures_key) or 0) >= 10:
        raise ServiceError("lookup_throttled", "查询过于频繁，请一小时后再试", "too many attempts; try again in an hour")
    claim = Claim.objects.filter(number=number).first()
    matched = claim is not None and phone_last4.isdigit() and len(phone_last4) == 4 and hmac.compare_digest(
        claim.phone_masked[-4:], phone_last4
    )
    if not matched:
        cache.add(failures_key, 0, timeout=3600)
        cache.incr(failures_key)
        raise Http404
    return {"number": claim.number, "status_label": chinese_display(claim, "status"), "amount": claim.amount,
            "reasons": [r["message"] for r in claim.reasons]}




class ReviewIn(Schema):
    action: str
    reason: str


@router.post(
    "/claims/{number}/review",
    response={200: ClaimOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="受理/审核申请 (accept, approve, reject, request_documents; programme staff). Two people above the programme's threshold.",
)
def review_claim(request, number: str, payload: ReviewIn):
    from liangxin.accounts.permissions import can_view_region

    claim = Claim.objects.select_related("programme__region").filter(number=number).first()
    if claim is None or not can_view_region(request.user, claim.programme.region):
        raise Http404
    return _out(claim_review(actor=request.user, claim=claim, action=payload.action, reason=payload.reason))
