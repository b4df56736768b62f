"""Pages for trade-in subsidy programmes (以旧换新补贴): thin, every object through the chokepoints
in `subsidies.permissions`, every write through a service."""

import json
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from pydantic import ValidationError

from liangxin.core.errors import ServiceError
from liangxin.subsidies import selectors
from liangxin.subsidies.forms import (
    BulkUploadForm,
    ClaimForm,
    OrganisationAccountForm,
    OrganisationForm,
    PoolForm,
    ProgrammeCreateForm,
    ProgrammeSettingsForm,
    RulesForm,
    template_choices,
)
from liangxin.subsidies.models import ClaimStatus, PayeeKind, Programme
from liangxin.subsidies.permissions import (
    can_edit_subsidies,
    get_claim_for_user,
    get_organisation_for_user,
    get_programme_for_user,
    get_subsidy_region_for_user,
)
from liangxin.subsidies.review import can_review, claim_route
from liangxin.subsidies.rules.schema import RuleSet
from liangxin.subsidies.rules.templates import TEMPLATES, template_copy, template_get
from liangxin.subsidies.time_limits import claim_deadlines

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CLAIMS_PER_PAGE = 50


def _form_error(form, exc: ServiceError, fields_of: dict | None = None) -> None:
    field = (fields_of or {}).get(exc.field, exc.field)
    form.add_error(field if field in form.fields else None, exc.localized)


# Programmes -----------------------------------------------------------------------------------


@login_required
def programme_list(request, code: str):
    region = get_subsidy_region_for_user(request.user, code)
    context = {"region": region, "programmes": selectors.programmes_for_region(region),
               "can_edit": can_edit_subsidies(request.user, region)}
    return render(request, "subsidies/programme_list.html", context)


@login_required
def programme_create_view(request, code: str):
    from liangxin.subsidies.services import programme_create

    region = get_subsidy_region_for_user(request.user, code, write=True)
    template_id = request.POST.get("template") or request.GET.get("template") or ""
    if template_id not in TEMPLATES:
        template_id = ""
    form = None
    template = template_get(template_id) if template_id else None
    if template is not None:
        initial = {"template": template_id, "year": template.year, "name": f"{template.year}年{region.name}{template.name}",
                   "starts_on": template.window_start, "ends_on": template.window_end}
        form = ProgrammeCreateForm(request.POST or None, template_id=template_id, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            rules = None
            try:
                rules = template_copy(template_id, **data["overrides"])
            except ValidationError as exc:
                for message in selectors.validation_messages(exc):
                    form.add_error(None, message)
            except (KeyError, ValueError) as exc:
                form.add_error(None, _("参数无法写入模板：%(e)s") % {"e": exc})
            if rules is not None and (missing := rules.missing_parameters()):
                form.add_error(None, _("以下参数仍未填写：%(p)s") % {"p": "、".join(missing)})
            elif rules is not None and Programme.objects.filter(region=region, year=data["year"], name=data["name"].strip()).exists():
                form.add_error("name", _("本地区该年度已有同名活动"))
            elif rules is not None:
                try:
                    programme = programme_create(actor=request.user, region=region, year=data["year"], name=data["name"],
                                                 starts_on=data["starts_on"], ends_on=data["ends_on"],
                                                 rules=rules.model_dump(mode="json"), template=template_id)
                except ServiceError as exc:
                    _form_error(form, exc)
                else:
                    messages.success(request, _("已创建补贴活动“%(name)s”，请添加资金池") % {"name": programme.name})
                    return redirect("subsidies:programme", programme.id)
    context = {"region": region, "choices": template_choices(), "template_id": template_id, "template": template, "form": form}
    return render(request, "subsidies/programme_create.html", context)


def _programme_context(request, programme, **extra) -> dict:
    version = selectors.current_rules(programme)
    pools = list(programme.pools.order_by("name"))
    context = {
        "region": programme.region, "programme": programme, "version": version,
        "versions": list(programme.rule_versions.select_related("created_by").order_by("-version")),
        "described": selectors.rules_describe(version.rules) if version else None,
        "pools": pools, "totals": selectors.pool_totals(pools),
        "claim_totals": selectors.claim_totals(programme),
        "organisations": list(selectors.organisations_for_region(programme.region)),
        "can_edit": can_edit_subsidies(request.user, programme.region),
        "rules_form": RulesForm(initial={"rules": json.dumps(version.rules if version else {}, ensure_ascii=False, indent=2)}),
        "pool_form": PoolForm(), "organisation_form": OrganisationForm(),
    }
    context.update(extra)
    return context


@login_required
def programme_detail(request, programme_id: int):
    programme = get_programme_for_user(request.user, programme_id)
    return render(request, "subsidies/programme_detail.html", _programme_context(request, programme))


@login_required
def rules_version_view(request, programme_id: int, version: int):
    programme = get_programme_for_user(request.user, programme_id)
    rule_version = programme.rule_versions.filter(version=version).first()
    if rule_version is None:
        raise Http404(_("未找到该规则版本"))
    context = {"region": programme.region, "programme": programme, "version": rule_version,
               "described": selectors.rules_describe(rule_version.rules),
               "rules_json": json.dumps(rule_version.rules, ensure_ascii=False, indent=2)}
    return render(request, "subsidies/rules_version.html", context)


@login_required
@require_POST
def rules_edit(request, programme_id: int):
    from liangxin.subsidies.services import rules_update

    programme = get_programme_for_user(request.user, programme_id, write=True)
    form = RulesForm(request.POST)
    if form.is_valid():
        try:
            rule_set = RuleSet.model_validate(form.cleaned_data["rules"])
        except ValidationError as exc:
            for message in selectors.validation_messages(exc):
                form.add_error("rules", message)
        else:
            version = rules_update(actor=request.user, programme=programme, rules=rule_set.model_dump(mode="json"),
                                   note=form.cleaned_data["note"])
            messages.success(request, _("规则已保存为第 %(v)s 版；已受理的申请仍按原版本") % {"v": version.version})
            return redirect("subsidies:programme", programme.id)
    context = _programme_context(request, programme, rules_form=form, open_rules=True)
    return render(request, "subsidies/programme_detail.html", context, status=400)


@login_required
@require_POST
def pool_add(request, programme_id: int):
    from liangxin.subsidies.services import pool_create

    programme = get_programme_for_user(request.user, programme_id, write=True)
    form = PoolForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        if programme.pools.filter(name=d["name"].strip()).exists():
            form.add_error("name", _("本活动已有同名资金池"))
        else:
            try:
                pool_create(actor=request.user, programme=programme, name=d["name"].strip(), allocated=d["allocated"],
                            category=d["category"].strip(), source=d["source"])
            except ServiceError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("已添加资金池“%(name)s”") % {"name": d["name"]})
                return redirect("subsidies:programme", programme.id)
    return render(request, "subsidies/programme_detail.html", _programme_context(request, programme, pool_form=form), status=400)


@login_required
@require_POST
def organisation_add(request, programme_id: int):
    from liangxin.subsidies.services import organisation_create

    programme = get_programme_for_user(request.user, programme_id, write=True)
    form = OrganisationForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            organisation = organisation_create(actor=request.user, region=programme.region, name=d["name"],
                                               credit_code=d["credit_code"], kind=d["kind"], bank_name=d["bank_name"],
                                               bank_account=d["bank_account"])
        except ServiceError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("已登记经营主体“%(name)s”，可为其签发接口令牌") % {"name": organisation.name})
            return redirect("subsidies:programme", programme.id)
    return render(request, "subsidies/programme_detail.html",
                  _programme_context(request, programme, organisation_form=form), status=400)


@login_required
@require_POST
def organisation_account(request, programme_id: int, organisation_id: int):
    from liangxin.subsidies.services import organisation_account_set

    programme = get_programme_for_user(request.user, programme_id, write=True)
    organisation = get_organisation_for_user(request.user, organisation_id, write=True)
    form = OrganisationAccountForm(request.POST)
    if form.is_valid():
        try:
            organisation_account_set(actor=request.user, organisation=organisation, **form.cleaned_data)
        except ServiceError as exc:
            messages.error(request, exc.localized)
        else:
            messages.success(request, _("已变更“%(name)s”的结算账户") % {"name": organisation.name})
    else:
        messages.error(request, "；".join(f"{form.fields[f].label}：{e[0]}" for f, e in form.errors.items()))
    return redirect(f"{reverse('subsidies:programme', args=[programme.id])}#organisations")


@login_required
def programme_settings(request, programme_id: int):
    """审核与拨付设置: sampling, two-person line, payee, acceptance and the three time limits."""
    from liangxin.subsidies.services import programme_settings_update

    programme = get_programme_for_user(request.user, programme_id, write=request.method == "POST")
    form = ProgrammeSettingsForm.for_programme(programme, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            programme_settings_update(actor=request.user, programme=programme, **form.changes())
        except ServiceError as exc:
            _form_error(form, exc, ProgrammeSettingsForm.FIELD_OF)
        else:
            messages.success(request, _("已保存审核与拨付设置"))
            return redirect("subsidies:programme", programme.id)
    context = {"region": programme.region, "programme": programme, "form": form,
               "can_edit": can_edit_subsidies(request.user, programme.region)}
    return render(request, "subsidies/programme_settings.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def organisation_token(request, programme_id: int, organisation_id: int):
    """Issue a new token and show it once: the page is rendered, not redirected, so the key is
    never stored in the session or a message."""
    from liangxin.subsidies.services import organisation_token_issue

    programme = get_programme_for_user(request.user, programme_id, write=True)
    organisation = get_organisation_for_user(request.user, organisation_id, write=True)
    if organisation.region_id != programme.region_id:
        raise Http404(_("未找到该经营主体"))
    key = organisation_token_issue(actor=request.user, organisation=organisation)
    context = {"region": programme.region, "programme": programme, "organisation": organisation, "key": key}
    response = render(request, "subsidies/token_issued.html", context)
    response["Cache-Control"] = "no-store"
    return response


# Claims ---------------------------------------------------------------------------------------


@login_required
def claim_list(request, programme_id: int):
    programme = get_programme_for_user(request.user, programme_id)
    filters = {k: request.GET.get(k, "").strip() for k in selectors.CLAIM_FILTERS}
    page = Paginator(selectors.claims_for_programme(programme, filters), CLAIMS_PER_PAGE).get_page(request.GET.get("page"))
    query = urlencode({k: v for k, v in filters.items() if v})
    context = {
        "region": programme.region, "programme": programme, "page": page, "filters": filters, "query": query,
        "statuses": ClaimStatus.choices, "categories": selectors.claim_categories(programme),
        "organisations": list(selectors.organisations_for_region(programme.region).only("id", "name")),
        "can_edit": can_edit_subsidies(request.user, programme.region),
    }
    return render(request, "subsidies/claim_list.html", context)


@login_required
def claim_detail(request, number: str):
    from liangxin.subsidies.models import ClaimStatus
    from liangxin.subsidies.review import claim_review

    claim = get_claim_for_user(request.user, number)
    review_error, status = None, 200
    if request.method == "POST":
        # The review service is the one chokepoint for who may approve (maker-checker, role conflicts).
        try:
            claim_review(actor=request.user, claim=claim, action=request.POST.get("action", ""),
                         reason=request.POST.get("reason", ""))
        except ServiceError as exc:
            review_error, status = exc.localized, exc.status
        else:
            messages.success(request, _("已受理") if request.POST.get("action") == "accept" else _("审核意见已记录"))
            return redirect("subsidies:claim", claim.number)
    # Only people who may review see the form (auditors read; the service refuses them anyway).
    reviewable = claim.status in (ClaimStatus.SUBMITTED, ClaimStatus.IN_REVIEW, ClaimStatus.NEEDS_DOCUMENTS) and can_review(
        request.user, claim)
    awaiting_acceptance = claim.status == ClaimStatus.SUBMITTED or (
        claim.status == ClaimStatus.NEEDS_DOCUMENTS and claim.accepted_at is None
    )
    context = {"region": claim.programme.region, "programme": claim.programme, "claim": claim,
               "can_edit": can_edit_subsidies(request.user, claim.programme.region),
               "clawback": getattr(claim, "clawback", None),
               "trace": selectors.claim_trace(claim), "reviewable": reviewable, "review_error": review_error,
               "awaiting_acceptance": awaiting_acceptance,
               "first_approved_by_me": claim.first_approved_by_id is not None and claim.first_approved_by_id == request.user.id, "deadlines": claim_deadlines(claim), "now": timezone.now(),
               "payee": (claim.facts or {}).get("payee") if claim.programme.payee_kind == "claimant" else None,
               "reviews": claim.reviews.select_related("actor"),
               # The auditor's trace: from intake to bank result and every ledger posting, on one page.
               "payments": claim.payments.select_related("batch", "transfer").order_by("batch__created_at", "line"),
               "ledger": claim.ledger_transactions.prefetch_related("entries").order_by("id")}
    return render(request, "subsidies/claim_detail.html", context, status=status)


@login_required
@require_POST
def claim_money(request, number: str):
    """退货冲回, 违规追回 and 追回到账 on one claim; the services decide what the status allows."""
    from liangxin.subsidies.returns import claim_return_item, clawback_for_fraud, clawback_recover

    claim = get_claim_for_user(request.user, number)
    get_programme_for_user(request.user, claim.programme_id, write=True)
    action, reason = request.POST.get("action", ""), request.POST.get("reason", "")
    try:
        if action == "return":
            from liangxin.subsidies.models import Clawback

            result = claim_return_item(actor=request.user, claim=claim, reason=reason)
            done = _("已办理退货，已拨付的补贴转为追回单") if isinstance(result, Clawback) else _("已办理退货冲回")
        elif action == "fraud":
            clawback_for_fraud(actor=request.user, claim=claim, reason=reason)
            done = _("已开具追回单")
        elif action == "recover" and hasattr(claim, "clawback"):
            clawback_recover(actor=request.user, clawback=claim.clawback, reference=request.POST.get("reference", ""))
            done = _("追回款已到账，资金回到可用额度")
        else:
            raise ServiceError("money_action", "操作无效", "unknown action", field="action")
    except ServiceError as exc:
        messages.error(request, exc.localized)
    else:
        messages.success(request, done)
    return redirect("subsidies:claim", claim.number)


@login_required
def clawbacks(request, programme_id: int):
    """追回单: what sellers or claimants owe back, and what has been recovered."""
    from django.db.models import Count, Sum

    from liangxin.subsidies.models import Clawback

    programme = get_programme_for_user(request.user, programme_id)
    rows = Clawback.objects.filter(claim__programme=programme).select_related("claim", "organisation").order_by("status", "-created_at")
    status = request.GET.get("status")
    if status in Clawback.Status.values:
        rows = rows.filter(status=status)
    totals = {r["status"]: r for r in Clawback.objects.filter(claim__programme=programme).values("status").annotate(
        n=Count("id"), amount=Sum("amount"))}
    context = {"region": programme.region, "programme": programme, "clawbacks": rows, "status": status,
               "can_edit": can_edit_subsidies(request.user, programme.region),
               "open": totals.get(Clawback.Status.OPEN), "recovered": totals.get(Clawback.Status.RECOVERED)}
    return render(request, "subsidies/clawbacks.html", context)


@login_required
def claim_new(request, programme_id: int):
    from liangxin.subsidies.decision import decide, usage_for
    from liangxin.subsidies.services import claim_submit

    programme = get_programme_for_user(request.user, programme_id, write=True)
    version = selectors.current_rules(programme)
    rs = selectors.rule_set_or_none(version.rules) if version else None
    categories = [c.code for c in rs.categories] if rs else []
    form = ClaimForm(request.POST or None, categories=categories, documents=selectors.documents_for(rs),
                     pays_claimant=programme.payee_kind == PayeeKind.CLAIMANT, initial={"form_key": uuid.uuid4().hex})
    if rs is None:
        messages.error(request, _("本活动的规则不是有效的规则集，不能在此录入申请"))
    elif request.method == "POST" and form.is_valid():
        try:
            claim, created = claim_submit(actor=request.user, programme=programme, payload=form.payload(),
                                          idempotency_key="form:" + form.cleaned_data["form_key"][:64],
                                          decide=decide, usage_for=usage_for)
            if created:
                claim = claim_route(claim=claim)  # approve automatically or queue for a spot check
        except ServiceError as exc:
            _form_error(form, exc, ClaimForm.FIELD_OF)
        except ValueError as exc:  # the engine's input model refused a value
            form.add_error(None, _("申请内容无法按规则读取：%(e)s") % {"e": str(exc).splitlines()[0]})
        else:
            if not created:
                messages.info(request, _("该申请已提交过，以下为原申请"))
            elif claim.status == ClaimStatus.REJECTED:
                messages.warning(request, _("不予补贴：%(r)s") % {"r": "；".join(r["message"] for r in claim.reasons)})
            elif claim.status == ClaimStatus.SUBMITTED:
                messages.success(request, _("已提交，待受理；已预占补贴 %(amount)s 元") % {"amount": claim.amount})
            else:
                messages.success(request, _("已受理，补贴 %(amount)s 元") % {"amount": claim.amount})
            return redirect("subsidies:claim", claim.number)
    context = {"region": programme.region, "programme": programme, "form": form, "rules_ok": rs is not None}
    return render(request, "subsidies/claim_form.html", context, status=400 if form.errors else 200)


# Bulk upload ----------------------------------------------------------------------------------


@login_required
def bulk_upload(request, programme_id: int):
    from liangxin.subsidies.bulk import bulk_submit

    programme = get_programme_for_user(request.user, programme_id, write=True)
    form = BulkUploadForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = bulk_submit(actor=request.user, programme=programme, name=upload.name, data=upload.read(),
                                 mode=form.cleaned_data["mode"])
        except ServiceError as exc:
            _form_error(form, exc)
    context = {"region": programme.region, "programme": programme, "form": form, "result": result}
    return render(request, "subsidies/bulk_upload.html", context, status=400 if form.errors else 200)


@login_required
def bulk_template(request, programme_id: int):
    from liangxin.subsidies.bulk import bulk_template_xlsx

    programme = get_programme_for_user(request.user, programme_id, write=True)
    response = HttpResponse(bulk_template_xlsx(programme), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="claims-{programme.id}.xlsx"'
    return response


@login_required
def programme_statistics_view(request, programme_id: int):
    from django.http import HttpResponse

    from liangxin.subsidies.statistics import (
        programme_statistics,
        programme_statistics_xlsx,
        statistics_charts,
    )

    programme = get_programme_for_user(request.user, programme_id)
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(programme_statistics_xlsx(programme),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="programme-{programme.id}-statistics.xlsx"'
        return response
    stats = programme_statistics(programme)
    context = {"programme": programme, "region": programme.region, "stats": stats, "charts": statistics_charts(stats),
               "can_edit": can_edit_subsidies(request.user, programme.region)}
    return render(request, "subsidies/statistics.html", context)
