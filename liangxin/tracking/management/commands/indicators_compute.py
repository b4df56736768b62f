from collections import Counter

from django.core.management.base import CommandError
from django.utils import timezone

from liangxin.core.management.base import ServiceCommand
from liangxin.core.progress import Progress, cli_actor
from liangxin.regions.models import Region
from liangxin.tracking.computed import indicator_values_compute, indicator_values_compute_year
from liangxin.tracking.management.commands.report import parse_period
from liangxin.tracking.models import PeriodKind

ACTIONS = {"created": "新增", "updated": "更新", "unchanged": "未变", "skipped": "跳过", "refused": "未计算"}


class Command(ServiceCommand):
    help = (
        "由补贴台账计算指标数值 Compute indicator values from the subsidy ledger: "
        "`indicators-compute --region CODE [--period YYYY-MM | --year YYYY]` (default: this month). "
        "Running it again with an unchanged ledger changes nothing, so cron may run it nightly."
    )

    def add_arguments(self, parser):
        parser.add_argument("--region", required=True, help="行政区划代码 region code, e.g. 370828")
        parser.add_argument("--period", default=None, help="月份 YYYY-MM, e.g. 2026-11")
        parser.add_argument(
            "--year", default=None, type=int, help="该年各月（至本月） every month of the year up to now"
        )

    def handle(self, *args, region, period, year, **options):
        area = Region.objects.filter(code=region).first()
        if area is None:
            raise CommandError(f"未找到行政区划代码 {region} (unknown region code {region})")
        if period and year:
            raise CommandError("--period 和 --year 只能选一个 (give either --period or --year, not both)")
        actor = cli_actor()
        if year:
            progress = Progress(12, f"{area.name} {year}")
            outcomes = indicator_values_compute_year(
                actor=actor, region=area, year=year, progress=lambda done, total: progress.update(done)
            )
            progress.close()
        else:
            start = parse_period(period) if period else timezone.localdate().replace(day=1)
            outcomes = indicator_values_compute(
                actor=actor, region=area, period_kind=PeriodKind.MONTH, period_start=start
            )
        if not outcomes:
            self.stdout.write(
                f"{area.name}尚未配置由台账计算的指标 ({area.name} computes no indicator from the ledger)"
            )
            return
        for outcome in outcomes:
            self._line(outcome)
        counts = Counter(o.action for o in outcomes)
        self.stdout.write(
            self.style.SUCCESS(
                f"新增 {counts['created']} 个、更新 {counts['updated']} 个、未变 {counts['unchanged']} 个数值 "
                f"(created {counts['created']}, updated {counts['updated']}, unchanged {counts['unchanged']})"
            )
        )

    def _line(self, outcome) -> None:
        action = ACTIONS[outcome.action]
        head = f"{outcome.period_label} {outcome.indicator}"
        if outcome.value is None:
            line = f"{head}：{action}，{outcome.reason} ({outcome.reason_en})"
            (self.stderr if outcome.action == "refused" else self.stdout).write(line)
            return
        if outcome.action == "updated" and outcome.previous is not None:
            action = f"{action}，原为 {outcome.previous.normalize():f}"
        self.stdout.write(f"{head} = {outcome.value.normalize():f} {outcome.unit}（{action}）")
        for replaced in outcome.superseded:
            self.stdout.write(self.style.WARNING(f"  已取代填报数值 {replaced}（原值已记入审计日志）"))
