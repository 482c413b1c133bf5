"""Spoken calls (kiosk.hall.voice): the words, the chime and a real WAV from espeak-ng."""

from __future__ import annotations

import io
import wave

import numpy as np
import pytest

from kiosk.hall import voice


def test_numbers_are_spelled_digit_by_digit():
    assert voice.call_announcement("A023", "A01") == "请 A 零 二 三 号到 A 零 一 窗口办理"
    assert voice.spell("b100") == "B 一 零 零"


@pytest.mark.parametrize("bad", ["", "A 02", "A023;rm", "号", "A" * 9])
def test_codes_outside_the_pattern_refused(bad):
    with pytest.raises(ValueError, match="letters/digits"):
        voice.spell(bad)


def test_wav_is_chime_then_speech():
    """Given an announcement, when synthesised, then a 16-bit mono WAV comes back whose first
    part is the chime (two tones, loud) and which lasts long enough to hold the spoken call."""
    data = voice.synthesise(voice.call_announcement("C107", "C02"))
    with wave.open(io.BytesIO(data)) as w:
        assert (w.getnchannels(), w.getsampwidth()) == (1, 2)
        rate = w.getframerate()
        seconds = w.getnframes() / rate
        samples = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)
    assert seconds > 3.0  # chime ≈ 1.15 s + pause + ~3 s of Mandarin
    head = samples[: int(rate * 0.4)].astype(float)
    spectrum = np.abs(np.fft.rfft(head))
    peak_hz = np.argmax(spectrum) * rate / len(head)
    assert abs(peak_hz - 1318.5) < 10  # the chime's first tone
    tail = samples[int(rate * 1.5):]
    assert np.abs(tail).max() > 1000  # speech after the chime, not silence


def test_cached_per_text(monkeypatch):
    voice.synthesise.cache_clear()
    calls = []
    real = voice._speak
    monkeypatch.setattr(voice, "_speak", lambda t: calls.append(t) or real(t))
    text = voice.call_announcement("A001", "A02")
    first = voice.synthesise(text)
    assert voice.synthesise(text) is first
    assert calls == [text]


def test_missing_engine_is_one_clear_line(monkeypatch):
    voice.synthesise.cache_clear()
    monkeypatch.setattr(voice.shutil, "which", lambda name: None)
    with pytest.raises(voice.VoiceUnavailable, match="espeak-ng is not installed"):
        voice.synthesise("请 A 零 零 九 号到 A 零 一 窗口办理")
