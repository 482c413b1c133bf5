"""A technician's config change for the kill -9 test: rewrites the site file, and at the step
named on the command line says so and waits to be killed (``--step any`` never waits: the
parent kills it at a random moment). Run as ``python -m tests.core.maint_writer_child SITE
STEP PORT``."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

from config.writer import update_site_file


def main(site: str, stop_at: str, port: str) -> None:
    def step(name: str) -> None:
        if name == stop_at:
            print(f"AT {name}", flush=True)
            threading.Event().wait()  # until SIGKILL

    print("ready", flush=True)
    while True:  # with --step any: write again and again until killed
        update_site_file(Path(site), {"devices.printer.port": port}, step=step)
        if stop_at != "any":
            print("finished", flush=True)
            return


if __name__ == "__main__":
    main(*sys.argv[1:4])
