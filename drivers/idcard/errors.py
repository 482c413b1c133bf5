"""Typed errors for the ID card reader: one class per SAM status byte (SW3), plus framing errors.

Every status code the GA 467 SAM module can answer has a class here with an English message a
technician can act on and a Chinese ``message_zh`` a citizen can act on. Card problems ("put the
card back") derive from ``CardReadError``; reader/SAM problems ("call staff") from ``DeviceError``.
This module must never do I/O or import a transport: the protocol parser and the emulator share it.
"""

from __future__ import annotations

from drivers.base import DeviceError, ProtocolError
from drivers.idcard.base import CardReadError

_CALL_STAFF_ZH = "身份证阅读器故障，请联系工作人员"
_REPLACE_CARD_ZH = "身份证读取失败，请拿开身份证后重新放置"


# ---- framing errors (bytes that do not make a valid frame) ------------------------------------
class FrameChecksumError(ProtocolError):
    """A reply arrived whose CHK byte does not match (line noise, wrong baud rate, loose cable)."""

    message_zh = "身份证阅读器通信错误，请重新放置身份证"


class FrameLengthError(ProtocolError):
    """A reply announced an impossible LEN, or its data does not add up to what LEN said."""

    message_zh = "身份证阅读器通信错误，请重新放置身份证"


class TextDecodeError(CardReadError):
    """The 256-byte text block read from the card does not hold a well-formed card record."""

    message_zh = "身份证信息无法识别，请重新放置身份证"


# ---- status codes -------------------------------------------------------------------------------
class SamStatusError(DeviceError):
    """Mixin-like base: an error carried by a SW3 status byte. ``status`` is that byte."""

    status: int = -1


class SamFault(SamStatusError):
    """The reader or its SAM module cannot work: no card can be read until staff fix it."""

    message_zh = _CALL_STAFF_ZH


class UnexpectedStatus(SamStatusError, ProtocolError):
    """A success code came back where another one was expected (e.g. 9F to a select)."""

    message_zh = "身份证阅读器通信错误，请重新放置身份证"


class ItemNotOnCard(SamStatusError, CardReadError):
    status = 0x91
    message_zh = "身份证上没有所需信息，请到人工窗口办理"


class ReaderRejectedChecksum(SamStatusError, ProtocolError):
    status = 0x10
    message_zh = "身份证阅读器通信错误，请稍后重试"


class ReaderRejectedLength(SamStatusError, ProtocolError):
    status = 0x11
    message_zh = "身份证阅读器通信错误，请稍后重试"


class ReaderRejectedCommand(SamStatusError, ProtocolError):
    status = 0x21
    message_zh = _CALL_STAFF_ZH


class ReaderNotAuthorised(SamFault):
    status = 0x23


class ReaderUnknownError(SamFault):
    status = 0x24
    message_zh = "身份证阅读器故障，请重新放置身份证；仍不行请联系工作人员"


class CardRejectedSam(SamStatusError, CardReadError):
    status = 0x31
    message_zh = "身份证认证失败，请重新放置身份证"


class SamRejectedCard(SamStatusError, CardReadError):
    status = 0x32
    message_zh = "身份证认证失败，请确认是有效身份证并重新放置"


class CardDataVerificationFailed(SamStatusError, CardReadError):
    status = 0x33
    message_zh = _REPLACE_CARD_ZH


class FingerprintReadError(SamStatusError, CardReadError):
    status = 0x37
    message_zh = "指纹信息读取失败，请重新放置身份证"


class CardDataLengthError(SamStatusError, CardReadError):
    status = 0x3F
    message_zh = _REPLACE_CARD_ZH


class UnknownCardType(SamStatusError, CardReadError):
    status = 0x40
    message_zh = "无法识别此卡，请放置居民身份证或居住证、永久居留身份证"


class CardReadFailed(SamStatusError, CardReadError):
    status = 0x41
    message_zh = "身份证读取失败，请将身份证平放在感应区，不要移动"


class RandomNumberFailed(SamStatusError, CardReadError):
    status = 0x47
    message_zh = _REPLACE_CARD_ZH


class SamSelfTestFailed(SamFault):
    status = 0x60


class SamNotAuthorised(SamFault):
    status = 0x66


class NoCardFound(SamStatusError, CardReadError):
    status = 0x80
    message_zh = "未检测到身份证，请将身份证放在感应区，读完前不要移动"


class CardSelectFailed(SamStatusError, CardReadError):
    status = 0x81
    message_zh = "身份证读取失败，请将身份证平放在感应区，不要移动"


class UnknownStatus(SamStatusError, ProtocolError):
    """A status byte outside the GA 467 table (wrong device on the port, or firmware quirk)."""

    message_zh = _CALL_STAFF_ZH


OK = 0x90
CARD_FOUND = 0x9F

# status -> (class, technician's English message). 90 and 9F are successes; they only become an
# error (UnexpectedStatus) when they answer the wrong command.
STATUS: dict[int, tuple[type[SamStatusError], str]] = {
    0x90: (UnexpectedStatus, "reader answered 90 (success) where another status was expected; "
                             "check the command sequence (find -> select -> read)"),
    0x9F: (UnexpectedStatus, "reader answered 9F (card found) where another status was expected; "
                             "check the command sequence (find -> select -> read)"),
    0x91: (ItemNotOnCard, "91: the requested item is not on this card (e.g. no fingerprint); "
                          "read with 30 01 instead of 30 10"),
    0x10: (ReaderRejectedChecksum, "10: reader saw a bad checksum in our command; line noise or "
                                   "wrong baud rate, check cable and baud setting"),
    0x11: (ReaderRejectedLength, "11: reader saw a bad length in our command; line noise or "
                                 "wrong baud rate, check cable and baud setting"),
    0x21: (ReaderRejectedCommand, "21: reader does not know this command; firmware does not "
                                  "support it or the device on this port is not a SAM reader"),
    0x23: (ReaderNotAuthorised, "23: operation not authorised by the reader; check the reader "
                                "model and its licence"),
    0x24: (ReaderUnknownError, "24: reader reports an unknown error; power-cycle the reader"),
    0x31: (CardRejectedSam, "31: the card did not authenticate the SAM; re-present the card, "
                            "if it persists the SAM module may be faulty"),
    0x32: (SamRejectedCard, "32: the SAM did not authenticate the card; card may be damaged "
                            "or not genuine"),
    0x33: (CardDataVerificationFailed, "33: card data verification failed; re-present the card"),
    0x37: (FingerprintReadError, "37: fingerprint data error on the card"),
    0x3F: (CardDataLengthError, "3F: card data length error; re-present the card"),
    0x40: (UnknownCardType, "40: unknown card type (not an ID card, residence or permanent "
                            "residence permit)"),
    0x41: (CardReadFailed, "41: card read failed; card moved during read or is damaged"),
    0x47: (RandomNumberFailed, "47: getting a random number from the card failed; "
                               "re-present the card"),
    0x60: (SamSelfTestFailed, "60: SAM self-test failed; power-cycle the reader, replace it if "
                              "it persists"),
    0x66: (SamNotAuthorised, "66: SAM not authorised; the SAM module needs its licence "
                             "re-activated by the vendor"),
    0x80: (NoCardFound, "80: no card found on the reader"),
    0x81: (CardSelectFailed, "81: card select failed; card moved or lies at the edge of the field"),
}


def status_error(status: int, context: str = "") -> SamStatusError:
    """The typed error for ``status`` (any byte), ready to raise; ``context`` names the command."""
    cls, message = STATUS.get(status, (UnknownStatus, f"{status:02X}: status byte not in the "
                                       "GA 467 table; is a SAM ID card reader on this port?"))
    if context:
        message = f"{context}: {message}"
    error = cls(message)
    error.status = status
    return error
