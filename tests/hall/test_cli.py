"""The ``kiosk hall`` command line end to end, as operators script it: serve (with TLS), kiosk
add/revoke, staff add, stats, and the committed OpenAPI contract."""

from __future__ import annotations

import json
import signal
import ssl
import subprocess
import uuid

import httpx
import pytest

from kiosk.config import CONFIG_DIR
from kiosk.hall.cli import openapi_document
from kiosk.hall.db import open_engine, session_factory
from tests.hall.conftest import issued
from tests.hall.procs import ServeProcess, run_cli

OPENAPI_FILE = CONFIG_DIR / "hall-openapi.json"


def test_openapi_document_matches_the_committed_contract():
    """Regenerate with: .venv/bin/kiosk hall openapi > config/hall-openapi.json"""
    committed = json.loads(OPENAPI_FILE.read_text(encoding="utf-8"))
    assert openapi_document() == committed, (
        "the API changed: regenerate config/hall-openapi.json with "
        "`kiosk hall openapi > config/hall-openapi.json` and tell the sender's engineer")


def test_serve_help_documents_database_files_host_port_and_tls(tmp_path):
    done = run_cli("hall", "serve", "--help", cwd=tmp_path)
    assert done.returncode == 0
    for option in ("--db URL", "--host H", "--port P", "--files DIR", "--tls-cert F",
                   "--tls-key F"):
        assert option in done.stdout


def test_serve_refuses_half_a_tls_pair_in_one_line(tmp_path):
    done = run_cli("hall", "serve", "--db", f"sqlite:///{tmp_path}/h.db", "--tls-cert",
                   "cert.pem", cwd=tmp_path)
    assert done.returncode == 1 and done.stderr.count("\n") == 1
    assert "--tls-cert and --tls-key go together" in done.stderr


def test_kiosk_add_serve_revoke_stats_end_to_end(db_url, tmp_path):
    """Given a kiosk added by the CLI (token = last stdout line) and a running `kiosk hall
    serve`, when the kiosk posts a ticket twice, then it is stored once; after `kiosk revoke`
    the token gets 401; `stats --json` counts one ticket."""
    added = run_cli("hall", "kiosk", "add", "K03", "--db", db_url, cwd=tmp_path)
    assert added.returncode == 0, added.stderr
    token = added.stdout.strip().splitlines()[-1]
    assert len(token) >= 40 and token not in added.stderr
    again = run_cli("hall", "kiosk", "add", "K03", "--db", db_url, cwd=tmp_path)
    assert again.returncode == 1 and "already has a token" in again.stderr
    body, key = issued(), str(uuid.uuid4())
    with ServeProcess(db_url, tmp_path) as server, httpx.Client(
            base_url=server.url, headers={"Authorization": f"Bearer {token}"}) as c:
        first = c.post("/api/v1/tickets/events", json=body, headers={"Idempotency-Key": key})
        replay = c.post("/api/v1/tickets/events", json=body, headers={"Idempotency-Key": key})
        revoked = run_cli("hall", "kiosk", "revoke", "K03", "--db", db_url, cwd=tmp_path)
        refused = c.post("/api/v1/tickets/events", json=issued(),
                         headers={"Idempotency-Key": str(uuid.uuid4())})
    assert first.status_code == 201 and replay.headers["idempotent-replay"] == "true"
    assert revoked.returncode == 0 and refused.status_code == 401
    stats = run_cli("hall", "stats", "--db", db_url, "--json", cwd=tmp_path)
    counts = json.loads(stats.stdout)
    assert counts["tickets"] == 1 and counts["cases"] == 0 and counts["ratings"] == 0
    assert counts["kiosks"] == 1


def test_staff_add_from_stdin_and_file_then_authenticate(tmp_path):
    from kiosk.hall.auth import authenticate

    url = f"sqlite:///{tmp_path / 'hall.db'}"
    a = run_cli("hall", "staff", "add", "wang", "--role", "clerk", "--db", url, cwd=tmp_path,
                stdin="窗口密码-2026\n")
    (tmp_path / "pw").write_text("值班长密码-2026\n", encoding="utf-8")
    b = run_cli("hall", "staff", "add", "li", "--role", "supervisor", "--db", url,
                "--password-file", str(tmp_path / "pw"), cwd=tmp_path)
    dup = run_cli("hall", "staff", "add", "li", "--role", "clerk", "--db", url, cwd=tmp_path,
                  stdin="another-password\n")
    short = run_cli("hall", "staff", "add", "zhao", "--role", "clerk", "--db", url,
                    cwd=tmp_path, stdin="short\n")
    assert a.returncode == 0 and b.returncode == 0, (a.stderr, b.stderr)
    assert dup.returncode == 1 and "already exists" in dup.stderr
    assert short.returncode == 1 and "at least 8" in short.stderr
    assert "窗口密码" not in a.stdout + a.stderr
    engine = open_engine(url)
    with session_factory(engine).begin() as s:
        assert authenticate(s, "wang", "窗口密码-2026").role == "clerk"
        assert authenticate(s, "li", "值班长密码-2026").role == "supervisor"
        assert authenticate(s, "li", "wrong") is None
        assert authenticate(s, "nobody", "窗口密码-2026") is None
    engine.dispose()


def test_serve_over_tls(tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True,
                   timeout=60)
    server = ServeProcess(f"sqlite:///{tmp_path / 'hall.db'}", tmp_path, "--tls-cert",
                          str(cert), "--tls-key", str(key), scheme="https")
    trusted = ssl.create_default_context(cafile=str(cert))
    server.start(verify=trusted)
    try:
        with httpx.Client(verify=trusted) as c:
            assert c.get(f"{server.url}/healthz").json() == {"status": "ok"}
            assert c.get(f"{server.url}/api/v1/appointments?date=2026-12-01").status_code == 401
        with pytest.raises(httpx.TransportError), httpx.Client() as plain:
            plain.get(f"http://127.0.0.1:{server.port}/healthz")
    finally:
        # uvicorn shuts down gracefully on SIGTERM, then re-raises it: -15, not a crash code
        assert server.stop() in (0, -signal.SIGTERM)


@pytest.mark.parametrize("url", ["mysql://admin:s3cret@db/hall", "not a url"])
def test_a_bad_database_url_is_one_line_without_the_password(tmp_path, url):
    done = run_cli("hall", "stats", "--db", url, "--json", cwd=tmp_path)
    assert done.returncode == 1 and done.stderr.count("\n") == 1
    assert "expected sqlite:///FILE or postgresql://" in done.stderr
    assert "s3cret" not in done.stderr and "Traceback" not in done.stderr


def test_follow_up_deadlines_are_set_on_the_command_line(tmp_path):
    """Given `serve --contact-days 2 --fix-days 5 --holiday 2026-12-07`, then a bad rating on
    Friday 4 December is due for contact on Wednesday 9 and for the fix on Monday 14."""
    from tests.hall.conftest import rating

    url = f"sqlite:///{tmp_path / 'hall.db'}"
    token = run_cli("hall", "kiosk", "add", "K01", "--db", url,
                    cwd=tmp_path).stdout.strip().splitlines()[-1]
    with ServeProcess(url, tmp_path, "--contact-days", "2", "--fix-days", "5", "--holiday",
                      "2026-12-07") as server, httpx.Client(
            base_url=server.url, headers={"Authorization": f"Bearer {token}"}) as c:
        r = c.post("/api/v1/ratings", json=rating(1, at="2026-12-04T10:00:00+08:00"),
                   headers={"Idempotency-Key": str(uuid.uuid4())})
    assert r.json()["follow_up"] == {"contact_due": "2026-12-09", "fix_due": "2026-12-14"}
    bad = run_cli("hall", "serve", "--db", url, "--holiday", "Christmas", cwd=tmp_path)
    assert bad.returncode == 1 and "--holiday Christmas" in bad.stderr
