"""ID card read time over a pseudo-terminal at 115200-baud wire pacing, versus the wire floor.

The emulator paces every reply at 10 bits per byte, so no client can beat the wire time; the
figures say how much the driver adds on top. Three measurements in the same run:
  floor      — the replies' wire time, computed (find 15 + select 19 + read 1295 bytes);
  raw client — a bare loop that writes the three frames and reads exactly the expected bytes
               with os.read (what the pty and the emulator cost with no driver at all);
  driver     — SamIdCardReader.read_card (find → select → read → decode), and the read
               command alone against its own 1295-byte floor (~112 ms).
Target: driver / floor ≤ 1.10. Run: .venv/bin/python bench/bench_idcard.py [rounds]
"""

from __future__ import annotations

import os
import select
import statistics
import sys
import termios
import time
import tty

from drivers.idcard.emulator import SamReaderEmulator
from drivers.idcard.protocol import Command
from drivers.idcard.sam import SamIdCardReader
from drivers.idcard.samples import SAMPLE_CARDS

BAUD = 115200
REPLY_BYTES = {Command.FIND: 15, Command.SELECT: 19, Command.READ: 1295}


def wire_s(n_bytes: int) -> float:
    return n_bytes * 10 / BAUD


def summary(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def raw_client_round(fd: int) -> None:
    for command, size in REPLY_BYTES.items():
        os.write(fd, command.frame)
        got = 0
        while got < size:
            select.select([fd], [], [], 2.0)
            got += len(os.read(fd, size - got))


def main(rounds: int) -> int:
    card = SAMPLE_CARDS["resident"]
    floor_all = wire_s(sum(REPLY_BYTES.values()))
    floor_read = wire_s(REPLY_BYTES[Command.READ])
    with SamReaderEmulator(card, wire_baud=BAUD) as emulator:
        # baseline: a bare client on the same pty and emulator
        fd = os.open(emulator.port, os.O_RDWR | os.O_NOCTTY)
        tty.setraw(fd)
        termios.tcflush(fd, termios.TCIOFLUSH)
        raw: list[float] = []
        for _ in range(rounds):
            started = time.perf_counter()
            raw_client_round(fd)
            raw.append(time.perf_counter() - started)
        os.close(fd)

        reader = SamIdCardReader(emulator.port, baud=BAUD, timeout=1.0)
        reader.open()
        full: list[float] = []
        read_only: list[float] = []
        for _ in range(rounds):
            emulator.remove()
            assert not reader.card_present()
            emulator.present(card)
            started = time.perf_counter()
            got = reader.read_card(timeout=2.0)
            full.append(time.perf_counter() - started)
            assert got is not None and got.id_number == card.id_number
        for _ in range(rounds):
            started = time.perf_counter()
            reader._transact(Command.READ)  # the 30 01 exchange alone (card stays selected)
            read_only.append(time.perf_counter() - started)
        reader.close()

    raw_med, raw_p95 = summary(raw)
    full_med, full_p95 = summary(full)
    read_med, read_p95 = summary(read_only)
    print(f"ID card read at {BAUD} baud, {rounds} rounds (times in ms)")
    print(f"  wire floor, find+select+read replies ({sum(REPLY_BYTES.values())} B): "
          f"{floor_all * 1e3:7.1f}")
    print(f"  raw client (no driver)       median {raw_med * 1e3:7.1f}  p95 {raw_p95 * 1e3:7.1f}"
          f"  ratio to floor {raw_med / floor_all:.3f}")
    print(f"  driver read_card             median {full_med * 1e3:7.1f}  p95 {full_p95 * 1e3:7.1f}"
          f"  ratio to floor {full_med / floor_all:.3f} (p95 {full_p95 / floor_all:.3f})"
          f"  ratio to raw client {full_med / raw_med:.3f}")
    print(f"  wire floor, read reply alone (1295 B): {floor_read * 1e3:7.1f}")
    print(f"  driver read command (30 01)  median {read_med * 1e3:7.1f}  p95 {read_p95 * 1e3:7.1f}"
          f"  ratio to floor {read_med / floor_read:.3f} (p95 {read_p95 / floor_read:.3f})")
    met = full_med / floor_all <= 1.10
    print(f"target driver/floor <= 1.10: {'met' if met else 'NOT met'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 30))
