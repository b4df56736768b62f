"""Every role against every page and API endpoint built so far: allowed and refused.

Expected status per persona; an outsider from the other county and a user with no role must
get 404 for region data (its existence is not revealed), anonymous users a login redirect (302)
on pages and 401 on the API.
"""

import json

import pytest
from django.urls import reverse

READ = {"sysadmin": 200, "zb": 200, "city_zb": 200, "staff": 200, "leader": 200, "auditor": 200,
        "programme": 200, "outsider": 404, "nobody": 404, "anonymous": 302}
ADMIN_WRITE = {"sysadmin": 302, "zb": 302, "city_zb": 302, "staff": 403, "leader": 403, "auditor": 403,
               "programme": 403, "outsider": 404, "nobody": 404, "anonymous": 302}
AUDIT = {**READ, "staff": 403, "leader": 403, "programme": 403}
SYSADMIN_ONLY = {"sysadmin": 200, "zb": 403, "city_zb": 403, "staff": 403, "leader": 403, "auditor": 403,
                 "programme": 403, "outsider": 403, "nobody": 403, "anonymous": 302}

PAGES = [
    ("region detail", "get", lambda d: reverse("regions:detail", args=["370828"]), None, READ),
    ("department list", "get", lambda d: reverse("regions:departments", args=["370828"]), None, READ),
    ("department create", "post", lambda d: reverse("regions:departments", args=["370828"]),
     {"name": "县新设局"}, ADMIN_WRITE),
    ("department detail", "get", lambda d: reverse("regions:department", args=[d["commerce"].id]), None, READ),
    ("department edit own", "post", lambda d: reverse("regions:department", args=[d["commerce"].id]),
     {"kind": "bureau", "short_name": "商务"}, {**ADMIN_WRITE, "staff": 302}),
    ("department edit other", "post", lambda d: reverse("regions:department", args=[d["finance"].id]),
     {"kind": "bureau", "short_name": "财政"}, ADMIN_WRITE),
    ("alias list", "get", lambda d: reverse("regions:aliases", args=["370828"]), None, READ),
    ("alias decide", "post", lambda d: reverse("regions:alias_decide", args=["370828", d["alias"].id]),
     {"decision": "confirm"}, ADMIN_WRITE),
    ("audit log", "get", lambda d: reverse("audit:log", args=["370828"]), None, AUDIT),
    ("region create form", "get", lambda d: reverse("regions:create"), None, SYSADMIN_ONLY),
]


@pytest.fixture
def world(personas, commerce, finance, jinxiang):
    from liangxin.regions.services import department_get_or_create_for_name

    department_get_or_create_for_name(actor="test", region=jinxiang, name="县发展和改革局")
    department_get_or_create_for_name(actor="test", region=jinxiang, name="县发展和改革委员会")
    alias = jinxiang.department_aliases.get()
    return {"commerce": commerce, "finance": finance, "alias": alias, **personas}


@pytest.mark.parametrize("name, method, url, data, expected", PAGES, ids=[p[0] for p in PAGES])
@pytest.mark.parametrize("persona", list(READ))
def test_pages(client, world, persona, name, method, url, data, expected):
    if persona != "anonymous":
        client.force_login(world[persona])
    response = getattr(client, method)(url(world), data or {})
    assert response.status_code == expected[persona], (persona, name, response.status_code)
    if persona == "anonymous":
        assert response.url.startswith(reverse("accounts:login"))


def test_home_lists_only_the_users_regions(client, world):
    client.force_login(world["outsider"])
    body = client.get("/").content.decode()
    assert "山亭区" in body and "金乡县" not in body
    client.force_login(world["city_zb"])
    body = client.get("/").content.decode()
    assert "金乡县" in body and "济宁市" in body and "山亭区" not in body


def test_anonymous_home_names_the_counties_served(client, db):
    body = client.get("/").content.decode()
    assert "山亭区" in body and "金乡县" in body


API_READ = {k: (v if v != 302 else 401) for k, v in READ.items()}
API = [
    ("me", "get", "/api/v1/me", None, {**{k: 200 for k in READ}, "anonymous": 401}),
    ("regions", "get", "/api/v1/regions", None, {**{k: 200 for k in READ}, "anonymous": 401}),
    ("region", "get", "/api/v1/regions/370828", None, API_READ),
    ("departments", "get", "/api/v1/regions/370828/departments", None, API_READ),
    ("department create", "post", "/api/v1/regions/370828/departments", {"name": "县新设局"},
     {**{k: (201 if v == 302 else v) for k, v in ADMIN_WRITE.items()}, "anonymous": 401}),
    ("audit", "get", "/api/v1/regions/370828/audit", None, {**{k: (v if v != 302 else 401) for k, v in AUDIT.items()}}),
    ("region create", "post", "/api/v1/regions", {"code": "370829", "name": "嘉祥县"},
     {**{k: 403 for k in READ}, "sysadmin": 201, "anonymous": 401}),
]


@pytest.mark.parametrize("name, method, url, data, expected", API, ids=[a[0] for a in API])
@pytest.mark.parametrize("persona", list(READ))
def test_api_with_tokens(client, world, persona, name, method, url, data, expected):
    from liangxin.accounts.services import api_token_create

    headers = {}
    if persona != "anonymous":
        _token, key = api_token_create(actor="test", user=world[persona], name="test")
        headers["Authorization"] = f"Bearer {key}"
    kwargs = {"content_type": "application/json", "data": json.dumps(data)} if data else {}
    response = getattr(client, method)(url, headers=headers, **kwargs)
    assert response.status_code == expected[persona], (persona, name, response.content)
    if response.status_code >= 400:
        body = response.json()
        assert body["code"] and body["message"] and body["message_en"]


def test_regions_api_lists_only_visible_regions(client, world):
    from liangxin.accounts.services import api_token_create

    _t, key = api_token_create(actor="test", user=world["outsider"], name="t")
    codes = [r["code"] for r in client.get("/api/v1/regions", headers={"Authorization": f"Bearer {key}"}).json()]
    assert codes == ["370406"]


def test_a_revoked_token_is_refused(client, world):
    from liangxin.accounts.services import api_token_create, api_token_revoke

    token, key = api_token_create(actor="test", user=world["zb"], name="t")
    api_token_revoke(actor="test", token=token)
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {key}"}).status_code == 401


def test_api_errors_name_the_field_in_both_languages(client, world):
    client.force_login(world["zb"])
    response = client.post(
        "/api/v1/regions/370828/departments", data=json.dumps({"name": "县商务局"}), content_type="application/json"
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "department_name_taken" and body["field"] == "name"
    assert "县商务局" in body["message"] and "already exists" in body["message_en"]


def test_openapi_document_is_served(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/regions/{code}/departments" in paths
