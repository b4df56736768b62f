# Data only, in its own migration: PostgreSQL refuses to alter a table with pending trigger
# events in the same transaction as the updates.

from django.db import migrations, models


def backfill(apps, schema_editor):
    """Batches made before transfers existed: one transfer per claim line, as they were paid.
    Claims made before acceptance was a step were accepted on arrival."""
    Claim = apps.get_model("subsidies", "Claim")
    PaymentItem = apps.get_model("subsidies", "PaymentItem")
    PaymentTransfer = apps.get_model("subsidies", "PaymentTransfer")
    PaymentBatch = apps.get_model("subsidies", "PaymentBatch")
    for item in PaymentItem.objects.filter(transfer__isnull=True).select_related("batch").order_by("id"):
        item.transfer = PaymentTransfer.objects.create(
            batch=item.batch, line=item.line, payee_name=item.payee_name, payee_account=item.payee_account,
            payee_bank=item.payee_bank, amount=item.amount, claim_count=1, status=item.status,
            failure_reason=item.failure_reason, bank_reference=item.bank_reference,
        )
        item.save(update_fields=["transfer"])
        if item.status == "paid":
            Claim.objects.filter(pk=item.claim_id, paid_at__isnull=True).update(paid_at=item.batch.closed_at)
    for batch in PaymentBatch.objects.all():
        batch.transfer_count = batch.transfers.count()
        batch.save(update_fields=["transfer_count"])
    Claim.objects.exclude(status="rejected").filter(accepted_at__isnull=True).update(accepted_at=models.F("created_at"))



class Migration(migrations.Migration):

    dependencies = [
        ("subsidies", "0010_payee_transfers_acceptance_and_time_limits"),
    ]

    operations = [
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
