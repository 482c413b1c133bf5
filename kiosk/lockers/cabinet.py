"""The cabinet as configured: compartments with their number, size and place, for the door
commands and for the drawing that shows a citizen which door opened.

``[locker] cabinets`` lists cabinets left to right, each a list of columns written as sizes from
top to bottom ("SSSMML"). Compartments are numbered 1… down each column, column after column,
cabinet after cabinet, and that number is also the lock-board door the composite cabinet board
opens (``drivers.locker.cabinet``). Pure data; never touches a device or the database.
"""

from __future__ import annotations

from dataclasses import dataclass

from config.schema import CabinetConfig, LockerConfig

SIZES = ("S", "M", "L")
HEIGHT_UNITS = {"S": 1, "M": 2, "L": 3}  # how tall each size is drawn, in small-door units


@dataclass(frozen=True)
class Compartment:
    number: int
    size: str  # S, M or L
    cabinet: str  # the cabinet's name ("A")
    column: int  # 0-based, across the whole cabinet row (for the drawing)
    top: float  # 0..1 from the top of its column
    height: float  # 0..1 of its column
    place_column: int = 1  # 1-based, from the left of its own cabinet (said to the citizen)
    place_row: int = 1  # 1-based, from the top of its column

    @property
    def label(self) -> str:
        return f"{self.number:02d}"


def default_cabinet(doors: int, pattern: str = "SSSMML") -> CabinetConfig:
    columns = [pattern] * (doors // len(pattern))
    if doors % len(pattern):
        columns.append(pattern[:doors % len(pattern)])
    return CabinetConfig(name="A", columns=columns or [pattern[:1]])


@dataclass(frozen=True)
class Cabinet:
    compartments: tuple[Compartment, ...]
    columns: int
    cabinet_starts: tuple[int, ...]  # column index where each cabinet begins (for gaps)

    @classmethod
    def from_config(cls, locker: LockerConfig, doors: int) -> Cabinet:
        """The configured cabinets, or (none configured) one cabinet "A" of ``doors``
        compartments in columns of "SSSMML"."""
        cabinets = locker.cabinets or [default_cabinet(doors)]
        out: list[Compartment] = []
        starts: list[int] = []
        column = 0
        number = 1
        for cab in cabinets:
            starts.append(column)
            for col_in_cab, sizes in enumerate(cab.columns, start=1):
                total = sum(HEIGHT_UNITS[s] for s in sizes)
                top = 0
                for row, size in enumerate(sizes, start=1):
                    units = HEIGHT_UNITS[size]
                    out.append(Compartment(number, size, cab.name, column, top / total,
                                           units / total, col_in_cab, row))
                    top += units
                    number += 1
                column += 1
        return cls(tuple(out), column, tuple(starts))

    def get(self, number: int) -> Compartment:
        if not 1 <= number <= len(self.compartments):
            raise KeyError(number)
        return self.compartments[number - 1]

    def numbers(self) -> list[int]:
        return [c.number for c in self.compartments]

    def fitting(self, size: str) -> list[Compartment]:
        """Compartments that hold an item of ``size``: that size first, then larger ones."""
        rank = SIZES.index(size)
        return sorted((c for c in self.compartments if SIZES.index(c.size) >= rank),
                      key=lambda c: (SIZES.index(c.size), c.number))
