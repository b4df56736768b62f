import datetime as dt

from ninja import Router, Schema

from liangxin.accounts.permissions import get_audit_region_for_user
from liangxin.audit.selectors import audit_entries_for_region

router = Router(tags=["audit"])


class AuditEntryOut(Schema):
    id: int
    created_at: dt.datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    before: dict | None
    after: dict | None


@router.get("/{code}/audit", response=list[AuditEntryOut], summary="审计日志 (audit log; auditors and working-group admins)")
def list_audit(request, code: str, action: str = "", object_type: str = "", limit: int = 100, before_id: int | None = None):
    region = get_audit_region_for_user(request.user, code)
    qs = audit_entries_for_region(region, action=action, object_type=object_type)
    if before_id:
        qs = qs.filter(id__lt=before_id)
    return [
        {
            "id": e.id, "created_at": e.created_at, "actor": e.actor_label, "action": e.action,
            "object_type": e.object_type, "object_id": e.object_id, "object_repr": e.object_repr,
            "before": e.before, "after": e.after,
        }
        for e in qs[: max(1, min(limit, 500))]
    ]
