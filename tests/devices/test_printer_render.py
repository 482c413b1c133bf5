"""ESC/POS bytes for receipts: exact vectors, Chinese encodings, substitutions, properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.printer.base import PrinterError
from drivers.printer.charset import can_print, printable, wrap
from drivers.printer.escpos_render import qr_bytes, render, render_escpos
from drivers.printer.layout import Align, Receipt
from drivers.printer.paper import ReceiptLayoutError
from drivers.printer.profile import PrinterProfile, PrinterSettingsError

INIT = b"\x1b\x40"
CENTER, LEFT, RIGHT = b"\x1b\x61\x01", b"\x1b\x61\x00", b"\x1b\x61\x02"
BOLD_ON, BOLD_OFF = b"\x1b\x45\x01", b"\x1b\x45\x00"
SIZE_2, SIZE_1 = b"\x1d\x21\x11", b"\x1d\x21\x00"
FS_ON, FS_OFF = b"\x1c\x26", b"\x1c\x2e"
ZHENGWU_FUWU = b"\xd5\xfe\xce\xf1\xb7\xfe\xce\xf1"  # 政务服务, same in GB18030 and GBK
QR_Q1_SIZE4 = (
    b"\x1d\x28\x6b\x04\x00\x31\x41\x32\x00"  # model 2
    b"\x1d\x28\x6b\x03\x00\x31\x43\x04"  # module size 4
    b"\x1d\x28\x6b\x03\x00\x31\x45\x31"  # error correction M
    b"\x1d\x28\x6b\x05\x00\x31\x50\x30Q1"  # store: pL pH = 2 + 3
    b"\x1d\x28\x6b\x03\x00\x31\x51\x30"  # print
)
PARTIAL_CUT = b"\x1b\x64\x04\x1d\x56\x01"
FULL_CUT = b"\x1b\x64\x04\x1d\x56\x00"


def fixed_receipt() -> Receipt:
    return (Receipt()
            .text("政务服务", size=2, bold=True, align=Align.CENTER)
            .text("A001")
            .separator()
            .qr("Q1", module_size=4)
            .feed(2))


@pytest.mark.parametrize("encoding", ["gb18030", "gbk"])
def test_fixed_receipt_in_chinese_mode(encoding):
    """Given a ticket with a double-size bold centred title, a number, a separator, a QR, a feed
    when it is rendered for an 80 mm printer that needs FS & around CJK text
    then every byte is as the ESC/POS manual says, ending with feed and partial cut."""
    profile = PrinterProfile(encoding=encoding, chinese_mode=True)
    expected = (INIT
                + CENTER + BOLD_ON + SIZE_2 + FS_ON + ZHENGWU_FUWU + FS_OFF + b"\n"
                + LEFT + BOLD_OFF + SIZE_1 + b"A001\n"
                + b"-" * 48 + b"\n"
                + CENTER + QR_Q1_SIZE4
                + b"\x1b\x64\x02"
                + PARTIAL_CUT)
    assert render_escpos(fixed_receipt(), profile) == expected


def test_fixed_receipt_without_chinese_mode_58mm_full_cut():
    """Given a 58 mm GBK printer that boots in Chinese mode and a full-cut setting
    when the same ticket is rendered
    then the CJK text has no FS & / FS ., the separator is 32 wide and the cut is GS V 0."""
    profile = PrinterProfile(encoding="gbk", chinese_mode=False, paper_width_mm=58, cut="full")
    expected = (INIT
                + CENTER + BOLD_ON + SIZE_2 + ZHENGWU_FUWU + b"\n"
                + LEFT + BOLD_OFF + SIZE_1 + b"A001\n"
                + b"-" * 32 + b"\n"
                + CENTER + QR_Q1_SIZE4
                + b"\x1b\x64\x02"
                + FULL_CUT)
    assert render_escpos(fixed_receipt(), profile) == expected


def test_qr_store_length_is_little_endian_len_plus_3():
    """Given 300 bytes of QR data when the native QR is built
    then the store command carries pL=0x2F pH=0x01 (303) and the data verbatim."""
    data = b"x" * 300
    assert b"\x1d\x28\x6b\x2f\x01\x31\x50\x30" + data in qr_bytes(data, 6)


def test_qr_uses_profile_module_size_and_shrinks_to_fit_paper():
    """Given a QR without module size and a long one asking 16-dot modules on 58 mm paper
    when rendered then the first uses the profile default and the second fits 384 dots."""
    profile = PrinterProfile(paper_width_mm=58, qr_module_size=5)
    data = render(Receipt().qr("short").qr("L" * 200, module_size=16), profile).data
    assert b"\x1d\x28\x6b\x03\x00\x31\x43\x05" in data
    # 200 bytes at level M need version 8 (49 modules): 384 // 49 = 7 dots
    assert b"\x1d\x28\x6b\x03\x00\x31\x43\x07" in data


def test_yen_on_gb18030_is_four_bytes_and_on_gbk_is_fullwidth():
    """Given '¥12' when rendered for GB18030 then it is 81 30 84 36; for GBK, where ¥ does not
    exist, it becomes ￥ (A3 A4) and the substitution is reported."""
    receipt = Receipt().text("¥12")
    gb18030 = render(receipt, PrinterProfile(encoding="gb18030"))
    gbk = render(receipt, PrinterProfile(encoding="gbk"))
    assert FS_ON + b"\x81\x30\x84\x36" + b"12" + FS_OFF in gb18030.data
    assert gb18030.substitutions == ()
    assert FS_ON + b"\xa3\xa4" + b"12" + FS_OFF in gbk.data
    assert [(s.char, s.replacement) for s in gbk.substitutions] == [("¥", "￥")]


@pytest.mark.parametrize("encoding", ["gb18030", "gbk"])
def test_emoji_and_controls_replaced_before_printing(encoding):
    """Given a name with an emoji, a variation selector and an ESC byte
    when rendered then the emoji is '?', the selector is dropped, the ESC is '?' (never a
    command) and all three are reported."""
    rendered = render(Receipt().text("张三\U0001F600\u2764\ufe0f\x1b@"), PrinterProfile(encoding))
    text = "张三?".encode(encoding)
    assert FS_ON + text in rendered.data
    assert rendered.data.count(b"\x1b\x40") == 1  # only the init at the start
    assert {s.char for s in rendered.substitutions} == {"\U0001F600", "\u2764", "\ufe0f", "\x1b"}


def test_combining_accent_is_composed_not_dropped():
    """Given 'e' + combining acute when rendered for GBK then 'é' (A8 A6) is printed."""
    assert printable("Jose\u0301", "gbk") == ("José", [])
    assert b"\xa8\xa6" in render_escpos(Receipt().text("Jose\u0301"), PrinterProfile("gbk"))


def test_separator_counts_cjk_double_width():
    """Given a fullwidth '＝' separator when rendered for 80 mm then 24 of them fill 48 columns."""
    data = render_escpos(Receipt().separator("＝"), PrinterProfile("gbk"))
    assert FS_ON + b"\xa3\xbd" * 24 + FS_OFF + b"\n" in data


def test_long_chinese_line_wraps_on_character_boundaries():
    """Given 30 汉字 at normal size on 80 mm (24 fit) when wrapped then 24 + 6, none split."""
    rows = wrap("汉" * 30, 48)
    assert rows == ["汉" * 24, "汉" * 6]
    assert wrap("a" + "汉" * 24, 48) == ["a" + "汉" * 23, "汉"]


def test_settings_from_config_and_refusals():
    """Given device settings when a profile is built then values apply; wrong ones are named."""
    profile = PrinterProfile.from_settings({"encoding": "GBK", "chinese_mode": False,
                                            "paper_width_mm": 58, "other_driver_key": 1})
    assert (profile.encoding, profile.chinese_mode, profile.columns, profile.dots) == \
        ("gbk", False, 32, 384)
    with pytest.raises(PrinterSettingsError, match="paper_width_mm"):
        PrinterProfile.from_settings({"paper_width_mm": 76})
    with pytest.raises(PrinterSettingsError, match="chinese_mode"):
        PrinterProfile.from_settings({"chinese_mode": "yes"})
    with pytest.raises(PrinterSettingsError, match="encoding"):
        PrinterProfile.from_settings({"encoding": "big5"})


@pytest.mark.parametrize("receipt", [
    Receipt().text("x", size=5),
    Receipt().qr(""),
    Receipt().qr("x", module_size=0),
    Receipt().qr("x" * 3000),
    Receipt().feed(256),
])
def test_impossible_layouts_raise_layout_error(receipt):
    """Given a receipt no printer can print when rendered then ReceiptLayoutError, no bytes."""
    with pytest.raises(ReceiptLayoutError):
        render(receipt, PrinterProfile())


def test_printable_rules():
    """Given the two font ROMs then GBK lacks ¥ and €, both lack emoji and controls."""
    assert can_print("中", "gbk") and can_print("¥", "gb18030")
    assert not can_print("¥", "gbk") and not can_print("€", "gbk")
    assert not can_print("\U0001F600", "gb18030") and not can_print("✅", "gb18030")
    assert not can_print("\x1b", "gb18030") and not can_print("\x7f", "gbk")


elements = st.one_of(
    st.builds(lambda t, s, b, a: ("text", t, s, b, a), st.text(max_size=80),
              st.integers(1, 4), st.booleans(), st.sampled_from(list(Align))),
    st.builds(lambda c: ("sep", c), st.text(min_size=1, max_size=3)),
    st.builds(lambda d: ("qr", d), st.text(min_size=1, max_size=120)),
    st.builds(lambda n: ("feed", n), st.integers(0, 5)),
)


@settings(max_examples=150, deadline=None)
@given(items=st.lists(elements, max_size=8), encoding=st.sampled_from(["gb18030", "gbk"]),
       chinese_mode=st.booleans(), width=st.sampled_from([58, 80]))
def test_any_text_renders_and_ends_with_the_cut(items, encoding, chinese_mode, width):
    """Given any unicode text in any element when rendered then nothing but our typed errors
    is raised, the output starts with ESC @ and ends with the cut."""
    receipt = Receipt()
    for item in items:
        if item[0] == "text":
            receipt.text(item[1], size=item[2], bold=item[3], align=item[4])
        elif item[0] == "sep":
            receipt.separator(item[1])
        elif item[0] == "qr":
            receipt.qr(item[1])
        else:
            receipt.feed(item[1])
    profile = PrinterProfile(encoding, chinese_mode, width)
    try:
        data = render_escpos(receipt, profile)
    except PrinterError:
        return
    assert data.startswith(INIT)
    assert data.endswith(PARTIAL_CUT)


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=60), encoding=st.sampled_from(["gb18030", "gbk"]))
def test_printable_text_always_encodes(text, encoding):
    """Given any text when made printable then it encodes in the profile's encoding and has no
    control character left."""
    clean, _subs = printable(text, encoding)
    clean.encode(encoding)
    assert all(ord(c) >= 0x20 and ord(c) != 0x7F for c in clean)


@pytest.mark.parametrize(("text", "columns", "expected"), [
    ("Please listen for your number; if missed, ask at the help desk.", 48,
     ["Please listen for your number; if missed, ask at", "the help desk."]),
    ("窗口 Windows: A01-A04（任一窗口均可办理 any of these）", 48,
     ["窗口 Windows: A01-A04（任一窗口均可办理 any of", "these）"]),
    ("请留意叫号；过号请到服务台或重新取号。请留意叫号；过号请到服务台", 32,
     ["请留意叫号；过号请到服务台或重新", "取号。请留意叫号；过号请到服务台"]),
    ("x" * 40, 32, ["x" * 32, "x" * 8]),  # a word wider than the paper still breaks
])
def test_wrap_keeps_latin_words_whole_and_breaks_chinese_anywhere(text, columns, expected):
    """Given a line wider than the paper, when it is wrapped, then English words move whole to
    the next line (no "t/hese"), Chinese breaks between characters, and no line is too wide."""
    from drivers.printer.charset import char_width, wrap

    lines = wrap(text, columns)
    assert lines == expected
    assert all(sum(char_width(c) for c in line) <= columns for line in lines)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab cd,.-") + list("取号窗口")), max_size=120),
       st.integers(min_value=2, max_value=48))
def test_wrap_loses_nothing_but_break_spaces_and_never_overflows(text, columns):
    from drivers.printer.charset import char_width

    lines = wrap(text, columns)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert all(sum(char_width(c) for c in line) <= columns for line in lines)
