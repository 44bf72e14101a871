"""PII crypto: AES-GCM round trip, authentication of ciphertext, blind index, masks."""

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from telcrm.platform import crypto


@given(st.text(max_size=200))
def test_encrypt_round_trip(plaintext):
    token = crypto.encrypt(plaintext, context="t.A.f")
    assert crypto.is_ciphertext(token)
    assert crypto.decrypt(token, context="t.A.f") == plaintext


def test_ciphertext_is_randomised_and_hides_plaintext():
    a = crypto.encrypt("110101199001011234", context="t.A.f")
    b = crypto.encrypt("110101199001011234", context="t.A.f")
    assert a != b
    assert "1101011990" not in a


def test_ciphertext_bound_to_column():
    token = crypto.encrypt("secret", context="t.A.f")
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token, context="t.B.f")


def test_tampered_ciphertext_rejected():
    token = crypto.encrypt("secret", context="t.A.f")
    head, body = token.rsplit(".", 1)
    raw = bytearray(base64.urlsafe_b64decode(body))
    raw[14] ^= 0x01  # one bit of the ciphertext
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(f"{head}.{base64.urlsafe_b64encode(bytes(raw)).decode()}", context="t.A.f")


def test_old_key_still_decrypts_after_rotation(settings, monkeypatch):
    settings.PII_KEY = "old-key-material"
    token = crypto.encrypt("secret", context="t.A.f")
    settings.PII_KEY = "new-key-material"
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token, context="t.A.f")
    monkeypatch.setenv("TELCRM_PII_OLD_KEYS", "old-key-material")
    assert crypto.decrypt(token, context="t.A.f") == "secret"


def test_blind_index_normalises_and_separates_contexts():
    a = crypto.blind_index("11010119900101123x", context="c1")
    assert a == crypto.blind_index(" 1101 0119 9001 0112 3X ", context="c1")
    assert a == crypto.blind_index("１１０１０１１９９００１０１１２３Ｘ", context="c1")  # full-width input
    assert a != crypto.blind_index("11010119900101123x", context="c2")
    assert crypto.blind_index("", context="c1") == ""


@given(st.text(alphabet="0123456789X", min_size=7, max_size=20))
def test_id_mask_keeps_only_prefix_and_last_four(value):
    masked = crypto.mask_id_number(value)
    assert len(masked) == len(value)
    assert masked[:3] == value[:3] and masked[-4:] == value[-4:]
    assert set(masked[3:-4]) <= {"*"}


def test_masks():
    assert crypto.mask_id_number("110101199001011234") == "110***********1234"
    assert crypto.mask_phone("13812345678") == "138****5678"
    assert crypto.mask_name("张三丰") == "张**"
    assert crypto.mask_name("John Smith") == "J*** S****"
