"""Writing, sealing and verifying the audit log. Only this module writes audit rows."""

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone

from liangxin.audit.models import AuditEntry, AuditSeal
from liangxin.core.i18n import in_chinese

GENESIS = "0" * 64


def _hmac(message: str) -> str:
    return hmac.new(settings.AUDIT_HMAC_KEY.encode(), message.encode(), hashlib.sha256).hexdigest()


def _json_safe(value):
    # Decimals, dates and UUIDs become strings once, here, so the stored JSON and the
    # hashed JSON are the same text whichever database holds it.
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))


def _canonical(value) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _entry_message(entry: AuditEntry) -> str:
    return _canonical(
        [
            entry.created_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
            entry.actor_id,
            entry.actor_label,
            entry.action,
            entry.object_type,
            entry.object_id,
            entry.object_repr,
            entry.region_id,
            entry.before,
            entry.after,
        ]
    )


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict:
    """The audited state of a model instance: concrete field values, foreign keys as ids."""
    data = {}
    for f in instance._meta.concrete_fields:
        if fields is not None and f.name not in fields:
            continue
        value = getattr(instance, f.attname)
        # A stored file is audited by its storage name, not its content.
        data[f.name] = value.name if isinstance(f, models.FileField) else value
    return _json_safe(data)


def audit_record(
    *,
    actor,
    action: str,
    instance: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    object_repr: str = "",
    region=None,
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEntry:
    """Append one audit entry. Must run inside the caller's transaction, so the change and
    its record commit or roll back together."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit_record must be called inside the service's transaction.atomic block")
    # The entry reads the same whatever the language of the page that caused it: an instance's str()
    # may use a (translated) choice label.
    with in_chinese():
        if instance is not None:
            object_type = object_type or instance._meta.label_lower
            object_id = object_id or instance.pk
            object_repr = object_repr or str(instance)
        object_repr = str(object_repr)
        before = _json_safe(before) if before is not None else None
        after = _json_safe(after) if after is not None else None
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    entry = AuditEntry(
        created_at=timezone.now(),
        actor=actor if is_user else None,
        actor_label=(actor.get_username() if is_user else str(actor or "system"))[:150],
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        object_repr=object_repr[:200],
        region=region,
        before=before,
        after=after,
    )
    entry.entry_hmac = _hmac(_entry_message(entry))
    entry.save(force_insert=True)
    return entry


def _digest(rows: Iterable[tuple[int, str]]) -> tuple[int, str]:
    digest = hashlib.sha256()
    count = 0
    for entry_id, entry_hmac in rows:
        digest.update(f"{entry_id}:{entry_hmac}\n".encode())
        count += 1
    return count, digest.hexdigest()


def _seal_message(seal: AuditSeal) -> str:
    return _canonical(
        [
            seal.previous_seal_hmac,
            seal.first_entry_id,
            seal.last_entry_id,
            seal.entry_count,
            seal.entries_digest,
            seal.sealed_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        ]
    )


@transaction.atomic
def audit_seal(*, settle_seconds: int = 60, batch_size: int = 50_000) -> list[AuditSeal]:
    """Close every entry older than `settle_seconds` into chained seals.

    The settle delay leaves time for transactions that took an id earlier but commit later;
    writers are never blocked, only concurrent sealers wait for each other."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('liangxin.audit_seal'))")
    last = AuditSeal.objects.order_by("-id").first()
    previous_hmac = last.seal_hmac if last else GENESIS
    start_after = last.last_entry_id if last else 0
    cutoff = timezone.now() - dt.timedelta(seconds=settle_seconds)
    seals = []
    while True:
        rows = list(
            AuditEntry.objects.filter(id__gt=start_after, created_at__lte=cutoff)
            .order_by("id")
            .values_list("id", "entry_hmac")[:batch_size]
        )
        if not rows:
            break
        count, digest = _digest(rows)
        seal = AuditSeal(
            sealed_at=timezone.now(),
            first_entry_id=start_after + 1,
            last_entry_id=rows[-1][0],
            entry_count=count,
            entries_digest=digest,
            previous_seal_hmac=previous_hmac,
        )
        seal.seal_hmac = _hmac(_seal_message(seal))
        seal.save(force_insert=True)
        seals.append(seal)
        previous_hmac, start_after = seal.seal_hmac, seal.last_entry_id
    return seals


@dataclass
class VerifyReport:
    entries_checked: int = 0
    seals_checked: int = 0
    unsealed_entries: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def audit_verify(*, progress=None) -> VerifyReport:
    """Recompute every entry's HMAC and every seal; report what does not match."""
    report = VerifyReport()
    seals = list(AuditSeal.objects.order_by("id"))
    previous_hmac, covered_to = GENESIS, 0
    for seal in seals:
        report.seals_checked += 1
        if seal.previous_seal_hmac != previous_hmac:
            report.problems.append(f"封存 #{seal.id} 的前序链接不符（封存被删除或篡改） seal #{seal.id}: chain broken")
        if not hmac.compare_digest(seal.seal_hmac, _hmac(_seal_message(seal))):
            report.problems.append(f"封存 #{seal.id} 内容被篡改 seal #{seal.id}: altered")
        if seal.first_entry_id != covered_to + 1:
            report.problems.append(f"封存 #{seal.id} 的范围不连续 seal #{seal.id}: range gap")
        rows = AuditEntry.objects.filter(id__gte=seal.first_entry_id, id__lte=seal.last_entry_id).order_by("id")
        count, digest = _digest(rows.values_list("id", "entry_hmac").iterator(chunk_size=5000))
        if count != seal.entry_count:
            report.problems.append(
                f"封存 #{seal.id} 覆盖的记录数为 {count}，封存时为 {seal.entry_count}（记录被删除或插入） "
                f"seal #{seal.id}: {seal.entry_count} entries sealed, {count} found"
            )
        elif digest != seal.entries_digest:
            report.problems.append(f"封存 #{seal.id} 覆盖的记录摘要不符 seal #{seal.id}: digest mismatch")
        previous_hmac, covered_to = seal.seal_hmac, seal.last_entry_id
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=2000):
        report.entries_checked += 1
        if entry.id > covered_to:
            report.unsealed_entries += 1
        if not hmac.compare_digest(entry.entry_hmac, _hmac(_entry_message(entry))):
            report.problems.append(f"审计记录 #{entry.id} 内容被篡改 entry #{entry.id}: altered")
        if progress is not None:
            progress(report.entries_checked)
    return report
