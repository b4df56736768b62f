"""Indicators the trade-in (以旧换新) subsidy ledger can compute, so a plan's targets for them are
fed by the ledger instead of typed in (tracking.computed). Keywords let the importer match targets."""

from django.db import migrations

BASIS = (
    "可由以旧换新补贴台账计算：每期数值为该期内的数量或金额，按核定日计入（已拨付金额按拨付日计入），"
    "不含被驳回、退货冲回和尚在审核中的申请。"
)

CATALOGUE = [
    # name, unit, direction, keywords (other wordings seen in notices), 口径说明
    ("家电以旧换新补贴件数", "台", "up",
     ["家电以旧换新补贴件数", "家电以旧换新补贴台数", "家电以旧换新补贴", "家电以旧换新数量", "家电以旧换新", "以旧换新家电"],
     "已核定补贴的家电以旧换新件数。" + BASIS),
    ("汽车以旧换新补贴数量", "辆", "up",
     ["汽车以旧换新补贴数量", "汽车以旧换新补贴", "汽车以旧换新数量", "汽车以旧换新", "汽车报废更新补贴", "汽车置换更新补贴",
      "报废更新补贴", "置换更新补贴"],
     "已核定补贴的汽车报废更新、置换更新车辆数。" + BASIS),
    ("以旧换新带动销售额", "万元", "up",
     ["以旧换新带动销售额", "以旧换新带动消费", "带动销售额", "带动消费额"],
     "获得补贴的以旧换新商品成交价合计。" + BASIS),
    ("以旧换新补贴资金", "万元", "up",
     ["以旧换新补贴资金", "以旧换新补贴金额", "以旧换新资金", "发放以旧换新补贴"],
     "已核定或已拨付的以旧换新补贴金额（按台账计算来源所选口径）。" + BASIS),
]


def seed(apps, schema_editor):
    Indicator = apps.get_model("plans", "Indicator")
    for name, unit, direction, keywords, description in CATALOGUE:
        Indicator.objects.get_or_create(
            name=name,
            defaults={"unit": unit, "direction": direction, "keywords": "\n".join(keywords), "description": description},
        )


class Migration(migrations.Migration):
    dependencies = [("plans", "0002_seed_indicator_catalogue")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
