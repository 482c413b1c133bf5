"""A bug in a command is still one line and a non-zero exit (a supervisor restarts the kiosk),
never a traceback on the technician's terminal, and never the exception's text (which may hold
data); KIOSK_DEBUG=1 shows the traceback."""

from __future__ import annotations

import argparse

import pytest

from kiosk import cli


def parser_with_a_bug(_argv: object = None) -> argparse.ArgumentParser:
    parser = cli.KioskParser(prog="kiosk")
    parser.add_argument("--config")
    sub = parser.add_subparsers(dest="command")

    def boom(_args: argparse.Namespace) -> int:
        raise RuntimeError("card 11010519491231002X went wrong")

    sub.add_parser("boom").set_defaults(func=boom)
    return parser


def test_an_unexpected_error_is_one_line_exit_70(monkeypatch, capsys):
    monkeypatch.setattr(cli, "build_parser", parser_with_a_bug)
    monkeypatch.delenv(cli.DEBUG_ENV, raising=False)
    assert cli.main(["boom"]) == 70
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "RuntimeError" in err
    assert "Traceback" not in err and "11010519491231002X" not in err


def test_kiosk_debug_shows_the_traceback(monkeypatch):
    monkeypatch.setattr(cli, "build_parser", parser_with_a_bug)
    monkeypatch.setenv(cli.DEBUG_ENV, "1")
    with pytest.raises(RuntimeError):
        cli.main(["boom"])
