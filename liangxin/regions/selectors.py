"""Reads of regions and departments shared by pages, the API and the CLI."""

from django.db.models import Count, Q, QuerySet

from liangxin.accounts.permissions import regions_for_user
from liangxin.regions.models import AliasStatus, Department, DepartmentAlias, Region


def region_list_for_user(user) -> QuerySet[Region]:
    return regions_for_user(user).select_related("parent").order_by("path")


def department_list(region: Region, *, include_merged: bool = False) -> QuerySet[Department]:
    qs = Department.objects.filter(region=region)
    if not include_merged:
        qs = qs.filter(merged_into__isnull=True)
    return qs.annotate(alias_count=Count("aliases", filter=Q(aliases__status=AliasStatus.CONFIRMED))).order_by(
        "kind", "name"
    )


def alias_list(region: Region, *, status: str | None = None) -> QuerySet[DepartmentAlias]:
    qs = DepartmentAlias.objects.filter(region=region).select_related("department", "decided_by")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("status", "alias")
