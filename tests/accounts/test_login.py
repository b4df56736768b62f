from django.urls import reverse

from tests.conftest import PASSWORD


def _attempt(client, username, password):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_it_logs_in_and_out(client, personas):
    response = _attempt(client, "zb", PASSWORD)
    assert response.status_code == 302
    assert client.get("/").context["user"].username == "zb"
    client.post(reverse("accounts:logout"))
    assert not client.get("/").context["user"].is_authenticated


def test_wrong_password_gets_a_chinese_message(client, personas):
    response = _attempt(client, "zb", "wrong")
    assert response.status_code == 200
    assert "用户名或密码错误" in response.content.decode()


def test_it_locks_out_password_guessing_even_with_the_right_password(client, personas, settings):
    settings.LOGIN_MAX_FAILURES = 3
    for _ in range(3):
        _attempt(client, "zb", "guess")
    response = _attempt(client, "zb", PASSWORD)
    assert response.status_code == 200
    assert "登录失败次数过多" in response.content.decode()
    # Other accounts are unaffected while the address stays under its wider allowance.
    assert _attempt(client, "leader", PASSWORD).status_code == 302
