"""A throwaway PostgreSQL server for the tests and benchmarks: a real server, never a mock.

``PgServer`` runs ``initdb`` and ``pg_ctl`` from /usr/lib/postgresql/*/bin in a temporary
directory, listening on a unix socket there and on 127.0.0.1 at a free port; as root it runs them
as the ``postgres`` system user. ``$KIOSK_TEST_PG_URL`` names an existing server instead.
Missing binaries raise ``PgUnavailable`` with the fix; callers must fail, never skip.
Run ``python tests/pg_server.py`` to keep one up by hand (prints its URL; Ctrl-C stops it).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

ENV_URL = "KIOSK_TEST_PG_URL"
USER = "kiosk"


class PgUnavailable(RuntimeError):
    pass


def find_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    raise PgUnavailable("PostgreSQL server binaries (initdb, pg_ctl) not found in "
                        "/usr/lib/postgresql/*/bin or on PATH: install the Debian package "
                        "'postgresql' (./kiosk.sh test does), or set KIOSK_TEST_PG_URL")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PgServer:
    def __init__(self, *, fsync: bool = False) -> None:
        self.fsync = fsync
        self.dir: Path | None = None
        self.port = 0
        self._external = os.environ.get(ENV_URL)

    @property
    def url(self) -> str:
        if self._external:
            return self._external
        return f"postgresql+psycopg://{USER}@127.0.0.1:{self.port}/postgres"

    def _run(self, *cmd: str) -> None:
        prefix: list[str] = []
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            prefix = ["runuser", "-u", "postgres", "--"]
        done = subprocess.run([*prefix, *cmd], capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise PgUnavailable(f"{Path(cmd[0]).name} failed ({done.returncode}): "
                                f"{(done.stderr or done.stdout).strip()[-800:]}")

    def start(self) -> str:
        if self._external:
            return self._external
        bindir = find_bin()
        self.dir = Path(tempfile.mkdtemp(prefix="kiosk-pg-"))
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        data = self.dir / "data"
        self._run(str(bindir / "initdb"), "-D", str(data), "-U", USER, "-A", "trust",
                  "-E", "UTF8", "--locale=C", "--no-sync")
        self.port = _free_port()
        opts = (f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 "
                f"-c fsync={'on' if self.fsync else 'off'} -c max_connections=200 "
                f"-c synchronous_commit={'on' if self.fsync else 'off'} "
                "-c full_page_writes=off -c shared_buffers=64MB")
        self._run(str(bindir / "pg_ctl"), "-D", str(data), "-l", str(self.dir / "server.log"),
                  "-o", opts, "-w", "-t", "60", "start")
        return self.url

    def stop(self) -> None:
        if self._external or self.dir is None:
            return
        try:
            self._run(str(find_bin() / "pg_ctl"), "-D", str(self.dir / "data"), "-m",
                      "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None

    def create_database(self) -> str:
        """A fresh, empty database on this server; its URL."""
        import psycopg

        name = f"t_{uuid.uuid4().hex[:12]}"
        base = self.url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url.rsplit("/", 1)[0] + "/" + name

    def __enter__(self) -> PgServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


if __name__ == "__main__":
    with PgServer(fsync="--fsync" in sys.argv) as server:
        print(server.url, flush=True)
        try:
            import signal

            signal.pause()
        except KeyboardInterrupt:
            pass
