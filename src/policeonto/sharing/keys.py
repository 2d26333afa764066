"""The steward's key and the pseudonyms made with it: HMAC-SHA256 under a key derived for each agreement.

The key is read from a file or from an environment variable, never taken as an argument, and never
written to any output, log or error message. Each agreement gets its own key, derived from the steward's
key and the agreement's IRI (HKDF, RFC 5869, with SHA-256), so one person has one pseudonym within an
agreement and unlinkable ones across agreements.

>>> key = AgreementKey.derive(b"k" * 32, "https://example.org/isa/1")
>>> key.pseudonym("<https://example.org/person/1>") == key.pseudonym("<https://example.org/person/1>")
True
>>> other = AgreementKey.derive(b"k" * 32, "https://example.org/isa/2")
>>> key.pseudonym("<https://example.org/person/1>") == other.pseudonym("<https://example.org/person/1>")
False
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass, field
from pathlib import Path

from policeonto.errors import ShareKeyError

__all__ = ["MIN_KEY_BYTES", "AgreementKey", "read_key"]

MIN_KEY_BYTES = 32
_SALT = b"policeonto share: agreement key"
_MAX_KEY_BYTES = 1 << 16


def read_key(*, key_file: Path | None = None, key_env: str | None = None) -> bytes:
    """The steward's key: the bytes of *key_file* (one trailing line break dropped), or the value of the
    environment variable *key_env* (UTF-8); exactly one of the two.

    Raises:
        ShareKeyError: neither or both given, the file cannot be read, the variable is not set, or the key
            is shorter than :data:`MIN_KEY_BYTES` bytes. The message names the file or the variable, never
            the key.
    """
    if (key_file is None) == (key_env is None):
        raise ShareKeyError("give the key as a file (--key-file) or an environment variable (--key-env), one of them")
    if key_file is not None:
        where = f"key file {key_file}"
        try:
            with key_file.open("rb") as handle:
                key = handle.read(_MAX_KEY_BYTES + 1)
        except OSError as exc:
            raise ShareKeyError(f"{where}: cannot be read ({exc.strerror or type(exc).__name__})") from None
        if len(key) > _MAX_KEY_BYTES:
            raise ShareKeyError(f"{where}: over {_MAX_KEY_BYTES} bytes; a key is 32 bytes or a little more")
        key = key.removesuffix(b"\n").removesuffix(b"\r")
    else:
        assert key_env is not None
        where = f"environment variable {key_env}"
        value = os.environ.get(key_env)
        if value is None:
            raise ShareKeyError(f"{where} is not set")
        key = value.encode("utf-8", "surrogateescape")
    if len(key) < MIN_KEY_BYTES:
        raise ShareKeyError(f"{where}: the key is {len(key)} bytes, fewer than the {MIN_KEY_BYTES} a key needs")
    return key


@dataclass(frozen=True)
class AgreementKey:
    """The key of one agreement, derived from the steward's key; it makes that agreement's pseudonyms.

    Its text form never shows the key.
    """

    agreement: str
    secret: bytes = field(repr=False)

    @classmethod
    def derive(cls, key: bytes, agreement: str) -> AgreementKey:
        """The key of the agreement whose IRI is *agreement*: HKDF-SHA256 of *key*, with the IRI as its info."""
        prk = hmac.new(_SALT, key, hashlib.sha256).digest()
        okm = hmac.new(prk, agreement.encode("utf-8") + b"\x01", hashlib.sha256).digest()
        return cls(agreement, okm)

    def pseudonym(self, value: str) -> str:
        """The pseudonym of *value* (an N-Triples term or a lexical form): 32 hexadecimal digits."""
        return hmac.new(self.secret, value.encode("utf-8"), hashlib.sha256).hexdigest()[:32]
