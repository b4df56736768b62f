"""The bridge between stored claims and the rule engine: what this person already received,
and the engine's decision in the shape `claim_submit` expects."""

from django.utils import timezone

from liangxin.subsidies.models import Claim, ClaimStatus, Programme
from liangxin.subsidies.rules.engine import Usage
from liangxin.subsidies.rules.engine import decide as engine_decide
from liangxin.subsidies.rules.schema import RuleSet


def decide(rules: dict, payload: dict, usage: dict) -> dict:
    return engine_decide(rules, payload, usage)


def usage_for(programme: Programme, person_hash: str, payload: dict) -> dict:
    """Counts and sums of the person's claims in this programme, for the engine's limit checks
    (the slot table enforces the count limits again in the database). Every claim that was not
    refused counts: submitted, accepted, approved and paid ones, and returned ones too, since a
    return leaves the quota used."""
    version = programme.rule_versions.order_by("-version").first()
    rule_set = RuleSet.model_validate(version.rules)
    records = [
        {"category": c["category"], "date": timezone.localtime(c["created_at"]).date(), "amount": c["amount"]}
        for c in Claim.objects.filter(programme=programme, claimant_hash=person_hash).exclude(status=ClaimStatus.REJECTED).values(
            "category", "created_at", "amount"
        )
    ]
    category = (payload.get("new_item") or {}).get("category", "")
    usage = Usage.from_records(records, rule_set=rule_set, category=category, claim_date=timezone.localdate())
    return usage.model_dump(mode="json")
