"""A kiosk started the way ``kiosk run`` starts it, watched from inside (tests/ui/test_startup.py).

The core is built and home drawn; the database and the journeys are held back behind a gate
until a tap on 取号 has been made, so the test sees what a citizen sees when they tap before the
kiosk is ready. Prints one JSON report line, then exits. Run as a child process: a Kivy window
is one per process, and the UI tests' session already has one.

    python tests/ui/startup_child.py SITE_FILE
"""

from __future__ import annotations

import json
import os
import sys
import threading
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def main(site: str) -> int:
    os.environ["KIVY_NO_ARGS"] = "1"
    from kiosk.config import data_dir, load_config
    from screens.cli import _prepare_environment, configure_window

    config = load_config(site)
    _prepare_environment(data_dir(config).resolve())
    configure_window(1080, 1920)

    from kivy.clock import Clock

    from kiosk.startup import KioskCore, build_core
    from screens.app import KioskApp, ui_dispatch

    gate = threading.Event()
    report: dict[str, Any] = {}

    def finish(core: KioskCore) -> Any:
        gate.wait(30)
        from kiosk.context import finish_context

        return finish_context(core)

    class Watched(KioskApp):
        def _first_frame(self, *args: object) -> None:
            report["loaded_at_first_frame"] = sorted(
                {m.split(".")[0] for m in sys.modules} & {"sqlalchemy", "alembic", "argon2", "PIL"})
            report["ready_at_first_frame"] = self.ready
            super()._first_frame(*args)
            tile = next(w for w in self.root.walk() if getattr(w, "ident", "") == "tile_queue")
            report["tile_enabled"] = not tile.disabled
            tile.dispatch("on_release")  # a citizen taps 取号 before the journeys exist
            report["screen_after_tap"] = self.current
            report["toast_after_tap"] = self.toast_label.text
            gate.set()

        def _context_ready(self, ctx: Any) -> None:
            super()._context_ready(ctx)
            report["screen_when_ready"] = self.current
            Clock.schedule_once(lambda _dt: self.stop(), 0.5)

    Watched(build_core(config, simulate=True, dispatch=ui_dispatch), finish=finish).run()
    print(json.dumps(report, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
