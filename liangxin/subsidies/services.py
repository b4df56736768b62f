"""Writes for subsidy programmes and claims.

Money is protected by the database, not by Python: a claim holds its identifiers (serial,
invoice, old item) in a table unique per region, its per-person limit in a table of numbered
slots unique per (programme, person, category, year), and its reservation in a pool whose
CheckConstraint forbids reserved + paid above allocated. Each is taken in a savepoint, so a
claim that loses a race to another is rejected with the reason instead of failing.
"""

import datetime as dt
import hashlib
import json
import secrets
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from liangxin.audit.services import audit_record, snapshot
from liangxin.core.errors import Conflict, ServiceError
from liangxin.core.privacy import (
    bank_account_clean,
    bank_account_mask,
    id_card_clean,
    id_card_mask,
    identifier_hash,
    phone_clean,
    phone_mask,
)
from liangxin.subsidies.models import (
    BudgetPool,
    Claim,
    ClaimIdentifier,
    ClaimSlot,
    ClaimStatus,
    IdentifierKind,
    Organisation,
    PayeeKind,
    Programme,
    RuleSetVersion,
)


@transaction.atomic
def programme_create(*, actor, region, year: int, name: str, starts_on: dt.date, ends_on: dt.date, rules: dict,
                     template: str = "", funding_shares: dict | None = None) -> Programme:
    if starts_on > ends_on:
        raise ServiceError("programme_window", "开始日期晚于结束日期", "start after end", field="starts_on")
    shares = funding_shares or {"central": 90, "county": 10}
    if sum(Decimal(str(v)) for v in shares.values()) != 100:
        raise ServiceError("funding_shares", "各级资金分担比例之和应为 100%", "funding shares must add up to 100", field="funding_shares")
    programme = Programme.objects.create(region=region, year=year, name=name.strip(), starts_on=starts_on, ends_on=ends_on,
                                         template=template, funding_shares=shares, **_defaults_for_template(template))
    RuleSetVersion.objects.create(programme=programme, version=1, rules=rules, note="初始版本",
                                  created_by=actor if getattr(actor, "is_authenticated", False) else None)
    audit_record(actor=actor, action="programme.create", instance=programme, region=region, after=snapshot(programme))
    return programme


def _defaults_for_template(template: str) -> dict:
    """Cars are claimed by the consumer with documents, accepted by staff and paid to the
    consumer's account; everything else is discounted at the till and repaid to the seller."""
    if template.startswith("car-"):
        return {"payee_kind": PayeeKind.CLAIMANT, "manual_acceptance": True}
    return {}


PROGRAMME_SETTINGS = ("is_open", "sample_rate", "second_approval_above", "payee_kind", "manual_acceptance",
                      "sla_accept_days", "sla_review_days", "sla_pay_days", "daily_opens_at", "daily_closes_at")


@transaction.atomic
def programme_settings_update(*, actor, programme: Programme, **changes) -> Programme:
    """Review and payment settings of a programme (抽查比例、双人审核线、收款方、受理与办理时限).
    The spot-check seed is not among them: it is fixed so every past draw can be redone."""
    unknown = set(changes) - set(PROGRAMME_SETTINGS)
    if unknown:
        raise ServiceError("setting_unknown", f"无此设置项：{'、'.join(sorted(unknown))}", "unknown setting", field=sorted(unknown)[0])
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    before = {name: getattr(programme, name) for name in changes}
    for name, value in changes.items():
        setattr(programme, name, value)
    rate = Decimal(str(programme.sample_rate))
    if not Decimal("0") <= rate <= Decimal("1"):
        raise ServiceError("sample_rate", "抽查比例应在 0 到 1 之间（如 0.05 表示 5%）", "the sampling rate is a share from 0 to 1",
                           field="sample_rate")
    if programme.second_approval_above is not None and programme.second_approval_above < 0:
        raise ServiceError("second_approval_above", "双人审核金额线不能为负数", "the two-person threshold must not be negative",
                           field="second_approval_above")
    if not 0 < programme.sla_accept_days <= programme.sla_review_days <= programme.sla_pay_days:
        raise ServiceError("time_limits", "时限应满足：0 < 受理 ≤ 审核 ≤ 拨付（均自提交之日起算）",
                           "time limits must satisfy 0 < accept ≤ review ≤ pay (all counted from submission)",
                           field="sla_accept_days")
    if (programme.daily_opens_at is None) != (programme.daily_closes_at is None) or (
        programme.daily_opens_at and programme.daily_opens_at >= programme.daily_closes_at
    ):
        raise ServiceError("daily_hours", "每日受理时间应同时填写开始和结束，且开始早于结束", "daily hours need a start before an end",
                           field="daily_opens_at")
    if programme.payee_kind != before.get("payee_kind", programme.payee_kind) and programme.claims.exclude(
        status__in=[ClaimStatus.PAID, ClaimStatus.REJECTED, ClaimStatus.REVERSED]
    ).exists():
        raise Conflict("payee_kind_in_use", "尚有未拨付完毕的申请，不能更改收款方", "claims are still unpaid: the payee cannot change",
                       field="payee_kind")
    programme.save(update_fields=list(changes))
    audit_record(actor=actor, action="programme.settings", instance=programme, region=programme.region,
                 before=before, after={name: getattr(programme, name) for name in changes})
    return programme


@transaction.atomic
def rules_update(*, actor, programme: Programme, rules: dict, note: str = "") -> RuleSetVersion:
    """Edit rules by adding a version: claims already decided keep pointing at theirs."""
    current = programme.rule_versions.select_for_update().order_by("-version").first()
    version = RuleSetVersion.objects.create(
        programme=programme, version=(current.version if current else 0) + 1, rules=rules, note=note[:200],
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(actor=actor, action="rules.update", instance=version, region=programme.region,
                 before={"version": current.version if current else None}, after={"version": version.version, "note": note})
    return version


@transaction.atomic
def pool_create(*, actor, programme: Programme, name: str, allocated, category: str = "", source: str = "mixed") -> BudgetPool:
    amount = Decimal(str(allocated)).quantize(Decimal("0.01"))
    if amount < 0:
        raise ServiceError("pool_negative", "额度不能为负数", "allocation must not be negative", field="allocated")
    pool = BudgetPool.objects.create(programme=programme, name=name, allocated=amount, category=category, source=source)
    if amount > 0:
        from liangxin.subsidies.ledger import ledger_post
        from liangxin.subsidies.models import LedgerAccount

        ledger_post(actor_label=_label(actor), kind="pool.allocate", pool=pool, memo=f"下达额度 {amount} 元",
                    moves=[(LedgerAccount.FUNDING, LedgerAccount.AVAILABLE, amount)])
    audit_record(actor=actor, action="pool.create", instance=pool, region=programme.region, after=snapshot(pool))
    return pool


@transaction.atomic
def organisation_create(*, actor, region, name: str, credit_code: str, kind: str, bank_name: str = "",
                        bank_account: str = "") -> Organisation:
    """Register a retailer, dealer or recycler by its 统一社会信用代码 (checked with python-stdnum)."""
    from stdnum.cn import uscc

    code = (credit_code or "").strip().upper()
    if not uscc.is_valid(code):
        raise ServiceError("credit_code_invalid", "统一社会信用代码无效（位数或校验位不正确）", "invalid unified social credit code", field="credit_code")
    if kind not in Organisation.Kind.values:
        raise ServiceError("organisation_kind", f"类型“{kind}”无效", "invalid kind", field="kind")
    if Organisation.objects.filter(region=region, credit_code=code).exists():
        raise Conflict("credit_code_taken", "该统一社会信用代码已登记", "already registered", field="credit_code")
    account = bank_account_clean(bank_account) if (bank_account or "").strip() else ""
    organisation = Organisation.objects.create(region=region, name=name.strip(), credit_code=code, kind=kind,
                                               bank_name=(bank_name or "").strip(), bank_account=account)
    audit_record(actor=actor, action="organisation.create", instance=organisation, region=region,
                 after={**snapshot(organisation, ["name", "credit_code", "kind", "region", "bank_name"]),
                        "bank_account": bank_account_mask(account) if account else ""})
    return organisation


@transaction.atomic
def organisation_account_set(*, actor, organisation: Organisation, bank_name: str, bank_account: str, reason: str) -> Organisation:
    """Change where a seller is paid (结算账户). A changed account is a classic fraud path, so a
    reason is required and the change is audited (masked); batches already made keep theirs."""
    if not (reason or "").strip():
        raise ServiceError("reason_required", "请写明变更原因", "a reason is required", field="reason")
    if not (bank_name or "").strip():
        raise ServiceError("bank_name_missing", "请填写开户行", "the bank is required", field="bank_name")
    account = bank_account_clean(bank_account)
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    before = {"bank_name": organisation.bank_name,
              "bank_account": bank_account_mask(organisation.bank_account) if organisation.bank_account else ""}
    organisation.bank_name, organisation.bank_account = bank_name.strip()[:100], account
    organisation.save(update_fields=["bank_name", "bank_account"])
    audit_record(actor=actor, action="organisation.account", instance=organisation, region=organisation.region, before=before,
                 after={"bank_name": organisation.bank_name, "bank_account": bank_account_mask(account), "reason": reason.strip()})
    return organisation


@transaction.atomic
def organisation_token_issue(*, actor, organisation: Organisation) -> str:
    """A new API token for a retailer/dealer/recycler; only its hash is kept, shown once."""
    key = "org_" + secrets.token_urlsafe(32)
    organisation.token_hash = hashlib.sha256(key.encode()).hexdigest()
    organisation.token_prefix = key[:12]
    organisation.save(update_fields=["token_hash", "token_prefix"])
    audit_record(actor=actor, action="organisation.token_issue", instance=organisation, region=organisation.region,
                 after={"token_prefix": organisation.token_prefix})
    return key


def organisation_authenticate(key: str) -> Organisation | None:
    if not key or not key.startswith("org_"):
        return None
    return Organisation.objects.filter(token_hash=hashlib.sha256(key.encode()).hexdigest(), is_active=True).first()


def _label(actor) -> str:
    return actor.get_username() if getattr(actor, "is_authenticated", False) else str(actor or "system")


def _claim_number(programme: Programme) -> str:
    return f"{programme.region.code}{timezone.localdate():%y%m%d}{secrets.randbelow(10**8):08d}"


def _payload_hash(payload: dict) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def _masked_facts(payload: dict, id_number: str, phone: str) -> dict:
    facts = json.loads(json.dumps(payload, default=str))
    facts.setdefault("claimant", {})
    facts["claimant"]["id_card"] = id_card_mask(id_number)
    facts["claimant"]["phone"] = phone_mask(phone)
    return facts


def _payee_clean(programme: Programme, payload: dict, claimant_name: str) -> dict:
    """Programmes that pay claimants need the claimant's own account with the claim; the
    account holder must be the claimant, since the subsidy is theirs (cars: 本人账户)."""
    payee = payload.get("payee")
    if programme.payee_kind != PayeeKind.CLAIMANT:
        # The seller is paid: a claimant account sent anyway is not kept (nor hashed into the key).
        return {k: v for k, v in payload.items() if k != "payee"}
    if not isinstance(payee, dict) or not payee.get("account"):
        raise ServiceError("payee_missing", "本活动补贴拨付至申请人账户，请填写收款银行账号",
                           "this programme pays claimants: the payee bank account is required", field="payee.account")
    account = bank_account_clean(payee.get("account"), field="payee.account", personal_card=True)
    holder = (payee.get("name") or claimant_name).strip()
    if holder != claimant_name:
        raise ServiceError("payee_not_claimant", "收款账户户名须与申请人姓名一致", "the account holder must be the claimant",
                           field="payee.name")
    bank = (payee.get("bank") or "").strip()[:100]
    return {**payload, "payee": {"name": holder, "account": account, "bank": bank, "account_masked": bank_account_mask(account)}}


def _reject(reasons: list[dict], code: str, message: str, message_en: str) -> None:
    reasons.append({"code": code, "message": message, "message_en": message_en})


@transaction.atomic
def claim_submit(*, actor, programme: Programme, payload: dict, organisation: Organisation | None = None,
                 idempotency_key: str | None = None, decide, usage_for=None) -> tuple[Claim, bool]:
    """Decide and record one claim. Returns (claim, created). `decide(rules, payload, usage)`
    returns a dict with eligible, amount, category, limit, identifiers and the trace."""
    claimant = payload.get("claimant") or {}
    id_number = id_card_clean(claimant.get("id_card", ""), field="claimant.id_card")
    phone = phone_clean(claimant.get("phone", ""), field="claimant.phone")
    name = (claimant.get("name") or "").strip()
    if not name:
        raise ServiceError("claimant_name_missing", "请填写申请人姓名", "claimant name is required", field="claimant.name")
    payload = _payee_clean(programme, payload, name)
    digest = _payload_hash(payload)
    if idempotency_key:
        existing = Claim.objects.filter(organisation=organisation, idempotency_key=idempotency_key).first()
        if existing is not None:
            if existing.payload_hash != digest:
                raise Conflict("idempotency_key_reused", "该 Idempotency-Key 已用于另一笔内容不同的申请",
                               "this Idempotency-Key was used for a different claim", field="Idempotency-Key")
            return existing, False
    person = identifier_hash("id_card", id_number)
    version = programme.rule_versions.order_by("-version").first()
    usage = usage_for(programme, person, payload) if usage_for else {}
    decision = decide(version.rules, payload, usage)
    reasons = [
        {"code": c["code"], "message": c["message"], "message_en": c.get("message_en", c["code"])}
        for c in decision["checks"] if not c["passed"]
    ]
    now = timezone.localtime()
    today = now.date()
    if not programme.is_open or not programme.starts_on <= today <= programme.ends_on:
        _reject(reasons, "window_closed", "不在活动受理期内", "outside the programme window")
    elif programme.daily_opens_at and not programme.daily_opens_at <= now.time() < programme.daily_closes_at:
        _reject(reasons, "outside_claim_hours",
                f"不在每日受理时间内（{programme.daily_opens_at:%H:%M}–{programme.daily_closes_at:%H:%M}）",
                "outside the daily claim hours")
    claim = Claim(
        programme=programme, number=_claim_number(programme), organisation=organisation, idempotency_key=idempotency_key,
        payload_hash=digest, claimant_name=name, claimant_hash=person, claimant_masked=id_card_mask(id_number),
        phone_hash=identifier_hash("phone", phone), phone_masked=phone_mask(phone), category=decision["category"],
        price=Decimal(str(decision.get("price", 0))), amount=Decimal("0"), rule_version=version,
        facts=_masked_facts(payload, id_number, phone), decision=decision["trace"],
        status=ClaimStatus.REJECTED,
    )
    try:
        with transaction.atomic():
            claim.save()
    except IntegrityError:
        # Two retries with one Idempotency-Key raced: the other one won; answer with its claim.
        existing = Claim.objects.get(organisation=organisation, idempotency_key=idempotency_key)
        return existing, False
    # Identifiers, slot and money are taken together or not at all: a claim refused for its
    # budget must not keep the serial number it briefly held.
    savepoint = transaction.savepoint_create()
    if not reasons:
        _take_identifiers(claim, decision, reasons)
    if not reasons:
        _take_slot(claim, person, decision, today, reasons)
    if not reasons:
        _take_person_totals(claim, person, version.rules, decision, reasons)
    if not reasons:
        _reserve(claim, Decimal(str(decision["amount"])), reasons)
    if reasons:
        transaction.savepoint_rollback(savepoint)
        claim.amount, claim.pool = Decimal("0"), None
    else:
        transaction.savepoint_commit(savepoint)
    claim.reasons = reasons
    if reasons:
        claim.status = ClaimStatus.REJECTED
    elif programme.manual_acceptance:
        claim.status = ClaimStatus.SUBMITTED  # the money is held while staff check the documents (受理)
    else:
        claim.status, claim.accepted_at = ClaimStatus.ACCEPTED, timezone.now()
    claim.save(update_fields=["reasons", "status", "amount", "pool", "accepted_at"])
    audit_record(actor=actor if actor else (organisation.name if organisation else "api"), action="claim.submit",
                 instance=claim, region=programme.region,
                 after={"number": claim.number, "status": claim.status, "amount": claim.amount, "reasons": [r["code"] for r in reasons]})
    return claim, True


def _take_identifiers(claim: Claim, decision: dict, reasons: list[dict]) -> None:
    labels = {IdentifierKind.SERIAL: "新品序列号", IdentifierKind.INVOICE: "发票", IdentifierKind.OLD_ITEM: "旧品"}
    for kind, value in decision.get("identifiers", []):
        value = "".join(str(value).split()).upper()
        if not value:
            continue
        try:
            with transaction.atomic():
                ClaimIdentifier.objects.create(region=claim.programme.region, kind=kind,
                                               value_hash=identifier_hash(kind, value), claim=claim)
        except IntegrityError:
            _reject(reasons, f"duplicate_{kind}", f"该{labels.get(kind, kind)}已申领过补贴", f"this {kind} has already been subsidised")
            return


def _take_slot(claim: Claim, person: str, decision: dict, today: dt.date, reasons: list[dict]) -> None:
    limit = decision.get("limit")
    if not limit:
        return
    period = today.year if decision.get("limit_resets_yearly", True) else 0
    for slot in range(1, int(limit) + 1):
        try:
            with transaction.atomic():
                ClaimSlot.objects.create(programme=claim.programme, person_hash=person, category=claim.category,
                                         period=period, slot=slot, claim=claim)
            return
        except IntegrityError:
            continue
    _reject(reasons, "per_person_category_limit", f"该申请人本品类已达 {limit} 件上限", f"per-person limit of {limit} reached")


def person_total_caps(rules: dict, category: str) -> list[tuple[str, Decimal]]:
    """(scope, cap) of the per-person totals that apply: the programme's and the category's."""
    caps = []
    if rules.get("per_person_total"):
        caps.append(("programme", Decimal(str(rules["per_person_total"]))))
    for item in rules.get("categories") or []:
        if isinstance(item, dict) and item.get("code") == category and item.get("per_person_total"):
            caps.append((category, Decimal(str(item["per_person_total"]))))
    return caps


def _take_person_totals(claim: Claim, person: str, rules: dict, decision: dict, reasons: list[dict]) -> None:
    from liangxin.subsidies.models import PersonTotal

    amount = Decimal(str(decision["amount"]))
    period = str((decision.get("trace") or {}).get("limit_period") or timezone.localdate().year)
    for scope, cap in person_total_caps(rules, claim.category):
        PersonTotal.objects.get_or_create(programme=claim.programme, person_hash=person, scope=scope, period=period,
                                          defaults={"cap": cap})
        # Conditional update under the row lock: the loser of a race sees 0 rows, not an overdraft.
        updated = PersonTotal.objects.filter(
            programme=claim.programme, person_hash=person, scope=scope, period=period, amount__lte=F("cap") - amount
        ).update(amount=F("amount") + amount)
        if not updated:
            label = "本活动" if scope == "programme" else f"“{scope}”"
            _reject(reasons, "per_person_total", f"申请人{label}累计补贴将超过 {cap} 元上限", "per-person total would be exceeded")
            return


def person_totals_release(claim: Claim) -> None:
    """A claim refused on review gives back what it counted against the person's totals."""
    from liangxin.subsidies.models import PersonTotal

    period = str((claim.decision or {}).get("limit_period") or timezone.localtime(claim.created_at).year)
    for scope, _cap in person_total_caps(claim.rule_version.rules, claim.category):
        PersonTotal.objects.filter(programme=claim.programme, person_hash=claim.claimant_hash, scope=scope, period=period).update(
            amount=F("amount") - claim.amount
        )


def _reserve(claim: Claim, amount: Decimal, reasons: list[dict]) -> None:
    if amount <= 0:
        _reject(reasons, "no_amount", "按规则计算的补贴金额为 0 元", "the rules give no subsidy for this item")
        return
    pools = BudgetPool.objects.filter(programme=claim.programme).order_by("category" if claim.category else "id")
    candidates = [p for p in pools if p.category in ("", claim.category)]
    candidates.sort(key=lambda p: p.category == "")  # a category's own pool before the general one
    for pool in candidates:
        # Conditional update: the row lock makes concurrent reservations queue; the WHERE makes the loser see 0 rows.
        updated = BudgetPool.objects.filter(pk=pool.pk, allocated__gte=F("reserved") + F("paid") + amount).update(
            reserved=F("reserved") + amount
        )
        if updated:
            from liangxin.subsidies.ledger import ledger_post
            from liangxin.subsidies.models import LedgerAccount

            claim.amount, claim.pool = amount, pool
            ledger_post(actor_label="claim_submit", kind="claim.reserve", pool=pool, claim=claim,
                        memo=f"申请 {claim.number} 预占补贴 {amount} 元",
                        moves=[(LedgerAccount.AVAILABLE, LedgerAccount.RESERVED, amount)])
            return
    _reject(reasons, "budget_exhausted", "本期补贴资金已用完", "the budget is exhausted")


def claim_recompute(claim: Claim) -> dict:
    """Re-run the decision of a stored claim with the rule version that decided it, and say
    whether the result is the same. Reads only: a changed result is for a reviewer to act on."""
    from liangxin.subsidies.decision import decide

    inputs = claim.decision.get("inputs") or {}
    usage = inputs.get("usage") or {}
    payload = {k: v for k, v in claim.facts.items() if k != "claimant"}
    payload["claim_date"] = (inputs.get("claim") or {}).get("claim_date") or str(timezone.localtime(claim.created_at).date())
    again = decide(claim.rule_version.rules, payload, usage)
    stored_amount = Decimal(str(claim.decision.get("amount", claim.amount)))
    return {
        "claim": claim.number,
        "rule_version": claim.rule_version.version,
        "stored_amount": stored_amount,
        "recomputed_amount": Decimal(str(again["amount"])),
        "stored_eligible": claim.decision.get("eligible"),
        "recomputed_eligible": again["eligible"],
        "same": Decimal(str(again["amount"])) == stored_amount and again["eligible"] == claim.decision.get("eligible"),
        "trace": again["trace"],
    }
