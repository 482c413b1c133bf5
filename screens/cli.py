"""``kiosk run``: start the touchscreen app.

Order matters here. The configuration is loaded and validated first, so a broken site file ends
with one clear line naming the file and key before any window opens (the kiosk never starts
half-configured). Then a display is found (re-exec under ``xvfb-run`` on a headless machine),
the log file is set up, Kivy's environment is set, and only then is Kivy imported.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
from pathlib import Path

XVFB_MARK = "KIOSK_UNDER_XVFB"  # set on the re-exec so we never loop


def register(sub: argparse._SubParsersAction) -> None:
    run = sub.add_parser("run", help="start the touchscreen app",
                         description="Start the kiosk's touchscreen app (portrait 1080x1920 by "
                                     "default). Without a display it re-runs itself under "
                                     "xvfb-run.")
    run.add_argument("--simulate", action="store_true",
                     help="use simulated devices and show the simulated-hardware panel (F12)")
    run.add_argument("--landscape", action="store_true", help="1920x1080 instead of 1080x1920")
    run.add_argument("--size", metavar="WxH", type=_size,
                     help="window size in pixels, e.g. 540x960 for a desktop preview")
    run.add_argument("--fullscreen", action="store_true", help="borderless full screen")
    run.set_defaults(func=run_kiosk)


def _size(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d{3,5})[xX](\d{3,5})", text.strip())
    if not match:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT such as 1080x1920, not {text!r}")
    return int(match[1]), int(match[2])


def window_size(args: argparse.Namespace, portrait_default: bool) -> tuple[int, int]:
    if args.size:
        return args.size
    if args.landscape or not portrait_default:
        return 1920, 1080
    return 1080, 1920


def run_kiosk(args: argparse.Namespace) -> int:
    from kiosk.cli import CommandError
    from kiosk.config import data_dir, load_config

    config = load_config(args.config)  # ConfigError -> kiosk.cli prints file and key, exit 3
    width, height = window_size(args, config.kiosk.portrait)

    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        _reexec_under_xvfb(width, height)  # returns only when it cannot
        raise CommandError("no display: set DISPLAY, or install xvfb-run "
                           "(apt-get install xvfb xauth) to run without a screen")

    from screens.fonts import FontMissing, find_cjk_font

    try:
        find_cjk_font()
    except FontMissing as exc:
        raise CommandError(str(exc)) from None

    root = data_dir(config).resolve()
    _prepare_environment(root)
    from kiosk.logging_setup import setup_logging

    log_file = setup_logging(root, config.kiosk.log_level)
    print(f"kiosk: logging to {log_file}", file=sys.stderr)

    configure_window(width, height, fullscreen=args.fullscreen)

    from kiosk.context import build_context
    from screens.app import KioskApp, ui_dispatch

    ctx = build_context(config, simulate=args.simulate, dispatch=ui_dispatch,
                        site_file=args.config)
    KioskApp(ctx).run()
    return 0


def _prepare_environment(root: Path) -> None:
    """Kivy reads these at import: no argument parsing, state under the data dir, our logging."""
    os.environ["KIVY_NO_ARGS"] = "1"
    os.environ.setdefault("KIVY_HOME", str(root / "kivy"))
    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")  # Kivy logs join our JSON file
    os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
    Path(os.environ["KIVY_HOME"]).mkdir(parents=True, exist_ok=True)


def _reexec_under_xvfb(width: int, height: int) -> None:
    xvfb_run = shutil.which("xvfb-run")
    if not xvfb_run or os.environ.get(XVFB_MARK):
        return
    print(f"kiosk: no display found; running under a virtual one (xvfb-run, {width}x{height})",
          file=sys.stderr, flush=True)
    env = dict(os.environ, **{XVFB_MARK: "1"})
    argv = [xvfb_run, "-a", "-s", f"-screen 0 {width}x{height}x24",
            sys.executable, "-m", "kiosk.cli", *sys.argv[1:]]
    os.execvpe(xvfb_run, argv, env)


def configure_window(width: int, height: int, *, fullscreen: bool = False) -> None:
    """Kivy's window settings for the kiosk, before Kivy creates the window (the app, its UI
    tests and its screen benchmark all use these, so they measure what runs in the hall).

    No multisampling: kiosks often run on a software or low-end GL renderer, where 2× MSAA at
    1080×1920 made every frame cost about twice as much (an empty frame 21 → 12 ms, three
    full-screen layers 40 → 17 ms under llvmpipe) for smoother corners a citizen never notices.
    """
    from kivy.config import Config as KivyConfig

    KivyConfig.set("graphics", "width", str(width))
    KivyConfig.set("graphics", "height", str(height))
    KivyConfig.set("graphics", "multisamples", "0")
    KivyConfig.set("graphics", "fullscreen", "auto" if fullscreen else "0")
    KivyConfig.set("graphics", "resizable", "1")
    KivyConfig.set("kivy", "exit_on_escape", "0")
    KivyConfig.set("input", "mouse", "mouse,disable_multitouch")
