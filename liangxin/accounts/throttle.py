"""Login throttling against password guessing: failures counted per username and per address."""

from django.conf import settings
from django.core.cache import cache


def _keys(username: str, address: str) -> list[tuple[str, int]]:
    limit = settings.LOGIN_MAX_FAILURES
    # An address may front many honest users (a bureau's NAT), so it gets a wider allowance.
    return [(f"login-fail:user:{username.lower()}", limit), (f"login-fail:addr:{address}", limit * 4)]


def login_is_locked(username: str, address: str) -> bool:
    return any((cache.get(key) or 0) >= limit for key, limit in _keys(username, address))


def login_record_failure(username: str, address: str) -> None:
    for key, _limit in _keys(username, address):
        cache.add(key, 0, timeout=settings.LOGIN_LOCKOUT_SECONDS)
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, timeout=settings.LOGIN_LOCKOUT_SECONDS)


def login_record_success(username: str) -> None:
    cache.delete(f"login-fail:user:{username.lower()}")
