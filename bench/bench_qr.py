"""QR decoding on the photo corpus: pyzbar alone, zxing-cpp alone, and ours, side by side.

Run: ``.venv/bin/python bench/bench_qr.py`` (one core: OpenCV threads off, process pinned).
Prints decode rates and ms/image for each, the union of the two libraries, our rate at
90/180/270°, then the camera path: ms per 1280×720 frame of the ``FrameDecoder`` (every hard step
measured on pixel noise, a desk page and every corpus photo letterboxed into a frame) beside the
former one-shot camera path (fast + full passes) and zxing-cpp alone, measured in the same run.
Targets (issue 7): stills read ≥ the union of the two libraries; camera frames p99 ≤ 33 ms for
any frame, code or not; the camera path reads at least every letterboxed photo the former path
read, within one cycle of frames. Exits 1 when a target is missed. Not a test.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import zxingcpp
from pyzbar import pyzbar

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from drivers.camera.simulated import SimulatedCamera  # noqa: E402
from drivers.scanner import decode  # noqa: E402
from drivers.scanner.frame_decoder import FrameDecoder  # noqa: E402

FRAME_MS = 33.0  # one frame at 30 frames/s
CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "testdata" / "qr-photos"


def zbar_alone(gray: np.ndarray) -> list[str]:
    return [r.data.decode("utf-8", "replace") for r in pyzbar.decode(gray)]


def zxing_alone(gray: np.ndarray) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(gray)]  # library defaults


def ours(gray: np.ndarray) -> list[str]:
    return [c.text for c in decode.decode_image(gray)]


def timed(fn: Callable[[np.ndarray], list[str]], gray: np.ndarray) -> tuple[list[str], float]:
    start = time.perf_counter()
    out = fn(gray)
    return out, (time.perf_counter() - start) * 1000


def cpu_timed(fn: Callable[[np.ndarray], list[str]],
              gray: np.ndarray) -> tuple[list[str], float, float]:
    """(result, this thread's CPU ms, wall ms): the CPU time is what the frame costs on one core
    whatever the other processes on the machine do; the wall time is shown beside it."""
    wall, cpu = time.perf_counter(), time.thread_time()
    out = fn(gray)
    return out, (time.thread_time() - cpu) * 1000, (time.perf_counter() - wall) * 1000


def letterbox(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The photo scaled to fit a 1280×720 frame, on a mottled mid-gray background (a desk)."""
    frame = cv2.GaussianBlur(rng.integers(90, 140, (720, 1280), dtype=np.uint8), (0, 0), 3)
    h, w = img.shape[:2]
    scale = min(1280 / w, 720 / h)
    nw, nh = int(w * scale), int(h * scale)
    x, y = (1280 - nw) // 2, (720 - nh) // 2
    frame[y:y + nh, x:x + nw] = cv2.resize(img, (nw, nh), interpolation=cv2.INTER_LINEAR)
    return frame


def main() -> int:
    if not CORPUS.is_dir():
        print(f"corpus not found at {CORPUS}")
        return 1
    cv2.setNumThreads(1)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    items = [(png, png.with_suffix(".txt").read_bytes().decode("utf-8"))
             for png in sorted(CORPUS.glob("*/*.png")) if png.with_suffix(".txt").exists()]
    grays = [decode.to_gray(decode.load_image(p)) for p, _ in items]
    for gray in grays[:5]:  # warm up libraries and caches
        ours(gray)

    results: dict[str, list[tuple[bool, float]]] = {}
    for name, fn in (("pyzbar", zbar_alone), ("zxing-cpp", zxing_alone), ("ours", ours)):
        rows = []
        for gray, (_, text) in zip(grays, items, strict=True):
            found, ms = timed(fn, gray)
            rows.append((text in found, ms))
        results[name] = rows
    union = sum(a[0] or b[0] for a, b in zip(results["pyzbar"], results["zxing-cpp"],
                                             strict=True))
    n = len(items)
    base = statistics.mean(ms for _, ms in results["zxing-cpp"])
    print(f"corpus: {n} photos with expected text ({CORPUS})")
    print(f"{'decoder':<12}{'decoded':>9}{'rate':>8}{'ms/img mean':>13}{'max':>8}{'vs zxing':>10}")
    for name, rows in results.items():
        ok = sum(r[0] for r in rows)
        mean = statistics.mean(ms for _, ms in rows)
        print(f"{name:<12}{ok:>9}{ok / n:>8.1%}{mean:>13.2f}{max(ms for _, ms in rows):>8.1f}"
              f"{mean / base:>9.2f}x")
    ours_ok = sum(r[0] for r in results["ours"])
    print(f"{'union':<12}{union:>9}{union / n:>8.1%}   (pyzbar ∪ zxing-cpp, 0°, grayscale)")
    print(f"ours / union = {ours_ok}/{union} = {ours_ok / union:.3f}")

    for degrees, code in ((90, cv2.ROTATE_90_CLOCKWISE), (180, cv2.ROTATE_180),
                          (270, cv2.ROTATE_90_COUNTERCLOCKWISE)):
        ok = sum(text in ours(cv2.rotate(g, code)) for g, (_, text) in zip(grays, items,
                                                                             strict=True))
        print(f"ours at {degrees:>3}°: {ok}/{n}")

    stills_ok = ours_ok >= union
    camera_ok = camera_frames(grays, items, np.random.default_rng(1))
    print(f"\nstills ≥ union: {'met' if stills_ok else 'NOT met'}; "
          f"camera frames: {'met' if camera_ok else 'NOT met'}")
    return 0 if stills_ok and camera_ok else 1


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def camera_frames(grays: list[np.ndarray], items: list[tuple[Path, str]],
                  rng: np.random.Generator) -> bool:
    """Per-frame cost and reach of the camera path, against the former one-shot path."""
    def former(f: np.ndarray) -> list[str]:
        return [c.text for c in decode.decode_image(f, thorough=False)]

    frames = [(letterbox(g, rng), text) for g, (_, text) in zip(grays, items, strict=True)]
    camera = SimulatedCamera()
    camera.open()
    page = camera.latest_frame()
    camera.close()
    noise = rng.integers(0, 256, (720, 1280), dtype=np.uint8)

    # baseline, same run: the former camera path and zxing-cpp alone, once per frame (CPU ms)
    old_ms, zx_ms, old_found = [], [], 0
    for frame, text in frames:
        found, ms, _ = cpu_timed(former, frame)
        old_ms.append(ms)
        old_found += text in found
        zx_ms.append(cpu_timed(zxing_alone, frame)[1])
    old_empty = {name: statistics.median(cpu_timed(former, f)[1] for _ in range(5))
                 for name, f in (("desk page", page), ("pixel noise", noise))}

    # ours: a stream of frames through one decoder per scene, as the scanner thread runs it
    costs: dict[str, list[float]] = {"pixel noise": [], "desk page": [], "corpus": []}
    walls: list[float] = []
    for name, f in (("pixel noise", noise), ("desk page", page)):
        decoder = FrameDecoder()
        for _ in range(4 * decoder.cycle):
            _, ms, wall = cpu_timed(lambda x, d=decoder: [c.text for c in d.decode(x)], f)
            costs[name].append(ms)
            walls.append(wall)
    found_within: list[int] = []  # frames until found, per corpus photo the camera reads
    lost = 0
    for frame, text in frames:
        decoder = FrameDecoder()
        for n in range(1, decoder.cycle + 1):
            got, ms, wall = cpu_timed(lambda x, d=decoder: [c.text for c in d.decode(x)], frame)
            costs["corpus"].append(ms)
            walls.append(wall)
            if text in got:
                found_within.append(n)
                break
        else:
            lost += text in former(frame)
    everything = [ms for values in costs.values() for ms in values]
    p99 = pct(everything, 0.99)
    print(f"\n1280x720 camera frames, CPU ms on one core, {len(everything)} frames; baseline = "
          f"the former one-shot camera path (fast + full passes) in this run")
    print(f"{'scene':<14}{'former ms':>10}{'ours p50':>10}{'p99':>7}{'max':>7}")
    for name in ("pixel noise", "desk page"):
        v = costs[name]
        print(f"{name:<14}{old_empty[name]:>10.1f}{pct(v, 0.5):>10.1f}{pct(v, 0.99):>7.1f}"
              f"{max(v):>7.1f}")
    v = costs["corpus"]
    print(f"{'corpus photos':<14}{statistics.median(old_ms):>10.1f}{pct(v, 0.5):>10.1f}"
          f"{pct(v, 0.99):>7.1f}{max(v):>7.1f}   (former max {max(old_ms):.1f}; zxing-cpp "
          f"alone on the full frame median {statistics.median(zx_ms):.1f})")
    first = sum(n == 1 for n in found_within)
    print(f"corpus on camera: {len(found_within)}/{len(frames)} read within one cycle "
          f"({first} on the first frame, worst after {max(found_within)} frames; cycle "
          f"{FrameDecoder().cycle}); former path {old_found}/{len(frames)}; "
          f"{lost} read by the former path and missed")
    print(f"any frame p99 {p99:.1f} ms CPU (max {max(everything):.1f}), target ≤ {FRAME_MS:.0f} ms:"
          " "
          f"{'met' if p99 <= FRAME_MS else 'NOT met'}; wall clock on this shared machine p99 "
          f"{pct(walls, 0.99):.1f} ms (max {max(walls):.1f}, load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    return p99 <= FRAME_MS and lost == 0 and len(found_within) >= old_found

if __name__ == "__main__":
    sys.exit(main())
