from django.core.management.base import BaseCommand, CommandError

from liangxin.subsidies.ledger import ledger_verify


class Command(BaseCommand):
    help = "资金台账 Fund ledger: `ledger verify` proves the books balance and match the pools."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="校验资金台账 verify the ledger")

    def handle(self, *args, action, **options):
        report = ledger_verify()
        self.stdout.write(f"已校验 {report.transactions} 张凭证、{report.pools} 个资金池 (checked {report.transactions} transactions, {report.pools} pools)")
        if not report.ok:
            for problem in report.problems:
                self.stderr.write(problem)
            raise CommandError(f"资金台账校验失败：{len(report.problems)} 处问题 (ledger verification FAILED)")
        self.stdout.write(self.style.SUCCESS("资金台账平衡，与资金池一致 (ledger balanced and consistent)"))
