from django.core.management.base import BaseCommand, CommandError

from liangxin.audit.models import AuditEntry
from liangxin.audit.services import audit_seal, audit_verify
from liangxin.core.progress import Progress


class Command(BaseCommand):
    help = "审计日志 Audit log: `audit seal` closes settled entries into chained seals; `audit verify` detects tampering."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        seal = sub.add_parser("seal", help="封存已稳定的记录 seal settled entries")
        seal.add_argument("--settle-seconds", type=int, default=60)
        sub.add_parser("verify", help="校验审计日志 verify the log")

    def handle(self, *args, action, **options):
        if action == "seal":
            seals = audit_seal(settle_seconds=options["settle_seconds"])
            entries = sum(s.entry_count for s in seals)
            self.stdout.write(f"封存 {len(seals)} 批、{entries} 条记录 (sealed {entries} entries in {len(seals)} seals)")
            return
        progress = Progress(AuditEntry.objects.count(), "verify")
        report = audit_verify(progress=progress.update)
        progress.close()
        self.stdout.write(
            f"已校验 {report.entries_checked} 条记录、{report.seals_checked} 个封存，其中未封存 {report.unsealed_entries} 条 "
            f"(checked {report.entries_checked} entries, {report.seals_checked} seals, {report.unsealed_entries} unsealed)"
        )
        if not report.ok:
            for problem in report.problems:
                self.stderr.write(problem)
            raise CommandError(f"审计日志校验失败：发现 {len(report.problems)} 处问题 (audit verification FAILED)")
        self.stdout.write(self.style.SUCCESS("审计日志完好 (audit log intact)"))
