"""On PostgreSQL the database itself refuses UPDATE and DELETE on the audit tables.
SQLite (development and tests) relies on the HMAC seals alone."""

from django.db import migrations

from liangxin.core.migration_ops import append_only_on_postgresql


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [
        append_only_on_postgresql(
            "liangxin_audit_append_only",
            ["audit_auditentry", "audit_auditseal"],
            "audit tables are append-only (审计日志只允许追加)",
        )
    ]
