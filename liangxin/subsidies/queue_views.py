"""The review queue and the payment batches, as pages (the same services as the API and CLI)."""

import datetime as dt
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liangxin.core.errors import ServiceError
from liangxin.subsidies.disbursement import (
    BankFileInvalid,
    bank_result_import,
    batch_create,
    payment_file,
    reconciliation,
)
from liangxin.subsidies.models import Claim, ClaimStatus, PaymentBatch
from liangxin.subsidies.permissions import can_edit_subsidies, get_programme_for_user
from liangxin.subsidies.time_limits import limit_days, overdue_q, waiting_q


def _decimal(value: str | None) -> Decimal | None:
    try:
        return Decimal(value) if value else None
    except InvalidOperation:
        return None


@login_required
def review_queue(request, programme_id: int):
    """Claims waiting for a person: to be accepted (待受理) or reviewed (待审核: 抽查 or
    flagged), filterable; claims past their time limit are marked and counted."""
    programme = get_programme_for_user(request.user, programme_id)
    q = request.GET
    stage = q.get("stage") if q.get("stage") in ("accept", "review") else "review"
    all_waiting = Claim.objects.filter(programme=programme).filter(waiting_q(stage))
    if stage == "review":
        # Clean claims pass through ACCEPTED for an instant on their way to approval; the
        # queue is for those a person must decide.
        all_waiting = all_waiting.exclude(status=ClaimStatus.ACCEPTED)
    claims = all_waiting.select_related("organisation", "first_approved_by").order_by("created_at")
    if q.get("category"):
        claims = claims.filter(category=q["category"])
    if q.get("organisation", "").isdigit():
        claims = claims.filter(organisation_id=int(q["organisation"]))
    if (low := _decimal(q.get("amount_min"))) is not None:
        claims = claims.filter(amount__gte=low)
    if (high := _decimal(q.get("amount_max"))) is not None:
        claims = claims.filter(amount__lte=high)
    if q.get("older_than", "").isdigit():
        claims = claims.filter(created_at__lt=timezone.now() - dt.timedelta(days=int(q["older_than"])))
    if q.get("flag") == "sampled":
        claims = claims.filter(sampled=True)
    elif q.get("flag") == "flagged":
        claims = claims.filter(flagged=True)
    if q.get("overdue") == "1":
        claims = claims.filter(overdue_q(programme, stage))
    now = timezone.now()
    days = limit_days(programme, stage)
    rows = list(claims[:500])
    for claim in rows:
        claim.due = claim.created_at + dt.timedelta(days=days)
        claim.overdue = now > claim.due
        claim.days_left = (claim.due - now).days
    context = {
        "programme": programme, "region": programme.region, "claims": rows, "query": q, "stage": stage, "limit_days": days,
        "can_edit": can_edit_subsidies(request.user, programme.region),
        "shown": len(rows), "total": claims.count(),
        "counts": {
            name: {"waiting": Claim.objects.filter(programme=programme).filter(waiting_q(name)).exclude(
                       status=ClaimStatus.ACCEPTED).count(),
                   "overdue": Claim.objects.filter(programme=programme).filter(overdue_q(programme, name, now)).count()}
            for name in ("accept", "review")
        },
        "overdue_count": all_waiting.filter(overdue_q(programme, stage, now)).count(),
        "categories": list(Claim.objects.filter(programme=programme).order_by("category").values_list("category", flat=True).distinct()),
        "organisations": programme.region.organisations.order_by("name"),
    }
    return render(request, "subsidies/review_queue.html", context)


@login_required
def batches(request, programme_id: int):
    programme = get_programme_for_user(request.user, programme_id)
    context = {
        "programme": programme, "region": programme.region,
        "batches": programme.batches.order_by("-created_at"),
        "approved": Claim.objects.filter(programme=programme, status=ClaimStatus.APPROVED).count(),
        "can_edit": can_edit_subsidies(request.user, programme.region),
        "reconciliation": reconciliation(programme),
    }
    return render(request, "subsidies/batches.html", context)


@login_required
@require_POST
def batch_new(request, programme_id: int):
    programme = get_programme_for_user(request.user, programme_id, write=True)
    try:
        batch = batch_create(actor=request.user, programme=programme)
    except ServiceError as exc:
        messages.error(request, exc.localized)
    else:
        messages.success(request, _("已生成拨付批次 %(n)s：%(t)s 笔付款，含 %(c)s 笔申请") % {
            "n": batch.number, "t": batch.transfer_count, "c": batch.item_count})
        return redirect("subsidies:batch", batch.number)
    return redirect("subsidies:batches", programme.id)


def _batch_for(request, batch_number: str, *, write: bool = False) -> PaymentBatch:
    batch = PaymentBatch.objects.select_related("programme__region").filter(number=batch_number).first()
    if batch is None:
        raise Http404
    get_programme_for_user(request.user, batch.programme_id, write=write)
    return batch


@login_required
def batch_file(request, batch_number: str, fmt: str):
    if fmt not in ("csv", "xlsx"):
        raise Http404
    batch = _batch_for(request, batch_number, write=True)
    content_type = "text/csv" if fmt == "csv" else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = HttpResponse(payment_file(batch, fmt), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{batch.number}.{fmt}"'
    return response


@login_required
@require_POST
def batch_result(request, batch_number: str):
    batch = _batch_for(request, batch_number, write=True)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("请选择银行回盘文件"))
        return redirect("subsidies:batches", batch.programme_id)
    fmt = "csv" if Path(upload.name).suffix.lower() == ".csv" else "xlsx"
    try:
        outcome = bank_result_import(actor=request.user, batch=batch, data=upload.read(), fmt=fmt)
    except BankFileInvalid as exc:
        messages.error(request, _("回盘文件有误，未做任何处理。请改正以下各行后重新导入："))
        for error in exc.errors:
            messages.error(request, error)
    except ServiceError as exc:
        messages.error(request, exc.localized)
    else:
        messages.success(request, _("回盘完成：成功 %(paid)s 笔（%(paid_claims)s 笔申请），失败 %(failed)s 笔（%(failed_claims)s 笔申请，已退回待拨付）")
                         % outcome)
    return redirect("subsidies:batch", batch.number)


@login_required
def batch_detail(request, batch_number: str):
    """One batch: its transfers (one per payee) with the bank's answer, and the claims in each."""
    batch = _batch_for(request, batch_number)
    # A seller's transfer may carry thousands of claims: each list loads when it is opened.
    transfers = list(batch.transfers.order_by("line"))
    context = {"programme": batch.programme, "region": batch.programme.region, "batch": batch, "transfers": transfers,
               "reconciliation": reconciliation(batch.programme, batch)[0],
               "can_edit": can_edit_subsidies(request.user, batch.programme.region)}
    return render(request, "subsidies/batch_detail.html", context)


@login_required
def transfer_claims(request, batch_number: str, line: int):
    """The claims paid by one transfer of a batch (an HTMX fragment; a plain page without JS)."""
    batch = _batch_for(request, batch_number)
    transfer = batch.transfers.filter(line=line).first()
    if transfer is None:
        raise Http404
    items = (transfer.items.select_related("claim").only("line", "amount", "status", "claim__number", "claim__category")
             .order_by("line"))
    template = "subsidies/_transfer_claims.html" if request.headers.get("HX-Request") else "subsidies/transfer_claims.html"
    return render(request, template, {"batch": batch, "transfer": transfer, "items": items, "programme": batch.programme,
                                      "region": batch.programme.region})
