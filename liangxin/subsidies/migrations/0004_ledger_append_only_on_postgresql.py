"""On PostgreSQL the database refuses UPDATE and DELETE on the fund ledger."""

from django.db import migrations

TABLES = ["subsidies_ledgertransaction", "subsidies_ledgerentry"]

FUNCTION = """
CREATE OR REPLACE FUNCTION liangxin_ledger_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the fund ledger is append-only (资金台账只允许追加)';
END;
$$ LANGUAGE plpgsql;
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION liangxin_ledger_append_only()"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS liangxin_ledger_append_only()")


class Migration(migrations.Migration):
    dependencies = [("subsidies", "0003_fund_ledger")]
    operations = [migrations.RunPython(create, drop)]
