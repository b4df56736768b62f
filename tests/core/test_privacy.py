import pytest

from liangxin.core.errors import ServiceError
from liangxin.core.privacy import id_card_clean, id_card_mask, identifier_hash, phone_clean, phone_mask


def test_id_cards_are_checked_and_masked():
    assert id_card_clean(" 11010519491231002x ") == "11010519491231002X"
    assert id_card_mask("11010519491231002X") == "110***********002X"
    with pytest.raises(ServiceError) as excinfo:
        id_card_clean("110105194912310021")
    assert excinfo.value.code == "id_card_invalid" and excinfo.value.field == "id_card"


def test_phones_are_checked_and_masked():
    assert phone_clean("+86 138-0013-8000") == "13800138000"
    assert phone_mask("13800138000") == "138****8000"
    with pytest.raises(ServiceError):
        phone_clean("12345")


def test_hashes_are_keyed_and_stable(settings):
    a = identifier_hash("id", "11010519491231002X")
    assert a == identifier_hash("id", "11010519491231002X") and "11010519491231002X" not in a
    settings.PII_HASH_KEY = "another-key"
    assert identifier_hash("id", "11010519491231002X") != a
