"""PII protection: AES-256-GCM at rest, an HMAC-SHA256 blind index for exact lookup, and masking.

Keys come from the environment (TELCRM_PII_KEY, plus TELCRM_PII_OLD_KEYS, comma-separated, for
decrypting rows written before a rotation). Two independent keys are derived from the secret with
HKDF: one encrypts, one computes blind indexes, so an index leaks nothing usable for decryption.
Ciphertext format: ``v1.<key id>.<base64url(nonce ‖ ciphertext ‖ tag)>``; the associated data binds
each ciphertext to its column, so a value cannot be copied from one column into another.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

VERSION = "v1"


class DecryptionError(ValueError):
    pass


@dataclass(frozen=True)
class KeySet:
    key_id: str
    enc_key: bytes
    mac_key: bytes


def _derive(secret: str, label: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"telcrm-pii", info=label).derive(secret.encode())


def _keyset(secret: str) -> KeySet:
    key_id = hashlib.sha256(secret.encode()).hexdigest()[:8]
    return KeySet(key_id, _derive(secret, b"aes-gcm"), _derive(secret, b"blind-index"))


@lru_cache(maxsize=8)
def _keys(current: str, old: str) -> tuple[KeySet, dict[str, KeySet]]:
    primary = _keyset(current)
    by_id = {primary.key_id: primary}
    for secret in filter(None, (s.strip() for s in old.split(","))):
        ks = _keyset(secret)
        by_id.setdefault(ks.key_id, ks)
    return primary, by_id


def keys() -> tuple[KeySet, dict[str, KeySet]]:
    return _keys(settings.PII_KEY, os.environ.get("TELCRM_PII_OLD_KEYS", ""))


def encrypt(plaintext: str, *, context: str) -> str:
    primary, _ = keys()
    nonce = os.urandom(12)
    sealed = AESGCM(primary.enc_key).encrypt(nonce, plaintext.encode(), context.encode())
    return f"{VERSION}.{primary.key_id}.{base64.urlsafe_b64encode(nonce + sealed).decode()}"


def decrypt(token: str, *, context: str) -> str:
    try:
        version, key_id, body = token.split(".", 2)
    except ValueError as exc:
        raise DecryptionError("malformed ciphertext") from exc
    if version != VERSION:
        raise DecryptionError(f"unknown ciphertext version {version!r}")
    _, by_id = keys()
    ks = by_id.get(key_id)
    if ks is None:
        raise DecryptionError(f"no key with id {key_id!r}; set TELCRM_PII_OLD_KEYS")
    raw = base64.urlsafe_b64decode(body.encode())
    try:
        return AESGCM(ks.enc_key).decrypt(raw[:12], raw[12:], context.encode()).decode()
    except Exception as exc:  # InvalidTag: wrong key, wrong column or tampered data
        raise DecryptionError("ciphertext failed authentication") from exc


def key_id_of(token: str) -> str:
    parts = (token or "").split(".", 2)
    return parts[1] if len(parts) == 3 else ""


def is_ciphertext(value: str) -> bool:
    return bool(re.fullmatch(r"v1\.[0-9a-f]{8}\.[A-Za-z0-9_\-=]+", value or ""))


def normalize(value: str) -> str:
    """Canonical form for exact matching: NFKC (full-width → ASCII), no spaces, upper case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value or "")).upper()


def blind_index(value: str, *, context: str) -> str:
    if not value:
        return ""
    primary, _ = keys()
    digest = hmac.new(primary.mac_key, f"{context}\x00{normalize(value)}".encode(), hashlib.sha256)
    return digest.hexdigest()


# --- masking --------------------------------------------------------------------------------


def mask_id_number(value: str) -> str:
    """110101199001011234 → 110***********1234 (region prefix and last four kept)."""
    v = normalize(value)
    if len(v) <= 6:
        return "*" * len(v)
    return v[:3] + "*" * (len(v) - 7) + v[-4:]


def mask_phone(value: str) -> str:
    """13812345678 → 138****5678."""
    v = normalize(value)
    if len(v) < 7:
        return "*" * len(v)
    return v[:3] + "*" * (len(v) - 7) + v[-4:]


def mask_name(value: str) -> str:
    """张三丰 → 张**; John Smith → J*** S****."""
    v = (value or "").strip()
    if not v:
        return ""
    if v.isascii():
        return " ".join(w[0] + "*" * (len(w) - 1) for w in v.split())
    return v[0] + "*" * (len(v) - 1)


def mask_generic(value: str) -> str:
    v = value or ""
    if len(v) <= 2:
        return "*" * len(v)
    return v[0] + "*" * (len(v) - 2) + v[-1]


MASKS = {"id_number": mask_id_number, "phone": mask_phone, "name": mask_name, "generic": mask_generic}
