"""The chokepoints for subsidy pages: programmes, claims and organisations are fetched here only.

Readers: programme staff (补贴业务人员), working-group admins and auditors of the region or a
region above it, and system admins. Writers (create programmes, edit rules, add pools, register
organisations, enter and upload claims): programme staff, working-group admins, system admins.
Anyone else with a role in the region gets 403; users without a role there get 404.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from liangxin.accounts.models import Role
from liangxin.accounts.permissions import (
    can_view_region,
    get_region_for_user,
    is_system_admin,
    roles_in_region,
)
from liangxin.regions.models import Region
from liangxin.subsidies.models import Claim, Organisation, Programme

SUBSIDY_READ_ROLES = frozenset({Role.PROGRAMME_STAFF, Role.WORKING_GROUP_ADMIN, Role.AUDITOR})
SUBSIDY_WRITE_ROLES = frozenset({Role.PROGRAMME_STAFF, Role.WORKING_GROUP_ADMIN})

READ_DENIED = "只有补贴业务人员、工作专班和审计人员可以查看以旧换新补贴"
WRITE_DENIED = "只有补贴业务人员和工作专班管理员可以办理以旧换新补贴"


def can_view_subsidies(user, region: Region) -> bool:
    return is_system_admin(user) or bool(roles_in_region(user, region) & SUBSIDY_READ_ROLES)


def can_edit_subsidies(user, region: Region) -> bool:
    return is_system_admin(user) or bool(roles_in_region(user, region) & SUBSIDY_WRITE_ROLES)


def _check(user, region: Region, *, write: bool, message: str) -> None:
    if not can_view_region(user, region):
        raise Http404(message)
    if not can_view_subsidies(user, region):
        raise PermissionDenied(READ_DENIED)
    if write and not can_edit_subsidies(user, region):
        raise PermissionDenied(WRITE_DENIED)


def get_subsidy_region_for_user(user, code: str, *, write: bool = False) -> Region:
    """The region of a programme list or programme-creation page."""
    region = get_region_for_user(user, code)  # 404 for regions the user has no role in
    _check(user, region, write=write, message="未找到该行政区划")
    return region


def get_programme_for_user(user, programme_id, *, write: bool = False) -> Programme:
    try:
        programme = Programme.objects.select_related("region").get(pk=programme_id)
    except (Programme.DoesNotExist, ValueError, TypeError):
        raise Http404("未找到该补贴活动") from None
    _check(user, programme.region, write=write, message="未找到该补贴活动")
    return programme


def get_claim_for_user(user, claim_number: str) -> Claim:
    try:
        claim = Claim.objects.select_related("programme__region", "organisation", "pool", "rule_version").get(
            number=str(claim_number)
        )
    except Claim.DoesNotExist:
        raise Http404("未找到该补贴申请") from None
    _check(user, claim.programme.region, write=False, message="未找到该补贴申请")
    return claim


def get_organisation_for_user(user, organisation_id, *, write: bool = False) -> Organisation:
    try:
        organisation = Organisation.objects.select_related("region").get(pk=organisation_id)
    except (Organisation.DoesNotExist, ValueError, TypeError):
        raise Http404("未找到该经营主体") from None
    _check(user, organisation.region, write=write, message="未找到该经营主体")
    return organisation
