#!/usr/bin/env bash
# The front door. Two commands do everything on a fresh Debian machine:
#   ./kiosk.sh run   [kiosk run options]  set up, then start the kiosk on simulated devices (SQLite)
#   ./kiosk.sh test  [pytest options]     set up, then run the whole test suite (what CI runs)
# Set-up is idempotent: Debian packages are installed only when missing, the virtual environment
# (.venv/) is reinstalled only when pyproject.toml changed.
set -euo pipefail
cd "$(dirname "$0")"

APT_PACKAGES=(libzbar0 xvfb xauth libgl1 libegl1 libgl1-mesa-dri libmtdev1 libsdl2-2.0-0
              fonts-wqy-microhei postgresql fontconfig libusb-1.0-0
              chromium chromium-driver espeak-ng)

say() { printf '\033[1m[kiosk.sh]\033[0m %s\n' "$*" >&2; }

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"
    elif command -v sudo >/dev/null; then sudo "$@"
    else say "need root to run: $*"; return 1; fi
}

setup_system() {
    local missing=()
    for pkg in "${APT_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
            || missing+=("$pkg")
    done
    if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then missing+=(python3-venv); fi
    if [ ${#missing[@]} -gt 0 ]; then
        say "installing Debian packages: ${missing[*]}"
        as_root apt-get update -qq
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            "${missing[@]}" >/dev/null
    fi
}

setup_python() {
    python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
        || { say "Python 3.11 or newer is needed (found $(python3 --version))"; exit 1; }
    [ -x .venv/bin/python ] || { say "creating .venv"; python3 -m venv .venv; }
    local stamp=.venv/.installed-from
    local want; want=$(sha256sum pyproject.toml | cut -d' ' -f1)
    if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
        say "installing the kiosk and its Python packages into .venv"
        if ! { .venv/bin/python -m pip install -q --upgrade pip \
               && .venv/bin/python -m pip install -q -e '.[test]'; } >.venv/pip.log 2>&1; then
            tail -n 30 .venv/pip.log >&2; say "pip install failed (full log: .venv/pip.log)"; exit 1
        fi
        echo "$want" > "$stamp"
    fi
    # Byte-compile our own code once here: without it every start compiles ~150 modules again
    # (0.3 s of a cold start) whenever __pycache__ cannot be written or PYTHONDONTWRITEBYTECODE
    # is set. Only changed files are compiled again.
    .venv/bin/python -m compileall -q -j 0 kiosk drivers screens config >/dev/null
}

setup() { setup_system; setup_python; }

cmd=${1:-help}; shift || true
case "$cmd" in
    run)
        setup
        exec .venv/bin/kiosk run --simulate "$@"
        ;;
    test)
        setup
        export KIVY_NO_ARGS=1 PYTHONDONTWRITEBYTECODE=1
        say "ruff"
        .venv/bin/ruff check .
        # One pytest worker per CPU (pytest-xdist); a test file stays on one worker except the
        # files tests/conftest.py spreads case by case. `-n 0` runs everything in this process.
        say "pytest"
        exec .venv/bin/python -m pytest -n "$(nproc)" --dist loadfile "$@"
        ;;
    setup)
        setup
        ;;
    *)
        sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'
        exit 2
        ;;
esac
