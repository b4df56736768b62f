"""The indicators the national and provincial 两新 plans set, so county plans can be compared."""

from django.db import migrations

CATALOGUE = [
    # name, unit, direction, keywords (other wordings seen in notices)
    ("设备投资规模", "元", "up", ["设备投资规模", "设备投资"]),
    ("报废汽车回收量", "辆", "up", ["报废汽车回收量", "报废汽车规范回收拆解量", "报废汽车回收拆解量", "报废机动车回收量"]),
    ("二手车交易量", "辆", "up", ["二手车交易量"]),
    ("二手车交易量与新车销售比值", "ratio", "up", ["二手车交易量与新车销售比值", "二手车与新车交易量比"]),
    ("废旧家电回收量", "台", "up", ["废旧家电回收量", "废旧家电回收"]),
    ("规模以上工业企业数字化研发设计工具普及率", "%", "up", ["数字化研发设计工具普及率"]),
    ("关键工序数控化率", "%", "up", ["关键工序数控化率"]),
    ("新能源汽车保有量", "辆", "up", ["新能源汽车保有量"]),
    ("公共充电桩保有量", "台", "up", ["公共充电桩保有量", "充电桩保有量", "公共充电桩"]),
    ("农作物耕种收综合机械化率", "%", "up", ["农作物耕种收综合机械化率", "耕种收综合机械化率"]),
    ("达到能效标杆水平的产能比例", "%", "up", ["能效标杆水平的产能比例"]),
    ("城市污水处理厂提标改造率", "%", "up", ["污水处理厂提标改造率"]),
    ("绿色工厂数量", "家", "up", ["绿色工厂"]),
    ("绿色工业园区数量", "个", "up", ["绿色工业园区", "绿色园区"]),
    ("绿色供应链管理企业数量", "家", "up", ["绿色供应链管理企业"]),
    ("高端装备营业收入", "元", "up", ["高端装备营业收入"]),
    ("装备制造业营业收入", "元", "up", ["装备制造业营业收入"]),
    ("5G基站数量", "个", "up", ["5G基站"]),
    ("有研发活动的规模以上工业企业占比", "%", "up", ["有研发活动的规模以上工业企业占比"]),
    ("二手车出口额", "元", "up", ["二手车出口额"]),
    ("新能源汽车展销活动场次", "场", "up", ["新能源汽车展销活动", "汽车展销"]),
    ("家电消费活动场次", "场", "up", ["家电消费活动"]),
    ("家装家居促消费活动场次", "场", "up", ["家装家居促消费活动"]),
]


def seed(apps, schema_editor):
    Indicator = apps.get_model("plans", "Indicator")
    for name, unit, direction, keywords in CATALOGUE:
        Indicator.objects.get_or_create(
            name=name, defaults={"unit": unit, "direction": direction, "keywords": "\n".join(keywords)}
        )


class Migration(migrations.Migration):
    dependencies = [("plans", "0001_plans_tasks_targets_indicators")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
