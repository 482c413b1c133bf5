"""Spoken calls for the display board (叫号屏): "请 A 零 二 三 号到 A 零 一 窗口办理", offline.

The text is made by ``call_announcement``; ``synthesise`` turns it into a WAV (a synthesised
two-tone chime, a pause, then Mandarin speech from espeak-ng) that the board page plays. Results
are cached per text: a recall repeats the same bytes without running the engine again.

Voice: ``cmn-latn-pinyin``, not plain ``cmn``: with ``cmn`` espeak-ng reads parts of the text
with English phonemes (see /work/shared/reference/voice-espeak.md; ``espeak-ng -x`` shows
``(en)`` runs), whereas ``cmn-latn-pinyin`` gives every syllable Mandarin phonemes and reads
the letters A/B/C by their letter names. Must never block a call: a missing engine is one clear
``VoiceUnavailable`` line and the board still shows the number.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import wave
from functools import lru_cache

import numpy as np

VOICE = "cmn-latn-pinyin"
WORDS_PER_MINUTE = 140  # a little slower than espeak's 175: a hall is noisy and echoes
AMPLITUDE = 120
ENGINE_TIMEOUT_S = 10.0
MAX_TEXT_CHARS = 200
SAMPLE_RATE = 22050  # what espeak-ng writes; the chime is made at the same rate

DIGITS = dict(zip("0123456789", "零一二三四五六七八九", strict=True))
_SPOKEN_CODE = re.compile(r"^[A-Za-z0-9]{1,8}$")


class VoiceUnavailable(RuntimeError):
    """The speech engine is missing or failed; the message is one line for the operator."""


def spell(code: str) -> str:
    """"A023" → "A 零 二 三": letters and digits one by one, digits as Chinese numerals (a
    queue number is read digit by digit, never as 二十三)."""
    if not _SPOKEN_CODE.match(code):
        raise ValueError(f"a ticket number or window id must be 1-8 letters/digits, got {code!r}")
    return " ".join(DIGITS.get(ch, ch.upper()) for ch in code)


def call_announcement(number: str, window: str) -> str:
    """The words the board says when ``number`` is called to ``window``."""
    return f"请 {spell(number)} 号到 {spell(window)} 窗口办理"


def chime(rate: int = SAMPLE_RATE) -> np.ndarray:
    """A "ding-dong" (E6 then C6, bell-like decay) as int16 samples: it makes the hall look up
    before the number is said."""
    parts = []
    for freq, seconds in ((1318.5, 0.45), (1046.5, 0.7)):
        t = np.arange(int(rate * seconds)) / rate
        tone = np.sin(2 * np.pi * freq * t) + 0.3 * np.sin(4 * np.pi * freq * t)
        envelope = np.exp(-t * 4.0) * np.minimum(1.0, t / 0.005)  # 5 ms attack: no click
        parts.append(tone * envelope)
    signal = np.concatenate(parts)
    return (signal / np.abs(signal).max() * 0.6 * 32767).astype(np.int16)


def _speak(text: str) -> tuple[int, bytes]:
    """Run espeak-ng; returns (sample rate, 16-bit mono PCM frames)."""
    exe = shutil.which("espeak-ng")
    if exe is None:
        raise VoiceUnavailable("espeak-ng is not installed (Debian package espeak-ng): "
                               "calls are shown on the board but not spoken")
    try:
        done = subprocess.run(
            [exe, "-v", VOICE, "-s", str(WORDS_PER_MINUTE), "-a", str(AMPLITUDE), "--stdout",
             text], capture_output=True, timeout=ENGINE_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        raise VoiceUnavailable(f"espeak-ng gave no audio within {ENGINE_TIMEOUT_S:g} s") from None
    if done.returncode != 0 or not done.stdout:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise VoiceUnavailable(f"espeak-ng failed (exit {done.returncode}): "
                               f"{reason[0] if reason else 'no output'}")
    try:
        with wave.open(io.BytesIO(done.stdout)) as w:
            if w.getsampwidth() != 2 or w.getnchannels() != 1:
                raise VoiceUnavailable("espeak-ng wrote a WAV that is not 16-bit mono")
            return w.getframerate(), w.readframes(w.getnframes())
    except (wave.Error, EOFError) as exc:
        raise VoiceUnavailable(f"espeak-ng wrote an unreadable WAV: {exc}") from None


@lru_cache(maxsize=256)
def synthesise(text: str) -> bytes:
    """A WAV file (16-bit mono): chime, 0.25 s of silence, then ``text`` spoken in Mandarin."""
    if not text.strip() or len(text) > MAX_TEXT_CHARS:
        raise ValueError(f"announcement text must be 1-{MAX_TEXT_CHARS} characters")
    rate, speech = _speak(text)
    pause = np.zeros(int(rate * 0.25), dtype=np.int16)
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(chime(rate).tobytes() + pause.tobytes() + speech)
    return out.getvalue()
