"""Regions (行政区划) and the organisation units (部门/单位) that work in them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("省")
    CITY = "city", _("市")
    COUNTY = "county", _("县/区")


class Region(models.Model):
    """An administrative division identified by its official 6-digit code (行政区划代码)."""

    code = models.CharField(_("行政区划代码"), max_length=6, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    level = models.CharField(_("层级"), max_length=10, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # Codes from the root down, "370000/370800/370828": a role granted on a city covers its
    # counties, and this prefix test answers that without a recursive query.
    path = models.CharField(max_length=100, editable=False, db_index=True)

    class Meta:
        verbose_name = _("行政区划")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=r"^[1-9][0-9]{5}$"), name="region_code_six_digits"),
            models.CheckConstraint(
                condition=Q(level="province", parent__isnull=True) | Q(parent__isnull=False),
                name="region_only_provinces_are_roots",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def is_within(self, other: "Region") -> bool:
        return self.path == other.path or self.path.startswith(other.path + "/")


class DepartmentKind(models.TextChoices):
    BUREAU = "bureau", _("政府工作部门")
    BRANCH = "branch", _("上级派驻分支机构")
    VERTICAL = "vertical", _("垂直管理机构")
    COMMAND = "command", _("指挥部/工作专班")
    COLLECTIVE = "collective", _("集合主体")
    OTHER = "other", _("其他单位")


class Department(models.Model):
    """An organisation unit (部门/单位) of a region: a bureau, a stationed branch, a vertical agency,
    a command body, or a collective body standing for a set of units (各镇街)."""

    region = models.ForeignKey(Region, verbose_name=_("行政区划"), on_delete=models.PROTECT, related_name="departments")
    name = models.CharField(_("名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=50, blank=True)
    kind = models.CharField(_("类型"), max_length=12, choices=DepartmentKind.choices, default=DepartmentKind.BUREAU)
    is_active = models.BooleanField(_("在用"), default=True)
    # Set when a working-group admin confirmed this name as an alias of another department:
    # the row stays so that history and audit entries keep pointing at something real.
    merged_into = models.ForeignKey(
        "self", verbose_name=_("已合并至"), null=True, blank=True, on_delete=models.PROTECT, related_name="merged_from"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("部门")
        ordering = ["region", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="department_name_unique_in_region"),
            models.CheckConstraint(condition=~Q(name=""), name="department_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name


class AliasStatus(models.TextChoices):
    PROPOSED = "proposed", _("待确认")
    CONFIRMED = "confirmed", _("已确认")
    REJECTED = "rejected", _("已否决")


class DepartmentAlias(models.Model):
    """Another way a notice writes a department's name (别名), e.g. 县发展和改革委员会 for
    县发展和改革局. The system proposes; a working-group admin confirms or rejects; the decision
    is kept so the same question is never asked twice."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="department_aliases")
    alias = models.CharField(_("别名"), max_length=100)
    department = models.ForeignKey(
        Department, verbose_name=_("对应部门"), on_delete=models.PROTECT, related_name="aliases"
    )
    status = models.CharField(_("状态"), max_length=10, choices=AliasStatus.choices, default=AliasStatus.PROPOSED)
    similarity = models.DecimalField(_("相似度"), max_digits=4, decimal_places=3, null=True, blank=True)
    reason = models.CharField(_("依据"), max_length=200, blank=True)
    proposed_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("部门别名")
        ordering = ["region", "alias"]
        constraints = [
            # One standing decision per written name in a region.
            models.UniqueConstraint(fields=["region", "alias"], name="department_alias_unique_in_region"),
        ]

    def __str__(self) -> str:
        return f"{self.alias} → {self.department.name}"
