"""On PostgreSQL the database refuses UPDATE and DELETE on the fund ledger."""

from django.db import migrations

from liangxin.core.migration_ops import append_only_on_postgresql


class Migration(migrations.Migration):
    dependencies = [("subsidies", "0003_fund_ledger")]
    operations = [
        append_only_on_postgresql(
            "liangxin_ledger_append_only",
            ["subsidies_ledgertransaction", "subsidies_ledgerentry"],
            "the fund ledger is append-only (资金台账只允许追加)",
        )
    ]
