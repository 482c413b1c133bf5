"""Masking names and ID numbers for screens and paper, and hashing ID numbers for storage.

Rules: a clear ID number is never stored and never printed; a person is
recognised by ``id_hash`` (HMAC-SHA256 with the hall's secret, so the hash is useless without
it). Only the technician's card-read diagnostics may show clear data, and they do not use this.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
from pathlib import Path

log = logging.getLogger(__name__)

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


class HallSecretError(ValueError):
    """The hall secret is missing where configured, or malformed: one line naming the file."""


# What a kiosk's data folder holds once it has served anyone: if none of these is there and no
# secret either, this is the very first start and a secret may be made (said loudly).
_STATE_NAMES = (SECRET_FILE, "kiosk.sqlite3", "hall-files", "printouts")
MAX_SECRET_FILE_BYTES = 4096


def load_hall_secret(data_dir: Path, secret_file: str = "") -> bytes:
    """The per-hall secret: ``$KIOSK_HALL_SECRET`` (hex), else the file ``hall.secret_file``
    names, else ``<data_dir>/hall_secret``. Kiosks sharing one hall database must share it, or
    per-person limits and check-in by ID stop recognising a citizen across kiosks.

    Never made silently: a configured ``secret_file`` that does not exist is an error (a typo
    would otherwise start a second key); the default file is made only on the very first start
    (a data folder with no kiosk state), logged as a warning. Otherwise ``kiosk hall
    init-secret`` makes it. Raises ``HallSecretError`` (one line) when missing or malformed."""
    env = os.environ.get(SECRET_ENV)
    if env:
        return _hex_secret(env, f"${SECRET_ENV}")
    path = Path(secret_file) if secret_file else data_dir / SECRET_FILE
    if path.exists() or secret_file:
        return read_hall_secret(path)
    if not first_start(data_dir):
        raise HallSecretError(
            f"{path}: no hall secret, yet this kiosk has served before (its data folder is not "
            "empty); copy the hall's secret file here or run `kiosk hall init-secret` "
            "(every kiosk of a hall needs the same one)")
    write_hall_secret(path)
    log.warning("first start: made a new hall secret at %s; every kiosk of this hall sharing "
                "one database must use this same file (hall.secret_file)", path)
    return read_hall_secret(path)


def first_start(data_dir: Path) -> bool:
    """True when ``data_dir`` is missing or holds no kiosk state yet."""
    return not any((data_dir / name).exists() for name in _STATE_NAMES)


def read_hall_secret(path: Path) -> bytes:
    """The secret in ``path``, checked: a regular file of hex digits, at least 16 bytes."""
    from config.files import FileRefused, read_bounded

    try:
        data = read_bounded(path, MAX_SECRET_FILE_BYTES, "a hall secret file")
    except FileRefused as exc:
        hint = ("; make it with `kiosk hall init-secret` or copy the hall's secret there"
                if exc.found == "no such file" else "")
        raise HallSecretError(f"{exc}{hint} (hall.secret_file)") from None
    try:
        text = data.decode("ascii").strip()
    except UnicodeDecodeError:
        raise HallSecretError(f"{path}: the hall secret must be hex digits (64 of them), "
                              "found other bytes") from None
    return _hex_secret(text, str(path))


def write_hall_secret(path: Path) -> None:
    """Make a new random secret at ``path`` (mode 0600); never replaces an existing file."""
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    # Write a private temporary file, then link it into place: the link either wins atomically
    # or finds another process's complete file, so no reader ever sees a half-written secret.
    tmp = folder / f".{path.name}.{os.getpid()}"
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


def _hex_secret(text: str, where: str) -> bytes:
    try:
        secret = bytes.fromhex(text)
    except ValueError:
        raise HallSecretError(f"{where}: the hall secret must be hex digits (64 of them)"
                              ) from None
    if len(secret) < 16:
        raise HallSecretError(f"{where}: the hall secret must be at least 16 bytes "
                              "(32 hex digits)")
    return secret
