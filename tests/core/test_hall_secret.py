"""The hall secret is never made silently: typo paths refused, first start loud, init-secret."""

from __future__ import annotations

import logging
import stat

import pytest

from kiosk.cli import main
from kiosk.privacy import HallSecretError, load_hall_secret, read_hall_secret


@pytest.fixture(autouse=True)
def no_env_secret(monkeypatch):
    monkeypatch.delenv("KIOSK_HALL_SECRET", raising=False)
    monkeypatch.delenv("KIOSK_CONFIG", raising=False)


def test_a_typo_in_secret_file_is_refused_and_nothing_is_created(tmp_path):
    """Given hall.secret_file naming a file that does not exist (a typo), when the secret is
    loaded, then it is an error naming init-secret, and no new key appears at the typo path."""
    typo = tmp_path / "etc" / "hall_secert"
    with pytest.raises(HallSecretError, match="init-secret"):
        load_hall_secret(tmp_path / "var", str(typo))
    assert not typo.exists() and not typo.parent.exists()


def test_first_start_makes_the_secret_and_says_so(tmp_path, caplog):
    """Given an empty data folder (the very first start), the default secret is made, 0600,
    with a warning in the log; the second load reads the same one."""
    with caplog.at_level(logging.WARNING, logger="kiosk.privacy"):
        first = load_hall_secret(tmp_path / "var")
    assert "first start" in caplog.text
    path = tmp_path / "var" / "hall_secret"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_hall_secret(tmp_path / "var") == first


def test_a_kiosk_that_served_before_does_not_get_a_new_secret(tmp_path):
    """Given a data folder with a kiosk database but no secret (deleted, or a wrong folder),
    when the secret is loaded, then it is refused instead of a new key being made."""
    var = tmp_path / "var"
    var.mkdir()
    (var / "kiosk.sqlite3").write_bytes(b"")
    with pytest.raises(HallSecretError, match="served before"):
        load_hall_secret(var)
    assert not (var / "hall_secret").exists()


def test_init_secret_writes_once_and_never_replaces(tmp_path, capsys):
    """Given `kiosk hall init-secret --file F`, then F holds a valid 0600 secret and the path
    is printed (not the secret); a second run refuses and leaves the first key intact."""
    target = tmp_path / "etc" / "hall_secret"
    assert main(["hall", "init-secret", "--file", str(target)]) == 0
    out = capsys.readouterr().out
    secret = read_hall_secret(target)
    assert str(target) in out and secret.hex() not in out
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert main(["hall", "init-secret", "--file", str(target)]) == 1
    assert "already there" in capsys.readouterr().err
    assert read_hall_secret(target) == secret


def test_init_secret_defaults_to_the_configured_file(tmp_path, capsys):
    shared = tmp_path / "shared_secret"
    site = tmp_path / "site.toml"
    site.write_text(f'[kiosk]\ndata_dir = "{tmp_path / "var"}"\n'
                    f'[hall]\nsecret_file = "{shared}"\n', encoding="utf-8")
    assert main(["--config", str(site), "hall", "init-secret"]) == 0
    assert load_hall_secret(tmp_path / "var", str(shared)) == read_hall_secret(shared)
