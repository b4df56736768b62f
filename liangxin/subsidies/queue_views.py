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
from liangxin.subsidies.permissions import get_programme_for_user


def _decimal(value: str | None) -> Decimal | None:
    try:
        return Decimal(value) if value else None
    except InvalidOperation:
        return None


@login_required
def review_queue(request, programme_id: int):
    """Claims waiting for a person (抽查 or flagged), filterable; those past the SLA are marked."""
    programme = get_programme_for_user(request.user, programme_id)
    claims = (
        Claim.objects.filter(programme=programme, status__in=[ClaimStatus.IN_REVIEW, ClaimStatus.NEEDS_DOCUMENTS])
        .select_related("organisation", "first_approved_by")
        .order_by("created_at")
    )
    q = request.GET
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
    limit = timezone.now() - dt.timedelta(days=programme.sla_review_days)
    rows = list(claims[:500])
    for claim in rows:
        claim.overdue = claim.created_at < limit
    context = {
        "programme": programme, "region": programme.region, "claims": rows, "query": q,
        "overdue_count": sum(c.overdue for c in rows),
        "categories": sorted({c.category for c in Claim.objects.filter(programme=programme).only("category")}),
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
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已生成拨付批次 %(n)s") % {"n": batch.number})
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
        for error in exc.errors:
            messages.error(request, error)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("回盘完成：成功 %(paid)s 笔，失败 %(failed)s 笔") % outcome)
    return redirect("subsidies:batches", batch.programme_id)
