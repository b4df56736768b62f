import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from liangxin.audit.models import AuditEntry
from liangxin.audit.services import audit_record, audit_seal, audit_verify
from liangxin.regions.services import department_create, department_update


def _raw(sql, params=()):
    """Tamper with the table behind the application's back, as an intruder with DB access would."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A superuser can switch user triggers off for the session: the append-only
            # trigger is a barrier for the application, the seals are the proof.
            cursor.execute("SET session_replication_role = replica")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")


def test_services_record_who_what_and_before_after(jinxiang):
    department = department_create(actor="test", region=jinxiang, name="县商务局")
    department_update(actor="test", department=department, short_name="商务")
    entry = AuditEntry.objects.filter(action="department.update").get()
    assert entry.actor_label == "test"
    assert entry.region == jinxiang
    assert entry.object_type == "regions.department"
    assert entry.before["short_name"] == "" and entry.after["short_name"] == "商务"


def test_a_failed_service_leaves_no_audit_entry(jinxiang):
    from liangxin.core.errors import ServiceError

    before = AuditEntry.objects.count()
    with pytest.raises(ServiceError):
        department_update(actor="test", department=department_create(actor="t", region=jinxiang, name="县甲局"), kind="bogus")
    assert AuditEntry.objects.count() == before + 1  # only the create


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_audit_record_refuses_to_run_outside_a_transaction():
    # An entry written outside the change's transaction could survive a rolled-back change.
    with pytest.raises(RuntimeError, match="inside the service"):
        audit_record(actor="x", action="y", object_type="z", object_id=1)
    assert not AuditEntry.objects.exists()


def test_verify_passes_then_detects_an_altered_row(jinxiang):
    department_create(actor="test", region=jinxiang, name="县商务局")
    department_create(actor="test", region=jinxiang, name="县财政局")
    audit_seal(settle_seconds=0)
    department_create(actor="test", region=jinxiang, name="县科技局")  # unsealed tail
    call_command("audit", "verify")
    assert audit_verify().ok

    victim = AuditEntry.objects.order_by("id").first()
    _raw("UPDATE audit_auditentry SET actor_label = %s WHERE id = %s", ["someone-else", victim.id])

    report = audit_verify()
    assert not report.ok
    assert any(f"#{victim.id}" in p for p in report.problems)
    with pytest.raises(CommandError, match="校验失败"):
        call_command("audit", "verify")


def test_verify_detects_an_altered_unsealed_row(jinxiang):
    department_create(actor="test", region=jinxiang, name="县商务局")
    entry = AuditEntry.objects.get()
    _raw("UPDATE audit_auditentry SET after = %s WHERE id = %s", ['{"name": "假"}', entry.id])
    assert not audit_verify().ok


def test_verify_detects_a_deleted_sealed_row(jinxiang):
    for name in ("县甲局", "县乙局", "县丙局"):
        department_create(actor="test", region=jinxiang, name=name)
    audit_seal(settle_seconds=0)
    middle = AuditEntry.objects.order_by("id")[1]
    _raw("DELETE FROM audit_auditentry WHERE id = %s", [middle.id])
    report = audit_verify()
    assert not report.ok
    assert any("记录被删除或插入" in p for p in report.problems)


def test_seals_chain_and_a_second_seal_covers_only_new_entries(jinxiang):
    department_create(actor="test", region=jinxiang, name="县甲局")
    first = audit_seal(settle_seconds=0)
    department_create(actor="test", region=jinxiang, name="县乙局")
    second = audit_seal(settle_seconds=0)
    assert len(first) == len(second) == 1
    assert second[0].previous_seal_hmac == first[0].seal_hmac
    assert second[0].first_entry_id == first[0].last_entry_id + 1
    assert audit_seal(settle_seconds=0) == []
    assert audit_verify().ok


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_postgresql_refuses_updates_to_the_audit_log(jinxiang):
    from django.db import DatabaseError

    department_create(actor="test", region=jinxiang, name="县商务局")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.update(actor_label="x")
