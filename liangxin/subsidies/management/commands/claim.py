from django.core.management.base import BaseCommand, CommandError

from liangxin.subsidies.models import Claim
from liangxin.subsidies.services import claim_recompute


class Command(BaseCommand):
    help = "补贴申请 Claims: `claim recompute NO` re-runs the stored decision with the rule version that made it."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        recompute = sub.add_parser("recompute", help="重新计算 re-run the decision")
        recompute.add_argument("number")

    def handle(self, *args, action, number, **options):
        claim = Claim.objects.select_related("rule_version").filter(number=number).first()
        if claim is None:
            raise CommandError(f"未找到申请编号 {number} (unknown claim number)")
        result = claim_recompute(claim)
        trace = result["trace"]
        self.stdout.write(f"申请 {claim.number}，规则版本 v{result['rule_version']}")
        for check in trace.get("checks", []):
            mark = "✓" if check.get("passed") else "✗"
            self.stdout.write(f"  {mark} {check.get('code')}: {check.get('message')}")
        if trace.get("formula"):
            self.stdout.write(f"  计算：{trace['formula']}")
        if trace.get("cap_applied"):
            self.stdout.write(f"  封顶：{trace['cap_applied']}")
        self.stdout.write(f"  原结果 {result['stored_amount']} 元，重算 {result['recomputed_amount']} 元")
        if not result["same"]:
            raise CommandError("重算结果与原决定不一致，请复核 (the recomputed decision differs from the stored one)")
        self.stdout.write(self.style.SUCCESS("重算结果与原决定一致 (same result)"))
