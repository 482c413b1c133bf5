"""Read the QR codes and barcodes shown in a photo or a camera frame.

Two decoders side by side on the grayscale image: zxing-cpp (transcodes text correctly, e.g.
Shift-JIS and GB codes, and finds damaged symbols) and pyzbar on libzbar0 (reads a few
low-contrast photos zxing misses). The work comes in passes from cheap to expensive and stops at
the first pass that finds something, so a camera frame with a clear code costs one small pass:

1. ``fast``: the frame downscaled so its long side is at most ``fast_side`` pixels;
2. ``full``: full resolution (only if pass 1 was downscaled);
3. only when ``thorough``: a white quiet zone added around the picture (codes cut at the photo's
   edge), blur + Otsu threshold (textured "art" codes, noise), CLAHE contrast, 2× upscale of small
   pictures, rotations by 90/180/270° and by ±15°.

Within a pass zxing goes first and pyzbar runs only if zxing found nothing, because zbar guesses
the character set of byte-mode codes and sometimes guesses wrong where zxing is right. With
``thorough=False`` the full-resolution pass is zxing only. Camera frames do not come here: a frame
of noise costs 160 ms even so; ``drivers.scanner.frame_decoder`` spreads the same work over
frames within the 33 ms budget, using the readers and views below. zbar looks
for QR codes and the 1D codes used on Chinese forms and goods only (its DataBar decoder asserts
on noise and the exotic symbologies triple its time on text-heavy frames).

Must never touch a device, a thread or the UI, and never raise on an unreadable picture: a
picture without a code gives ``[]``. ``decode_file`` raises ``ValueError`` for a missing,
special, empty, oversized or non-image file because that is the caller's mistake, not a scan
result. Files are bounded before decoding: at most ``MAX_IMAGE_BYTES`` on disk, and at most
``MAX_PIXELS`` (``MAX_SIDE`` on a side) by the header, read before a pixel is decoded — a 439 KB
PNG can claim 20000×20000 pixels and take 2.9 GB to decode.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np

from drivers.scanner.base import ScannedCode

try:  # optional: zxing-cpp is a wheel, pyzbar needs the system library libzbar0
    import zxingcpp
except ImportError:  # pragma: no cover - depends on the machine
    zxingcpp = None
try:
    from pyzbar import pyzbar
except ImportError:  # pragma: no cover - libzbar0 missing
    pyzbar = None

FAST_SIDE = 640
MAX_IMAGE_BYTES = 32 << 20  # a phone photo is 3-8 MB
MAX_PIXELS = 40_000_000  # 8000×5000: beyond any camera a hall uses
MAX_SIDE = 16_384

# zbar's symbology names mapped to zxing-cpp's, so callers see one vocabulary.
_ZBAR_FORMATS = {
    "QRCODE": "QRCode", "CODE128": "Code128", "CODE39": "Code39", "CODE93": "Code93",
    "I25": "ITF", "CODABAR": "Codabar", "DATABAR": "DataBar", "DATABAR_EXP": "DataBarExpanded",
    "PDF417": "PDF417", "EAN13": "EAN13", "EAN8": "EAN8", "UPCA": "UPCA", "UPCE": "UPCE",
    "ISBN10": "ISBN10", "ISBN13": "ISBN13", "EAN2": "EAN2", "EAN5": "EAN5", "SQCODE": "SQCode",
}


ZBAR_SYMBOLS = ([getattr(pyzbar.ZBarSymbol, name) for name in (
    "QRCODE", "CODE128", "CODE39", "CODE93", "EAN13", "EAN8", "UPCA", "UPCE", "I25", "CODABAR")]
    if pyzbar is not None else [])


def available_decoders() -> list[str]:
    """Names of the decoders this machine can run (for health and ``kiosk device`` output)."""
    return [name for name, mod in (("zxing-cpp", zxingcpp), ("pyzbar", pyzbar)) if mod]


def read_zxing(gray: np.ndarray, formats: object = None, *,
               try_rotate: bool = True) -> list[ScannedCode]:
    """One zxing-cpp call on a grayscale image; ``[]`` if zxing-cpp is not installed.

    ``formats`` (a ``zxingcpp.BarcodeFormat(s)``) narrows the search: on a busy or noisy frame
    the 1D search costs ten times the QR search. ``None`` means every format.
    """
    if zxingcpp is None:
        return []
    # Plain text mode: the default (HRI) spells control characters as "<SOH>", which would
    # change the code's content.
    options: dict[str, object] = {"text_mode": zxingcpp.TextMode.Plain,
                                  "try_rotate": try_rotate}
    if formats is not None:
        options["formats"] = formats
    results = zxingcpp.read_barcodes(gray, **options)
    return [ScannedCode(r.text, r.format.name, "image") for r in results if r.valid]


def read_zbar(gray: np.ndarray, symbols: list[object] | None = None) -> list[ScannedCode]:
    """One pyzbar call on a grayscale image; ``[]`` if libzbar0 is missing.

    ``symbols`` narrows the search to some of ``ZBAR_SYMBOLS`` (default: all of them).
    """
    if pyzbar is None:
        return []
    codes = []
    for r in pyzbar.decode(np.ascontiguousarray(gray), symbols=symbols or ZBAR_SYMBOLS):
        raw: bytes = r.data
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("gb18030", errors="replace")
        codes.append(ScannedCode(_undo_shift_jis_guess(text), _ZBAR_FORMATS.get(r.type, r.type),
                                 "image"))
    return codes


def _undo_shift_jis_guess(text: str) -> str:
    """zbar reads a byte-mode QR code without an ECI as Shift-JIS when its bytes allow it, so
    UTF-8 Chinese ("取号") comes out as "蜿門捷". If the text turns back into bytes through
    Shift-JIS and those bytes are valid UTF-8, UTF-8 was meant (the reverse almost never holds
    for real Shift-JIS text). Anything else is left as zbar read it."""
    if text.isascii():
        return text
    try:
        return text.encode("shift_jis").decode("utf-8")
    except UnicodeError:
        return text


def read_both(gray: np.ndarray) -> list[ScannedCode]:
    """zxing first, pyzbar only when zxing found nothing (see the module docstring for why)."""
    return read_zxing(gray) or read_zbar(gray)


def to_gray(img: np.ndarray) -> np.ndarray:
    """Grayscale, C-contiguous uint8: pyzbar reads only the first channel of a colour image."""
    if img.ndim == 3 and img.shape[2] == 4:
        img = cv2.cvtColor(img, cv2.COLOR_BGRA2GRAY)
    elif img.ndim == 3 and img.shape[2] == 3:
        img = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    elif img.ndim == 3:
        img = img[:, :, 0]
    if img.dtype != np.uint8:
        img = cv2.normalize(img, None, 0, 255, cv2.NORM_MINMAX).astype(np.uint8)
    return np.ascontiguousarray(img)


def downscale(gray: np.ndarray, max_side: int) -> np.ndarray:
    h, w = gray.shape[:2]
    scale = max_side / max(h, w)
    if scale >= 1.0:
        return gray
    # at least one pixel each way: a 100000×10 strip must not become 640×0
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return cv2.resize(gray, size, interpolation=cv2.INTER_AREA)


def quiet_zone(gray: np.ndarray) -> np.ndarray:
    # A QR code needs a light margin around it; photos cropped tight to the code have none.
    pad = max(8, max(gray.shape[:2]) // 8)
    return cv2.copyMakeBorder(gray, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=255)


def blur_otsu(gray: np.ndarray) -> np.ndarray:
    _, out = cv2.threshold(cv2.GaussianBlur(gray, (5, 5), 0), 0, 255,
                           cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    return out


def clahe(gray: np.ndarray) -> np.ndarray:
    return cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8)).apply(gray)


def rotate(gray: np.ndarray, degrees: float) -> np.ndarray:
    quarter = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180,
               270: cv2.ROTATE_90_COUNTERCLOCKWISE}
    if degrees in quarter:
        return cv2.rotate(gray, quarter[int(degrees)])
    h, w = gray.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    cos, sin = abs(m[0, 0]), abs(m[0, 1])
    nw, nh = int(h * sin + w * cos), int(h * cos + w * sin)
    m[0, 2] += nw / 2 - w / 2
    m[1, 2] += nh / 2 - h / 2
    return cv2.warpAffine(gray, m, (nw, nh), flags=cv2.INTER_LINEAR, borderValue=255)


def passes(gray: np.ndarray, *, thorough: bool,
           fast_side: int = FAST_SIDE) -> Iterator[tuple[str, np.ndarray]]:
    """The views of ``gray`` to try, cheapest first; built lazily so a hit skips the rest."""
    small = downscale(gray, fast_side)
    yield "fast", small
    if small is not gray:
        yield "full", gray
    if not thorough:
        return
    # Hard photos are rarely helped by more than ~1000 px; bounding the size bounds the cost.
    base = quiet_zone(downscale(gray, 1024))
    yield "quiet-zone", base
    yield "blur-otsu", blur_otsu(base)
    yield "clahe", clahe(base)
    if max(gray.shape[:2]) < 640:
        yield "upscale", cv2.resize(base, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)
    for degrees in (90, 180, 270, 15, -15):
        yield f"rotate{degrees}", rotate(base, degrees)


def decode_image(img: np.ndarray, *, thorough: bool = True,
                 fast_side: int = FAST_SIDE) -> list[ScannedCode]:
    """Codes in a BGR/BGRA/grayscale image, each text once, in the order found.

    ``thorough=False`` keeps to the fast and full-resolution passes (camera frames: the next
    frame is another chance); ``thorough=True`` also runs the hard passes (a photo of a
    material the citizen handed in: this is the only chance).
    """
    if img is None or img.size == 0:
        return []
    for name, view in passes(to_gray(img), thorough=thorough, fast_side=fast_side):
        found = read_zxing(view) if name == "full" and not thorough else read_both(view)
        if found:
            return dedupe(found)
    return []


def dedupe(codes: list[ScannedCode]) -> list[ScannedCode]:
    seen: set[tuple[str, str]] = set()
    out = []
    for code in codes:
        if (code.text, code.format) not in seen:
            seen.add((code.text, code.format))
            out.append(code)
    return out


def load_image(path: str | Path) -> np.ndarray:
    """Read an image file as BGR; works with non-ASCII paths (cv2.imread does not).

    ``ValueError`` (one line naming the file) for anything but a regular, non-empty image file
    within ``MAX_IMAGE_BYTES`` whose header claims at most ``MAX_PIXELS``."""
    from config.files import read_bounded

    p = Path(path)
    data = read_bounded(p, MAX_IMAGE_BYTES, "an image file")  # FileRefused is a ValueError
    if not data:
        raise ValueError(f"{p}: found an empty file, expected an image file")
    width, height = image_size(data, p)
    if width <= 0 or height <= 0 or width > MAX_SIDE or height > MAX_SIDE \
            or width * height > MAX_PIXELS:
        raise ValueError(f"{p}: found an image of {width}×{height} pixels, expected at most "
                         f"{MAX_PIXELS // 1_000_000} megapixels and {MAX_SIDE} on a side")
    img = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_COLOR)
    if img is None:
        raise ValueError(f"{p}: not an image file OpenCV can read")
    return img


def image_size(data: bytes, path: Path) -> tuple[int, int]:
    """Width and height from the file's header only (Pillow parses headers lazily and decodes
    nothing here); ``ValueError`` for a file that is not an image."""
    import io
    import warnings

    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # DecompressionBombWarning: we judge size ourselves
            with Image.open(io.BytesIO(data)) as im:
                return im.size
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValueError(f"{path}: not an image file OpenCV can read") from None
    except Image.DecompressionBombError:
        raise ValueError(f"{path}: found an image too large to decode safely, expected at most "
                         f"{MAX_PIXELS // 1_000_000} megapixels") from None


def decode_file(path: str | Path, *, thorough: bool = True) -> list[ScannedCode]:
    return decode_image(load_image(path), thorough=thorough)
