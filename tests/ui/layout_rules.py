"""The layout rules every screen follows, as checks over a shown screen (see ``screens.widgets``).

Each check walks the screen like a citizen's eye and finger and returns what breaks a rule, one
line each, naming the widget (its ``ident`` or class) and the figure found:

- ``clipped``: a text larger than its box, shortened with "…", squeezed to a sliver, or (outside
  a scroll view) past the window's edge; a scroll view squeezed to less than two thumbs;
- ``small_targets``: an enabled control smaller than ``theme.touch_min`` on either side;
- ``primary_placement``: a ``role: "primary"`` button outside an ``BottomBar`` or inside a scroll
  view, or an BottomBar not pinned to the bottom edge;
- ``low_contrast``: text under 4.5:1 (3:1 for large text) against what is drawn behind it;
- ``bad_breaks``: a drawn line of a wrapped label that starts with closing punctuation ("，）");
- ``fake_buttons``: a decoration drawn like a button (a rounded box filled with the colour of
  what can be pressed) that cannot be pressed;
- ``costly_drawing``: a line wider than 1 px in a see-through colour. Kivy draws it through the
  stencil buffer and clears the whole buffer to do so: ~2 ms of every frame, in software GL, for
  a line nobody sees (seen: 13 hidden button outlines made 夜间投递's staff page 6.5 ms slower).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from screens import theme

# WCAG "large text": 18 pt, or 14 pt bold; in the layout's dp (theme.DP px each).
LARGE_PX = 24 * theme.DP
LARGE_BOLD_PX = 18.66 * theme.DP


def visible(screen: Any) -> Iterator[Any]:
    """Widgets a person can see: not transparent, not collapsed, no hidden ancestor."""
    for widget in screen.walk(restrict=True):
        if widget.opacity == 0 or widget.height <= 1 or widget.width <= 1:
            continue
        if _hidden(widget):
            continue
        yield widget


def _hidden(widget: Any) -> bool:
    parent = widget.parent
    while parent is not None and parent is not parent.parent:
        if getattr(parent, "opacity", 1) == 0 or getattr(parent, "height", 1) <= 1:
            return True
        parent = parent.parent
    return False


def name_of(widget: Any) -> str:
    return getattr(widget, "ident", "") or type(widget).__name__


def ancestor(widget: Any, cls: type) -> Any:
    parent = widget.parent
    while parent is not None and parent is not parent.parent:
        if isinstance(parent, cls):
            return parent
        parent = parent.parent
    return None


def clipped(screen: Any, window: tuple[float, float]) -> list[str]:
    from kivy.uix.label import Label
    from kivy.uix.scrollview import ScrollView

    out: list[str] = []
    least = theme.touch_min(1.0) * 2
    for widget in visible(screen):
        if isinstance(widget, ScrollView) and widget.height < least:
            out.append(f"{name_of(widget)}: a scroll view squeezed to {widget.height:.0f} px "
                       f"(needs {least:.0f})")
        if not isinstance(widget, Label) or not widget.text:
            continue
        widget.texture_update()
        label = f"{name_of(widget)} {widget.text[:24]!r}"
        tw, th = widget.texture_size
        if widget.shorten or getattr(widget, "is_shortened", False):
            out.append(f"{label}: shortened with an ellipsis")
        if widget.text_size[0] is not None and widget.width < 2 * widget.font_size:
            out.append(f"{label}: squeezed to {widget.width:.0f} px")
        if tw > widget.width + 2 or th > widget.height + 2:
            out.append(f"{label}: text {tw}x{th} in a box {widget.width:.0f}x"
                       f"{widget.height:.0f}")
        x, y = widget.to_window(widget.x, widget.y)
        if x < -1 or x + widget.width > window[0] + 1:
            out.append(f"{label}: off the window sideways (x={x:.0f}, w={widget.width:.0f})")
        if ancestor(widget, ScrollView) is None and (y < -1 or y + widget.height > window[1] + 1):
            out.append(f"{label}: below or above the window and cannot be scrolled to "
                       f"(y={y:.0f}, h={widget.height:.0f})")
    return out


def small_targets(screen: Any, font_scale: float) -> list[str]:
    from kivy.uix.behaviors import ButtonBehavior

    least = theme.touch_min(font_scale)
    return [f"{name_of(w)}: {w.width:.0f}x{w.height:.0f} px, needs {least:.0f} on each side"
            for w in visible(screen)
            if isinstance(w, ButtonBehavior) and not w.disabled
            and min(w.width, w.height) < least - 0.5]


def primary_placement(screen: Any, window: tuple[float, float]) -> list[str]:
    from kivy.uix.scrollview import ScrollView

    from screens.widgets import BottomBar, KioskButton

    out: list[str] = []
    for widget in visible(screen):
        if isinstance(widget, BottomBar):
            x, y = widget.to_window(widget.x, widget.y)
            if y > 2 or y < -1:
                out.append(f"BottomBar: not on the bottom edge (y={y:.0f})")
            if ancestor(widget, ScrollView) is not None:
                out.append("BottomBar: inside a scroll view")
        if isinstance(widget, KioskButton) and widget.role == "primary":
            if ancestor(widget, BottomBar) is None:
                out.append(f"{name_of(widget)} {widget.text[:20]!r}: a primary action outside "
                           f"the BottomBar")
            elif ancestor(widget, ScrollView) is not None:
                out.append(f"{name_of(widget)}: a primary action that scrolls away")
            _, y = widget.to_window(widget.x, widget.y)
            if y < -1 or y + widget.height > window[1] + 1:
                out.append(f"{name_of(widget)}: primary action off the window (y={y:.0f})")
    return out


def luminance(rgba: tuple[float, ...]) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgba[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def background_of(widget: Any) -> tuple[float, ...]:
    """The colour drawn right behind ``widget``'s centre: the last filled shape containing it
    in its own canvas.before or an ancestor's canvas; the window's colour when none."""
    from kivy.graphics import Color, Ellipse, Rectangle, RoundedRectangle

    cx, cy = widget.to_window(*widget.center)
    chain = []
    node = widget
    while node is not None and node is not node.parent:
        chain.append(node)
        node = node.parent
    for node in chain:  # nearest first: a child's fill is drawn over its ancestors'
        groups = [node.canvas.before] if node is widget else [node.canvas.before, node.canvas]
        found = None
        for group in groups:
            if group is None:
                continue
            colour: tuple[float, ...] | None = None
            for inst in group.children:
                if isinstance(inst, Color):
                    colour = tuple(inst.rgba)
                elif isinstance(inst, Rectangle | RoundedRectangle | Ellipse) and colour and \
                        colour[3] >= 0.5:
                    x, y = node.to_window(*inst.pos)
                    w, h = inst.size
                    if x <= cx <= x + w and y <= cy <= y + h:
                        found = colour
        if found is not None:
            return found
    return theme.BACKGROUND


def low_contrast(screen: Any) -> list[str]:
    from kivy.uix.label import Label

    out: list[str] = []
    for widget in visible(screen):
        if not isinstance(widget, Label) or not widget.text.strip():
            continue
        fg = tuple(widget.disabled_color if widget.disabled else widget.color)
        bg = background_of(widget)
        large = widget.font_size >= LARGE_PX or (widget.bold and widget.font_size >= LARGE_BOLD_PX)
        need = 3.0 if large else 4.5
        ratio = contrast(fg, bg)
        if ratio < need - 0.01:
            out.append(f"{name_of(widget)} {widget.text[:20]!r}: contrast {ratio:.2f}:1, "
                       f"needs {need}:1")
    return out


def bad_breaks(screen: Any) -> list[str]:
    from kivy.uix.label import Label

    from kiosk.textbreak import CLOSING

    out: list[str] = []
    for widget in visible(screen):
        if not isinstance(widget, Label) or not widget.text or widget.markup:
            continue
        if widget.text_size[0] is None:
            continue
        widget.texture_update()
        # the lines as drawn (Kivy's own layout, after any breaks we inserted)
        drawn = getattr(widget._label, "_cached_lines", [])
        lines = ["".join(word.text for word in line.words) for line in drawn]
        lines = [line for line in lines if line]
        starts = [line for line in lines[1:] if line[0] in CLOSING]
        if starts and not any(line[0] in CLOSING for line in widget.text.split("\n")):
            out.append(f"{name_of(widget)} {widget.text[:24]!r}: a line starts with "
                       f"{starts[0][0]!r}")
    return out


def fake_buttons(screen: Any) -> list[str]:
    from kivy.graphics import Color, RoundedRectangle
    from kivy.uix.behaviors import ButtonBehavior

    pressable = tuple(round(c, 3) for c in theme.PRIMARY)
    out: list[str] = []
    for widget in visible(screen):
        if isinstance(widget, ButtonBehavior) or ancestor(widget, ButtonBehavior) is not None:
            continue
        colour = None
        for inst in widget.canvas.before.children if widget.canvas.before else []:
            if isinstance(inst, Color):
                colour = tuple(round(c, 3) for c in inst.rgba)
            elif isinstance(inst, RoundedRectangle) and colour == pressable:
                out.append(f"{name_of(widget)} {getattr(widget, 'text', '')[:16]!r}: drawn "
                           f"like a button but cannot be pressed")
                break
    return out


def costly_drawing(screen: Any) -> list[str]:
    from kivy.graphics import Canvas, Color, Line
    from kivy.graphics.instructions import InstructionGroup

    out: list[str] = []

    def scan(widget: Any, group: Any, alpha: float) -> float:
        for inst in group.children:
            if isinstance(inst, Color):
                alpha = inst.a
            elif isinstance(inst, Line) and inst.width > 1 and alpha < 1:
                out.append(f"{name_of(widget)}: a {inst.width:g} px line in a see-through colour "
                           f"(alpha {alpha:g}); draw it 1 px wide, or not at all, while hidden")
            elif isinstance(inst, InstructionGroup) and not isinstance(inst, Canvas):
                alpha = scan(widget, inst, alpha)  # a child widget's Canvas: walked as its own
        return alpha

    for widget in screen.walk(restrict=True):  # hidden widgets are drawn too
        scan(widget, widget.canvas, 1.0)  # canvas.before and .after are groups inside it
    return out
