"""Chinese line breaking: never inside a word, a date or a time, never a line starting with closing
punctuation or ending with opening punctuation — with and without the word dictionary."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from kiosk import textbreak
from kiosk.textbreak import CLOSING, OPENING, pieces, wrap


@pytest.fixture(scope="module", autouse=True)
def dictionary() -> None:
    textbreak.warm_up()
    assert textbreak.ready()


def width(text: str) -> float:
    """A stand-in for a font: Han characters two units, Latin one."""
    return sum(1 if ord(c) < 128 else 2 for c in text)


@pytest.mark.parametrize("text, whole", [
    ("请于12月2日上午再来", "12月2日"),  # seen: "12/月2日"
    ("今天的号已经取完", "今天"),  # seen: "今/天"
    ("明天 09:00 开放", "09:00"),
    ("您的号码是A001，请留意叫号", "A001，"),
    ("取号时间 2026-06-01 10:00", "2026-06-01"),
    ("刷身份证（可跳过）", "身份证"),
    ("您仍可点击“跳过”直接取号", "“跳过”"),
])
def test_words_dates_and_times_are_never_split(text, whole):
    """Given a text with a word, a date or a time, then no piece boundary falls inside it."""
    start = text.index(whole)
    assert not any(textbreak.break_before_ok(text, i) for i in range(start + 1,
                                                                       start + len(whole)))


@pytest.mark.parametrize("limit", range(6, 40, 3))
def test_wrapped_lines_fit_and_keep_the_rules(limit):
    """Given the ID step's long refusal at many widths, then every line fits, no line starts
    with closing punctuation or ends with opening punctuation, and nothing is lost."""
    text = "身份证已过期（有效期至 2026-01-01），不能用于绿色通道；您仍可点击“跳过”直接取号"
    lines = wrap(text, limit, width)
    assert all(width(line) <= limit for line in lines), lines
    assert not any(line[:1] in CLOSING for line in lines[1:]), lines
    assert not any(line[-1:] in OPENING for line in lines[:-1]), lines
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


def test_the_title_that_lost_its_bracket_keeps_it():
    """Seen: "刷身份证（…" with "）" alone on the next line. Now the bracket goes with its word."""
    lines = wrap("刷身份证（可跳过）", 16, width)
    assert lines == ["刷身份证（可", "跳过）"], lines


def test_a_word_is_moved_whole_to_the_next_line():
    assert wrap("请您明天上午再来", 6, width) == ["请您", "明天", "上午再", "来"]


def test_without_the_dictionary_characters_break_but_punctuation_rules_hold(monkeypatch):
    monkeypatch.setattr(textbreak, "_tokenizer", None)
    assert pieces("今天，好") == ["今", "天，", "好"]
    assert pieces("（可）") == ["（可）"]


def test_a_piece_wider_than_a_line_is_split_by_character_keeping_punctuation():
    lines = wrap("ABCDEFGHIJ，", 4, width)
    assert all(width(line) <= 4 for line in lines), lines
    assert not any(line.startswith("，") for line in lines)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="今天是号取明一二三，。（）“”：:0123456789AB 月日人", max_size=40),
       st.integers(min_value=4, max_value=30))
def test_nothing_is_ever_lost_or_reordered(text, limit):
    # a run of closing marks wider than a line has nowhere to go: not a case for a screen
    assume(not any(a in CLOSING and b in CLOSING for a, b in zip(text, text[1:], strict=False)))
    assert "".join(pieces(text)) == text
    lines = wrap(text, limit, width)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert not any(line[:1] in CLOSING for line in lines[1:])


def test_a_long_word_breaks_between_the_words_it_is_made_of():
    """Seen on home in elder landscape: "工程建/设". A word wider than the line now breaks as
    "工程" / "建设"."""
    assert wrap("工程建设", 6, width) == ["工程", "建设"]


PARAGRAPH = ("请点击要办理的业务；放置身份证可直接取号。"
             "办理完成或长时间无操作，本机会自动返回首页。"
             "预约码、回执上的二维码，请对准扫码窗口，听到提示音即可。") * 2


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="今天是号取明一二三，。（）“”：:0123456789AB 月日人", max_size=60),
       st.integers(min_value=4, max_value=40))
def test_lines_judged_by_their_pieces_are_the_lines_measured_whole(text, limit):
    """Given a font whose widths add up (Chinese has no kerning), when lines are filled judging
    each candidate by its pieces' widths, then they are the lines measuring every candidate
    whole gives."""
    assume(not any(a in CLOSING and b in CLOSING for a, b in zip(text, text[1:], strict=False)))
    assert wrap(text, limit, width) == textbreak._fill(text, limit, width, None) or \
        width(text) <= limit


@pytest.mark.parametrize("limit", [20, 31, 48, 77])
def test_a_font_wider_than_its_pieces_still_gets_lines_that_fit(limit):
    """Given a font where a whole line is wider than the sum of its pieces (kerning, overhang:
    here +3 past 10 characters), then every line still fits — the finished lines are measured
    whole and the paragraph is filled again measuring whole when one is over."""
    def kerned(text: str) -> float:
        return width(text) + (3 if len(text) > 10 else 0)

    lines = wrap(PARAGRAPH, limit, kerned)
    assert all(kerned(line) <= limit for line in lines), lines
    assert "".join(lines) == PARAGRAPH.replace(" ", "")


def test_filling_measures_far_fewer_characters_than_every_candidate_whole(monkeypatch):
    """Given a long paragraph before the dictionary is loaded (every character is a piece: a
    start's first frame), then filling it measures a small share of the characters measuring
    every candidate line whole did (a font's measure costs by length)."""
    monkeypatch.setattr(textbreak, "_tokenizer", None)
    measured: list[int] = []

    def counted(text: str) -> float:
        measured.append(len(text))
        return width(text)

    wrap(PARAGRAPH, 40, counted)
    piecewise = sum(measured)
    measured.clear()
    textbreak._fill(PARAGRAPH, 40, counted, None)
    assert piecewise * 2 < sum(measured), (piecewise, sum(measured))
