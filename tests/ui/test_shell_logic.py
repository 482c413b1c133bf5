"""Pure logic behind the touchscreen shell, no window: translations, idle timing, navigation
data, home tile rules and the JSON log lines."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from types import SimpleNamespace

import pytest

from drivers.base import Health, HealthState
from kiosk.i18n import LOCALE_DIR, PoError, Translator
from kiosk.idle import IdlePhase, IdleTimer
from kiosk.logging_setup import setup_logging
from screens import navigation, registry


# ---- i18n -----------------------------------------------------------------------------------
def test_po_files_are_read_by_babel_with_continuations_escapes_and_fuzzy(tmp_path: Path) -> None:
    """Given a .po text with a header, comments, a continued string, escapes, an untranslated
    and a fuzzy entry, when read, then only checked translations come back, joined and
    unescaped."""
    (tmp_path / "en.po").write_text('\n'.join([
        'msgid ""', 'msgstr ""', '"Language: en\\n"',
        '"Content-Type: text/plain; charset=UTF-8\\n"', '',
        '# a comment', 'msgid "取号"', 'msgstr "Queue "', '"ticket"', '',
        'msgid "说\\"你好\\""', 'msgstr "Say \\"hi\\"\\n"', '',
        'msgid "未译"', 'msgstr ""', '', '#, fuzzy', 'msgid "猜的"', 'msgstr "Guessed"', '',
    ]), "utf-8")
    t = Translator(tmp_path)
    assert t.catalog("en") == {"取号": "Queue ticket", '说"你好"': 'Say "hi"\n'}


@pytest.mark.parametrize("bad", ['msgid "a"\n', 'garbage line\n'])
def test_a_malformed_po_file_is_named(tmp_path: Path, bad: str) -> None:
    """Given a malformed .po, when read, then PoError names the file."""
    (tmp_path / "en.po").write_text(bad, "utf-8")
    with pytest.raises(PoError, match=r"en\.po: "):
        Translator(tmp_path).catalog("en")


def test_missing_translation_falls_back_to_chinese_and_is_logged_once(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Given an en catalogue without a msgid, when it is asked twice, then the Chinese text is
    shown both times and one warning is logged."""
    (tmp_path / "en.po").write_text('msgid "首页"\nmsgstr "Home"\n', "utf-8")
    t = Translator(tmp_path)
    with caplog.at_level(logging.WARNING, "kiosk.i18n"):
        assert t.tr("首页", "en") == "Home"
        assert t.tr("未翻译", "en") == "未翻译"
        assert t.tr("未翻译", "en") == "未翻译"
    assert len([r for r in caplog.records if "未翻译" in r.getMessage()]) == 1
    assert t.missing == {("en", "未翻译")}


def test_placeholders_are_filled_and_a_translators_typo_does_not_crash(tmp_path: Path) -> None:
    """Given a translation whose placeholder is misspelt, when formatted, then the Chinese text
    is shown with the value instead of raising."""
    (tmp_path / "en.po").write_text('msgid "{n} 秒"\nmsgstr "{m} s"\n'
                                    'msgid "{n} 分"\nmsgstr "{n} min"\n', "utf-8")
    t = Translator(tmp_path)
    assert t.tr("{n} 分", "en", n=3) == "3 min"
    assert t.tr("{n} 秒", "en", n=5) == "5 秒"
    assert t.tr("{n} 秒", "zh", n=5) == "5 秒"


def test_shipped_english_catalogue_parses_and_keeps_placeholders() -> None:
    """Given config/locale/en.po, when loaded, then every msgstr has the same placeholders as
    its msgid."""
    import string

    catalog = Translator(LOCALE_DIR).catalog("en")
    assert len(catalog) > 50
    fields = string.Formatter()
    for msgid, msgstr in catalog.items():
        want = {f for _, f, _, _ in fields.parse(msgid) if f}
        got = {f for _, f, _, _ in fields.parse(msgstr) if f}
        assert want == got, msgid


# ---- idle timer ------------------------------------------------------------------------------
def test_idle_timer_warns_then_expires_and_a_touch_restarts_it() -> None:
    """Given 60 s idle with a 10 s warning, when time passes, then it is active until 50 s,
    warns with the seconds left (rounded up), expires at 60 s; a touch starts again."""
    timer = IdleTimer(60, 10, now=0.0)
    assert timer.state(49.9).phase is IdlePhase.ACTIVE
    assert timer.state(50.0).phase is IdlePhase.WARNING
    assert timer.state(50.5).seconds_left == 10
    assert timer.state(59.2).seconds_left == 1
    assert timer.state(60.0).phase is IdlePhase.EXPIRED
    timer.touch(60.0)
    assert timer.state(100.0).phase is IdlePhase.ACTIVE


def test_elder_factor_stretches_both_limits_and_disarmed_never_expires() -> None:
    """Given elder factor 2, when time passes, then warning starts at 100 s and expiry at 120 s;
    a disarmed timer stays active; re-arming starts a fresh period."""
    timer = IdleTimer(60, 10, now=0.0)
    timer.set_factor(2.0, now=0.0)
    assert timer.state(99.0).phase is IdlePhase.ACTIVE
    assert timer.state(100.0).phase is IdlePhase.WARNING
    assert timer.state(120.0).phase is IdlePhase.EXPIRED
    timer.arm(False, now=120.0)
    assert timer.state(10_000.0).phase is IdlePhase.ACTIVE
    timer.arm(True, now=10_000.0)
    assert timer.state(10_001.0).phase is IdlePhase.ACTIVE
    with pytest.raises(ValueError):
        IdleTimer(10, 10, now=0.0)


# ---- navigation and registry -------------------------------------------------------------------
def test_every_registered_screen_has_a_parent_and_a_path_home() -> None:
    """Given the registry and the PARENT map, when compared, then they name the same screens,
    every path ends at home, Back from home stays home, and each module exists."""
    import importlib.util

    assert set(registry.SCREENS) == set(navigation.PARENT)
    for name, spec in registry.SCREENS.items():
        path = navigation.path_to_home(name)
        assert path[0] == name and path[-1] == navigation.HOME
        assert importlib.util.find_spec(spec.module) is not None, spec.module
    assert navigation.back_target(navigation.HOME) == navigation.HOME
    assert navigation.back_target("help") == "home"


def test_navigation_rejects_cycles_and_unknown_screens(monkeypatch: pytest.MonkeyPatch) -> None:
    """Given a PARENT map with a cycle, when a path home is asked, then it raises, as it does
    for a screen nobody registered."""
    monkeypatch.setitem(navigation.PARENT, "a", "b")
    monkeypatch.setitem(navigation.PARENT, "b", "a")
    with pytest.raises(ValueError, match="cycle"):
        navigation.path_to_home("a")
    with pytest.raises(navigation.UnknownScreen):
        navigation.back_target("nowhere")


class _Devices:
    def __init__(self, health: dict[str, HealthState]) -> None:
        self._health = health

    def kinds(self) -> list[str]:
        return list(self._health)

    def is_usable(self, kind: str) -> bool:
        return Health(self._health[kind]).state is not HealthState.OFFLINE


def test_tiles_show_only_registered_screens_with_fitted_devices(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Given tiles for the queue, the locker and help, when only help and locker are registered
    and the locker is offline, then the queue tile shows disabled as 即将开放 (issue 12: a tile
    for every capability; it used to be hidden) and the locker tile is disabled naming the
    locker; a tile whose device is not fitted at all is hidden."""
    monkeypatch.setitem(registry.SCREENS, "locker", registry.ScreenSpec("x", "X"))
    monkeypatch.setitem(registry.SCREENS, "submit", registry.ScreenSpec("x", "X"))
    monkeypatch.delitem(registry.SCREENS, "queue", raising=False)
    from kiosk.clock import SystemClock
    from kiosk.mode import ModeKeeper

    devices = _Devices({"locker": HealthState.OFFLINE, "idcard": HealthState.OK})
    clock = SystemClock()
    ctx = SimpleNamespace(devices=devices, mode=ModeKeeper(None, devices, clock, clock.tz))
    states = {s.tile.id: s for s in registry.visible_tiles(ctx)}  # type: ignore[arg-type]
    assert "submit" not in states  # no camera fitted
    assert (states["queue"].enabled, states["queue"].reason) == (False, "即将开放")
    assert all((s.reason == "即将开放") == (s.tile.target not in registry.SCREENS)
               for s in states.values())
    assert states["help"].enabled
    assert not states["locker"].enabled and states["locker"].device == "locker"

    closed = registry.Tile("night", "夜间", "", "夜", "help", enabled_when=lambda c: "夜间不开放")
    (night,) = registry.visible_tiles(ctx, (closed,))  # type: ignore[arg-type]
    assert not night.enabled and night.reason == "夜间不开放"


# ---- logging ------------------------------------------------------------------------------------
def test_log_file_has_one_json_object_per_line(tmp_path: Path) -> None:
    """Given the kiosk's logging set up twice, when a record is logged, then the file holds one
    JSON line with level, logger and message (and only one handler was added)."""
    root = logging.getLogger()
    before = list(root.handlers)
    try:
        path = setup_logging(tmp_path, "INFO")
        setup_logging(tmp_path, "INFO")
        logging.getLogger("screens.test").info("home drawn in %d ms", 42)
        for handler in root.handlers:
            handler.flush()
        (line,) = [json.loads(x) for x in path.read_text("utf-8").splitlines()
                   if "home drawn" in x]
        assert line["level"] == "INFO" and line["logger"] == "screens.test"
        assert line["msg"] == "home drawn in 42 ms"
        assert len([h for h in root.handlers if getattr(h, "kiosk_file", None) == path]) == 1
    finally:
        for handler in list(root.handlers):
            if handler not in before:
                root.removeHandler(handler)
                handler.close()
