"""Time limits (办理时限) of a claim: accepted (受理), decided (审核) and paid (拨付) within a
programme's number of calendar days, each counted from submission as the 2026 car rules state
them (3, 15 and 30 days). Reads only; the queue, the claim page and the statistics use them."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from liangxin.subsidies.models import Claim, ClaimStatus, Programme

STAGES = ("accept", "review", "pay")
STAGE_LABELS = {
    "accept": pgettext_lazy("time limit stage", "受理"),
    "review": pgettext_lazy("time limit stage", "审核"),
    "pay": pgettext_lazy("time limit stage", "拨付"),
}
_DONE_FIELD = {"accept": "accepted_at", "review": "decided_at", "pay": "paid_at"}


def limit_days(programme: Programme, stage: str) -> int:
    return {"accept": programme.sla_accept_days, "review": programme.sla_review_days, "pay": programme.sla_pay_days}[stage]


def waiting_q(stage: str) -> Q:
    """Claims whose clock for this stage is running."""
    if stage == "accept":
        return Q(status=ClaimStatus.SUBMITTED) | Q(status=ClaimStatus.NEEDS_DOCUMENTS, accepted_at__isnull=True)
    if stage == "review":
        return Q(status__in=[ClaimStatus.ACCEPTED, ClaimStatus.IN_REVIEW]) | Q(
            status=ClaimStatus.NEEDS_DOCUMENTS, accepted_at__isnull=False
        )
    return Q(status__in=[ClaimStatus.APPROVED, ClaimStatus.IN_PAYMENT])


def overdue_q(programme: Programme, stage: str, now: dt.datetime | None = None) -> Q:
    now = now or timezone.now()
    return waiting_q(stage) & Q(created_at__lt=now - dt.timedelta(days=limit_days(programme, stage)))


@dataclass
class Deadline:
    stage: str
    label: str
    days: int
    due: dt.datetime
    done_at: dt.datetime | None
    waiting: bool

    @property
    def on_time(self) -> bool | None:
        return None if self.done_at is None else self.done_at <= self.due

    def overdue(self, now: dt.datetime | None = None) -> bool:
        return self.waiting and (now or timezone.now()) > self.due


def claim_deadlines(claim: Claim) -> list[Deadline]:
    """The three deadlines of one claim, with when each step was done; none for a claim
    refused at intake."""
    if claim.status == ClaimStatus.REJECTED and claim.accepted_at is None and not claim.amount:
        return []
    programme = claim.programme
    out = []
    for stage in STAGES:
        days = limit_days(programme, stage)
        waiting = Claim.objects.filter(pk=claim.pk).filter(waiting_q(stage)).exists()
        out.append(Deadline(stage=stage, label=str(STAGE_LABELS[stage]), days=days, due=claim.created_at + dt.timedelta(days=days),
                            done_at=getattr(claim, _DONE_FIELD[stage]), waiting=waiting))
    return out


def time_limit_summary(programme: Programme, claims: QuerySet[Claim] | None = None, now: dt.datetime | None = None) -> list[dict]:
    """Per stage: how many claims wait, how many of those are overdue, how many finished the
    stage and how many of those in time (按时办结率)."""
    now = now or timezone.now()
    claims = claims if claims is not None else Claim.objects.filter(programme=programme)
    rows = []
    for stage in STAGES:
        days = limit_days(programme, stage)
        done_field = _DONE_FIELD[stage]
        done = claims.filter(**{f"{done_field}__isnull": False})
        done_count = done.count()
        on_time = done.filter(**{f"{done_field}__lte": F("created_at") + dt.timedelta(days=days)}).count()
        rows.append({
            "stage": stage, "label": str(STAGE_LABELS[stage]), "days": days,
            "waiting": claims.filter(waiting_q(stage)).count(),
            "overdue": claims.filter(overdue_q(programme, stage, now)).count(),
            "done": done_count, "on_time": on_time,
            "rate": round(100 * on_time / done_count, 1) if done_count else None,
        })
    return rows
