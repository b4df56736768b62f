"""Chasing and supervision (督办): in-app inbox, reminders (催报) and supervision notices (督办单)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class NotificationKind(models.TextChoices):
    REMINDER = "reminder", _("催报提醒")
    ESCALATION = "escalation", _("逾期上报")
    NOTICE = "notice", _("督办")


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)

    def unread_count(self) -> int:
        # Reachable from templates as `user.notifications.unread_count`: related managers
        # inherit this method, so the navbar badge is one COUNT query with no template tag.
        return self.filter(read_at__isnull=True).count()


class Notification(models.Model):
    """One message in a user's inbox (站内消息)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    region = models.ForeignKey("regions.Region", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("类型"), max_length=12, choices=NotificationKind.choices)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("站内消息")
        ordering = ["-created_at", "-id"]
        indexes = [
            # Navbar badge and inbox page: one user's unread messages, newest first.
            models.Index(fields=["user", "read_at", "-created_at"], name="notification_inbox"),
        ]

    def __str__(self) -> str:
        return self.title


class WebhookKind(models.TextChoices):
    DINGTALK = "dingtalk", _("钉钉群机器人")
    WECOM = "wecom", _("企业微信群机器人")


class RegionWebhook(models.Model):
    """A group-chat robot (群机器人) that receives a region's reminders."""

    region = models.ForeignKey("regions.Region", on_delete=models.CASCADE, related_name="webhooks")
    kind = models.CharField(_("类型"), max_length=10, choices=WebhookKind.choices)
    name = models.CharField(_("名称"), max_length=100, blank=True)
    url = models.URLField(_("Webhook 地址"), max_length=500)
    enabled = models.BooleanField(_("启用"), default=True)
    # DingTalk only: "@所有人" in the group; WeCom robots ignore it.
    at_all = models.BooleanField(_("@所有人"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("群机器人")
        ordering = ["region", "id"]

    def __str__(self) -> str:
        return self.name or self.get_kind_display()


class ReminderStage(models.TextChoices):
    BEFORE = "before", _("截止前提醒")
    DUE = "due", _("截止日提醒")
    OVERDUE = "overdue", _("逾期催报")
    ESCALATE = "escalate", _("逾期上报专班")


class ReminderLog(models.Model):
    """A reminder that was sent. The unique (report, stage, day) row is claimed before anything
    is sent, so a second run on the same day, or two runs at once, send nothing twice."""

    report = models.ForeignKey("tracking.Report", on_delete=models.CASCADE, related_name="reminders")
    stage = models.CharField(_("阶段"), max_length=10, choices=ReminderStage.choices)
    day = models.DateField(_("提醒日"))
    recipients = models.PositiveSmallIntegerField(_("收件人数"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("催报记录")
        ordering = ["-day", "report_id", "stage"]
        constraints = [
            models.UniqueConstraint(fields=["report", "stage", "day"], name="reminder_once_per_report_stage_day"),
        ]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} {self.day:%Y-%m-%d}"


class DeliveryChannel(models.TextChoices):
    EMAIL = "email", _("邮件")
    WEBHOOK = "webhook", _("群机器人")


class Delivery(models.Model):
    """One attempt to push a message outside the app (mail, robot): failures are kept here
    instead of stopping the run."""

    channel = models.CharField(_("渠道"), max_length=10, choices=DeliveryChannel.choices)
    reminder = models.ForeignKey(ReminderLog, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries")
    webhook = models.ForeignKey(RegionWebhook, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries")
    recipient = models.CharField(_("接收方"), max_length=300)
    ok = models.BooleanField(_("成功"))
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    detail = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("推送记录")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient}: {'成功' if self.ok else '失败'}"


class SubjectKind(models.TextChoices):
    TARGET = "target", _("目标")
    TASK = "task", _("任务")
    REPORT = "report", _("报告")


class NoticeStatus(models.TextChoices):
    OPEN = "open", _("待反馈")
    RESPONDED = "responded", _("已反馈")
    CLOSED = "closed", _("已办结")
    ESCALATED = "escalated", _("已升级")


ACTIVE_NOTICE_STATUSES = (NoticeStatus.OPEN, NoticeStatus.RESPONDED, NoticeStatus.ESCALATED)


class SupervisionNotice(models.Model):
    """A supervision notice (督办单) the working group sends a department about one target,
    task or report."""

    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="supervision_notices")
    department = models.ForeignKey("regions.Department", on_delete=models.PROTECT, related_name="supervision_notices")
    subject_kind = models.CharField(_("督办对象"), max_length=8, choices=SubjectKind.choices)
    target = models.ForeignKey("plans.Target", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    task = models.ForeignKey("plans.Task", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    report = models.ForeignKey("tracking.Report", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("督办事项"))
    deadline = models.DateField(_("反馈期限"))
    status = models.CharField(_("状态"), max_length=10, choices=NoticeStatus.choices, default=NoticeStatus.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("督办单")
        ordering = ["-created_at", "-id"]
        constraints = [
            # Exactly one subject, and it is the one the kind names.
            models.CheckConstraint(
                condition=(
                    Q(subject_kind="target", target__isnull=False, task__isnull=True, report__isnull=True)
                    | Q(subject_kind="task", target__isnull=True, task__isnull=False, report__isnull=True)
                    | Q(subject_kind="report", target__isnull=True, task__isnull=True, report__isnull=False)
                ),
                name="notice_exactly_one_subject",
            ),
        ]
        indexes = [
            # The region's 督办 list, filtered by status.
            models.Index(fields=["region", "status", "-created_at"], name="notice_region_status"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def subject(self):
        return {"target": self.target, "task": self.task, "report": self.report}[self.subject_kind]


class NoticeAction(models.TextChoices):
    ISSUE = "issue", pgettext_lazy("notice action", "下发")
    RESPOND = "respond", pgettext_lazy("notice action", "反馈")
    CLOSE = "close", pgettext_lazy("notice action", "办结")
    ESCALATE = "escalate", pgettext_lazy("notice action", "升级")


class SupervisionEvent(models.Model):
    """One step in a notice's history. Append-only: rows are never changed or deleted."""

    notice = models.ForeignKey(SupervisionNotice, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(_("操作"), max_length=10, choices=NoticeAction.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("说明"), blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("督办记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.get_action_display()

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise RuntimeError("supervision events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("supervision events are append-only")
