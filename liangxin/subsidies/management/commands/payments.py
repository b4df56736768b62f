from pathlib import Path

from django.core.management.base import CommandError

from liangxin.core.management.base import ServiceCommand
from liangxin.core.progress import cli_actor
from liangxin.subsidies.disbursement import (
    BankFileInvalid,
    bank_result_import,
    batch_create,
    payment_file,
    reconciliation,
)
from liangxin.subsidies.models import PaymentBatch, Programme


class Command(ServiceCommand):
    help = ("拨付 Payments: `payments batch PROGRAMME_ID -o FILE.xlsx|.csv` makes a batch of approved claims and its bank file; "
            "`payments result BATCH_NO FILE` closes it from the bank's result; `payments reconcile PROGRAMME_ID`.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        batch = sub.add_parser("batch")
        batch.add_argument("programme_id", type=int)
        batch.add_argument("-o", "--output", required=True)
        result = sub.add_parser("result")
        result.add_argument("batch_number")
        result.add_argument("file")
        reconcile = sub.add_parser("reconcile")
        reconcile.add_argument("programme_id", type=int)

    def handle(self, *args, action, **options):
        actor = cli_actor()
        if action in ("batch", "reconcile"):
            programme = Programme.objects.filter(pk=options["programme_id"]).first()
            if programme is None:
                raise CommandError(f"未找到补贴活动 {options['programme_id']} (unknown programme)")
        if action == "batch":
            output = Path(options["output"])
            fmt = "csv" if output.suffix.lower() == ".csv" else "xlsx"
            batch = batch_create(actor=actor, programme=programme)
            output.write_bytes(payment_file(batch, fmt))
            self.stdout.write(self.style.SUCCESS(f"批次 {batch.number}：{batch.item_count} 笔，合计 {batch.total} 元 → {output}"))
        elif action == "result":
            batch = PaymentBatch.objects.filter(number=options["batch_number"]).first()
            if batch is None:
                raise CommandError(f"未找到批次 {options['batch_number']} (unknown batch)")
            path = Path(options["file"])
            try:
                outcome = bank_result_import(actor=actor, batch=batch, data=path.read_bytes(),
                                             fmt="csv" if path.suffix.lower() == ".csv" else "xlsx")
            except BankFileInvalid as exc:
                raise CommandError("\n".join(["回盘文件有误，未做任何处理 (nothing changed):", *exc.errors])) from None
            self.stdout.write(self.style.SUCCESS(f"批次 {batch.number} 已回盘：成功 {outcome['paid']} 笔，失败 {outcome['failed']} 笔"))
        else:
            for row in reconciliation(programme):
                mark = "一致" if row["matches"] else "不一致"
                self.stdout.write(f"{row['batch']} 合计 {row['total']} 已付 {row['paid']} 台账 {row['ledger_paid']} {mark}")
