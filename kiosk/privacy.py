"""Masking names and ID numbers for screens and paper, and hashing ID numbers for storage.

Rules: a clear ID number is never stored and never printed; a person is
recognised by ``id_hash`` (HMAC-SHA256 with the hall's secret, so the hash is useless without
it). Only the technician's card-read diagnostics may show clear data, and they do not use this.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

SECRET_FILE = "hall_secret"
SECRET_ENV = "KIOSK_HALL_SECRET"


def _is_latin(name: str) -> bool:
    return all(ord(ch) < 0x2E80 for ch in name)  # below the CJK blocks


def mask_name(name: str) -> str:
    """张三 → 张*, 李小明 → 李*明, 欧阳娜娜 → 欧**娜; "ZHANG San" → "Z**** S**".

    Chinese names keep the first character, and the last for names of three or more; Latin
    names keep the first letter of each word. A single character is fully masked.
    """
    name = name.strip()
    if not name:
        return ""
    if _is_latin(name):
        return " ".join(w[0] + "*" * (len(w) - 1) for w in name.split())
    if len(name) == 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_id(id_number: str) -> str:
    """11010519491231002X → 1101**********002X: first and last four kept (two for short ones)."""
    id_number = id_number.strip().upper()
    keep = 4 if len(id_number) >= 12 else 2 if len(id_number) >= 6 else 0
    if keep == 0:
        return "*" * len(id_number)
    return id_number[:keep] + "*" * (len(id_number) - 2 * keep) + id_number[-keep:]


def id_hash(id_number: str, secret: bytes) -> str:
    """The stored identity of a person: HMAC-SHA256 of the normalised number, hex."""
    if len(secret) < 16:
        raise ValueError("the hall secret must be at least 16 bytes")
    normal = id_number.strip().upper().encode("ascii")
    return hmac.new(secret, normal, hashlib.sha256).hexdigest()


def load_hall_secret(data_dir: Path, secret_file: str = "") -> bytes:
    """The per-hall secret: ``$KIOSK_HALL_SECRET`` (hex), else the file ``hall.secret_file``
    names, else ``<data_dir>/hall_secret``; a missing file is created on first use with mode
    0600. Kiosks sharing one hall database must share the secret, or per-person limits will not
    recognise a citizen across kiosks."""
    env = os.environ.get(SECRET_ENV)
    if env:
        return _hex_secret(env, f"${SECRET_ENV}")
    path = Path(secret_file) if secret_file else data_dir / SECRET_FILE
    try:
        return _hex_secret(path.read_text(encoding="ascii").strip(), str(path))
    except FileNotFoundError:
        pass
    data_dir = path.parent
    data_dir.mkdir(parents=True, exist_ok=True)
    # Write a private temporary file, then link it into place: the link either wins atomically
    # or finds another process's complete file, so no reader ever sees a half-written secret.
    tmp = data_dir / f".{path.name}.{os.getpid()}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(secrets.token_bytes(32).hex() + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
    return _hex_secret(path.read_text(encoding="ascii").strip(), str(path))


def _hex_secret(text: str, where: str) -> bytes:
    try:
        secret = bytes.fromhex(text)
    except ValueError:
        raise ValueError(f"{where}: the hall secret must be hex digits (64 of them)") from None
    if len(secret) < 16:
        raise ValueError(f"{where}: the hall secret must be at least 16 bytes (32 hex digits)")
    return secret
