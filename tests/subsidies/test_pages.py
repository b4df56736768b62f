"""Subsidy pages: who may see and do what, programmes from templates, rule versions, claims."""

import datetime as dt
import json

import pytest

from liangxin.subsidies.decision import decide, usage_for
from liangxin.subsidies.models import Claim, Programme, RuleSetVersion
from liangxin.subsidies.rules.templates import template_copy
from liangxin.subsidies.services import claim_submit, organisation_create, pool_create, programme_create
from tests.subsidies.test_claims_money import _id_card

TODAY = dt.date.today()


@pytest.fixture
def programme(jinxiang):
    rules = template_copy("digital-2025", window_start=str(TODAY - dt.timedelta(days=30)), window_end=str(TODAY + dt.timedelta(days=30)))
    programme = programme_create(actor="test", region=jinxiang, year=TODAY.year, name="数码产品购新", template="digital-2025",
                                 starts_on=TODAY - dt.timedelta(days=30), ends_on=TODAY + dt.timedelta(days=30),
                                 rules=rules.model_dump(mode="json"))
    # No spot checks here: clean claims are approved at once, so outcomes do not depend on the draw.
    programme.sample_rate = 0
    programme.save(update_fields=["sample_rate"])
    pool_create(actor="test", programme=programme, name="数码", allocated="100000")
    return programme


def _payload(n=1, price="3500", discounts=("500",)):
    return {
        "claimant": {"name": "张三", "id_card": _id_card(n), "phone": f"1390000{n:04d}"},
        "new_item": {"category": "手机", "price": price, "discounts": list(discounts), "identifier": f"86{n:013d}", "invoice": f"INV{n:08d}"},
        "documents": ["invoice"],
    }


def _submit(programme, n=1, **kwargs):
    return claim_submit(actor="test", programme=programme, payload=_payload(n, **kwargs), decide=decide, usage_for=usage_for)[0]


# Permission matrix ------------------------------------------------------------------------------


READ_PAGES = ["list", "programme", "claims", "claim"]
WRITE_PAGES = ["create", "claim_new", "bulk", "bulk_template"]


def _url(name, programme, claim):
    return {
        "list": f"/r/{programme.region.code}/programmes/",
        "create": f"/r/{programme.region.code}/programmes/new/",
        "programme": f"/programmes/{programme.id}/",
        "claims": f"/programmes/{programme.id}/claims/",
        "claim": f"/claims/{claim.number}/",
        "claim_new": f"/programmes/{programme.id}/claims/new/",
        "bulk": f"/programmes/{programme.id}/claims/upload/",
        "bulk_template": f"/programmes/{programme.id}/claims/upload/template.xlsx",
    }[name]


@pytest.mark.parametrize(("persona", "read", "write"), [
    ("programme", 200, 200),
    ("zb", 200, 200),
    ("city_zb", 200, 200),
    ("sysadmin", 200, 200),
    ("auditor", 200, 403),
    ("leader", 403, 403),
    ("staff", 403, 403),
    ("outsider", 404, 404),
    ("nobody", 404, 404),
])
def test_permission_matrix(personas, login, programme, persona, read, write):
    claim = _submit(programme)
    client = login(personas[persona])
    for page in READ_PAGES:
        assert client.get(_url(page, programme, claim)).status_code == read, (persona, page)
    for page in WRITE_PAGES:
        assert client.get(_url(page, programme, claim)).status_code == write, (persona, page)


def test_writes_are_refused_to_readers_and_hidden_from_outsiders(personas, login, programme):
    for persona, status in (("auditor", 403), ("leader", 403), ("outsider", 404)):
        client = login(personas[persona])
        response = client.post(f"/programmes/{programme.id}/pools/", {"name": "追加", "allocated": "1000", "source": "mixed"})
        assert response.status_code == status, persona
    assert programme.pools.count() == 1


def test_anonymous_users_are_sent_to_login(client, programme):
    response = client.get(f"/r/{programme.region.code}/programmes/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_region_nav_links_to_the_programmes(personas, login, programme):
    page = login(personas["programme"]).get(f"/r/{programme.region.code}/programmes/").content.decode()
    assert f'href="/r/{programme.region.code}/programmes/"' in page
    assert "数码产品购新" in page and "100000.00" in page


# Programmes from templates ----------------------------------------------------------------------


def test_a_programme_from_a_template_needs_its_to_fill_parameters(personas, login, jinxiang):
    client = login(personas["programme"])
    form = client.get(f"/r/{jinxiang.code}/programmes/new/?template=digital-2025").content.decode()
    assert "商办流通函〔2025〕7号" in form  # the source is cited
    assert "受理截止日期" in form
    data = {"template": "digital-2025", "name": "2025年金乡县数码购新", "year": "2025", "starts_on": "2025-01-20",
            "ends_on": "2025-12-31"}
    response = client.post(f"/r/{jinxiang.code}/programmes/new/", {**data, "param_0": ""})
    assert response.status_code == 200 and not Programme.objects.filter(region=jinxiang).exists()
    page = response.content.decode()
    assert "模板要求由地方填写此参数：受理截止日期（window_end）" in page
    response = client.post(f"/r/{jinxiang.code}/programmes/new/", {**data, "param_0": "2025-12-31"})
    programme = Programme.objects.get(region=jinxiang)
    assert response.status_code == 302 and response["Location"] == f"/programmes/{programme.id}/"
    rules = programme.rule_versions.get().rules
    assert rules["window_end"] == "2025-12-31" and rules["based_on"] == "digital-2025@1"


def test_a_variant_left_to_the_county_is_filled_within_the_national_maximum(personas, login, jinxiang):
    client = login(personas["zb"])
    form = client.get(f"/r/{jinxiang.code}/programmes/new/?template=car-replace-2025").content.decode()
    assert "国家上限 15000" in form
    data = {"template": "car-replace-2025", "name": "置换更新", "year": "2025", "starts_on": "2025-01-01", "ends_on": "2025-12-31",
            "param_0": "2025-01-01", "param_1": "2025-12-31", "param_2": "16000", "param_3": "10000"}
    response = client.post(f"/r/{jinxiang.code}/programmes/new/", data)
    assert response.status_code == 200 and "高于国家标准上限" in response.content.decode()
    response = client.post(f"/r/{jinxiang.code}/programmes/new/", {**data, "param_2": "12000"})
    assert response.status_code == 302
    rules = Programme.objects.get(region=jinxiang).rule_versions.get().rules
    assert rules["categories"][0]["variants"][0]["fixed"] == "12000"


# Rules ----------------------------------------------------------------------------------------


def test_the_programme_page_reads_the_rules_in_chinese(personas, login, programme):
    page = login(personas["auditor"]).get(f"/programmes/{programme.id}/").content.decode()
    assert "按成交价 15% 补贴，单件最高 500 元" in page
    assert "单件成交价不超过 6,000 元（超过不予补贴）" in page
    assert "每人最多 1 件" in page
    assert "修改规则" not in page  # auditors read only


def test_editing_rules_adds_a_version_and_old_claims_keep_theirs(personas, login, programme):
    old = _submit(programme, 1)
    assert old.amount == 450
    rules = programme.rule_versions.get().rules
    rules["categories"][0]["variants"][0]["cap"] = "300"
    client = login(personas["programme"])
    response = client.post(f"/programmes/{programme.id}/rules/", {"rules": json.dumps(rules, ensure_ascii=False), "note": "手机封顶 300 元"})
    assert response.status_code == 302
    assert list(programme.rule_versions.values_list("version", flat=True)) == [2, 1]
    new = _submit(programme, 2)
    old.refresh_from_db()
    assert new.amount == 300 and new.rule_version.version == 2
    assert old.amount == 450 and old.rule_version.version == 1
    assert "第 1 版" in client.get(f"/claims/{old.number}/").content.decode().replace("\n", " ")


def test_invalid_rules_are_refused_naming_the_field(personas, login, programme):
    rules = programme.rule_versions.get().rules
    rules["categories"][0]["variants"][0]["rate"] = "1.5"
    client = login(personas["programme"])
    response = client.post(f"/programmes/{programme.id}/rules/", {"rules": json.dumps(rules), "note": "x"})
    assert response.status_code == 400
    assert "categories.0.variants.0.rate" in response.content.decode()
    response = client.post(f"/programmes/{programme.id}/rules/", {"rules": "{not json", "note": "x"})
    assert response.status_code == 400 and "不是有效的 JSON" in response.content.decode()
    assert RuleSetVersion.objects.filter(programme=programme).count() == 1


# Pools and organisations --------------------------------------------------------------------


def test_pools_and_organisations_and_a_token_shown_once(personas, login, programme):
    client = login(personas["programme"])
    assert client.post(f"/programmes/{programme.id}/pools/", {"name": "手机专项", "allocated": "5000", "category": "手机",
                                                              "source": "central"}).status_code == 302
    assert programme.pools.count() == 2
    response = client.post(f"/programmes/{programme.id}/organisations/", {"name": "某店", "credit_code": "91110000600037341X", "kind": "retailer"})
    assert response.status_code == 400 and "统一社会信用代码无效" in response.content.decode()
    client.post(f"/programmes/{programme.id}/organisations/", {"name": "某店", "credit_code": "91110000600037341L", "kind": "retailer"})
    shop = programme.region.organisations.get()
    response = client.post(f"/programmes/{programme.id}/organisations/{shop.id}/token/")
    shop.refresh_from_db()
    page = response.content.decode()
    assert response.status_code == 200 and shop.token_prefix in page and response["Cache-Control"] == "no-store"
    assert page.count("org_") == 1  # the full key, once
    assert shop.token_prefix + "…" in client.get(f"/programmes/{programme.id}/").content.decode()


def test_an_organisation_of_another_region_cannot_get_a_token_here(personas, login, programme, shanting):
    other = organisation_create(actor="test", region=shanting, name="外地店", credit_code="91110000600037341L", kind="retailer")
    assert login(personas["programme"]).post(f"/programmes/{programme.id}/organisations/{other.id}/token/").status_code == 404


# Claims -------------------------------------------------------------------------------------------


def test_claim_detail_shows_the_trace_with_masked_identifiers_only(personas, login, programme):
    claim = _submit(programme, 5)
    page = login(personas["auditor"]).get(f"/claims/{claim.number}/").content.decode()
    assert _id_card(5) not in page and "13900000005" not in page
    assert claim.claimant_masked in page and "139****0005" in page
    assert "✓" in page and "（3,500.00 − 500.00）元 × 15% = 450.00 元" in page
    assert "单件补贴上限" not in page  # 450 < 500: no cap bit
    rejected = _submit(programme, 6, price="7000", discounts=())
    page = login(personas["auditor"]).get(f"/claims/{rejected.number}/").content.decode()
    assert "✗" in page and "超过单件价格上限 6,000 元" in page


def test_the_cap_that_bit_is_named(personas, login, programme):
    claim = _submit(programme, 7, price="5000", discounts=())
    page = login(personas["programme"]).get(f"/claims/{claim.number}/").content.decode()
    assert claim.amount == 500 and "按单件补贴上限 500 元" in page


def test_staff_enter_a_claim(personas, login, programme):
    client = login(personas["programme"])
    form = client.get(f"/programmes/{programme.id}/claims/new/").content.decode()
    key = form.split('name="form_key" value="')[1].split('"')[0]
    data = {"form_key": key, "name": "李四", "id_card": _id_card(11), "phone": "13900000011", "category": "手机", "brand": "华为",
            "model": "Mate", "identifier": "860000000000011", "price": "4000", "discount": "", "price_after_discounts": "",
            "invoice": "INV11", "documents": ["invoice"]}
    bad = client.post(f"/programmes/{programme.id}/claims/new/", {**data, "id_card": "370828199001010000"})
    assert bad.status_code == 400 and "身份证号码无效" in bad.content.decode()
    response = client.post(f"/programmes/{programme.id}/claims/new/", data)
    claim = Claim.objects.get(programme=programme)
    assert response.status_code == 302 and response["Location"] == f"/claims/{claim.number}/"
    assert claim.status == "approved" and claim.amount == 500 and claim.facts["new_item"]["brand"] == "华为"
    again = client.post(f"/programmes/{programme.id}/claims/new/", data)  # a double click
    assert again["Location"] == f"/claims/{claim.number}/" and Claim.objects.count() == 1


def test_the_claims_list_filters_and_stays_within_a_few_queries(personas, login, programme, django_assert_max_num_queries):
    shop = organisation_create(actor="test", region=programme.region, name="某店", credit_code="91110000600037341L", kind="retailer")
    for n in range(1, 61):
        claim_submit(actor="test", programme=programme, payload=_payload(n, price="7000" if n % 10 == 0 else "3500"),
                     organisation=shop if n % 2 else None, decide=decide, usage_for=usage_for)
    client = login(personas["programme"])
    client.get(f"/programmes/{programme.id}/claims/")  # warm the session
    with django_assert_max_num_queries(10):
        page = client.get(f"/programmes/{programme.id}/claims/").content.decode()
    assert page.count('data-status="') == 50 and "下一页" in page
    with django_assert_max_num_queries(10):
        page = client.get(f"/programmes/{programme.id}/claims/", {"status": "rejected"}).content.decode()
    assert page.count('data-status="rejected"') == 6 and 'data-status="accepted"' not in page
    page = client.get(f"/programmes/{programme.id}/claims/", {"organisation": shop.id, "amount_min": "400"}).content.decode()
    assert page.count('data-status="accepted"') == 30 and "某店" in page
    page = client.get(f"/programmes/{programme.id}/claims/", {"date_from": str(TODAY + dt.timedelta(days=1))}).content.decode()
    assert "没有符合条件的申请" in page
    page = client.get(f"/programmes/{programme.id}/claims/", {"status": "accepted", "page": "2"}).content.decode()
    assert page.count('data-status="accepted"') == 4 and "status=accepted" in page
