"""The real touchscreen app under Xvfb: home, language, elder mode, idle timeout, error page,
the simulated-hardware panel and device status, driven by touches."""

from __future__ import annotations

import pytest

from tests.ui.conftest import LANDSCAPE, PORTRAIT, Kiosk

pytestmark = pytest.mark.ui

F12 = 293


def test_home_shows_hall_name_clock_and_thumb_sized_tiles(kiosk: Kiosk) -> None:
    """Given the kiosk just started, when the home screen is drawn, then it shows the hall's
    Chinese name, a clock, the device status and large tiles only for screens that exist."""
    assert kiosk.app.current == "home"
    assert kiosk.get("hall_name").text == kiosk.ctx.config.hall.name
    assert ":" in kiosk.get("clock").text
    assert kiosk.get("hall_status").text == "设备运行正常，欢迎使用"
    help_tile = kiosk.get("tile_help")
    assert help_tile.height >= 200 and help_tile.width >= 400
    from screens.registry import SCREENS

    # every capability has a tile (issue 12); 取号 can be pressed exactly when the queue flow
    # has registered its screen, and says 即将开放 only when it has not
    queue_tile = kiosk.get("tile_queue")
    assert queue_tile.disabled == ("queue" not in SCREENS)
    assert (queue_tile.reason == "即将开放") == ("queue" not in SCREENS)
    assert kiosk.get("hall_status").font_size >= 32


def test_queue_tile_appears_once_its_screen_is_registered(kiosk: Kiosk,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Given the queue flow registers its screen, when home refreshes, then the 取号 tile shows
    and pressing it opens that screen."""
    from screens import navigation, registry

    if "queue" not in registry.SCREENS:  # stand in for the flow with any existing screen
        monkeypatch.setitem(registry.SCREENS, "queue", registry.ScreenSpec("screens.help",
                                                                           "HelpScreen"))
        monkeypatch.setitem(navigation.PARENT, "queue", "home")
    home = kiosk.app.sm.get_screen("home")
    home.refresh_tiles()
    kiosk.pump()
    try:
        kiosk.tap("tile_queue")
        assert kiosk.app.current == "queue"
    finally:
        kiosk.app.go_home()
        monkeypatch.undo()
        if "queue" not in registry.SCREENS and kiosk.app.sm.has_screen("queue"):
            kiosk.app.sm.remove_widget(kiosk.app.sm.get_screen("queue"))
        home.refresh_tiles()


def test_language_toggle_changes_every_text(kiosk: Kiosk) -> None:
    """Given the Chinese home, when English is tapped, then the hall name, status, tiles and the
    Back/Home buttons re-render in English, and tapping 中文 brings Chinese back."""
    kiosk.tap("lang_toggle")
    assert kiosk.app.lang == "en"
    assert kiosk.get("hall_name").text == kiosk.ctx.config.hall.name_en
    assert kiosk.get("hall_status").text == "All services are working. Welcome."
    assert "How to use" in [w.text for w in kiosk.get("tile_help").walk() if hasattr(w, "text")]
    kiosk.tap("tile_help")
    assert kiosk.get("nav_back").text.endswith("Back")
    assert kiosk.get("nav_home").text == "Home"
    kiosk.tap("nav_home")
    kiosk.tap("lang_toggle")
    assert kiosk.app.lang == "zh"
    assert kiosk.get("hall_name").text == kiosk.ctx.config.hall.name


def test_every_registered_screen_is_fully_translated(kiosk: Kiosk) -> None:
    """Given English, when every registered screen is shown, then no text fell back to Chinese."""
    from screens.registry import SCREENS

    kiosk.app.toggle_language()
    for name in SCREENS:
        kiosk.app.go(name)
        kiosk.pump()
    kiosk.app.show_error("暂时无法办理", "该功能暂未开放")
    kiosk.app.toast(kiosk.app.tr("已扫描二维码，请先选择要办理的业务"))
    kiosk.pump()
    missing = {m for lang, m in kiosk.app.translator.missing if lang == "en"}
    assert missing == set()


def test_elder_mode_enlarges_text_and_lengthens_timeouts(kiosk: Kiosk) -> None:
    """Given standard mode, when 长辈模式 is tapped, then texts grow by about 1.35 and the idle
    limit is multiplied by the elder factor; tapping again restores both."""
    before = kiosk.get("hall_status").font_size
    limit = kiosk.app.idle.limit
    kiosk.tap("elder_toggle")
    assert kiosk.app.elder
    assert kiosk.get("hall_status").font_size == pytest.approx(before * 1.35)
    assert kiosk.app.idle.limit == limit * kiosk.ctx.config.timeouts.elder_factor
    kiosk.tap("elder_toggle")
    assert kiosk.get("hall_status").font_size == pytest.approx(before)


def test_idle_warning_then_timeout_wipes_the_session(kiosk: Kiosk) -> None:
    """Given an identified citizen on another screen, when they stop touching, then a countdown
    appears at idle - warning seconds; 继续使用 keeps them; at zero the session is wiped and
    the kiosk is back home in the hall's default language."""
    t = kiosk.ctx.config.timeouts
    kiosk.sim("idcard").present(_card("resident"))
    kiosk.wait_until(lambda: kiosk.ctx.sessions.current.card is not None, what="card read")
    kiosk.tap("tile_help")
    kiosk.app.toggle_language()

    kiosk.advance(t.idle_seconds - t.idle_warning_seconds - 1)
    assert kiosk.app.idle_overlay is None
    kiosk.advance(2)
    overlay = kiosk.app.idle_overlay
    assert overlay is not None
    assert kiosk.get("idle_message").text == f"Returning to home in {t.idle_warning_seconds - 1} s"
    kiosk.tap("idle_continue")
    assert kiosk.app.idle_overlay is None
    assert kiosk.app.current == "help"

    kiosk.advance(t.idle_seconds - 1)
    assert kiosk.app.idle_overlay is not None
    kiosk.advance(1)
    kiosk.pump()
    assert kiosk.app.current == "home"
    assert kiosk.app.idle_overlay is None
    assert kiosk.ctx.sessions.current.card is None
    assert kiosk.app.lang == kiosk.ctx.config.kiosk.language


def test_error_page_speaks_the_citizens_language_and_returns_home(kiosk: Kiosk) -> None:
    """Given a flow hits a problem, when show_error is called, then a full-screen page says what
    happened and what to do in the citizen's language only (issue 12: one language per screen,
    it used to add an English line); 返回首页 goes home, and so does waiting."""
    kiosk.app.show_error("暂时无法办理", "该功能暂未开放")
    kiosk.pump()
    assert kiosk.app.current == "error"
    assert kiosk.get("error_title").text == "暂时无法办理"
    assert kiosk.get("error_message").text == "该功能暂未开放"
    assert kiosk.find("error_other_language") is None
    kiosk.app.lang = "en"
    kiosk.pump()
    assert kiosk.get("error_message").text == "This service is not available yet."
    kiosk.app.lang = "zh"
    assert kiosk.get("error_next").text
    kiosk.tap("error_home")
    assert kiosk.app.current == "home"

    kiosk.app.show_error("暂时无法办理", "该功能暂未开放")
    kiosk.advance(kiosk.ctx.config.timeouts.error_page_seconds - 1)
    assert kiosk.app.current == "error"
    assert kiosk.get("error_countdown").text == "1 秒后自动返回首页"
    kiosk.advance(1.1)
    assert kiosk.app.current == "home"


def test_sim_panel_card_tap_shows_masked_greeting(kiosk: Kiosk) -> None:
    """Given the sim panel opened with F12, when the resident sample card is tapped, then the
    reader publishes CardInserted and the home toast greets the citizen by masked name only."""
    from kiosk.events import CardInserted

    seen: list[CardInserted] = []
    unsubscribe = kiosk.ctx.bus.subscribe(CardInserted, seen.append)
    try:
        kiosk.key(F12)
        assert kiosk.app.sim_panel_open
        kiosk.tap("sim_card_resident")
        kiosk.wait_until(lambda: seen, what="CardInserted")
        toast = kiosk.app.toast_label
        kiosk.wait_until(lambda: toast.text, what="toast")
        assert "张*" in toast.text and "张三" not in toast.text
        assert kiosk.ctx.sessions.current.card is not None
        kiosk.tap("sim_card_remove")
        kiosk.wait_until(lambda: kiosk.ctx.sessions.current.card is None, what="card removed")
    finally:
        unsubscribe()


def test_expired_card_is_refused_with_a_clear_message(kiosk: Kiosk) -> None:
    """Given the expired sample card, when it is tapped, then the toast says it expired and
    nobody is identified."""
    kiosk.app.toggle_sim_panel()
    kiosk.tap("sim_card_expired")
    toast = kiosk.app.toast_label
    kiosk.wait_until(lambda: "过期" in toast.text, what="expired toast")
    assert "2015-06-20" in toast.text
    assert kiosk.ctx.sessions.current.card is None


def test_three_taps_in_the_corner_open_the_sim_panel(kiosk: Kiosk) -> None:
    """Given the simulated kiosk, when the top-right corner is tapped three times, then the panel
    opens; its close button closes it."""
    from kivy.core.window import Window

    for _ in range(3):
        kiosk.tap_at(Window.width - 20, Window.height - 20)
    assert kiosk.app.sim_panel_open
    kiosk.tap("sim_close")
    assert not kiosk.app.sim_panel_open


def test_unplugged_printer_and_paper_out_show_in_hall_status(kiosk: Kiosk) -> None:
    """Given a working printer, when it is unplugged from the sim panel, then the home status
    says tickets will be shown on screen; paper out says so too; replugging clears it."""
    kiosk.app.toggle_sim_panel()
    kiosk.tap("sim_unplug_printer")
    status = kiosk.get("hall_status")
    kiosk.wait_until(lambda: "打印机暂停服务" in status.text, what="printer offline status")
    kiosk.tap("sim_unplug_printer")
    kiosk.tap("sim_paper_out")
    kiosk.wait_until(lambda: "打印机缺纸，票据将显示在屏幕上" in status.text, what="paper out")
    kiosk.tap("sim_paper_ok")
    kiosk.wait_until(lambda: status.text == "设备运行正常，欢迎使用", timeout=15,
                     what="status back to normal")


def test_tile_is_disabled_with_reason_while_its_device_is_unplugged(
        kiosk: Kiosk, monkeypatch: pytest.MonkeyPatch) -> None:
    """Given a locker tile whose screen exists, when the locker is unplugged, then the tile is
    greyed out, cannot be pressed and names the device; replugged, it works again."""
    from drivers.base import Fault
    from screens import navigation, registry

    monkeypatch.setitem(registry.SCREENS, "locker", registry.ScreenSpec("screens.help",
                                                                        "HelpScreen"))
    monkeypatch.setitem(navigation.PARENT, "locker", "home")
    home = kiosk.app.sm.get_screen("home")
    try:
        kiosk.sim("locker").inject(Fault.UNPLUGGED)
        kiosk.wait_until(lambda: not kiosk.ctx.devices.is_usable("locker"), what="locker down")
        kiosk.pump()
        tile = kiosk.get("tile_locker")
        assert tile.disabled
        texts = [w.text for w in tile.walk() if hasattr(w, "text")]
        assert "文件柜暂停服务" in texts
        kiosk.tap(tile)
        assert kiosk.app.current == "home"
        kiosk.sim("locker").clear(Fault.UNPLUGGED)
        kiosk.wait_until(lambda: not kiosk.get("tile_locker").disabled, timeout=15,
                         what="locker tile enabled")
    finally:
        monkeypatch.undo()
        home.refresh_tiles()


def test_every_screen_has_back_and_home(kiosk: Kiosk) -> None:
    """Given every registered screen, when it is shown, then it has visible 返回 and 首页 buttons
    (home excepted) and 首页 leads home. (How fast the switch is: bench/bench_screens.py.)"""
    from screens.registry import SCREENS

    for name in SCREENS:
        if name == "error":  # the error page is only ever opened with its message and timer
            kiosk.app.show_error("暂时无法办理", "该功能暂未开放")
        else:
            kiosk.app.go(name)
        kiosk.pump(1)
        assert kiosk.app.current == name
        if name == "home":
            assert kiosk.find("nav_back") is None
            continue
        screen = kiosk.app.sm.current_screen
        idents = {getattr(w, "ident", "") for w in screen.walk()}
        assert {"nav_back", "nav_home"} <= idents, name
        for ident in ("nav_back", "nav_home"):
            button = next(w for w in screen.walk() if getattr(w, "ident", "") == ident)
            assert button.opacity == 1 and button.height >= 100 and button.width >= 200
        kiosk.tap(next(w for w in screen.walk() if getattr(w, "ident", "") == "nav_home"))
        assert kiosk.app.current == "home"


def test_screenshots_of_every_screen(kiosk: Kiosk) -> None:
    """Given each screen in Chinese, English and elder mode, when drawn at 1080x1920, then a
    screenshot lands in tests/artifacts/ (and one landscape home at 1920x1080)."""
    from screens.registry import SCREENS

    written = []
    for mode in ("zh", "en", "elder"):
        kiosk.app.lang = "en" if mode == "en" else "zh"
        kiosk.app.set_elder(mode == "elder")
        for name in SCREENS:
            if name == "error":
                kiosk.app.show_error("暂时无法办理", "该功能暂未开放")
            else:
                kiosk.app.go(name)
            written.append(kiosk.screenshot(f"{name}-{mode}"))
    kiosk.app.set_elder(False)
    kiosk.app.lang = "zh"
    kiosk.app.go("help")
    t = kiosk.ctx.config.timeouts
    kiosk.advance(t.idle_seconds - t.idle_warning_seconds + 1)
    assert kiosk.app.idle_overlay is not None
    written.append(kiosk.screenshot("idle-warning-zh"))
    kiosk.app.keep_session()
    kiosk.app.go_home()
    kiosk.app.toggle_sim_panel()
    written.append(kiosk.screenshot("sim-panel"))
    kiosk.app.toggle_sim_panel()
    kiosk.resize(LANDSCAPE)
    try:
        assert kiosk.app.landscape
        written.append(kiosk.screenshot("home-landscape-zh"))
        kiosk.app.lang = "en"
        written.append(kiosk.screenshot("home-landscape-en"))
    finally:
        kiosk.resize(PORTRAIT)
    for path in written:
        assert path.stat().st_size > 10_000, path


def _card(key: str) -> object:
    from drivers.idcard.samples import SAMPLE_CARDS

    return SAMPLE_CARDS[key]


def test_unreadable_card_shows_the_readers_message(kiosk: Kiosk) -> None:
    """Given a reader that garbles the card's text, when a card is laid on it, then the toast
    shows the Chinese message from the error and nobody is identified."""
    from drivers.base import Fault

    kiosk.sim("idcard").inject(Fault.GARBAGE)
    kiosk.sim("idcard").present(_card("resident"))
    toast = kiosk.app.toast_label
    kiosk.wait_until(lambda: toast.text, what="unreadable toast")
    assert "身份证" in toast.text
    assert kiosk.ctx.sessions.current.card is None


def test_scan_last_ticket_decodes_the_printout_and_scans_it(kiosk: Kiosk) -> None:
    """Given a ticket printed by the simulated printer, when 'last ticket QR' is tapped, then its
    QR is decoded from the PNG and arrives as a CodeScanned event; 'last printout' shows it."""
    from drivers.printer.layout import Receipt
    from kiosk.events import CodeScanned

    url = kiosk.ctx.config.hall.queue_url + "?t=A001"
    kiosk.sim("printer").print_receipt(Receipt().text("A001", size=2).qr(url))
    seen: list[CodeScanned] = []
    unsubscribe = kiosk.ctx.bus.subscribe(CodeScanned, seen.append)
    try:
        kiosk.app.toggle_sim_panel()
        kiosk.tap("sim_scan_last_ticket")
        kiosk.wait_until(lambda: seen, timeout=10, what="CodeScanned")
        assert seen[0].code.text == url
        # issue 12: a code scanned on home goes where it should instead of a toast; this one is
        # no ticket of the hall (no signed token), so it is tried as an appointment
        kiosk.wait_until(lambda: kiosk.find("queue_notice_message") is not None,
                         what="the appointment check-in's answer")
        assert kiosk.app.current == "queue_appointment"
        assert "没有找到您的预约" in kiosk.get("queue_notice_message").text
        kiosk.tap("queue_notice_ok")
        kiosk.tap("sim_last_printout")
        view = kiosk.app.sim_panel.printout_view
        assert view.parent is not None
        kiosk.tap("sim_printout_close")
        kiosk.wait_until(lambda: view.parent is None, what="printout closed")
    finally:
        unsubscribe()
