"""Chinese line breaking: where a line may end, and lines filled to a width.

Kivy breaks a line without spaces at whatever character no longer fits, so "今天" became "今/天",
"12月2日" became "12/月2日" and a line could start with "，". Here text is cut into pieces no line
break may fall inside: words (the jieba segmenter, loaded off the UI thread by ``warm_up``; before
it is ready every Han character is its own piece, as UAX #14 allows), runs of Latin letters,
digits and their punctuation ("09:00", "A001", "2026-06-01"), a number with its unit ("12月",
"3人", "20分钟"), and the kinsoku rules of UAX #14 / GB/T 15834: closing punctuation ("，。）”…")
stays with the piece before it, opening punctuation ("（“《") with the piece after it.

``wrap(text, width, measure)`` fills lines greedily with those pieces, given the caller's measure
(the label's font); a piece wider than a line is split by character, still keeping the
punctuation rules. Pure Python, no Kivy, never logs the text (it may be a masked name).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator

log = logging.getLogger(__name__)

# May not start a line (UAX #14 classes CL, CP, EX, IS, NS for CJK text, GB/T 15834).
CLOSING = set("，。、；：！？）」』】》〉〕〗〙〛”’…‥·%％,.;:!?)]}>ー～〜℃")
# May not end a line (UAX #14 OP, QU opening).
OPENING = set("（「『【《〈〔〖〘〚“‘([{<￥$")
# A number keeps its unit: "12月", "3人", "09:00 开放" breaks after the time, not inside it.
UNITS = set("年月日号时点分秒人位个次项天周元岁届件张页层楼室")

Measure = Callable[[str], float]

# The hall's own words, which the general dictionary cuts in two ("跳/过", "读卡/区").
HALL_WORDS = ("跳过", "取号", "读卡区", "绿色通道", "长辈模式", "叫号", "签到", "补打", "好差评",
              "一件事", "办件", "即办件", "承诺件", "号票", "首页", "返回", "下一步", "身份证",
              "工作人员", "服务台", "扫码", "二维码", "取回")

_lock = threading.Lock()
_tokenizer: object | None = None
version = 0  # bumped when the segmenter becomes ready: labels broken before must re-break


def warm_up() -> None:
    """Load the word dictionary (about a second): call once, off the UI thread."""
    global _tokenizer, version
    with _lock:
        if _tokenizer is not None:
            return
        try:
            import jieba

            jieba.setLogLevel(logging.WARNING)
            tokenizer = jieba.Tokenizer()
            tokenizer.initialize()
            for word in HALL_WORDS:
                tokenizer.add_word(word)
        except Exception as exc:  # no dictionary: characters remain the pieces (UAX #14)
            log.warning("word segmentation unavailable, breaking by character: %s", exc)
            return
        _tokenizer = tokenizer
        version += 1


def ready() -> bool:
    return _tokenizer is not None


def _words(text: str) -> Iterator[str]:
    tokenizer = _tokenizer
    if tokenizer is not None:
        yield from tokenizer.cut(text)  # type: ignore[attr-defined]
        return
    yield from text  # before (or without) the dictionary: every character may break


def pieces(text: str) -> list[str]:
    """``text`` cut where a line may break; ``"".join(pieces(t)) == t`` always."""
    out: list[str] = []
    for word in _words(text):
        if word:
            out.append(word)
    out = _glue_ascii(out)
    out = _glue_units(out)
    return _glue_punctuation(out)


def _glue_ascii(parts: list[str]) -> list[str]:
    """Neighbouring Latin/digit pieces with no space between are one ("09" ":" "00")."""
    out: list[str] = []
    for part in parts:
        if out and _asciiish(out[-1]) and _asciiish(part) and not part[0].isspace() \
                and not out[-1][-1].isspace():
            out[-1] += part
        else:
            out.append(part)
    return out


def _asciiish(part: str) -> bool:
    return bool(part) and all(ord(c) < 128 for c in part) and not part.isspace()


def _glue_units(parts: list[str]) -> list[str]:
    """A number keeps the unit after it, and "12月" + "2日" stays one date."""
    out: list[str] = []
    for part in parts:
        prev = out[-1] if out else ""
        if prev and prev[-1].isdigit() and part[0] in UNITS:
            out[-1] += part
        elif prev and prev[-1] in UNITS and len(prev) > 1 and prev[-2].isdigit() \
                and part.isdigit():
            out[-1] += part  # 12月 + 2日
        else:
            out.append(part)
    return out


def _glue_punctuation(parts: list[str]) -> list[str]:
    out: list[str] = []
    carry = ""  # opening punctuation waiting for the piece it belongs to
    for part in parts:
        if carry:
            part, carry = carry + part, ""
        if all(c in OPENING for c in part):
            carry = part
            continue
        if out and part[0] in CLOSING:
            # the closing marks join the piece before (through a space: "0 :" stays whole);
            # anything after them is a new piece
            if out[-1].isspace() and len(out) > 1:
                space = out.pop()
                out[-1] += space
            n = len(part) - len(part.lstrip("".join(CLOSING)))
            out[-1] += part[:n]
            part = part[n:]
            if not part:
                continue
        out.append(part)
    if carry:
        if out:
            out[-1] += carry
        else:
            out.append(carry)
    return out


def wrap(text: str, width: float, measure: Measure) -> list[str]:
    """Lines of ``text`` no wider than ``width`` by ``measure``, broken only between pieces
    (a piece too wide for any line is split by character). Existing newlines are kept."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines.extend(_wrap_paragraph(paragraph, width, measure))
    return lines


def _wrap_paragraph(text: str, width: float, measure: Measure) -> list[str]:
    if not text or measure(text) <= width:
        return [text]
    lines = _fill(text, width, measure, _Sizer(measure, width)) if width > 0 else None
    if lines is None:  # a line judged by its pieces' widths did not fit after all
        lines = _fill(text, width, measure, None)
    assert lines is not None  # measuring every candidate whole always gives lines
    return lines


class _Sizer:
    """Is a line within the width? Judged from its pieces' widths, each measured once, and
    measured whole only when that sum is close to the width.

    A font's measure of a string costs in proportion to its length, and filling a paragraph
    asked for every line-so-far again with one more piece (~2,000 measures for home's first
    frame, most of them long). A sum is not the exact width (kerning between pieces, a glyph's
    overhang), so ``_fill`` measures every finished line whole, and starts over measuring every
    candidate whole if one is over the width. Over every label of every screen in both languages
    (797) the lines were the same as measuring every candidate whole, with 45% of the characters
    measured."""

    def __init__(self, measure: Measure, width: float) -> None:
        self.measure, self.width = measure, width
        self.slack = 1.0  # a pixel of rounding; on the kiosk's font the sums were exact
        self._widths: dict[str, float] = {}

    def of(self, piece: str) -> float:
        known = self._widths.get(piece)
        if known is None:
            known = self._widths[piece] = self.measure(piece)
        return known

    def fits(self, candidate: str, estimate: float) -> bool:
        if estimate <= self.width - self.slack:
            return True
        if estimate > self.width + self.slack:
            return False
        return self.measure(candidate.rstrip()) <= self.width


def _fill(text: str, width: float, measure: Measure, sizer: _Sizer | None) -> list[str] | None:
    """Greedy lines of ``text``'s pieces. With a ``sizer`` a candidate line is judged by its
    estimated width (None is returned when a finished line is over ``width``); without one,
    every candidate is measured whole."""
    lines: list[str] = []
    line, line_est = "", 0.0  # the line so far and (with a sizer) the sum of its pieces' widths

    def fits(candidate: str, piece_est: float) -> bool:
        if sizer is None:
            return measure(candidate.rstrip()) <= width
        return sizer.fits(candidate, piece_est)

    for piece in pieces(text):
        piece_w = sizer.of(piece) if sizer else 0.0
        candidate = line + piece
        if fits(candidate, line_est + piece_w):
            line, line_est = candidate, line_est + piece_w
            continue
        if line.strip():
            lines.append(line.rstrip())
        if line.strip() and piece != piece.lstrip():
            piece = piece.lstrip()
            piece_w = sizer.of(piece) if sizer else 0.0
        line, line_est = "", 0.0
        if fits(piece, piece_w):
            line, line_est = piece, piece_w
            continue
        for chunk in _by_character(piece, width, measure):  # a piece wider than a line
            if line:
                lines.append(line)
            line = chunk
        line_est = measure(line) if sizer else 0.0
    if line.strip() or not lines:
        lines.append(line.rstrip())
    if sizer is not None and any(measure(done) > width for done in lines if done):
        return None
    return lines


def _subwords(piece: str) -> list[str]:
    """A long word cut into the shorter words it is made of ("工程建设" → "工程", "建设"),
    where the dictionary knows them; else its characters."""
    tokenizer = _tokenizer
    if tokenizer is None or len(piece) < 3 or not all("\u3400" <= c <= "\u9fff" for c in piece):
        return list(piece)
    parts: list[str] = []
    at = 0
    known = [w for w in tokenizer.cut_for_search(piece) if len(w) < len(piece)]  # type: ignore[attr-defined]
    while at < len(piece):
        word = max((w for w in known if piece.startswith(w, at)), key=len, default=piece[at])
        parts.append(word)
        at += len(word)
    return parts


def _by_character(piece: str, width: float, measure: Measure) -> list[str]:
    """A piece wider than a line: broken between its sub-words when they fit, else between
    characters, never leaving a closing mark at a line's start."""
    subs = _subwords(piece)
    if len(subs) < len(piece) and all(measure(w) <= width for w in subs):
        chunks: list[str] = []
        line = ""
        for word in subs:
            if line and measure(line + word) > width and word[0] not in CLOSING:
                chunks.append(line)
                line = ""
            line += word
        return [*chunks, line] if line else chunks
    return _by_char(piece, width, measure)


def _by_char(piece: str, width: float, measure: Measure) -> list[str]:
    chunks: list[str] = []
    line = ""
    for ch in piece:
        if line and measure(line + ch) > width:
            keep = len(line)
            # push characters out (追い出し) until the new line starts with no closing mark
            # and the old one ends with no opening mark
            while keep > 1 and (line[keep - 1] in OPENING
                                or (line[keep:] + ch)[0] in CLOSING):
                keep -= 1
            chunks.append(line[:keep])
            line = line[keep:]
        line += ch
    if line:
        chunks.append(line)
    return chunks


def break_before_ok(text: str, index: int) -> bool:
    """Whether a line may start at ``text[index]`` (used by the tests and the receipts)."""
    if index <= 0 or index >= len(text):
        return False
    at = 0
    for piece in pieces(text):
        at += len(piece)
        if at == index:
            return True
        if at > index:
            return False
    return False
