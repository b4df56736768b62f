"""Writes for regions, departments and department aliases (部门别名)."""

import re
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from liangxin.audit.services import audit_record, snapshot
from liangxin.core.errors import Conflict, NotFound, ServiceError
from liangxin.core.i18n import chinese
from liangxin.regions.models import (
    AliasStatus,
    Department,
    DepartmentAlias,
    DepartmentKind,
    Region,
    RegionLevel,
)

_CODE = re.compile(r"^[1-9][0-9]{5}$")


def region_level_for_code(code: str) -> str:
    if code.endswith("0000"):
        return RegionLevel.PROVINCE
    if code.endswith("00"):
        return RegionLevel.CITY
    return RegionLevel.COUNTY


def _default_parent_code(code: str) -> str | None:
    level = region_level_for_code(code)
    if level == RegionLevel.PROVINCE:
        return None
    if level == RegionLevel.CITY:
        return code[:2] + "0000"
    return code[:4] + "00"


@transaction.atomic
def region_create(*, actor, code: str, name: str, parent_code: str | None = None) -> Region:
    """Add a region. The level follows from the official code (xx0000 province, xxxx00 city,
    else county/district); the parent defaults to the code's own prefix."""
    code = (code or "").strip()
    name = (name or "").strip()
    if not _CODE.match(code):
        raise ServiceError(
            "region_code_invalid",
            f"行政区划代码“{code}”无效：应为 6 位数字",
            f"region code {code!r} is invalid: six digits expected",
            field="code",
        )
    if not name:
        raise ServiceError("region_name_missing", "请填写行政区划名称", "region name is required", field="name")
    if Region.objects.filter(code=code).exists():
        raise Conflict("region_code_taken", f"行政区划代码 {code} 已存在", f"region {code} already exists", field="code")
    parent_code = (parent_code or "").strip() or _default_parent_code(code)
    parent = None
    if parent_code:
        parent = Region.objects.filter(code=parent_code).first()
        if parent is None:
            raise NotFound(
                "region_parent_missing",
                f"上级行政区划 {parent_code} 不存在，请先添加上级",
                f"parent region {parent_code} does not exist; add it first",
                field="parent_code",
            )
    level = region_level_for_code(code)
    region = Region(code=code, name=name, level=level, parent=parent)
    region.path = f"{parent.path}/{code}" if parent else code
    region.save()
    audit_record(actor=actor, action="region.create", instance=region, region=region, after=snapshot(region))
    return region


_COLLECTIVE = re.compile(r"^各|有关部门|有关单位|各级各部门")
_COMMAND = re.compile(r"指挥部|专班|领导小组|工作组")
_VERTICAL = re.compile(r"税务局|监管支局|监管分局|金融监督管理|海关|气象局|邮政管理局|国家.*局|烟草")
_BRANCH = re.compile(r"分局$")


def department_guess_kind(name: str) -> str:
    """A first guess of the kind from the name; a working-group admin can change it."""
    if _COLLECTIVE.search(name):
        return DepartmentKind.COLLECTIVE
    if _COMMAND.search(name):
        return DepartmentKind.COMMAND
    if _VERTICAL.search(name):
        return DepartmentKind.VERTICAL
    if _BRANCH.search(name):
        return DepartmentKind.BRANCH
    if name.endswith(("局", "委员会", "委", "办公室", "办")):
        return DepartmentKind.BUREAU
    return DepartmentKind.OTHER


@transaction.atomic
def department_create(*, actor, region: Region, name: str, kind: str = "", short_name: str = "") -> Department:
    name = "".join((name or "").split())
    if not name:
        raise ServiceError("department_name_missing", "请填写部门名称", "department name is required", field="name")
    if len(name) > 100:
        raise ServiceError("department_name_too_long", "部门名称不能超过 100 个字", "name too long", field="name")
    if kind and kind not in DepartmentKind.values:
        raise ServiceError("department_kind_invalid", f"部门类型“{kind}”无效", f"unknown kind {kind!r}", field="kind")
    if Department.objects.filter(region=region, name=name).exists():
        raise Conflict(
            "department_name_taken",
            f"{region.name}已有名为“{name}”的部门",
            f"a department named {name!r} already exists in {region.code}",
            field="name",
        )
    try:
        with transaction.atomic():
            department = Department.objects.create(
                region=region, name=name, kind=kind or department_guess_kind(name), short_name=short_name.strip()
            )
    except IntegrityError:
        # Lost a race with a concurrent create of the same name.
        raise Conflict(
            "department_name_taken", f"{region.name}已有名为“{name}”的部门", "department name taken", field="name"
        ) from None
    audit_record(
        actor=actor, action="department.create", instance=department, region=region, after=snapshot(department)
    )
    return department


@transaction.atomic
def department_update(*, actor, department: Department, kind: str | None = None, short_name: str | None = None) -> Department:
    before = snapshot(department)
    if kind is not None:
        if kind not in DepartmentKind.values:
            raise ServiceError("department_kind_invalid", f"部门类型“{kind}”无效", f"unknown kind {kind!r}", field="kind")
        department.kind = kind
    if short_name is not None:
        department.short_name = short_name.strip()
    department.save(update_fields=["kind", "short_name"])
    audit_record(
        actor=actor,
        action="department.update",
        instance=department,
        region=department.region,
        before=before,
        after=snapshot(department),
    )
    return department


# --- alias matching -----------------------------------------------------------------

_LEADING_LEVEL = re.compile(r"^(省|市|县|区|旗|镇|街道)")
_TRAILING_TYPE = re.compile(r"(委员会|服务中心|事务中心|中心|办公室|局|委|办|部|处|所|站|队)$")


def _core(name: str) -> str:
    """The distinctive part of a department name: 县发展和改革委员会 → 发展和改革."""
    return _TRAILING_TYPE.sub("", _LEADING_LEVEL.sub("", name))


def _is_subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


def department_name_similarity(a: str, b: str) -> Decimal:
    """How likely two written names are one body (0–1). Catches a changed type word
    (改革局/改革委员会), swapped words (综合行政/行政综合) and abbreviations (市场监管/市场监督管理,
    科技/科学技术); refuses mere shared words (商务局 vs 商务和投资促进局)."""
    if a == b:
        return Decimal("1")
    core_a, core_b = _core(a), _core(b)
    if not core_a or not core_b:
        return Decimal("0")
    if core_a == core_b:
        return Decimal("0.95")
    if len(core_a) == len(core_b) and sorted(core_a) == sorted(core_b):
        return Decimal("0.9")
    short, long = sorted((core_a, core_b), key=len)
    if len(short) >= 2 and len(short) / len(long) >= 0.5 and _is_subsequence(short, long):
        return Decimal("0.8")
    return Decimal("0")


ALIAS_PROPOSAL_THRESHOLD = Decimal("0.8")


def department_resolve(region: Region, name: str) -> Department | None:
    """The department a written name stands for, following confirmed aliases and merges."""
    name = "".join(name.split())
    department = Department.objects.filter(region=region, name=name).select_related("merged_into").first()
    if department is None:
        alias = (
            DepartmentAlias.objects.filter(region=region, alias=name, status=AliasStatus.CONFIRMED)
            .select_related("department")
            .first()
        )
        department = alias.department if alias else None
    while department is not None and department.merged_into_id:
        department = department.merged_into
    return department


def department_find_alias_candidate(region: Region, name: str) -> tuple[Department, Decimal] | None:
    best = None
    for candidate in Department.objects.filter(region=region, merged_into__isnull=True).exclude(name=name):
        score = department_name_similarity(name, candidate.name)
        if score >= ALIAS_PROPOSAL_THRESHOLD and (best is None or score > best[1]):
            best = (candidate, score)
    return best


@transaction.atomic
def department_alias_propose(*, actor, region: Region, alias: str, department: Department, similarity=None, reason: str = "") -> DepartmentAlias:
    """Record that `alias` may be another name of `department`; idempotent per (region, alias)."""
    alias = "".join(alias.split())
    existing = DepartmentAlias.objects.filter(region=region, alias=alias).first()
    if existing is not None:
        return existing
    proposal = DepartmentAlias.objects.create(
        region=region, alias=alias, department=department, similarity=similarity, reason=reason[:200]
    )
    audit_record(
        actor=actor, action="department_alias.propose", instance=proposal, region=region, after=snapshot(proposal)
    )
    return proposal


def _repoint_relations(source: Department, target: Department) -> None:
    """Move everything that points at `source` to `target` (tasks, roles, …), whatever app owns it."""
    # include_hidden: relations declared with related_name="+" must move too.
    for relation in source._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and not relation.concrete and (relation.one_to_many or relation.one_to_one)):
            continue
        if relation.related_model in (Department, DepartmentAlias):
            continue
        try:
            with transaction.atomic():
                relation.related_model._base_manager.filter(**{relation.field.name: source}).update(
                    **{relation.field.name: target}
                )
        except IntegrityError:
            # e.g. both names already have a progress report for the same period.
            label = chinese(relation.related_model._meta.verbose_name)
            raise Conflict(
                "department_merge_conflict",
                f"无法合并：“{source.name}”与“{target.name}”都有同一项{label}，请先处理重复的{label}",
                f"cannot merge: both departments hold the same {relation.related_model._meta.model_name}",
            ) from None


@transaction.atomic
def department_alias_decide(*, actor, proposal: DepartmentAlias, confirm: bool, department: Department | None = None) -> DepartmentAlias:
    """A working-group admin's decision on an alias. Confirming merges a department that was
    created under the alias name into the confirmed one, so links resolve to one department."""
    proposal = DepartmentAlias.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != AliasStatus.PROPOSED:
        raise Conflict(
            "alias_already_decided",
            f"“{proposal.alias}”已于 {timezone.localtime(proposal.decided_at):%Y-%m-%d %H:%M} 处理过",
            "this alias has already been decided",
        )
    before = snapshot(proposal)
    if department is not None:
        if department.region_id != proposal.region_id:
            raise ServiceError("alias_region_mismatch", "只能对应到本地区的部门", "department from another region")
        proposal.department = department
    proposal.status = AliasStatus.CONFIRMED if confirm else AliasStatus.REJECTED
    proposal.decided_by = actor if getattr(actor, "is_authenticated", False) else None
    proposal.decided_at = timezone.now()
    proposal.save(update_fields=["department", "status", "decided_by", "decided_at"])
    if confirm:
        twin = Department.objects.filter(region=proposal.region, name=proposal.alias).first()
        if twin is not None and twin.pk != proposal.department_id:
            twin_before = snapshot(twin)
            _repoint_relations(twin, proposal.department)
            twin.merged_into = proposal.department
            twin.is_active = False
            twin.save(update_fields=["merged_into", "is_active"])
            audit_record(
                actor=actor, action="department.merge", instance=twin, region=proposal.region,
                before=twin_before, after=snapshot(twin),
            )
    audit_record(
        actor=actor,
        action="department_alias.confirm" if confirm else "department_alias.reject",
        instance=proposal,
        region=proposal.region,
        before=before,
        after=snapshot(proposal),
    )
    return proposal


@transaction.atomic
def department_get_or_create_for_name(*, actor, region: Region, name: str) -> Department:
    """Resolve a name written in a notice: an existing department or confirmed alias, else a new
    department — plus an alias proposal when the new name looks like an existing one."""
    name = "".join(name.split())
    department = department_resolve(region, name)
    if department is not None:
        return department
    candidate = department_find_alias_candidate(region, name)
    department = department_create(actor=actor, region=region, name=name)
    if candidate is not None and not DepartmentAlias.objects.filter(region=region, alias=name).exists():
        department_alias_propose(
            actor=actor, region=region, alias=name, department=candidate[0], similarity=candidate[1],
            reason=f"名称相似：“{name}”与“{candidate[0].name}”",
        )
    return department
