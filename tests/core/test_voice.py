"""Voice guidance: espeak-ng writes real Mandarin audio, settings reach the engine, speaking never
blocks the caller, and ``kiosk voice say`` fails with one clear line."""

from __future__ import annotations

import array
import math
import shutil
import threading
import wave
from collections.abc import Sequence
from pathlib import Path

import pytest

from config.schema import VoiceConfig
from kiosk.cli import main
from kiosk.voice import PROMPTS, Voice

needs_engine = pytest.mark.skipif(shutil.which("espeak-ng") is None,
                                  reason="espeak-ng is installed by ./kiosk.sh setup")


def wav_facts(path: Path) -> tuple[float, float]:
    """(seconds, RMS of the samples) of a 16-bit mono WAV."""
    with wave.open(str(path)) as w:
        assert w.getnchannels() == 1 and w.getsampwidth() == 2
        frames = w.readframes(w.getnframes())
        seconds = w.getnframes() / w.getframerate()
    samples = array.array("h", frames)
    rms = math.sqrt(sum(s * s for s in samples) / max(1, len(samples)))
    return seconds, rms


@needs_engine
def test_a_prompt_is_written_as_plausible_audio(tmp_path):
    """Given the shipped voice, when the card reminder is written, then it is a valid WAV of
    speech-like length (about 4 syllables a second at the kiosk's slow rate), not silence."""
    out = Voice(VoiceConfig()).write_wav(PROMPTS["take_card"], tmp_path / "card.wav")
    seconds, rms = wav_facts(out)
    syllables = len(PROMPTS["take_card"])
    assert syllables / 8 < seconds < syllables, seconds
    assert rms > 300, rms


@needs_engine
def test_volume_and_length_reach_the_engine(tmp_path):
    """Given a quiet and a loud setting, then the quiet file is quieter; a longer prompt is
    longer."""
    quiet = Voice(VoiceConfig(volume=15)).write_wav("请取号", tmp_path / "quiet.wav")
    loud = Voice(VoiceConfig(volume=100)).write_wav("请取号", tmp_path / "loud.wav")
    long = Voice(VoiceConfig(volume=100)).write_wav(PROMPTS["home"], tmp_path / "long.wav")
    assert wav_facts(quiet)[1] < wav_facts(loud)[1] / 3
    assert wav_facts(long)[0] > wav_facts(loud)[0] * 2


class SlowEngine:
    """Records command lines; each run waits until the test releases it."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []
        self.release = threading.Event()
        self.started = threading.Event()
        self.done = threading.Event()

    def __call__(self, argv: Sequence[str]) -> int:
        self.calls.append(list(argv))
        self.started.set()
        self.release.wait(5)
        if len(self.calls) >= 2:
            self.done.set()
        return 0


def test_say_returns_at_once_and_a_newer_prompt_replaces_a_waiting_one():
    """Given an engine that takes its time, when three prompts are said in a row, then say()
    never waits for it, the first is spoken, the middle one (never started) is dropped for the
    newest."""
    engine = SlowEngine()
    voice = Voice(VoiceConfig(always=True), runner=engine, engine="espeak-ng")
    try:
        assert voice.say("第一")
        assert engine.started.wait(5)
        assert voice.say("第二") and voice.say("第三")  # the engine is still busy: no waiting
        engine.release.set()
        assert engine.done.wait(5)
        assert [c[-1] for c in engine.calls] == ["第一", "第三"]
    finally:
        engine.release.set()
        voice.close()


@pytest.mark.parametrize("settings, elder, speaks", [
    ({}, False, False),  # default: quiet in normal mode
    ({}, True, True),  # on by default in elder mode
    ({"muted": True}, True, False),
    ({"volume": 0}, True, False),
    ({"enabled": False, "always": True}, True, False),
    ({"always": True}, False, True),
])
def test_settings_decide_whether_anything_is_said(settings, elder, speaks):
    engine = SlowEngine()
    engine.release.set()
    voice = Voice(VoiceConfig(**settings), runner=engine, engine="espeak-ng")
    voice.elder = elder
    try:
        assert voice.say("请取号") is speaks
    finally:
        voice.close()


def test_the_command_line_carries_voice_rate_and_volume_and_never_takes_text_for_options():
    voice = Voice(VoiceConfig(volume=50, rate=120, voice="cmn"), engine="/usr/bin/espeak-ng")
    argv = voice.command("-请取号", Path("x.wav"))
    assert argv == ["/usr/bin/espeak-ng", "-v", "cmn", "-s", "120", "-a", "100", "-w", "x.wav",
                    "--", "-请取号"]


def test_without_the_engine_say_is_quiet_and_the_cli_says_why(tmp_path, capsys, monkeypatch):
    """Given no espeak-ng on PATH, then the kiosk stays quiet and the command prints one line."""
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    voice = Voice(VoiceConfig(always=True))
    assert voice.say("请取号") is False
    assert main(["voice", "say", "请取号", "--out", str(tmp_path / "x.wav")]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("kiosk: voice say: espeak-ng is not installed") and "\n" not in err


@needs_engine
def test_cli_writes_a_wav(tmp_path, capsys):
    out = tmp_path / "prompt.wav"
    assert main(["voice", "say", "请取回身份证", "--out", str(out)]) == 0
    assert wav_facts(out)[0] > 0.5
    assert str(out) in capsys.readouterr().out


@pytest.mark.parametrize("argv, says", [
    (["voice", "say", "请取号", "--out", "prompt.mp3"], "expected a file name ending .wav"),
    (["voice", "say", "请取号", "--out", "no/such/dir/x.wav"], "does not exist"),
    (["voice", "say", "  "], "TEXT is empty"),
])
def test_cli_bad_arguments_get_one_line(argv, says, capsys):
    assert main(argv) == 1
    err = capsys.readouterr().err.strip()
    assert says in err and "\n" not in err and "Traceback" not in err


def test_cli_refuses_to_play_when_the_voice_is_off(tmp_path, capsys):
    site = tmp_path / "site.toml"
    site.write_text("[voice]\nmuted = true\n", encoding="utf-8")
    assert main(["--config", str(site), "voice", "say", "请取号"]) == 1
    assert "use --out FILE.wav" in capsys.readouterr().err


def test_a_bad_voice_setting_is_named(tmp_path, capsys):
    site = tmp_path / "site.toml"
    site.write_text("[voice]\nvolume = 150\n", encoding="utf-8")
    assert main(["--config", str(site), "voice", "say", "请取号"]) == 3
    err = capsys.readouterr().err
    assert "voice.volume" in err and "150" in err
