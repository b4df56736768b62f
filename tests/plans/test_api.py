import pytest

from liangxin.accounts.services import api_token_create


def _get(client, user, url):
    _t, key = api_token_create(actor="test", user=user, name="t")
    return client.get(url, headers={"Authorization": f"Bearer {key}"})


def test_a_machine_client_reads_a_plan(client, personas, jinxiang_plan):
    plans = _get(client, personas["leader"], "/api/v1/regions/370828/plans").json()
    assert [p["doc_no"] for p in plans] == ["金政发〔2024〕4号"]
    body = _get(client, personas["leader"], f"/api/v1/plans/{jinxiang_plan.id}").json()
    assert len(body["tasks"]) == 34 and len(body["targets"]) == 50
    task2 = next(t for t in body["tasks"] if t["no"] == 2)
    assert [u["written_name"] for u in task2["lead_units"]] == ["县工业和信息化局", "市生态环境局金乡县分局"]
    nev = next(g for g in body["targets"] if g["metric"] == "新能源汽车保有量" and g["year"] == 2025)
    assert (nev["comparator"], float(nev["value"]), nev["unit"]) == ("~", 20000.0, "辆")


@pytest.mark.parametrize("persona", ["outsider", "nobody"])
def test_other_regions_plans_are_not_found(client, personas, jinxiang_plan, persona):
    assert _get(client, personas[persona], f"/api/v1/plans/{jinxiang_plan.id}").status_code == 404
    assert _get(client, personas[persona], "/api/v1/regions/370828/plans").status_code == 404


def test_anonymous_is_refused(client, jinxiang_plan):
    assert client.get(f"/api/v1/plans/{jinxiang_plan.id}").status_code == 401
