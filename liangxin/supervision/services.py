"""Writes for supervision: the inbox, reminders (催报) and supervision notices (督办单)."""

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from liangxin.accounts.models import Role, User
from liangxin.accounts.permissions import can_manage_region
from liangxin.audit.services import audit_record, snapshot
from liangxin.core.errors import Conflict, Forbidden, ServiceError
from liangxin.core.i18n import chinese, chinese_display
from liangxin.plans.models import Target, Task
from liangxin.regions.models import Department, Region
from liangxin.supervision.models import (
    ACTIVE_NOTICE_STATUSES,
    Delivery,
    DeliveryChannel,
    NoticeAction,
    NoticeStatus,
    Notification,
    NotificationKind,
    RegionWebhook,
    ReminderLog,
    ReminderStage,
    SubjectKind,
    SupervisionEvent,
    SupervisionNotice,
    WebhookKind,
)
from liangxin.supervision.permissions import can_respond
from liangxin.supervision.webhook import webhook_payload, webhook_post
from liangxin.tracking.models import Report, ReportStatus

logger = logging.getLogger(__name__)

OPEN_REPORT_STATUSES = (ReportStatus.DRAFT, ReportStatus.RETURNED)


# Recipients -----------------------------------------------------------------------------------


def department_staff(department: Department) -> list[User]:
    """Active staff of a department, including staff still assigned to departments merged into it."""
    ids = [department.id, *Department.objects.filter(merged_into=department).values_list("id", flat=True)]
    return list(
        User.objects.filter(is_active=True, roles__role=Role.DEPARTMENT_STAFF, roles__department_id__in=ids)
        .distinct()
        .order_by("id")
    )


def region_admins(region: Region, *, above_only: bool = False, exact: bool = False) -> list[User]:
    """Working-group admins of the region or of a region above it (a role on a city covers its
    counties). `exact`: only those of the region itself; `above_only`: only those above it."""
    codes = region.path.split("/")
    if exact:
        codes = [region.code]
    elif above_only:
        codes = codes[:-1]
    if not codes:
        return []
    return list(
        User.objects.filter(is_active=True, roles__role=Role.WORKING_GROUP_ADMIN, roles__region__code__in=codes)
        .distinct()
        .order_by("id")
    )


# Inbox ----------------------------------------------------------------------------------------


def notify(*, users, region, kind: str, title: str, body: str = "", link: str = "") -> list[Notification]:
    """Put one message in each user's inbox. Called inside the caller's transaction."""
    seen, rows = set(), []
    for user in users:
        if user is None or user.pk in seen:
            continue
        seen.add(user.pk)
        rows.append(Notification(user=user, region=region, kind=kind, title=title[:200], body=body, link=link[:300]))
    return Notification.objects.bulk_create(rows)


# Reading one's own messages is personal state, not a governance act: no audit entry.
def notification_mark_read(*, user, notification_id: int) -> Notification:
    notification = Notification.objects.filter(pk=notification_id, user=user).first()
    if notification is None:
        raise ServiceError("notification_missing", "未找到该消息", "notification not found")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())


# Webhooks -------------------------------------------------------------------------------------


@transaction.atomic
def webhook_add(*, actor, region: Region, kind: str, url: str, name: str = "", at_all: bool = False) -> RegionWebhook:
    if kind not in WebhookKind.values:
        raise ServiceError("webhook_kind", "请选择钉钉或企业微信", "kind must be dingtalk or wecom", field="kind")
    url = (url or "").strip()
    if not url.startswith(("https://", "http://")):
        raise ServiceError("webhook_url", "Webhook 地址应以 https:// 开头", "the URL must be http(s)", field="url")
    webhook = RegionWebhook.objects.create(region=region, kind=kind, url=url, name=name.strip(), at_all=at_all)
    # The URL carries the robot's access token: the audit log keeps everything but it.
    audit_record(actor=actor, action="webhook.add", instance=webhook, region=region,
                 after=snapshot(webhook, fields=["region", "kind", "name", "enabled", "at_all"]))
    return webhook


@transaction.atomic
def webhook_set_enabled(*, actor, webhook: RegionWebhook, enabled: bool) -> RegionWebhook:
    before = snapshot(webhook, fields=["enabled"])
    webhook.enabled = bool(enabled)
    webhook.save(update_fields=["enabled"])
    audit_record(actor=actor, action="webhook.enable" if enabled else "webhook.disable", instance=webhook,
                 region=webhook.region, before=before, after=snapshot(webhook, fields=["enabled"]))
    return webhook


def _webhook_label(webhook: RegionWebhook) -> str:
    return f"{chinese_display(webhook, 'kind')}#{webhook.pk} {webhook.name}".strip()


def webhook_send(webhook: RegionWebhook, content: str) -> Delivery:
    """POST one text to a robot and record the outcome; never raises."""
    ok, status, detail = webhook_post(webhook.url, webhook_payload(webhook.kind, content, at_all=webhook.at_all))
    return Delivery.objects.create(
        channel=DeliveryChannel.WEBHOOK, webhook=webhook, recipient=_webhook_label(webhook), ok=ok,
        status_code=status, detail=detail[:2000],
    )


# Reminders ------------------------------------------------------------------------------------


@dataclass
class SentReminder:
    report: Report
    stage: str
    day: dt.date
    days_overdue: int
    recipients: list = field(default_factory=list)
    text: str = ""
    log: ReminderLog | None = None


def _stages_due(report: Report, today: dt.date) -> list[tuple[str, dt.date]]:
    """(stage, day) pairs owed today. `day` is the day the reminder belongs to: a daily overdue
    reminder is keyed by today; the one-off reminders by their scheduled day, so a missed cron
    run still sends them once, late, and never twice."""
    schedule = getattr(report.plan, "schedule", None)
    before_days = schedule.remind_before_days if schedule else 3
    escalate_days = max(schedule.escalate_after_days if schedule else 5, 1)
    due = report.due_on
    stages = []
    if before_days > 0 and due - dt.timedelta(days=before_days) <= today < due:
        stages.append((ReminderStage.BEFORE, due - dt.timedelta(days=before_days)))
    if today == due:
        stages.append((ReminderStage.DUE, due))
    if today > due:
        stages.append((ReminderStage.OVERDUE, today))
        if (today - due).days >= escalate_days:
            stages.append((ReminderStage.ESCALATE, due + dt.timedelta(days=escalate_days)))
    return stages


def _reminder_text(report: Report, stage: str, today: dt.date) -> tuple[str, str]:
    who = f"{report.department.name}{report.period_label}进展报告"
    due = f"{report.due_on.year}年{report.due_on.month}月{report.due_on.day}日"
    days_left = (report.due_on - today).days
    days_late = (today - report.due_on).days
    if stage == ReminderStage.BEFORE:
        return f"【催报】{who}将于{due}截止", f"{who}将于{due}截止（还有{days_left}天），请按时填报并报送。方案：{report.plan.title}"
    if stage == ReminderStage.DUE:
        return f"【催报】{who}今天截止", f"{who}今天（{due}）截止，请于今日报送。方案：{report.plan.title}"
    if stage == ReminderStage.OVERDUE:
        return f"【催报】{who}已逾期{days_late}天", f"{who}已于{due}截止，目前已逾期{days_late}天，请尽快报送。方案：{report.plan.title}"
    return (
        f"【逾期上报】{who}已逾期{days_late}天",
        f"{who}截止日期为{due}，已逾期{days_late}天仍未报送，请工作专班督办。方案：{report.plan.title}",
    )


def _email(user, subject: str, body: str, reminder: ReminderLog | None) -> Delivery | None:
    if not user.email:
        return None
    try:
        send_mail(subject, body, None, [user.email], fail_silently=False)
    except Exception as exc:  # noqa: BLE001 (any mail failure is recorded, the run goes on)
        logger.warning("reminder mail to user %s failed: %s", user.pk, exc)
        return Delivery.objects.create(channel=DeliveryChannel.EMAIL, reminder=reminder, recipient=user.email, ok=False,
                                       detail=str(exc)[:2000])
    return Delivery.objects.create(channel=DeliveryChannel.EMAIL, reminder=reminder, recipient=user.email, ok=True)


def reminders_send(*, today: dt.date | None = None, actor="system") -> list[SentReminder]:
    """Send every reminder owed on `today`: before the due date, on it, each day after it, and the
    escalation to the working group. Each (report, stage, day) is claimed by inserting its
    ReminderLog row in the same transaction as its inbox messages; mail and robots go out after
    the commit, so a rolled-back claim never leaves a sent mail behind."""
    today = today or timezone.localdate()
    reports = (
        Report.objects.filter(status__in=OPEN_REPORT_STATUSES)
        .select_related("plan__region", "plan__schedule", "department")
        .order_by("due_on", "plan_id", "department__name")
    )
    staff_cache: dict[int, list] = {}
    admin_cache: dict[int, list] = {}
    sent: list[SentReminder] = []
    for report in reports:
        region = report.plan.region
        link = reverse("tracking:report", args=[report.id])
        for stage, day in _stages_due(report, today):
            if stage == ReminderStage.ESCALATE:
                if region.id not in admin_cache:
                    admin_cache[region.id] = region_admins(region)
                recipients = admin_cache[region.id]
                kind = NotificationKind.ESCALATION
            else:
                if report.department_id not in staff_cache:
                    staff_cache[report.department_id] = department_staff(report.department)
                recipients = staff_cache[report.department_id]
                kind = NotificationKind.REMINDER
            title, body = _reminder_text(report, stage, today)
            with transaction.atomic():
                log, created = ReminderLog.objects.get_or_create(report=report, stage=stage, day=day)
                if not created:
                    continue
                notify(users=recipients, region=region, kind=kind, title=title, body=body, link=link)
                log.recipients = len(recipients)
                log.save(update_fields=["recipients"])
                audit_record(actor=actor, action=f"reminder.{stage}", instance=log, region=region,
                             object_repr=title, after=snapshot(log))
            sent.append(SentReminder(report=report, stage=stage, day=day, days_overdue=max((today - report.due_on).days, 0),
                                     recipients=recipients, text=body, log=log))
            for user in recipients:
                _email(user, title, f"{body}\n\n{link}", log)
    _robots_send(sent, today)
    return sent


def _robots_send(sent: list[SentReminder], today: dt.date) -> None:
    """One message per robot per run, listing the region's reminders: group chats rate-limit
    robots (DingTalk: 20 a minute), and one list reads better than a burst of messages."""
    by_region: dict[int, list[SentReminder]] = {}
    for item in sent:
        by_region.setdefault(item.report.plan.region_id, []).append(item)
    if not by_region:
        return
    webhooks = RegionWebhook.objects.filter(region_id__in=by_region, enabled=True).select_related("region")
    for webhook in webhooks:
        items = by_region[webhook.region_id]
        lines = [f"【两新工作平台·催报】{webhook.region.name} {today:%Y-%m-%d}"]
        for item in items:
            lines.append(f"· {item.text.split('方案：')[0]}")
        webhook_send(webhook, "\n".join(lines))


# Supervision notices --------------------------------------------------------------------------


def _subject(region: Region, subject_kind: str, subject_id):
    model = {SubjectKind.TARGET: Target, SubjectKind.TASK: Task, SubjectKind.REPORT: Report}.get(subject_kind)
    if model is None:
        raise ServiceError("notice_subject_kind", "请选择督办对象类型", "invalid subject kind", field="subject_kind")
    try:
        return model.objects.get(pk=int(subject_id), plan__region=region)
    except (model.DoesNotExist, ValueError, TypeError):
        raise ServiceError("notice_subject", "未找到督办对象", "subject not found in this region", field="subject") from None


def _notice_link(notice: SupervisionNotice) -> str:
    return reverse("supervision:notice", args=[notice.id])


def _event(notice: SupervisionNotice, action: str, actor, text: str) -> SupervisionEvent:
    return SupervisionEvent.objects.create(notice=notice, action=action, actor=actor, text=text)


def _require_manager(actor, region: Region) -> None:
    if not can_manage_region(actor, region):
        raise Forbidden("notice_forbidden", "只有本地区工作专班可以下发和处理督办单", "only the working group may do this")


@transaction.atomic
def notice_issue(
    *, actor, region: Region, department: Department, subject_kind: str, subject_id, title: str, body: str,
    deadline: dt.date,
) -> SupervisionNotice:
    _require_manager(actor, region)
    if department is None or department.region_id != region.id:
        raise ServiceError("notice_department", "请选择本地区的责任部门", "choose a department of this region", field="department")
    subject = _subject(region, subject_kind, subject_id)
    title, body = (title or "").strip(), (body or "").strip()
    if not title:
        raise ServiceError("notice_title", "请填写督办单标题", "title is required", field="title")
    if not body:
        raise ServiceError("notice_body", "请填写督办事项", "body is required", field="body")
    if not isinstance(deadline, dt.date) or deadline < timezone.localdate():
        raise ServiceError("notice_deadline", "反馈期限不能早于今天", "the deadline cannot be in the past", field="deadline")
    # One standing notice per subject: a second one would split the department's answer.
    if SupervisionNotice.objects.filter(**{subject_kind: subject}, status__in=ACTIVE_NOTICE_STATUSES).exists():
        raise Conflict("notice_duplicate", "该对象已有未办结的督办单", "an open notice already exists for this subject")
    notice = SupervisionNotice.objects.create(
        region=region, department=department, subject_kind=subject_kind, **{subject_kind: subject},
        title=title, body=body, deadline=deadline, created_by=actor,
    )
    _event(notice, NoticeAction.ISSUE, actor, body)
    audit_record(actor=actor, action="notice.issue", instance=notice, region=region, after=snapshot(notice))
    notify(users=department_staff(department), region=region, kind=NotificationKind.NOTICE,
           title=f"【督办】{title}", body=f"{body}\n反馈期限：{deadline:%Y-%m-%d}", link=_notice_link(notice))
    return notice


def _locked(notice: SupervisionNotice) -> SupervisionNotice:
    return SupervisionNotice.objects.select_for_update().select_related("region", "department", "created_by").get(pk=notice.pk)


def _transition(notice, actor, action: str, allowed_from: tuple, to: str, text: str) -> tuple[SupervisionNotice, dict]:
    if notice.status not in allowed_from:
        raise Conflict(
            "notice_status", f"督办单{chinese_display(notice, 'status')}，不能{chinese(NoticeAction(action).label)}",
            f"the notice is {notice.status}; cannot {action}",
        )
    before = snapshot(notice)
    notice.status = to
    notice.save(update_fields=["status", "updated_at"])
    _event(notice, action, actor, text)
    audit_record(actor=actor, action=f"notice.{action}", instance=notice, region=notice.region, before=before,
                 after=snapshot(notice))
    return notice, before


@transaction.atomic
def notice_respond(*, actor, notice: SupervisionNotice, text: str) -> SupervisionNotice:
    notice = _locked(notice)
    if not can_respond(actor, notice):
        raise Forbidden("notice_respond_forbidden", "只有被督办部门的工作人员可以反馈", "only the department's staff may respond")
    text = (text or "").strip()
    if not text:
        raise ServiceError("notice_text", "请填写反馈内容", "a response text is required", field="text")
    _transition(notice, actor, NoticeAction.RESPOND, (NoticeStatus.OPEN, NoticeStatus.ESCALATED), NoticeStatus.RESPONDED, text)
    notify(users=[notice.created_by, *region_admins(notice.region, exact=True)], region=notice.region,
           kind=NotificationKind.NOTICE, title=f"【督办反馈】{notice.department.name}：{notice.title}", body=text,
           link=_notice_link(notice))
    return notice


@transaction.atomic
def notice_close(*, actor, notice: SupervisionNotice, text: str = "") -> SupervisionNotice:
    notice = _locked(notice)
    _require_manager(actor, notice.region)
    _transition(notice, actor, NoticeAction.CLOSE, ACTIVE_NOTICE_STATUSES, NoticeStatus.CLOSED, (text or "").strip())
    notify(users=department_staff(notice.department), region=notice.region, kind=NotificationKind.NOTICE,
           title=f"【督办办结】{notice.title}", body=text or "工作专班已办结该督办单。", link=_notice_link(notice))
    return notice


@transaction.atomic
def notice_escalate(*, actor, notice: SupervisionNotice, text: str) -> SupervisionNotice:
    """Raise the notice to the working groups above (e.g. the city's 专班) and tell the department."""
    notice = _locked(notice)
    _require_manager(actor, notice.region)
    text = (text or "").strip()
    if not text:
        raise ServiceError("notice_text", "请写明升级督办的理由", "a reason is required", field="text")
    _transition(notice, actor, NoticeAction.ESCALATE, (NoticeStatus.OPEN, NoticeStatus.RESPONDED), NoticeStatus.ESCALATED, text)
    link = _notice_link(notice)
    notify(users=department_staff(notice.department), region=notice.region, kind=NotificationKind.NOTICE,
           title=f"【督办升级】{notice.title}", body=text, link=link)
    notify(users=region_admins(notice.region, above_only=True), region=notice.region, kind=NotificationKind.ESCALATION,
           title=f"【督办升级】{notice.region.name}{notice.department.name}：{notice.title}", body=text, link=link)
    return notice
