"""Tracking (进度跟踪): reporting schedules, periodic progress reports (进展报告) of lead
departments, supporting departments' contributions, evidence, and indicator values."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("按月")
    QUARTERLY = "quarterly", _("按季度")


class ReportingSchedule(models.Model):
    """How often a plan's lead departments report, and when it is due (报送周期)."""

    plan = models.OneToOneField("plans.Plan", on_delete=models.CASCADE, related_name="schedule")
    frequency = models.CharField(
        _("报送周期"), max_length=10, choices=Frequency.choices, default=Frequency.MONTHLY
    )
    due_day = models.PositiveSmallIntegerField(_("次月截止日"), default=10)
    first_period = models.DateField(_("首个报送期（月初）"))
    remind_before_days = models.PositiveSmallIntegerField(_("提前提醒天数"), default=3)
    escalate_after_days = models.PositiveSmallIntegerField(_("逾期上报专班天数"), default=5)

    class Meta:
        verbose_name = _("报送安排")
        constraints = [
            models.CheckConstraint(
                condition=Q(due_day__gte=1, due_day__lte=28), name="schedule_due_day_in_month"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} · {self.get_frequency_display()}，次月{self.due_day}日前报送"


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已报送")
    RETURNED = "returned", _("已退回")
    ACCEPTED = "accepted", _("已审核")


class Report(models.Model):
    """One lead department's progress report for one period (进展报告)."""

    plan = models.ForeignKey("plans.Plan", on_delete=models.CASCADE, related_name="reports")
    department = models.ForeignKey("regions.Department", on_delete=models.PROTECT, related_name="reports")
    period_start = models.DateField(_("报送期起"))
    period_end = models.DateField(_("报送期止"))
    due_on = models.DateField(_("截止日期"))
    status = models.CharField(_("状态"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    first_submitted_at = models.DateTimeField(_("首次报送时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    return_reason = models.TextField(_("退回理由"), blank=True)

    class Meta:
        verbose_name = _("进展报告")
        ordering = ["-period_start", "department__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "department", "period_start"], name="report_one_per_department_period"
            ),
            models.CheckConstraint(
                condition=Q(period_start__lte=models.F("period_end")), name="report_period_ordered"
            ),
        ]
        indexes = [
            # Chasing: open reports by due date.
            models.Index(fields=["status", "due_on"], name="report_open_by_due"),
        ]

    def __str__(self) -> str:
        return f"{self.department.name} {self.period_label}"

    @property
    def period_label(self) -> str:
        if self.period_start.month == self.period_end.month:
            return f"{self.period_start:%Y年}{self.period_start.month}月"
        return f"{self.period_start:%Y年}第{(self.period_start.month - 1) // 3 + 1}季度"

    @property
    def period_display(self) -> str:
        """`period_label` in the page's language; the label stays Chinese for notices and the 通报."""
        from liangxin.tracking.periods import period_display

        kind = PeriodKind.MONTH if self.period_start.month == self.period_end.month else PeriodKind.QUARTER
        return period_display(kind, self.period_start)

    @property
    def is_locked(self) -> bool:
        return self.status in (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)


class TaskStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("未启动")
    ON_TRACK = "on_track", _("按计划推进")
    LAGGING = "lagging", _("滞后")
    DONE = "done", _("已完成")


class TaskProgress(models.Model):
    """Progress on one led task within a report (进展情况 / 存在问题 / 下步打算)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="entries")
    task = models.ForeignKey("plans.Task", on_delete=models.CASCADE, related_name="progress_entries")
    status = models.CharField(
        _("状态"), max_length=12, choices=TaskStatus.choices, default=TaskStatus.NOT_STARTED
    )
    progress = models.TextField(_("进展情况"), blank=True)
    problems = models.TextField(_("存在问题"), blank=True)
    next_steps = models.TextField(_("下步打算"), blank=True)

    class Meta:
        verbose_name = _("任务进展")
        ordering = ["report", "task__section__no", "task__no"]
        constraints = [
            models.UniqueConstraint(fields=["report", "task"], name="task_progress_once_per_report")
        ]

    def __str__(self) -> str:
        return f"{self.report} · 任务（{self.task.no}）{self.get_status_display()}"


class Contribution(models.Model):
    """A supporting (责任) department's input to the lead's report on one task."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="contributions")
    task = models.ForeignKey("plans.Task", on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey("regions.Department", on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("配合情况"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("配合单位报送")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.department} 配合 {self.report}"


class Attachment(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="attachments")
    task = models.ForeignKey("plans.Task", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    file = models.FileField(upload_to="evidence/%Y/%m/")
    original_name = models.CharField(max_length=200)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("佐证材料")

    def __str__(self) -> str:
        return self.original_name


class PeriodKind(models.TextChoices):
    YEAR = "year", _("年")
    QUARTER = "quarter", _("季度")
    MONTH = "month", _("月")


class ValueSource(models.TextChoices):
    REPORTED = "reported", _("部门报送")
    IMPORTED = "imported", _("表格导入")
    COMPUTED = "computed", _("台账计算")


class IndicatorValue(models.Model):
    """The value of a catalogue indicator in a region for one period (cumulative level at the
    period's end, or the period's count for activity indicators). Values computed from the subsidy
    ledger (source 台账计算) are period counts; see `tracking.computed`."""

    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="indicator_values")
    indicator = models.ForeignKey("plans.Indicator", on_delete=models.PROTECT, related_name="values")
    period_kind = models.CharField(_("期别"), max_length=8, choices=PeriodKind.choices)
    period_start = models.DateField(_("期初"))
    value = models.DecimalField(_("数值"), max_digits=20, decimal_places=4)
    source = models.CharField(_("来源"), max_length=10, choices=ValueSource.choices)
    report = models.ForeignKey(
        Report, null=True, blank=True, on_delete=models.SET_NULL, related_name="indicator_values"
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("指标数值")
        ordering = ["indicator", "period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "indicator", "period_kind", "period_start"],
                name="indicator_value_once_per_period",
            ),
        ]
        indexes = [
            # Target status and trend charts: one indicator's series in one region.
            models.Index(fields=["region", "indicator", "period_start"], name="indicator_value_series"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.period_start:%Y-%m} = {self.value}"


class ComputedMeasure(models.TextChoices):
    """What the subsidy ledger counts for an indicator (计算口径). See `tracking.computed` for the
    statuses and the date each claim counts on."""

    GRANTED_COUNT = "granted_count", _("已核定补贴件数")
    GRANTED_AMOUNT = "granted_amount", _("已核定补贴金额")
    PAID_AMOUNT = "paid_amount", _("已拨付补贴金额")
    SALES = "sales", _("带动销售额（成交价合计）")


class ComputedIndicatorSource(models.Model):
    """Where a region's indicator is computed from the subsidy ledger instead of being typed in
    (台账计算来源): which programmes (none chosen = every programme of the region and the regions
    below it), which claim categories (none = all) and what is counted."""

    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="computed_indicator_sources"
    )
    indicator = models.ForeignKey(
        "plans.Indicator", on_delete=models.PROTECT, related_name="computed_sources"
    )
    programmes = models.ManyToManyField(
        "subsidies.Programme", verbose_name=_("补贴活动"), blank=True, related_name="+"
    )
    categories = models.JSONField(_("品类"), default=list, blank=True)
    measure = models.CharField(_("计算口径"), max_length=16, choices=ComputedMeasure.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("台账计算来源")
        ordering = ["region", "indicator__name"]
        constraints = [
            # Two sources for one cell would make the computed value depend on which ran last.
            models.UniqueConstraint(
                fields=["region", "indicator"], name="computed_source_once_per_indicator"
            ),
            models.CheckConstraint(
                condition=Q(measure__in=ComputedMeasure.values), name="computed_source_measure_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region} · {self.indicator} ← {self.get_measure_display()}"


class SupersededIndicatorValue(models.Model):
    """A value a department reported or imported for a period that the ledger computation then
    replaced (computed wins: the ledger is the truth). Kept so the values page can show what was
    reported next to what was computed; the audit log holds the same before-image."""

    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    indicator = models.ForeignKey("plans.Indicator", on_delete=models.PROTECT, related_name="+")
    period_kind = models.CharField(_("期别"), max_length=8, choices=PeriodKind.choices)
    period_start = models.DateField(_("期初"))
    value = models.DecimalField(_("原数值"), max_digits=20, decimal_places=4)
    source = models.CharField(_("原来源"), max_length=10, choices=ValueSource.choices)
    note = models.CharField(_("原说明"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("原填报时间"))
    superseded_at = models.DateTimeField(_("取代时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("被台账计算取代的数值")
        ordering = ["-superseded_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(source="computed"), name="superseded_value_was_not_computed"),
        ]
        indexes = [
            # The values page: a region's replaced values, newest first.
            models.Index(fields=["region", "superseded_at"], name="superseded_value_by_region"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.period_start:%Y-%m} {self.value}（{self.get_source_display()}，已由台账计算取代）"
