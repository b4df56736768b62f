"""Users, the roles they hold in a region, and API tokens for machine clients."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who logs in. What they may do comes only from their RoleAssignments
    (and `is_system_admin`), never from Django's per-model permissions."""

    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    is_system_admin = models.BooleanField(_("系统管理员"), default=False)

    class Meta:
        verbose_name = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username


class Role(models.TextChoices):
    WORKING_GROUP_ADMIN = "wg_admin", _("工作专班管理员")
    DEPARTMENT_STAFF = "dept_staff", _("部门工作人员")
    LEADER = "leader", _("领导")
    AUDITOR = "auditor", _("审计人员")
    PROGRAMME_STAFF = "programme_staff", _("补贴业务人员")


class RoleAssignment(models.Model):
    """One role of a user in one region (and, for department staff, one department).
    A role on a city also covers the counties under it."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    region = models.ForeignKey("regions.Region", verbose_name=_("行政区划"), on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        "regions.Department", verbose_name=_("部门"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("角色授权")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "region", "department"], name="role_assignment_unique"),
            models.UniqueConstraint(
                fields=["user", "role", "region"],
                condition=Q(department__isnull=True),
                name="role_assignment_unique_without_department",
            ),
            # Department staff act for exactly one department; other roles are region-wide.
            models.CheckConstraint(
                condition=Q(role="dept_staff", department__isnull=False) | (~Q(role="dept_staff")),
                name="role_department_staff_has_department",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.region}"


class ApiToken(models.Model):
    """A bearer token for a machine client (a retailer's system, a script). Only a hash is
    stored; the clear token is shown once at creation."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("用途"), max_length=100)
    prefix = models.CharField(max_length=12, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API 令牌")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
