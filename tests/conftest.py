"""Named personas that encode the permission matrix, built through the real services.

金乡县 (370828) is home; 山亭区 (370406) is the other county. Everyone below is a user of
金乡县 unless the name says otherwise.
"""

import pytest

from liangxin.accounts.models import Role
from liangxin.accounts.services import role_grant, user_create
from liangxin.regions.models import Region
from liangxin.regions.services import department_create

PASSWORD = "correct-horse-battery"


def _notice(name):
    from tests.plans.conftest import NOTICES

    return NOTICES / f"{name}-2024-4.txt"


def _import_notice(path, region):
    from tests.plans.conftest import import_notice

    return import_notice(path, region)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2 at production strength would make the permission matrix take minutes.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _default_language():
    # A request in English leaves English active on the thread; services called directly by
    # the next test would then run in it. Every test starts in the default language (Chinese).
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def jinxiang(db):
    return Region.objects.get(code="370828")


@pytest.fixture
def shanting(db):
    return Region.objects.get(code="370406")


@pytest.fixture
def commerce(jinxiang):
    return department_create(actor="test", region=jinxiang, name="县商务局")


@pytest.fixture
def finance(jinxiang):
    return department_create(actor="test", region=jinxiang, name="县财政局")


@pytest.fixture
def shanting_department(shanting):
    return department_create(actor="test", region=shanting, name="区商务和投资促进局")


def _person(username, role=None, region=None, department=None, **kwargs):
    user = user_create(actor="test", username=username, password=PASSWORD, display_name=username, **kwargs)
    if role:
        role_grant(actor="test", user=user, role=role, region=region, department=department)
    return user


@pytest.fixture
def personas(jinxiang, shanting, commerce, finance, shanting_department):
    """Every role of 金乡县, a city-level admin above it, and an outsider from 山亭区."""
    jining = Region.objects.get(code="370800")
    return {
        "sysadmin": _person("sysadmin", is_system_admin=True),
        "zb": _person("zb", Role.WORKING_GROUP_ADMIN, jinxiang),
        "city_zb": _person("city_zb", Role.WORKING_GROUP_ADMIN, jining),
        "staff": _person("staff", Role.DEPARTMENT_STAFF, jinxiang, commerce),
        "leader": _person("leader", Role.LEADER, jinxiang),
        "auditor": _person("auditor", Role.AUDITOR, jinxiang),
        "programme": _person("programme", Role.PROGRAMME_STAFF, jinxiang),
        "outsider": _person("outsider", Role.WORKING_GROUP_ADMIN, shanting),
        "nobody": _person("nobody"),
    }


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def jinxiang_plan(jinxiang):
    return _import_notice(_notice('jinxiang'), jinxiang)[0]


@pytest.fixture
def shanting_plan(shanting):
    return _import_notice(_notice('shanting'), shanting)[0]
