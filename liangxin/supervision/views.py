import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liangxin.accounts.permissions import can_manage_region, get_region_for_user
from liangxin.core.errors import ServiceError
from liangxin.core.params import month_param
from liangxin.supervision.forms import NoticeActionForm, NoticeFilterForm, NoticeIssueForm, WebhookForm
from liangxin.supervision.models import NoticeStatus, RegionWebhook, SubjectKind
from liangxin.supervision.permissions import can_respond, get_notice_for_user
from liangxin.supervision.selectors import (
    department_rates,
    inbox,
    notice_departments,
    notice_events,
    notice_list,
    notice_proposals,
    overdue_by_department,
    report_periods,
)
from liangxin.supervision.services import (
    notice_close,
    notice_escalate,
    notice_issue,
    notice_respond,
    notification_mark_read,
    notifications_mark_all_read,
    webhook_add,
    webhook_set_enabled,
)

PROPOSAL_DEADLINE_DAYS = 7


# Inbox ----------------------------------------------------------------------------------------


@login_required
def inbox_view(request):
    unread_only = request.GET.get("unread") == "1"
    page = Paginator(inbox(request.user, unread_only=unread_only), 50).get_page(request.GET.get("page"))
    return render(request, "supervision/inbox.html", {"page": page, "unread_only": unread_only})


@login_required
@require_POST
def notification_read(request, notification_id: int):
    try:
        notification = notification_mark_read(user=request.user, notification_id=notification_id)
    except ServiceError:
        # Someone else's message does not exist for this user.
        raise Http404(_("未找到该消息")) from None
    if request.headers.get("HX-Request"):
        return render(request, "supervision/_notification.html", {"n": notification})
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("supervision:inbox")


@login_required
@require_POST
def notifications_read_all(request):
    count = notifications_mark_all_read(user=request.user)
    messages.success(request, _("已将 %(n)s 条消息标为已读") % {"n": count})
    return redirect("supervision:inbox")


# Overdue reports and rates --------------------------------------------------------------------


@login_required
def overdue_view(request, code: str):
    region = get_region_for_user(request.user, code)
    today = timezone.localdate()
    periods = report_periods(region)
    period = month_param(request.GET.get("period")) or (periods[0] if periods else None)
    context = {
        "region": region,
        "groups": overdue_by_department(region, today=today),
        "periods": periods,
        "period": period,
        "rates": department_rates(region, period, today=today) if period else [],
        "today": today,
        "can_manage": can_manage_region(request.user, region),
    }
    return render(request, "supervision/overdue.html", context)


# Notices --------------------------------------------------------------------------------------


@login_required
def notice_list_view(request, code: str):
    region = get_region_for_user(request.user, code)
    form = NoticeFilterForm(request.GET or None)
    status, department_id = "", None
    if form.is_valid():
        status, department_id = form.cleaned_data["status"], form.cleaned_data["department"]
    context = {
        "region": region,
        "notices": notice_list(region, status=status, department_id=department_id)[:200],
        "departments": notice_departments(region),
        "statuses": NoticeStatus.choices,
        "status": status,
        "department_id": department_id,
        "can_manage": can_manage_region(request.user, region),
    }
    return render(request, "supervision/notice_list.html", context)


@login_required
def proposals_view(request, code: str):
    region = get_region_for_user(request.user, code, write=True)
    context = {"region": region, "proposals": notice_proposals(region)}
    return render(request, "supervision/proposals.html", context)


def _initial_for(region, subject_kind: str, subject_id) -> dict:
    """Prefill the issue form from the matching proposal, if the subject still is one."""
    try:
        subject_id = int(subject_id)
    except (TypeError, ValueError):
        return {}
    initial = {
        "subject_kind": subject_kind,
        "subject_id": subject_id,
        "deadline": timezone.localdate() + dt.timedelta(days=PROPOSAL_DEADLINE_DAYS),
    }
    for proposal in notice_proposals(region):
        if proposal.subject_kind == subject_kind and proposal.subject_id == subject_id:
            initial.update(title=proposal.title, body=proposal.body)
            if proposal.department is not None:
                initial["department"] = proposal.department.pk
            break
    return initial


@login_required
def notice_issue_view(request, code: str):
    region = get_region_for_user(request.user, code, write=True)
    departments = notice_departments(region)
    if request.method == "POST":
        form = NoticeIssueForm(request.POST, departments=departments)
        if form.is_valid():
            data = form.cleaned_data
            try:
                notice = notice_issue(
                    actor=request.user, region=region, department=data["department"], subject_kind=data["subject_kind"],
                    subject_id=data["subject_id"], title=data["title"], body=data["body"], deadline=data["deadline"],
                )
            except ServiceError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.localized)
            else:
                messages.success(request, _("督办单已下发"))
                return redirect("supervision:notice", notice.id)
    else:
        kind = request.GET.get("subject_kind", "")
        if kind not in SubjectKind.values:
            raise Http404(_("请从督办建议中选择督办对象"))
        form = NoticeIssueForm(initial=_initial_for(region, kind, request.GET.get("subject_id")), departments=departments)
    return render(request, "supervision/notice_issue.html", {"region": region, "form": form})


@login_required
def notice_view(request, notice_id: int):
    notice = get_notice_for_user(request.user, notice_id)
    error = None
    if request.method == "POST":
        form = NoticeActionForm(request.POST)
        if not form.is_valid():
            error = _("请选择操作")
        else:
            action, text = form.cleaned_data["action"], form.cleaned_data["text"]
            notice = get_notice_for_user(request.user, notice_id, action="respond" if action == "respond" else "manage")
            try:
                {"respond": notice_respond, "close": notice_close, "escalate": notice_escalate}[action](
                    actor=request.user, notice=notice, text=text
                )
            except ServiceError as exc:
                error = exc.localized
            else:
                messages.success(request, {"respond": _("已反馈"), "close": _("已办结"), "escalate": _("已升级督办")}[action])
                return redirect("supervision:notice", notice.id)
    context = {
        "notice": notice,
        "region": notice.region,
        "events": notice_events(notice),
        "can_respond": notice.status in (NoticeStatus.OPEN, NoticeStatus.ESCALATED) and can_respond(request.user, notice),
        "can_manage": notice.status != NoticeStatus.CLOSED and can_manage_region(request.user, notice.region),
        "error": error,
    }
    return render(request, "supervision/notice_detail.html", context)


# Robots ---------------------------------------------------------------------------------------


@login_required
def webhooks_view(request, code: str):
    region = get_region_for_user(request.user, code, write=True)
    form = WebhookForm(request.POST or None)
    if request.method == "POST":
        if "toggle" in request.POST:
            webhook = RegionWebhook.objects.filter(region=region, pk=request.POST.get("toggle")).first()
            if webhook is None:
                raise Http404(_("未找到该群机器人"))
            webhook_set_enabled(actor=request.user, webhook=webhook, enabled=not webhook.enabled)
            return redirect("supervision:webhooks", region.code)
        if form.is_valid():
            try:
                webhook_add(actor=request.user, region=region, **form.cleaned_data)
            except ServiceError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.localized)
            else:
                messages.success(request, _("群机器人已添加"))
                return redirect("supervision:webhooks", region.code)
    webhooks = list(RegionWebhook.objects.filter(region=region))
    return render(request, "supervision/webhooks.html", {"region": region, "form": form, "webhooks": webhooks})

