"""``kiosk run``: start the touchscreen app.

Order matters here. The configuration is loaded and validated first, so a broken site file ends
with one clear line naming the file and key before any window opens (the kiosk never starts
half-configured). Then a display is found, the log file is set up, Kivy's environment is set,
and only then is Kivy imported.

Without a display a production kiosk refuses to start with one line: a real kiosk whose
``DISPLAY`` is missing must fail where systemd and the technician see it, not run invisibly.
Only ``--simulate`` (a demo) or an explicit ``--xvfb`` re-runs itself under ``xvfb-run``.
In production the window is full screen, without cursor or screen blanking, and ignores close
requests (``screens.app``); ``--simulate`` keeps a desktop window and the simulated panel.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from config.schema import Config
    from kiosk.context import KioskContext
    from kiosk.startup import KioskCore

XVFB_MARK = "KIOSK_UNDER_XVFB"  # set on the re-exec so we never loop


def register(sub: argparse._SubParsersAction) -> None:
    run = sub.add_parser("run", help="start the touchscreen app",
                         description="Start the kiosk's touchscreen app: full screen in "
                                     "production; a 1080x1920 window with --simulate. Without a "
                                     "display it refuses to start, unless --simulate or --xvfb "
                                     "(then it re-runs itself under xvfb-run).")
    run.add_argument("--simulate", action="store_true",
                     help="use simulated devices and show the simulated-hardware panel (F12)")
    run.add_argument("--landscape", action="store_true", help="1920x1080 instead of 1080x1920")
    run.add_argument("--size", metavar="WxH", type=_size,
                     help="window size in pixels, e.g. 540x960 for a desktop preview")
    run.add_argument("--fullscreen", action="store_true",
                     help="borderless full screen (always on without --simulate)")
    run.add_argument("--xvfb", action="store_true",
                     help="without a display, run on a virtual one (xvfb-run) nobody sees")
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
    from kiosk.startup import remembered_files

    # the files validated at the last start are read back when unchanged (config.remembered)
    remember = remembered_files()
    config = load_config(args.config, remember=remember)  # ConfigError: one line, exit 3
    width, height = window_size(args, config.kiosk.portrait)
    root = data_dir(config).resolve()  # ConfigError when a file, read-only or not creatable
    _check_hall_secret(config, root)

    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        if not (args.simulate or args.xvfb):
            raise CommandError("no display: DISPLAY is not set (start the kiosk from the "
                               "graphical session, e.g. deploy/kiosk.service; --xvfb runs it on "
                               "an invisible virtual screen) (没有显示器)")
        _reexec_under_xvfb(width, height)  # returns only when it cannot
        raise CommandError("no display: set DISPLAY, or install xvfb-run "
                           "(apt-get install xvfb xauth) to run without a screen")

    from screens.fonts import FontMissing, find_cjk_font

    try:
        find_cjk_font()
    except FontMissing as exc:
        raise CommandError(str(exc)) from None

    _prepare_environment(root)
    from kiosk.logging_setup import setup_logging

    log_file = setup_logging(root, config.kiosk.log_level)
    print(f"kiosk: logging to {log_file}", file=sys.stderr)

    configure_window(width, height, fullscreen=args.fullscreen or not args.simulate,
                     locked=not args.simulate)

    from kiosk.startup import build_core
    from screens.app import KioskApp, ui_dispatch

    # Home is drawn from the core; the database and the journeys are built behind it
    # (kiosk.startup says why). A failure there ends the app and is raised here, so it gets
    # the same one line and exit code as before the window opened.
    core = build_core(config, simulate=args.simulate, dispatch=ui_dispatch,
                      site_file=args.config, remember=remember)
    app = KioskApp(core, finish=_finish_context)
    app.run()
    if app.startup_error is not None:
        raise app.startup_error
    return 0


def _finish_context(core: KioskCore) -> KioskContext:
    """The heavy half of the kiosk, imported only now (on the start-up thread)."""
    from kiosk.context import finish_context

    return finish_context(core)


def _check_hall_secret(config: Config, root: Path) -> None:
    """The hall secret is checked before any window opens (a malformed one would otherwise
    show the error page to every citizen who taps a card); on the very first start it is made
    here, and said so on the terminal and in the log."""
    from kiosk.privacy import SECRET_ENV, SECRET_FILE, first_start, load_hall_secret

    made = (not os.environ.get(SECRET_ENV) and not config.hall.secret_file
            and not (root / SECRET_FILE).exists() and first_start(root))
    load_hall_secret(root, config.hall.secret_file)  # HallSecretError: one line, exit 3
    if made:
        print(f"kiosk: FIRST START: made a new hall secret at {root / SECRET_FILE}; every kiosk "
              "of this hall sharing one database must use this same file (hall.secret_file)",
              file=sys.stderr)


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


def configure_window(width: int, height: int, *, fullscreen: bool = False,
                     locked: bool = False) -> None:
    """Kivy's window settings for the kiosk, before Kivy creates the window (the app, its UI
    tests and its screen benchmark all use these, so they measure what runs in the hall).

    No multisampling: kiosks often run on a software or low-end GL renderer, where 2× MSAA at
    1080×1920 made every frame cost about twice as much (an empty frame 21 → 12 ms, three
    full-screen layers 40 → 17 ms under llvmpipe) for smoother corners a citizen never notices.
    ``locked`` (production): no cursor, no screen saver, no resizing.

    Images (the ticket's QR, a captured page, the simulator's printouts) are PNG and JPEG, which
    SDL2 reads: Kivy's default list of image loaders would also import PIL for it at every start
    (~10 ms). Set before Kivy's image module is first imported, which the window does.
    """
    import kivy

    kivy.kivy_options["image"] = ("sdl2",)
    from kivy.config import Config as KivyConfig

    KivyConfig.set("graphics", "width", str(width))
    KivyConfig.set("graphics", "height", str(height))
    KivyConfig.set("graphics", "multisamples", "0")
    KivyConfig.set("graphics", "fullscreen", "auto" if fullscreen else "0")
    KivyConfig.set("graphics", "resizable", "0" if locked else "1")
    KivyConfig.set("graphics", "show_cursor", "0" if locked else "1")
    KivyConfig.set("graphics", "allow_screensaver", "0" if locked else "1")
    KivyConfig.set("kivy", "exit_on_escape", "0")
    KivyConfig.set("input", "mouse", "mouse,disable_multitouch")
