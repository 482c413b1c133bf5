"""The ``costly_drawing`` layout rule itself: it must see a wide see-through line wherever Kivy
would draw one, so that the rule over every screen (test_layout_rules) can fail."""

from __future__ import annotations

import pytest

from tests.ui import layout_rules as rules
from tests.ui.conftest import Kiosk

pytestmark = pytest.mark.ui


@pytest.fixture
def screen(kiosk: Kiosk):  # type: ignore[no-untyped-def]
    """Two bare widgets, made once the UI fixture's window exists (a widget needs one)."""
    from kivy.uix.boxlayout import BoxLayout
    from kivy.uix.widget import Widget

    root = BoxLayout()
    root.add_widget(Widget())
    return root


def test_a_wide_line_in_a_see_through_colour_is_reported(screen) -> None:  # type: ignore[no-untyped-def]
    from kivy.graphics import Color, Line

    child = screen.children[0]
    child.ident = "outline"
    with child.canvas.before:
        Color(0, 0, 0, 0)
        Line(width=2.5, rounded_rectangle=(0, 0, 100, 60, 12))
    problems = rules.costly_drawing(screen)
    assert len(problems) == 1 and problems[0].startswith("outline: a 2.5 px line")


def test_the_colour_carries_into_nested_groups_and_across_them(screen) -> None:  # type: ignore[no-untyped-def]
    from kivy.graphics import Color, InstructionGroup, Line

    group = InstructionGroup()
    group.add(Line(width=5, points=[0, 0, 50, 50]))
    with screen.canvas:
        Color(1, 1, 1, 0.5)
    screen.canvas.add(group)
    assert len(rules.costly_drawing(screen)) == 1


def test_opaque_or_thin_lines_pass(screen) -> None:  # type: ignore[no-untyped-def]
    from kivy.graphics import Color, Line

    with screen.children[0].canvas:
        Color(0.1, 0.3, 0.6, 1)
        Line(width=3, circle=(50, 50, 20))
        Color(0, 0, 0, 0)
        Line(width=1, rectangle=(0, 0, 10, 10))
    assert rules.costly_drawing(screen) == []
