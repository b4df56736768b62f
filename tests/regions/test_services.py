import pytest

from liangxin.audit.models import AuditEntry
from liangxin.core.errors import Conflict, NotFound, ServiceError
from liangxin.regions.models import AliasStatus, Department, DepartmentKind, Region
from liangxin.regions.services import (
    ALIAS_PROPOSAL_THRESHOLD,
    department_alias_decide,
    department_create,
    department_get_or_create_for_name,
    department_guess_kind,
    department_name_similarity,
    department_resolve,
    region_create,
)


def test_seed_regions_are_preloaded_as_a_tree(db):
    jinxiang = Region.objects.get(code="370828")
    assert jinxiang.name == "金乡县"
    assert jinxiang.parent.code == "370800"
    assert jinxiang.parent.parent.code == "370000"
    assert jinxiang.path == "370000/370800/370828"
    assert Region.objects.get(code="370406").parent.name == "枣庄市"


def test_it_adds_a_county_under_its_city_by_code(db):
    region = region_create(actor="test", code="370829", name="嘉祥县")
    assert region.parent.code == "370800"
    assert region.level == "county"
    assert AuditEntry.objects.filter(action="region.create", object_id=str(region.pk)).exists()


@pytest.mark.parametrize("code", ["37082", "abcdef", "037082", ""])
def test_it_rejects_a_malformed_region_code(db, code):
    with pytest.raises(ServiceError) as excinfo:
        region_create(actor="test", code=code, name="某县")
    assert excinfo.value.field == "code"
    assert "6 位数字" in excinfo.value.message


def test_it_refuses_a_region_whose_parent_is_unknown(db):
    with pytest.raises(NotFound, match="上级行政区划 410100 不存在"):
        region_create(actor="test", code="410102", name="中原区")


def test_it_refuses_a_duplicate_region_code(db):
    with pytest.raises(Conflict):
        region_create(actor="test", code="370828", name="金乡县")


def test_department_names_are_unique_in_a_region_but_not_across(jinxiang, shanting):
    department_create(actor="test", region=jinxiang, name="县财政局")
    with pytest.raises(Conflict, match="已有名为“县财政局”的部门"):
        department_create(actor="test", region=jinxiang, name="县 财政局")
    department_create(actor="test", region=shanting, name="县财政局")


@pytest.mark.parametrize(
    "name, kind",
    [
        ("县商务局", DepartmentKind.BUREAU),
        ("市生态环境局金乡县分局", DepartmentKind.BRANCH),
        ("区公安分局", DepartmentKind.BRANCH),
        ("国家金融监督管理总局金乡监管支局", DepartmentKind.VERTICAL),
        ("县税务局", DepartmentKind.VERTICAL),
        ("制造强市金乡县指挥部", DepartmentKind.COMMAND),
        ("各镇街", DepartmentKind.COLLECTIVE),
        ("各产业园", DepartmentKind.COLLECTIVE),
        ("区政府有关部门单位", DepartmentKind.COLLECTIVE),
        ("县发展和改革委员会", DepartmentKind.BUREAU),
    ],
)
def test_it_guesses_the_kind_of_a_department(name, kind):
    assert department_guess_kind(name) == kind


@pytest.mark.parametrize(
    "a, b, alike",
    [
        ("县发展和改革局", "县发展和改革委员会", True),
        ("县综合行政执法局", "县行政综合执法局", True),
        ("县科学技术局", "县科技局", True),
        ("县市场监督管理局", "县市场监管局", True),
        ("县商务局", "县商务和投资促进局", False),
        ("县住房和城乡建设局", "县城乡水务局", False),
        ("县工业和信息化局", "县科技局", False),
        ("各镇街", "各产业园", False),
    ],
)
def test_it_scores_name_similarity(a, b, alike):
    assert (department_name_similarity(a, b) >= ALIAS_PROPOSAL_THRESHOLD) is alike


def test_an_alias_is_proposed_then_confirmed_into_one_department(jinxiang):
    first = department_get_or_create_for_name(actor="test", region=jinxiang, name="县发展和改革局")
    second = department_get_or_create_for_name(actor="test", region=jinxiang, name="县发展和改革\n委员会")
    assert second != first  # until someone confirms, the two names stay apart
    proposal = first.aliases.get()
    assert proposal.alias == "县发展和改革委员会"
    assert proposal.status == AliasStatus.PROPOSED

    department_alias_decide(actor="test", proposal=proposal, confirm=True)

    second.refresh_from_db()
    assert second.merged_into == first
    assert department_resolve(jinxiang, "县发展和改革委员会") == first
    assert department_get_or_create_for_name(actor="test", region=jinxiang, name="县发展和改革委员会") == first
    assert AuditEntry.objects.filter(action="department_alias.confirm").count() == 1
    assert AuditEntry.objects.filter(action="department.merge").count() == 1


def test_a_rejected_alias_is_remembered_and_not_asked_again(jinxiang):
    first = department_get_or_create_for_name(actor="test", region=jinxiang, name="县科学技术局")
    department_get_or_create_for_name(actor="test", region=jinxiang, name="县科技局")
    proposal = first.aliases.get()
    department_alias_decide(actor="test", proposal=proposal, confirm=False)
    with pytest.raises(Conflict):
        department_alias_decide(actor="test", proposal=proposal, confirm=True)
    department_get_or_create_for_name(actor="test", region=jinxiang, name="县科技局")
    assert first.aliases.count() == 1
    assert department_resolve(jinxiang, "县科技局") != first
    assert Department.objects.filter(region=jinxiang).count() == 2


def test_confirming_moves_role_grants_to_the_confirmed_department(jinxiang):
    from liangxin.accounts.models import Role, RoleAssignment
    from liangxin.accounts.services import role_grant, user_create

    first = department_get_or_create_for_name(actor="test", region=jinxiang, name="县综合行政执法局")
    twin = department_get_or_create_for_name(actor="test", region=jinxiang, name="县行政综合执法局")
    user = user_create(actor="test", username="clerk", password="x")
    role_grant(actor="test", user=user, role=Role.DEPARTMENT_STAFF, region=jinxiang, department=twin)
    department_alias_decide(actor="test", proposal=first.aliases.get(), confirm=True)
    assert RoleAssignment.objects.get(user=user).department == first


def test_a_merge_that_would_duplicate_rows_is_refused_cleanly(jinxiang):
    from liangxin.accounts.models import Role
    from liangxin.accounts.services import role_grant, user_create

    first = department_get_or_create_for_name(actor="test", region=jinxiang, name="县发展和改革局")
    twin = department_get_or_create_for_name(actor="test", region=jinxiang, name="县发展和改革委员会")
    user = user_create(actor="test", username="both", password="x")
    role_grant(actor="test", user=user, role=Role.DEPARTMENT_STAFF, region=jinxiang, department=first)
    role_grant(actor="test", user=user, role=Role.DEPARTMENT_STAFF, region=jinxiang, department=twin)
    with pytest.raises(Conflict, match="无法合并"):
        department_alias_decide(actor="test", proposal=first.aliases.get(), confirm=True)
    twin.refresh_from_db()
    assert twin.merged_into is None
