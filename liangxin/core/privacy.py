"""Personal identifiers (ID-card and phone numbers): validated, stored as a keyed hash for
matching plus a masked form for display, never logged or shown in full."""

import hashlib
import hmac
import re

from django.conf import settings
from stdnum import luhn
from stdnum.cn import ric

from liangxin.core.errors import ServiceError

_PHONE = re.compile(r"^1[3-9]\d{9}$")


def identifier_hash(kind: str, value: str) -> str:
    """Keyed hash: equal inputs match across claims, yet the table alone reveals nothing."""
    message = f"{kind}:{value}".encode()
    return hmac.new(settings.PII_HASH_KEY.encode(), message, hashlib.sha256).hexdigest()


def id_card_clean(value: str, *, field: str = "id_card") -> str:
    number = (value or "").strip().upper().replace(" ", "")
    if not ric.is_valid(number):
        raise ServiceError("id_card_invalid", "身份证号码无效（位数或校验位不正确）", "invalid ID-card number (length or checksum)", field=field)
    return number


def id_card_mask(number: str) -> str:
    return f"{number[:3]}***********{number[-4:]}"


def phone_clean(value: str, *, field: str = "phone") -> str:
    number = re.sub(r"[\s-]", "", value or "").removeprefix("+86")
    if not _PHONE.match(number):
        raise ServiceError("phone_invalid", "手机号码无效，应为 11 位手机号", "invalid mobile number", field=field)
    return number


def phone_mask(number: str) -> str:
    return f"{number[:3]}****{number[-4:]}"



_BANK_ACCOUNT = re.compile(r"^\d{8,32}$")


def bank_account_clean(value: str, *, field: str = "bank_account", personal_card: bool = False) -> str:
    """A bank account or card number: digits only, 8–32 of them. Corporate settlement accounts
    carry no check digit; a person's UnionPay card (62…, 16–19 digits) must pass the Luhn check."""
    number = re.sub(r"[\s-]", "", str(value or ""))
    if not _BANK_ACCOUNT.match(number):
        raise ServiceError("bank_account_invalid", "银行账号无效，应为 8–32 位数字", "invalid bank account: 8–32 digits", field=field)
    if personal_card and number.startswith("62") and 16 <= len(number) <= 19 and not luhn.is_valid(number):
        raise ServiceError("bank_account_invalid", "银行卡号校验位不正确", "bank card number fails its check digit", field=field)
    return number


def bank_account_mask(number: str) -> str:
    return f"{number[:4]} **** {number[-4:]}" if len(number) > 8 else "****"
