"""Writes for users, role grants and API tokens."""

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from liangxin.accounts.models import ApiToken, Role, RoleAssignment, User
from liangxin.audit.services import audit_record, snapshot
from liangxin.core.errors import Conflict, ServiceError

TOKEN_PREFIX = "lx_"


@transaction.atomic
def user_create(
    *, actor, username: str, password: str, display_name: str = "", email: str = "", is_system_admin: bool = False
) -> User:
    username = (username or "").strip()
    if not username:
        raise ServiceError("username_missing", "请填写用户名", "username is required", field="username")
    if User.objects.filter(username=username).exists():
        raise Conflict("username_taken", f"用户名“{username}”已被使用", "username taken", field="username")
    user = User(username=username, display_name=display_name, email=email, is_system_admin=is_system_admin)
    user.set_password(password)
    user.save()
    audit_record(
        actor=actor,
        action="user.create",
        instance=user,
        after=snapshot(user, ["username", "display_name", "email", "is_system_admin", "is_active"]),
    )
    return user


@transaction.atomic
def role_grant(*, actor, user: User, role: str, region, department=None) -> RoleAssignment:
    if role not in Role.values:
        raise ServiceError("role_invalid", f"角色“{role}”无效", f"unknown role {role!r}", field="role")
    if role == Role.DEPARTMENT_STAFF and department is None:
        raise ServiceError(
            "role_needs_department", "部门工作人员必须指定所属部门", "department staff need a department", field="department"
        )
    if department is not None and not department.region.is_within(region) and department.region_id != region.id:
        raise ServiceError("role_department_region", "部门不属于该行政区划", "department outside the region", field="department")
    if role != Role.DEPARTMENT_STAFF:
        department = None
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user, role=role, region=region, department=department
    )
    if created:
        audit_record(actor=actor, action="role.grant", instance=assignment, region=region, after=snapshot(assignment))
    return assignment


@transaction.atomic
def role_revoke(*, actor, assignment: RoleAssignment) -> None:
    before = snapshot(assignment)
    region = assignment.region
    audit_record(actor=actor, action="role.revoke", instance=assignment, region=region, before=before)
    assignment.delete()


def _token_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, actor, user: User, name: str) -> tuple[ApiToken, str]:
    """Returns the token row and the clear key, which is never stored and shown only now."""
    name = (name or "").strip()
    if not name:
        raise ServiceError("token_name_missing", "请填写令牌用途", "token name is required", field="name")
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=key[:10], key_hash=_token_hash(key))
    audit_record(actor=actor, action="api_token.create", instance=token, after=snapshot(token, ["user", "name", "prefix"]))
    return token, key


@transaction.atomic
def api_token_revoke(*, actor, token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="api_token.revoke", instance=token, after={"revoked_at": token.revoked_at})


def api_token_authenticate(key: str) -> User | None:
    if not key or not key.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.filter(key_hash=_token_hash(key), revoked_at__isnull=True, user__is_active=True)
        .select_related("user")
        .first()
    )
    if token is None:
        return None
    # Touch at most once a minute: a busy client must not turn every read into a write.
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
