"""Rule-set templates that reproduce the published national rule sets, each citing its source.

A county copies one (`template_copy(template_get("appliances-2025"), **overrides)`) and edits
any parameter. Figures the sources did not give, or that each province or city sets itself, are
left empty and listed in `to_fill`: the engine refuses to decide claims until the county fills
them (check `parameter_missing`). Sections refer to /work/shared/domain/trade-in-rules.md
(shipped as docs/domain/trade-in-rules.md where present).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from .schema import RuleSet, _step

RULES_DOC = "trade-in-rules.md"


def _doc(code: str, name: str) -> dict:
    return {"code": code, "name": name}


def _grade_tiers(base: str, grade1: str, cap: str | None) -> list[dict]:
    return [
        {"label": "一级能效/水效", "when": [{"field": "new_item.efficiency_grade", "op": "eq", "value": 1}],
         "rate": grade1, "cap": cap},
        {"label": "二级能效/水效", "rate": base, "cap": cap},
    ]


def _appliance_category(code: str, *, base="0.15", grade1="0.20", cap="2000", limit=1, max_grade=2) -> dict:
    water = code in ("净水器",)
    variants = _grade_tiers(base, grade1, cap)
    if water:
        variants[0]["when"] = [{"field": "new_item.water_efficiency_grade", "op": "eq", "value": 1}]
    return {
        "code": code, "name": code, "variants": variants, "max_grade": max_grade,
        "grade_field": "water_efficiency_grade" if water else "efficiency_grade",
        "per_person_limit": limit,
    }


APPLIANCES_2024 = ["冰箱", "洗衣机", "电视", "空调", "电脑", "热水器", "家用灶具", "吸油烟机"]
APPLIANCES_2025 = APPLIANCES_2024 + ["净水器", "洗碗机", "电饭煲", "微波炉"]


def appliances_2024() -> dict:
    return {
        "id": "appliances-2024", "name": "2024年家电以旧换新（国家标准）", "programme": "appliances", "year": 2024,
        "source": {
            "document": "商务部等4部门办公厅关于进一步做好家电以旧换新工作的通知（2024年8月）",
            "url": "http://www.ttvv66.com/hasswj/bmwj/content/80139070-01f5-4358-bdf1-5f0f4fec5462.html",
            "section": f"{RULES_DOC} §2.1, §9.1, §9.2, §9.4", "reliability": "A",
        },
        "notes": [
            "8类家电；二级能效/水效及以上按最终销售价 15% 补贴，一级再加 5%（20%）；每件不超过 2,000 元；每人每类 1 件。",
            "受理起止日期各地不同（国家方案自 2024 年 8/9 月起），须由地方填写。",
            "是否必须交旧由地方决定（§2.2），需要时在 rules 中加 old_item.handed_in 条件。",
        ],
        "categories": [_appliance_category(c) for c in APPLIANCES_2024],
        "required_documents": [_doc("invoice", "个人抬头的销售发票")],
        "rules": [{"code": "person_condition", "message": "补贴对象须为个人消费者",
                   "all_of": [{"field": "person.is_individual", "op": "is_true"}]}],
        "to_fill": ["window_start", "window_end"],
    }


def appliances_2025() -> dict:
    categories = [_appliance_category(c, limit=3 if c == "空调" else 1) for c in APPLIANCES_2025]
    return {
        "id": "appliances-2025", "name": "2025年家电以旧换新（国家标准）", "programme": "appliances", "year": 2025,
        "source": {
            "document": "商务部等4部门办公厅关于做好2025年家电以旧换新工作的通知（商办流通函〔2025〕6号）",
            "url": "http://lawinfochina.com/display.aspx?id=44118&lib=law",
            "section": f"{RULES_DOC} §2.1, §9.1, §9.2, §9.4, §9.12", "reliability": "A",
        },
        "notes": [
            "12类家电（2024年8类加净水器、洗碗机、电饭煲、微波炉）；15%，一级能效/水效 20%；每件不超过 2,000 元；"
            "每人每类 1 件，空调最多 3 件；每人限额按自然年计（深圳：2024 年已享受者 2025 年可再享受，§3）。",
            "受理起止日期由地方填写。",
        ],
        "categories": categories,
        "required_documents": [_doc("invoice", "个人抬头的销售发票")],
        "rules": [{"code": "person_condition", "message": "补贴对象须为个人消费者",
                   "all_of": [{"field": "person.is_individual", "op": "is_true"}]}],
        "to_fill": ["window_start", "window_end"],
    }


def appliances_2026() -> dict:
    six = ["冰箱", "洗衣机", "电视", "空调", "热水器", "电脑"]
    return {
        "id": "appliances-2026", "name": "2026年家电以旧换新（济南细则）", "programme": "appliances", "year": 2026,
        "source": {
            "document": "济南市2026年家电、数码产品以旧换新公告（转载）", "url": "http://www.soyinfo.com/mobile/quote/731.html",
            "section": f"{RULES_DOC} §2.1, §5.4, §8", "reliability": "B",
        },
        "notes": ["6类家电，一级能效，按扣除各项优惠后的价格 15%，每件不超过 1,500 元，每人每类 1 件。"],
        "categories": [
            {"code": c, "name": c, "max_grade": 1, "per_person_limit": 1,
             "variants": [{"label": "一级能效", "rate": "0.15", "cap": "1500"}]}
            for c in six
        ],
        "required_documents": [_doc("invoice", "个人抬头的销售发票")],
        "to_fill": ["window_start", "window_end"],
    }


def digital_2025() -> dict:
    return {
        "id": "digital-2025", "name": "2025年手机、平板、智能手表（手环）购新补贴", "programme": "digital", "year": 2025,
        "source": {
            "document": "手机、平板、智能手表(手环)购新补贴实施方案（商办流通函〔2025〕7号）",
            "url": "http://lawinfochina.com/display.aspx?id=44167&lib=law",
            "section": f"{RULES_DOC} §3, §9.3, §9.8", "reliability": "A",
        },
        "notes": [
            "单件销售价格不超过 6,000 元（超过即不予补贴，不是封顶）；按扣除生产、销售、电信运营商等各环节优惠后的最终价格 15% 补贴，"
            "每件不超过 500 元；每人每类 1 件。购新补贴，不需交旧。2025年1月20日起实施。",
            "山东细则（§3）另要求现场拆封激活、发票注明 SN：需要时在 rules 中加 new_item.activated_in_store 条件。",
        ],
        "window_start": "2025-01-20",
        "categories": [
            {"code": c, "name": c, "price_ceiling": "6000", "per_person_limit": 1,
             "variants": [{"label": "购新补贴", "rate": "0.15", "cap": "500"}]}
            for c in ("手机", "平板", "智能手表手环")
        ],
        "required_documents": [_doc("invoice", "注明 SN/IMEI 的个人抬头发票")],
        "to_fill": ["window_end"],
    }


def _old_car_rule(gasoline: str, diesel: str, nev: str | None, *, diesel_label="柴油及其他燃料") -> dict:
    groups = [
        [{"field": "old_item.fuel", "op": "eq", "value": "gasoline"},
         {"field": "old_item.registration_date", "op": "le", "value": gasoline}],
        [{"field": "old_item.fuel", "op": "in", "value": ["diesel", "other"] if "其他" in diesel_label else ["diesel"]},
         {"field": "old_item.registration_date", "op": "le", "value": diesel}],
    ]
    text = f"汽油车 {gasoline} 前、{diesel_label}车 {diesel} 前注册登记"
    if nev:
        groups.append([{"field": "old_item.fuel", "op": "eq", "value": "nev"},
                       {"field": "old_item.registration_date", "op": "le", "value": nev}])
        text += f"、新能源车 {nev} 前注册登记"
    return {"code": "old_item_condition", "message": f"报废旧车须为{text}的乘用车", "any_of": groups}


_SMALL_CAR = {"code": "old_item_condition", "message": "报废旧车须为在公安交管部门登记的小型、微型载客汽车",
              "all_of": [{"field": "old_item.vehicle_class", "op": "in", "value": ["小型载客汽车", "微型载客汽车"]}]}
_SAME_PERSON = {"code": "person_condition", "message": "旧车车主与新车购买人须为同一人",
                "all_of": [{"field": "old_item.owner_is_applicant", "op": "is_true"}]}
_NEV_CATALOGUE = {"code": "new_item_condition", "message": "新能源车须列入《减免车辆购置税的新能源汽车车型目录》",
                  "applies_when": [{"field": "new_item.fuel", "op": "eq", "value": "nev"}],
                  "all_of": [{"field": "new_item.in_nev_catalogue", "op": "is_true"}]}
_FUEL_2L = [{"field": "new_item.fuel", "op": "ne", "value": "nev"},
            {"field": "new_item.displacement_l", "op": "le", "value": "2.0"}]
_NEV = [{"field": "new_item.fuel", "op": "eq", "value": "nev"}]
_CAR_SCRAP_DOCS = [
    _doc("id_card", "身份证明"), _doc("scrap_certificate", "报废机动车回收证明"),
    _doc("deregistration_certificate", "机动车注销证明"), _doc("new_car_invoice", "机动车销售统一发票"),
    _doc("bank_card", "本人一类银行借记卡"),
]
_CAR_REPLACE_DOCS = [
    _doc("id_card", "身份证明"), _doc("used_car_invoice", "二手车销售统一发票（旧车转让）"),
    _doc("new_car_invoice", "机动车销售统一发票"), _doc("bank_card", "本人一类银行借记卡"),
]


def car_scrap_2024() -> dict:
    return {
        "id": "car-scrap-2024", "name": "2024年汽车报废更新补贴", "programme": "car_scrap", "year": 2024,
        "source": {
            "document": "汽车以旧换新补贴实施细则（商消费函〔2024〕75号）；关于进一步做好汽车以旧换新工作的通知（商消费函〔2024〕392号）",
            "url": "http://m.keyanhelp.cn/business/2024-08/17/content_117372581.htm",
            "section": f"{RULES_DOC} §1.1, §1.2, §1.3, §9.6, §9.9", "reliability": "B",
        },
        "notes": [
            "2024-08-16 起提高标准：新能源乘用车 20,000 元、2.0 升及以下燃油乘用车 15,000 元，适用于 2024-04-24 至 2025-01-10 提交的全部申请。",
            "报废燃油车须为国三及以下（汽油 2011-06-30 前、柴油 2013-06-30 前注册登记），或 2018-04-30 前注册的新能源车"
            "（新能源旧车只能换购新能源车）。来源提到“其他燃料类型”但未给出日期：如需，请在 old_item_condition 中补充。",
            "旧车须在若干措施（发改环资〔2024〕1104号，2024-07-25）发布前登记在本人名下；郑州为 2024-07-24 及以前，西安为 2024-07-25 前，地方可调。",
            "2024 年每人报废更新补贴次数的限制未找到（§1.5），未设。",
        ],
        "window_start": "2024-04-24", "window_end": "2025-01-10",
        "ownership_before": "2024-07-25",
        "exclusive_with": ["car_replace"],
        "required_documents": _CAR_SCRAP_DOCS,
        "rules": [_old_car_rule("2011-06-30", "2013-06-30", "2018-04-30", diesel_label="柴油"), _SMALL_CAR, _SAME_PERSON,
                  _NEV_CATALOGUE,
                  {"code": "old_item_condition", "message": "报废新能源旧车的，新车须为新能源乘用车",
                   "applies_when": [{"field": "old_item.fuel", "op": "eq", "value": "nev"}],
                   "all_of": [{"field": "new_item.fuel", "op": "eq", "value": "nev"}]}],
        "categories": [{"code": "乘用车", "variants": [
            {"label": "新能源乘用车", "when": _NEV, "fixed": "20000"},
            {"label": "2.0升及以下燃油乘用车", "when": _FUEL_2L, "fixed": "15000"},
        ]}],
    }


def car_scrap_2025() -> dict:
    data = car_scrap_2024()
    data.update({
        "id": "car-scrap-2025", "name": "2025年汽车报废更新补贴", "year": 2025,
        "source": {
            "document": "关于做好2025年汽车以旧换新工作的通知（商办消费函〔2025〕8号）及商务部答问",
            "url": "https://www.aptcertification.net/page125?article_id=53",
            "section": f"{RULES_DOC} §1.1, §1.2, §1.5, §9.9, §9.13", "reliability": "C",
        },
        "notes": ["范围扩大到国四：汽油车 2012-06-30 前、柴油及其他燃料车 2014-06-30 前、新能源车 2018-12-31 前注册登记；"
                  "新能源 20,000 元 / 2.0 升及以下燃油 15,000 元；旧车须在 2025-01-08 前登记在本人名下；同一辆新车报废更新与置换更新只能选其一。",
                  "受理截止日期由地方填写。"],
        "window_start": "2025-01-01", "window_end": None, "ownership_before": "2025-01-08",
        "to_fill": ["window_end"],
    })
    data["rules"] = [_old_car_rule("2012-06-30", "2014-06-30", "2018-12-31"), _SMALL_CAR, _SAME_PERSON, _NEV_CATALOGUE]
    return data


def car_replace_2025() -> dict:
    return {
        "id": "car-replace-2025", "name": "2025年汽车置换更新补贴", "programme": "car_replace", "year": 2025,
        "source": {
            "document": "关于做好2025年汽车以旧换新工作的通知（商办消费函〔2025〕8号）",
            "url": "https://gmteight.com/content/detail/226465?category=19",
            "section": f"{RULES_DOC} §1.1, §1.2, §1.5, §9.7, §9.13", "reliability": "B",
        },
        "notes": ["转让本人名下乘用车并购买新车：新能源车最高 15,000 元、燃油车最高 13,000 元，具体金额由地方确定（可低不可高）。",
                  "每人每自然年限 1 次；同一辆新车报废更新与置换更新只能选其一；旧车须在 2025-01-08 前登记在本人名下。",
                  "受理期由地方确定。"],
        "ownership_before": "2025-01-08", "per_person_limit": 1, "limit_period": "year",
        "exclusive_with": ["car_scrap"],
        "required_documents": _CAR_REPLACE_DOCS,
        "rules": [_SAME_PERSON,
                  {"code": "old_item_condition", "message": "旧车须为本人名下乘用车并已办理转让",
                   "all_of": [{"field": "old_item.transferred", "op": "is_true"}]}],
        "categories": [{"code": "乘用车", "variants": [
            {"label": "新能源乘用车", "when": _NEV, "national_maximum": "15000", "to_fill": True},
            {"label": "燃油乘用车", "when": [{"field": "new_item.fuel", "op": "ne", "value": "nev"}],
             "national_maximum": "13000", "to_fill": True},
        ]}],
        "to_fill": ["window_start", "window_end"],
    }


def car_scrap_2026() -> dict:
    return {
        "id": "car-scrap-2026", "name": "2026年汽车报废更新补贴", "programme": "car_scrap", "year": 2026,
        "source": {
            "document": "2026年汽车以旧换新实施细则（商务部等，2025-12-30/31 发布）",
            "url": "https://cnevpost.com/2025/12/30/china-to-continue-trade-in-subsidies-2026-auto-consumption",
            "section": f"{RULES_DOC} §1.1, §1.2, §9.5", "reliability": "B",
        },
        "notes": ["新能源车按新车价格 12%、最高 20,000 元；2.0 升及以下燃油车 10%、最高 15,000 元（新车价 166,700 元起封顶）。",
                  "旧车：汽油车 2013-06-30 前、柴油及其他燃料车 2015-06-30 前、新能源车 2019-12-31 前注册登记。",
                  "每人限 1 次。“2025-01-08 前登记在本人名下”仅见于一篇摘要，未核实（§1.2），由地方填写 ownership_before。"],
        "window_start": "2026-01-01", "per_person_limit": 1, "limit_period": "year",
        "exclusive_with": ["car_replace"],
        "required_documents": _CAR_SCRAP_DOCS,
        "rules": [_old_car_rule("2013-06-30", "2015-06-30", "2019-12-31"), _SMALL_CAR, _SAME_PERSON, _NEV_CATALOGUE],
        "categories": [{"code": "乘用车", "variants": [
            {"label": "新能源乘用车", "when": _NEV, "rate": "0.12", "cap": "20000"},
            {"label": "2.0升及以下燃油乘用车", "when": _FUEL_2L, "rate": "0.10", "cap": "15000"},
        ]}],
        "to_fill": ["window_end", "ownership_before"],
    }


def car_replace_2026() -> dict:
    data = car_scrap_2026()
    data.update({
        "id": "car-replace-2026", "name": "2026年汽车置换更新补贴", "programme": "car_replace",
        "notes": ["转让本人名下乘用车并购买新车：新能源车 8%、最高 15,000 元；2.0 升及以下燃油车 6%、最高 13,000 元。",
                  "每人限 1 次；与报废更新互斥。持有期限要求未核实，由地方填写 ownership_before。"],
        "exclusive_with": ["car_scrap"], "required_documents": _CAR_REPLACE_DOCS,
        "rules": [_SAME_PERSON, {"code": "old_item_condition", "message": "旧车须为本人名下乘用车并已办理转让",
                                 "all_of": [{"field": "old_item.transferred", "op": "is_true"}]}, _NEV_CATALOGUE],
        "categories": [{"code": "乘用车", "variants": [
            {"label": "新能源乘用车", "when": _NEV, "rate": "0.08", "cap": "15000"},
            {"label": "2.0升及以下燃油乘用车", "when": _FUEL_2L, "rate": "0.06", "cap": "13000"},
        ]}],
    })
    return data


HOME_CATEGORIES = ["装修材料", "卫生洁具", "家具照明", "智能家居"]


def home_renovation_2025() -> dict:
    def variants(i: int, ageing: bool = False) -> list[dict]:
        if ageing:
            return [{"label": "居家适老化产品", "rate": "0.30", "cap": None}]
        return [
            {"label": "居家适老化产品", "when": [{"field": "new_item.ageing_friendly", "op": "is_true"}], "rate": "0.30"},
            {"label": "一级能效/水效", "when": [{"field": "new_item.efficiency_grade", "op": "eq", "value": 1}], "rate": "0.20"},
            {"label": "其他产品", "rate": "0.15"},
        ]

    categories = [{"code": c, "variants": variants(i)} for i, c in enumerate(HOME_CATEGORIES)]
    categories.append({"code": "居家适老化产品", "variants": variants(0, ageing=True)})
    to_fill = ["window_start", "window_end", "per_person_total"]
    for c in categories:
        for j in range(len(c["variants"])):
            to_fill.append(f"categories.{c['code']}.variants.{j}.cap")
    return {
        "id": "home-renovation-2025", "name": "2025年家装厨卫“焕新”补贴", "programme": "home_renovation", "year": 2025,
        "source": {
            "document": "商务部等6部门关于做好2025年家装厨卫“焕新”工作的通知（2025-01-27）",
            "url": "https://wxredian.com/art?id=75452e5c9dc23ce025e8398c17cfdd3e",
            "section": f"{RULES_DOC} §4.1, §9.2, §9.12", "reliability": "B",
        },
        "notes": [
            "国家只定上限：补贴比例不超过 15%，一级能效/水效产品不超过 20%，居家适老化产品不超过 30%；具体品目、比例、限额由地方确定。",
            "单件上限与每人累计上限须由地方填写。例：岳阳每件 ≤ 2,000 元、每大类 ≤ 3 次、每人 ≤ 30,000 元；"
            "扬州每人 ≤ 10,000 元；福建每次 ≤ 2,000 元、累计 ≤ 10,000 元。",
        ],
        "limit_period": "year",
        "categories": categories,
        "required_documents": [_doc("invoice", "个人抬头的销售发票")],
        "to_fill": to_fill,
    }


def ebike() -> dict:
    return {
        "id": "ebike-trade-in", "name": "电动自行车以旧换新补贴", "programme": "ebike", "year": 2025,
        "source": {
            "document": "推动电动自行车以旧换新实施方案（商务部等6部门，2024-08-30）",
            "url": "https://information.bz/english/news/view/2024/08/31/32586.html",
            "section": f"{RULES_DOC} §4.2, §9.6, §9.9", "reliability": "C",
        },
        "notes": [
            "国家未定金额，由地方确定（定额）。例：上海 2024-10-16 至 2025-06-30 每辆 500 元（§4.2，shine.cn [B]）。",
            "交售已登记的旧车并连同蓄电池一并交回；新车须符合 GB 43854。",
            "2025 年“以锂电换铅酸”的补贴更高（§4.2），金额由地方填写。",
        ],
        "categories": [{"code": "电动自行车", "per_person_limit": 1, "variants": [
            {"label": "交售锂电池旧车换购铅酸电池新车",
             "when": [{"field": "old_item.battery_type", "op": "eq", "value": "lithium"},
                      {"field": "new_item.battery_type", "op": "eq", "value": "lead_acid"}], "to_fill": True},
            {"label": "交售旧车换购新车", "to_fill": True},
        ]}],
        "required_documents": [_doc("id_card", "身份证明"), _doc("trade_in_agreement", "以旧换新协议")],
        "rules": [
            {"code": "old_item_condition", "message": "须交售已登记的旧电动自行车并连同蓄电池一并交回",
             "all_of": [{"field": "old_item.registered", "op": "is_true"},
                        {"field": "old_item.handed_in", "op": "is_true"},
                        {"field": "old_item.battery_handed_in", "op": "is_true"}]},
            {"code": "new_item_condition", "message": "新车须符合 GB 43854《电动自行车用锂离子蓄电池安全技术规范》",
             "all_of": [{"field": "new_item.meets_gb43854", "op": "is_true"}]},
        ],
        "to_fill": ["window_start", "window_end"],
    }


# (lower bound hp inclusive, upper bound exclusive or None, amount) — example provincial table.
TRACTOR_BANDS = [(0, 20, "1500"), (20, 50, "3850"), (50, 80, "7860"), (80, 100, "10840"),
                 (100, 160, "13140"), (160, 200, "18000"), (200, None, "20000")]


def farm_machinery_scrapping() -> dict:
    variants = []
    for low, high, amount in TRACTOR_BANDS:
        when = [{"field": "new_item.machine_type", "op": "eq", "value": "拖拉机"},
                {"field": "old_item.power_hp", "op": "ge", "value": low}]
        if high is not None:
            when.append({"field": "old_item.power_hp", "op": "lt", "value": high})
        label = f"拖拉机 {low}–{high} 马力" if high else f"拖拉机 {low} 马力以上"
        variants.append({"label": label, "when": when, "fixed": amount})
    variants += [
        {"label": "玉米收获机 4 行及以上（报废更新）",
         "when": [{"field": "new_item.machine_type", "op": "eq", "value": "玉米收获机"},
                  {"field": "old_item.rows", "op": "ge", "value": 4}], "fixed": "30000"},
        {"label": "采棉机 3 行及以上（报废更新）",
         "when": [{"field": "new_item.machine_type", "op": "eq", "value": "采棉机"},
                  {"field": "old_item.rows", "op": "ge", "value": 3}], "fixed": "80000", "national_maximum": "80000"},
    ]
    return {
        "id": "farm-machinery-scrapping", "name": "农业机械报废更新补贴（示例省份标准）", "programme": "farm_machinery",
        "year": 2025,
        "source": {
            "document": "农业农村部办公厅 财政部办公厅关于加大工作力度持续实施好农业机械报废更新补贴政策的通知（农办机〔2024〕4号）；示例省份补贴额一览表",
            "url": "http://36.142.16.96:10804/details/10767.html",
            "section": f"{RULES_DOC} §4.3, §9.6, §9.26", "reliability": "C",
        },
        "notes": [
            "补贴额为按机具类型和功率/行数分档的定额，由各省农业农村、财政部门制定并报备；本模板用 §4.3 的示例省份表（省份未注明），县级须换成本省表。",
            "拖拉机分档按 [下限, 上限) 理解；来源未说明档位边界，也未说明拖拉机一列是“仅报废”还是“报废更新”，须按本省表核对。",
            "报废补贴须同时购置新机具才发放（农办机〔2024〕4号）。2025 年采棉机报废更新最高 80,000 元。",
        ],
        "new_purchase_required": True,
        "categories": [{"code": "农业机械", "variants": variants}],
        "required_documents": [_doc("scrap_certificate", "农业机械报废回收确认书"), _doc("new_machine_invoice", "新机具购置发票")],
        "rules": [{"code": "old_item_condition", "message": "报废机具须已交售回收企业拆解",
                   "all_of": [{"field": "old_item.handed_in", "op": "is_true"}]}],
        "to_fill": ["window_start", "window_end"],
    }


TEMPLATES: dict[str, Callable[[], dict]] = {
    "appliances-2024": appliances_2024,
    "appliances-2025": appliances_2025,
    "appliances-2026": appliances_2026,
    "digital-2025": digital_2025,
    "car-scrap-2024": car_scrap_2024,
    "car-scrap-2025": car_scrap_2025,
    "car-replace-2025": car_replace_2025,
    "car-scrap-2026": car_scrap_2026,
    "car-replace-2026": car_replace_2026,
    "home-renovation-2025": home_renovation_2025,
    "ebike-trade-in": ebike,
    "farm-machinery-scrapping": farm_machinery_scrapping,
}


def template_get(template_id: str) -> RuleSet:
    """A fresh, validated copy of a shipped template."""
    try:
        factory = TEMPLATES[template_id]
    except KeyError:
        raise KeyError(f"没有模板 {template_id}（可用：{', '.join(TEMPLATES)}）") from None
    return RuleSet.model_validate(factory())


def _path_set(data: Any, path: str, value: Any) -> None:
    parts = path.replace("__", ".").split(".")
    target = data
    for part in parts[:-1]:
        target = _step(target, part)
    last = parts[-1]
    if isinstance(target, list):
        index = int(last) if last.lstrip("-").isdigit() else next(
            i for i, item in enumerate(target) if item.get("code") == last)
        target[index] = value
    else:
        if not isinstance(target, dict):
            raise KeyError(path)
        target[last] = value


def template_copy(template: RuleSet | str, **overrides: Any) -> RuleSet:
    """A county's editable copy. Overrides are field names (`window_start="2025-03-01"`) or paths
    with `__` or `.` (`categories__空调__per_person_limit=2`, `**{"categories.0.variants.0.cap": "1500"}`);
    list items are addressed by index or `code`. The result is validated; `based_on` records the
    template and its version, and the copy starts at version 1."""
    source = template_get(template) if isinstance(template, str) else template
    data = copy.deepcopy(source.model_dump(mode="json"))
    data["based_on"] = f"{source.id}@{source.version}"
    data["version"] = 1
    for key, value in overrides.items():
        if isinstance(value, Decimal):
            value = str(value)
        _path_set(data, key, value)
    return RuleSet.model_validate(data)
