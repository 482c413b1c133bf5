"""``kiosk voice say TEXT [--out FILE.wav]``: the technician's test of the speaker.

Speaks ``TEXT`` with the kiosk's ``[voice]`` settings (voice, rate, volume), or writes it as a
WAV file with ``--out`` (mute does not apply to a file: that is how the voice is checked in a
quiet hall). Unlike the kiosk, which speaks in the background, this waits until the prompt is
said. A missing engine or an unwritable file is one clear line and exit code 1, never a
traceback.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from kiosk.cli import CommandError
from kiosk.config import load_config
from kiosk.voice import Voice, VoiceUnavailable


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("voice", help="voice guidance: test the speaker")
    vsub = p.add_subparsers(dest="voice_command", metavar="ACTION", required=True)
    s = vsub.add_parser("say", help="speak TEXT with the kiosk's voice settings, or write a WAV")
    s.add_argument("text", metavar="TEXT", help="what to say, e.g. 请取回身份证")
    s.add_argument("--out", metavar="FILE.wav", type=Path,
                   help="write the prompt to this WAV file instead of the speaker")
    s.set_defaults(func=_say)


def _say(args: argparse.Namespace) -> int:
    config = load_config(args.config).voice
    text = str(args.text).strip()
    if not text:
        raise CommandError("voice say: TEXT is empty; expected the words to speak")
    voice = Voice(config)
    try:
        if args.out is not None:
            out: Path = args.out
            if out.suffix.lower() != ".wav":
                raise CommandError(f"voice say: --out {out}: expected a file name ending .wav")
            if not out.parent.is_dir():
                raise CommandError(f"voice say: --out {out}: folder {out.parent} does not exist")
            voice.write_wav(text, out)
            print(f"wrote {out}")
            return 0
        if config.muted or not config.enabled or config.volume == 0:
            raise CommandError("voice say: the kiosk's voice is off ([voice] enabled = false, "
                               "muted = true or volume = 0); use --out FILE.wav to check it")
        code = voice.play(text)
    except VoiceUnavailable as exc:
        raise CommandError(f"voice say: {exc}") from None
    if code != 0:
        raise CommandError(f"voice say: the engine could not play the prompt (exit code {code}); "
                           f"is a sound card connected?")
    return 0
