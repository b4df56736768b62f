"""Trade-in subsidy programmes (以旧换新补贴): programmes with versioned rule sets and budget
pools, claims, and the rows whose uniqueness makes double payment impossible."""

import secrets
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


def _new_seed() -> str:
    return secrets.token_hex(16)


class PayeeKind(models.TextChoices):
    SELLER = "seller", _("销售企业（已在售价中直接减免）")
    CLAIMANT = "claimant", _("申请人本人账户")


class Programme(models.Model):
    """A subsidy programme of a region and year (e.g. 2025年金乡县家电以旧换新)."""

    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="programmes")
    year = models.PositiveSmallIntegerField(_("年度"))
    name = models.CharField(_("名称"), max_length=100)
    template = models.CharField(_("所用模板"), max_length=60, blank=True)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    # Some programmes take claims only in set hours (e.g. vouchers released at 10:00 each day).
    daily_opens_at = models.TimeField(_("每日受理开始"), null=True, blank=True)
    daily_closes_at = models.TimeField(_("每日受理结束"), null=True, blank=True)
    # Share of each yuan by funding source, in percent: {"central": 90, "provincial": 5, "county": 5}.
    funding_shares = models.JSONField(_("资金分担比例"), default=dict)
    is_open = models.BooleanField(_("受理中"), default=True)
    # Review (审核): share of clean claims drawn for a spot check (抽查), drawn from this seed so
    # anyone can redo the draw; above `second_approval_above` yuan a second person must approve.
    sample_rate = models.DecimalField(_("抽查比例"), max_digits=4, decimal_places=3, default=Decimal("0.05"))
    sample_seed = models.CharField(_("抽查种子"), max_length=32, default=_new_seed)
    second_approval_above = models.DecimalField(_("需双人审核的金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True)
    # Who is paid (收款方): the seller that already gave the discount at the till (appliances,
    # digital), or the claimant's own account (cars), which each claim must then carry.
    payee_kind = models.CharField(_("收款方"), max_length=10, choices=PayeeKind.choices, default=PayeeKind.SELLER)
    # Claims a consumer files with documents (cars) wait for staff to accept them (受理); claims a
    # seller files at the till are accepted on arrival.
    manual_acceptance = models.BooleanField(_("需人工受理"), default=False)
    # Time limits (办理时限), in calendar days counted from the claim's submission, as the 2026 car
    # rules state them: accepted within 3, decided within 15, paid within 30.
    sla_accept_days = models.PositiveSmallIntegerField(_("受理时限（天）"), default=3)
    sla_review_days = models.PositiveSmallIntegerField(_("审核时限（天）"), default=15)
    sla_pay_days = models.PositiveSmallIntegerField(_("拨付时限（天）"), default=30)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("补贴活动")
        ordering = ["region", "-year", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year", "name"], name="programme_name_unique_in_region_year"),
            models.CheckConstraint(condition=Q(starts_on__lte=F("ends_on")), name="programme_window_ordered"),
            models.CheckConstraint(condition=Q(sample_rate__gte=0, sample_rate__lte=1), name="programme_sample_rate_is_a_share"),
            models.CheckConstraint(
                condition=Q(sla_accept_days__lte=F("sla_review_days"), sla_review_days__lte=F("sla_pay_days")),
                name="programme_time_limits_ordered",
            ),
            models.CheckConstraint(
                condition=Q(daily_opens_at__isnull=True, daily_closes_at__isnull=True)
                | Q(daily_opens_at__lt=F("daily_closes_at")),
                name="programme_daily_hours_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RuleSetVersion(models.Model):
    """One version of a programme's rules. Editing rules adds a version; claims keep the one
    that decided them."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="rule_versions")
    version = models.PositiveIntegerField(_("版本"))
    rules = models.JSONField(_("规则"))
    note = models.CharField(_("修改说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("规则版本")
        ordering = ["programme", "-version"]
        constraints = [models.UniqueConstraint(fields=["programme", "version"], name="rule_version_unique")]

    def __str__(self) -> str:
        return f"{self.programme} v{self.version}"


class FundingSource(models.TextChoices):
    CENTRAL = "central", _("中央")
    PROVINCIAL = "provincial", _("省级")
    CITY = "city", _("市级")
    COUNTY = "county", _("县级")
    MIXED = "mixed", _("按比例分担")


class BudgetPool(models.Model):
    """Money a programme may commit (资金池). Reserved + paid never exceeds allocated: the
    database refuses it, so no race between two claims can overspend."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="pools")
    name = models.CharField(_("名称"), max_length=100)
    category = models.CharField(_("限定品类"), max_length=40, blank=True)
    source = models.CharField(_("资金来源"), max_length=12, choices=FundingSource.choices, default=FundingSource.MIXED)
    allocated = models.DecimalField(_("下达额度"), max_digits=14, decimal_places=2)
    reserved = models.DecimalField(_("已预占"), max_digits=14, decimal_places=2, default=0)
    paid = models.DecimalField(_("已拨付"), max_digits=14, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("资金池")
        constraints = [
            models.CheckConstraint(condition=Q(allocated__gte=0, reserved__gte=0, paid__gte=0), name="pool_amounts_not_negative"),
            models.CheckConstraint(condition=Q(allocated__gte=F("reserved") + F("paid")), name="pool_never_overspent"),
            models.UniqueConstraint(fields=["programme", "name"], name="pool_name_unique_in_programme"),
        ]

    def __str__(self) -> str:
        return f"{self.programme} · {self.name}"

    @property
    def available(self):
        return self.allocated - self.reserved - self.paid


class Organisation(models.Model):
    """A retailer, car dealer or recycler submitting claims through the API (经营主体)."""

    class Kind(models.TextChoices):
        RETAILER = "retailer", _("销售企业")
        DEALER = "dealer", _("汽车销售企业")
        RECYCLER = "recycler", _("回收企业")

    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="organisations")
    name = models.CharField(_("名称"), max_length=100)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    # Where subsidies already given at the till are repaid to the seller.
    bank_name = models.CharField(_("开户行"), max_length=100, blank=True)
    bank_account = models.CharField(_("结算账号"), max_length=40, blank=True)
    # NULL until a token is issued, so organisations without one do not collide on "".
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)  # noqa: DJ001
    token_prefix = models.CharField(max_length=12, blank=True, editable=False)
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("经营主体")
        constraints = [models.UniqueConstraint(fields=["region", "credit_code"], name="organisation_credit_code_unique")]

    def __str__(self) -> str:
        return self.name


class ClaimStatus(models.TextChoices):
    SUBMITTED = "submitted", _("已提交，待受理")
    ACCEPTED = "accepted", _("已受理，额度已预占")
    IN_REVIEW = "in_review", _("待人工审核")
    NEEDS_DOCUMENTS = "needs_documents", pgettext_lazy("claim status", "退回补充材料")
    APPROVED = "approved", _("已核定")
    IN_PAYMENT = "in_payment", _("拨付中")
    PAID = "paid", _("已拨付")
    REVERSED = "reversed", _("已退货冲回")
    REJECTED = "rejected", _("不予补贴")


class Claim(models.Model):
    """One subsidy claim (补贴申请) with the decision that was made on it."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="claims")
    number = models.CharField(_("申请编号"), max_length=24, unique=True)
    status = models.CharField(_("状态"), max_length=16, choices=ClaimStatus.choices)
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="claims")
    # NULL, not "", for claims without a key: the unique constraint below must ignore them.
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)  # noqa: DJ001
    payload_hash = models.CharField(max_length=64)
    claimant_name = models.CharField(_("申请人"), max_length=50)
    claimant_hash = models.CharField(max_length=64, db_index=True)
    claimant_masked = models.CharField(_("身份证号"), max_length=18)
    phone_hash = models.CharField(max_length=64)
    phone_masked = models.CharField(_("手机号"), max_length=11)
    category = models.CharField(_("品类"), max_length=40)
    price = models.DecimalField(_("成交价（元）"), max_digits=12, decimal_places=2)
    amount = models.DecimalField(_("补贴金额（元）"), max_digits=12, decimal_places=2, default=0)
    pool = models.ForeignKey(BudgetPool, null=True, blank=True, on_delete=models.PROTECT, related_name="claims")
    rule_version = models.ForeignKey(RuleSetVersion, on_delete=models.PROTECT, related_name="claims")
    facts = models.JSONField(_("申请内容"))  # identifiers masked; used by recompute
    decision = models.JSONField(_("计算过程"))
    reasons = models.JSONField(_("不予补贴原因"), default=list)
    sampled = models.BooleanField(_("抽查"), default=False)
    sample_draw = models.DecimalField(_("抽查随机数"), max_digits=10, decimal_places=9, null=True, blank=True)
    flagged = models.BooleanField(_("风险标记"), default=False)
    first_approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The time limits are measured on these: submitted (created_at) → accepted → decided → paid.
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    paid_at = models.DateTimeField(_("拨付时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("补贴申请")
        ordering = ["-created_at"]
        constraints = [
            # A retried submission with the same Idempotency-Key finds this row instead of making a second.
            models.UniqueConstraint(fields=["organisation", "idempotency_key"], condition=Q(idempotency_key__isnull=False), name="claim_idempotency_key_unique"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="claim_amount_not_negative"),
        ]
        indexes = [
            # A person's claims in a programme (usage at intake): SQLite otherwise scans the programme.
            models.Index(fields=["programme", "claimant_hash"], name="claim_person_in_programme"),
        ]

    def __str__(self) -> str:
        return self.number


class ClaimSlot(models.Model):
    """One use of a per-person limit: a limit of N per category and year is N possible slot
    numbers, and the unique constraint lets only one claim hold each."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="+")
    person_hash = models.CharField(max_length=64)
    category = models.CharField(max_length=40)
    period = models.PositiveSmallIntegerField()
    slot = models.PositiveSmallIntegerField()
    claim = models.OneToOneField(Claim, on_delete=models.PROTECT, related_name="slot")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["programme", "person_hash", "category", "period", "slot"], name="claim_slot_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.category} {self.period} 第{self.slot}件 · {self.claim}"


class IdentifierKind(models.TextChoices):
    SERIAL = "serial", _("新品序列号/IMEI/VIN")
    INVOICE = "invoice", _("发票代码+号码")
    OLD_ITEM = "old_item", _("旧品编号/回收证明")


class ClaimIdentifier(models.Model):
    """An identifier that may be subsidised once across all programmes of a region."""

    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=IdentifierKind.choices)
    value_hash = models.CharField(max_length=64)
    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="identifiers")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["region", "kind", "value_hash"], name="claim_identifier_once_per_region"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.claim}"


class LedgerAccount(models.TextChoices):
    """Accounts of the fund ledger (资金台账). Funding accounts hold what each level of
    government committed; a pool's money moves available → reserved → committed → paid."""

    FUNDING = "funding", _("资金来源")
    AVAILABLE = "available", _("可用额度")
    RESERVED = "reserved", _("已预占")
    COMMITTED = "committed", _("已核定待拨付")
    PAID = "paid", _("已拨付")
    CLAWBACK = "clawback", _("应追回")


class LedgerTransaction(models.Model):
    """One movement of money, made of entries that sum to zero (double entry). Append-only."""

    created_at = models.DateTimeField(auto_now_add=True)
    kind = models.CharField(_("业务"), max_length=30)
    pool = models.ForeignKey(BudgetPool, on_delete=models.PROTECT, related_name="ledger_transactions")
    claim = models.ForeignKey(Claim, null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_transactions")
    memo = models.CharField(_("摘要"), max_length=200)
    actor_label = models.CharField(max_length=150)
    # HMAC of the transaction and its entries: `ledger verify` detects any edited field, not
    # only edits that unbalance the books.
    seal = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("资金台账凭证")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"#{self.id} {self.kind} {self.memo}"


class LedgerEntry(models.Model):
    transaction = models.ForeignKey(LedgerTransaction, on_delete=models.PROTECT, related_name="entries")
    pool = models.ForeignKey(BudgetPool, on_delete=models.PROTECT, related_name="ledger_entries")
    account = models.CharField(_("科目"), max_length=12, choices=LedgerAccount.choices)
    source = models.CharField(_("资金来源"), max_length=12, choices=FundingSource.choices)
    amount = models.DecimalField(_("金额（借正贷负）"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("资金台账分录")
        indexes = [
            # Balances: the sum of one pool's account.
            models.Index(fields=["pool", "account"], name="ledger_entry_balance"),
        ]

    def __str__(self) -> str:
        return f"{self.get_account_display()} {self.amount}"


class ClaimReview(models.Model):
    """One review step on a claim, with its reason (审核记录). Append-only history."""

    class Action(models.TextChoices):
        ACCEPT = "accept", pgettext_lazy("review action", "受理")
        AUTO_APPROVE = "auto_approve", pgettext_lazy("review action", "自动核定")
        QUEUE = "queue", pgettext_lazy("review action", "转人工审核")
        FIRST_APPROVE = "first_approve", pgettext_lazy("review action", "初审通过")
        APPROVE = "approve", pgettext_lazy("review action", "审核通过")
        REJECT = "reject", pgettext_lazy("review action", "驳回")
        REQUEST_DOCUMENTS = "request_documents", pgettext_lazy("review action", "退回补充材料")

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="reviews")
    action = models.CharField(max_length=20, choices=Action.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor_label = models.CharField(max_length=150)
    reason = models.CharField(_("理由"), max_length=300)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("审核记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.claim} {self.get_action_display()}"


class PaymentBatch(models.Model):
    """Approved claims grouped for one payment file to the bank (拨付批次)."""

    class Status(models.TextChoices):
        EXPORTED = "exported", _("已生成付款文件")
        CLOSED = "closed", _("已回盘")

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="batches")
    number = models.CharField(_("批次号"), max_length=24, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.EXPORTED)
    total = models.DecimalField(_("合计金额"), max_digits=14, decimal_places=2)
    item_count = models.PositiveIntegerField(_("申请笔数"))
    transfer_count = models.PositiveIntegerField(_("付款笔数"), default=0)
    checksum = models.CharField(_("校验码"), max_length=64)
    created_by_label = models.CharField(max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("拨付批次")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.number


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("待回盘")
    PAID = "paid", _("成功")
    FAILED = "failed", _("失败")


class PaymentTransfer(models.Model):
    """One transfer in a payment file (付款笔): every claim of the batch owed to the same payee
    account is paid in a single transfer, and the bank answers per transfer. (Batches made before
    transfers existed keep one transfer per claim line, as the bank answered them, so the payee
    is not unique per batch in the database.)"""

    Status = PaymentStatus

    batch = models.ForeignKey(PaymentBatch, on_delete=models.PROTECT, related_name="transfers")
    line = models.PositiveIntegerField(_("明细号"))
    payee_name = models.CharField(_("收款人"), max_length=100)
    payee_account = models.CharField(_("收款账号"), max_length=40)
    payee_bank = models.CharField(_("开户行"), max_length=100, blank=True)
    amount = models.DecimalField(_("金额"), max_digits=14, decimal_places=2)
    claim_count = models.PositiveIntegerField(_("申请笔数"))
    status = models.CharField(max_length=8, choices=PaymentStatus.choices, default=PaymentStatus.PENDING)
    failure_reason = models.CharField(_("失败原因"), max_length=200, blank=True)
    bank_reference = models.CharField(_("银行流水号"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("付款笔")
        ordering = ["batch", "line"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "line"], name="payment_transfer_line_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0, claim_count__gt=0), name="payment_transfer_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.batch} #{self.line}"


class PaymentItem(models.Model):
    """One claim inside a transfer (拨付明细); it shares the transfer's outcome."""

    Status = PaymentStatus

    batch = models.ForeignKey(PaymentBatch, on_delete=models.PROTECT, related_name="items")
    transfer = models.ForeignKey(PaymentTransfer, on_delete=models.PROTECT, related_name="items")
    line = models.PositiveIntegerField(_("申请序号"))
    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="payments")
    payee_name = models.CharField(_("收款人"), max_length=100)
    payee_account = models.CharField(_("收款账号"), max_length=40)
    payee_bank = models.CharField(_("开户行"), max_length=100, blank=True)
    amount = models.DecimalField(_("金额"), max_digits=12, decimal_places=2)
    status = models.CharField(max_length=8, choices=PaymentStatus.choices, default=PaymentStatus.PENDING)
    failure_reason = models.CharField(_("失败原因"), max_length=200, blank=True)
    bank_reference = models.CharField(_("银行流水号"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("拨付明细")
        ordering = ["batch", "line"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "line"], name="payment_line_unique"),
            # A claim is paid once, whatever happens to retries.
            models.UniqueConstraint(fields=["claim"], condition=Q(status="paid"), name="payment_claim_paid_once"),
            models.UniqueConstraint(fields=["claim"], condition=Q(status="pending"), name="payment_claim_pending_once"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.batch} #{self.line}"


class Clawback(models.Model):
    """Money to recover (追回): a subsidy paid for an item that was returned, or found to be
    obtained by cheating. Closing it puts the money back into the pool."""

    class Status(models.TextChoices):
        OPEN = "open", _("待追回")
        RECOVERED = "recovered", _("已追回")

    class Kind(models.TextChoices):
        RETURN = "return", _("拨付后退货")
        FRAUD = "fraud", _("违规骗补")

    claim = models.OneToOneField(Claim, on_delete=models.PROTECT, related_name="clawback")
    # The seller that was paid; empty when the claimant's own account was paid (the claimant owes it).
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="clawbacks")
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices, default=Kind.RETURN)
    amount = models.DecimalField(_("金额"), max_digits=12, decimal_places=2)
    reason = models.CharField(_("原因"), max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    recovered_at = models.DateTimeField(null=True, blank=True)
    recovery_reference = models.CharField(_("到账凭证号"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("追回单")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="clawback_amount_positive")]

    def __str__(self) -> str:
        return f"追回 {self.claim} {self.amount} 元"


class PersonTotal(models.Model):
    """What one person has been granted within a per-person total (每人累计上限), per programme or
    category and period. The CheckConstraint makes the database refuse any grant beyond the cap,
    so two concurrent claims by the same person cannot both squeeze under it."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="+")
    person_hash = models.CharField(max_length=64)
    scope = models.CharField(max_length=40)  # "programme" or a category code
    period = models.CharField(max_length=10)
    cap = models.DecimalField(max_digits=12, decimal_places=2)
    amount = models.DecimalField(max_digits=12, decimal_places=2, default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["programme", "person_hash", "scope", "period"], name="person_total_unique"),
            models.CheckConstraint(condition=Q(amount__gte=0) & Q(amount__lte=F("cap")), name="person_total_within_cap"),
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.period}: {self.amount}/{self.cap}"
