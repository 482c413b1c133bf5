"""Short spoken prompts, offline: each step's guidance and the reminder to take the ID card back.

The engine is Debian's ``espeak-ng`` with its Mandarin voice (``cmn``): it runs with no network,
is installed by ``kiosk.sh`` and is started as a subprocess, so a slow or missing sound card
never touches the UI thread. ``Voice.say`` returns at once: one speaker thread (started on the
first prompt) plays the prompts in order, and a new prompt replaces any that has not started yet
(a citizen who taps on does not hear the last three screens read out). ``Voice.write_wav`` writes
a prompt to a WAV file with the same settings, for ``kiosk voice say --out`` and the tests.

Volume, mute and whether to speak outside elder mode are the ``[voice]`` settings. This module
never speaks personal data (the prompts are fixed msgids rendered in Chinese) and never raises
into its caller for a missing engine or sound card: it logs once and stays quiet.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from config.schema import VoiceConfig

log = logging.getLogger(__name__)

ENGINE = "espeak-ng"
ENGINE_TIMEOUT_S = 30.0  # a prompt is a few seconds; a stuck engine is killed after this
ESPEAK_MAX_AMPLITUDE = 200  # espeak-ng's -a range is 0..200 (100 is its default)

# The prompts, as msgids: short, what to do next, no personal data.
PROMPTS: dict[str, str] = {
    "home": "欢迎使用自助终端，请点击要办理的业务",
    "queue": "请选择业务类别",
    "queue_items": "请选择办理事项",
    "queue_identify": "请把身份证放在读卡区，也可以直接取号",
    "queue_confirm": "请核对信息，点击确认取号",
    "queue_ticket": "请取走号票，留意叫号",
    "queue_appointment": "请扫描预约二维码或刷身份证",
    "take_card": "请取回您的身份证",
}

Runner = Callable[[Sequence[str]], int]  # runs an engine command line, returns its exit code


class VoiceUnavailable(Exception):
    """The engine is not installed (or not on PATH): a technician's message, not a crash."""


def _run(argv: Sequence[str]) -> int:
    done = subprocess.run(list(argv), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                          timeout=ENGINE_TIMEOUT_S, check=False)
    return done.returncode


class Voice:
    """The kiosk's voice. ``elder`` (set by the app) turns speaking on when the settings say
    to speak in elder mode only."""

    def __init__(self, config: VoiceConfig, *, runner: Runner = _run,
                 engine: str | None = None) -> None:
        self.config = config
        self.elder = False
        self._runner = runner
        self._engine = engine if engine is not None else shutil.which(ENGINE)
        self._lock = threading.Condition()
        self._pending: str | None = None
        self._thread: threading.Thread | None = None
        self._closed = False
        self._warned = False
        self.spoken = 0  # prompts handed to the engine (the tests and `kiosk health` read it)

    # ---- settings ---------------------------------------------------------------------------
    @property
    def available(self) -> bool:
        return self._engine is not None

    @property
    def speaking_on(self) -> bool:
        """Whether ``say`` makes a sound now: enabled, not muted, and elder mode or always."""
        c = self.config
        return c.enabled and not c.muted and c.volume > 0 and (c.always or self.elder)

    def command(self, text: str, out: Path | None = None) -> list[str]:
        """The engine's command line for ``text`` (to the speaker, or to ``out`` as WAV)."""
        if self._engine is None:
            raise VoiceUnavailable(f"{ENGINE} is not installed: run ./kiosk.sh setup "
                                   f"(Debian package espeak-ng)")
        amplitude = round(self.config.volume * ESPEAK_MAX_AMPLITUDE / 100)
        argv = [self._engine, "-v", self.config.voice, "-s", str(self.config.rate),
                "-a", str(amplitude)]
        if out is not None:
            argv += ["-w", str(out)]
        # "--" so a prompt starting with "-" is never taken for an option
        return [*argv, "--", text]

    # ---- speaking ---------------------------------------------------------------------------
    def say(self, text: str, *, urgent: bool = False) -> bool:
        """Queue ``text`` to be spoken; returns at once. False when nothing will be said.
        ``urgent`` (the card reminder) speaks outside elder mode too, never when muted."""
        c = self.config
        audible = c.enabled and not c.muted and c.volume > 0
        if not text or self._closed or not (self.speaking_on or (urgent and audible)):
            return False
        if not self.available:
            if not self._warned:
                self._warned = True
                log.warning("voice guidance is on but %s is not installed", ENGINE)
            return False
        with self._lock:
            self._pending = text  # replaces a prompt that has not started yet
            if self._thread is None:
                self._thread = threading.Thread(target=self._speak_loop, name="voice",
                                                daemon=True)
                self._thread.start()
            self._lock.notify()
        return True

    def _speak_loop(self) -> None:
        while True:
            with self._lock:
                while self._pending is None and not self._closed:
                    self._lock.wait()
                if self._closed:
                    return
                text, self._pending = self._pending, None
            try:
                code = self._runner(self.command(text or ""))
                self.spoken += 1
                if code != 0:
                    log.info("voice engine exited with %s (no sound card?)", code)
            except Exception as exc:  # a dead speaker must never take the kiosk with it
                log.warning("voice prompt failed: %s", exc)

    def play(self, text: str) -> int:
        """Speak ``text`` now and wait (the command line's test); the engine's exit code."""
        return self._runner(self.command(text))

    def write_wav(self, text: str, out: Path) -> Path:
        """Write ``text`` spoken with the kiosk's settings to ``out`` (ignores mute: this is
        how a technician checks the voice without the hall hearing it)."""
        code = self._runner(self.command(text, out))
        if code != 0 or not out.exists():
            raise VoiceUnavailable(f"{ENGINE} could not write {out} (exit code {code})")
        return out

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._pending = None
            self._lock.notify()
        if self._thread is not None:
            self._thread.join(timeout=ENGINE_TIMEOUT_S)
            self._thread = None
