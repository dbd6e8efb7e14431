"""Shared pieces of the simulation widgets: a reusable Agg figure rendered to a PNG image widget, the
teaching-model banner, a message line for bad input, and a safe update loop (never a traceback on screen).

Each widget is an ``ipywidgets.VBox`` whose callbacks call pure, tested model functions; after every update
``widget.state`` holds what is displayed (numbers, text), so tests can check it without a browser.
"""

from __future__ import annotations

import html
import math
import struct
import zlib
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

import ipywidgets as widgets
import numpy as np
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..cases import CaseError
from ..figures import OKABE_ITO
from ..knowledge import KnowledgeError
from ..models import TEACHING_MODEL_NOTE
from ..models.parameters import ModelInputError, Parameter
from ..risk import RiskError

COLOURS = OKABE_ITO
EXPECTED_ERRORS = (ModelInputError, RiskError, CaseError, KnowledgeError, ValueError)


def encode_png(rgba: np.ndarray, level: int = 1) -> bytes:
    """PNG bytes of an opaque RGBA pixel buffer (height x width x 4), fast.

    The widgets' figures have an opaque white background, so the alpha channel is dropped. Rows are stored
    unfiltered and deflated at ``level`` 1: about twice as fast as Pillow's adaptive filtering at the same
    level, and the flat colours of a chart compress as well.
    """
    height, width = rgba.shape[:2]
    raw = np.empty((height, 1 + 3 * width), dtype=np.uint8)
    raw[:, 0] = 0  # filter type 0 (none) for every row
    raw[:, 1:] = rgba[:, :, :3].reshape(height, 3 * width)

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB, no interlace
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw.tobytes(), level))
            + chunk(b"IEND", b""))


# Text sizes (points) in the widgets' figures: readable when the page is projected.
TICK_SIZE = 9
LABEL_SIZE = 10


def text_px(text: str, font_px: float = 13.0) -> int:
    """A generous estimate of the width of ``text`` in the widgets' font (13 px), in pixels."""
    return int(len(text) * font_px * 0.62) + 2


def fit_width(options: list[str] | tuple[str, ...], description: str = "", control_px: int = 44,
              min_px: int = 140, max_px: int = 760) -> str:
    """A CSS width that shows the description and the longest option in full (dropdowns, check boxes,
    lists): ipywidgets' default of 300 px cuts long texts ('Alendronate 70 mg ORA')."""
    label = text_px(description) + 12 if description else 0
    longest = max((text_px(str(o)) for o in options), default=0)
    return f"{max(min_px, min(max_px, label + longest + control_px))}px"


def slider_width(description: str, track_px: int = 220, readout_px: int = 64) -> str:
    """A CSS width that leaves the slider a track of ``track_px`` beside its full label and readout (with
    the default 300 px a long label took the whole width and left a 0 px track)."""
    return f"{text_px(description) + 12 + track_px + readout_px}px"


def nice_ceiling(x: float) -> float:
    """The smallest of 1, 2, 2.5, 5 (times a power of ten) at or above ``x``: an axis limit that does not move
    with every small change of the data (0 and below give 1)."""
    if not x > 0:
        return 1.0
    exp = math.floor(math.log10(x))
    for m in (1.0, 2.0, 2.5, 5.0, 10.0):
        if m * 10.0**exp >= x * (1 - 1e-12):
            return m * 10.0**exp
    return 10.0 ** (exp + 1)  # pragma: no cover - the loop always returns


class FigureView:
    """One matplotlib figure, reused across updates, drawn with Agg into an ``ipywidgets.Image``.

    Updates are blitted: artists registered with :meth:`dynamic` (lines, bars, spans whose data change) are
    drawn over a cached background holding everything else (axes, ticks, labels, legend, titles). The caller
    passes a ``static_key`` to :meth:`render` that changes whenever anything in the background changes (axis
    limits, tick labels, titles, legend text); a background is drawn once per key and kept (a few keys), so
    one update costs only the changing artists and one PNG encoding.
    """

    BACKGROUNDS_KEPT = 8
    # 96 dots per inch: one point of matplotlib text is one CSS point, so a 9 pt tick label reads like the
    # page's own text (at 80 the stage names were 7 px tall).

    def __init__(self, width: float = 7.5, height: float = 3.4, nrows: int = 1, ncols: int = 1,
                 dpi: int = 96, **subplot_kw: Any) -> None:
        self.dpi = dpi
        self.figure = Figure(figsize=(width, height), dpi=dpi, facecolor="white")
        self.canvas = FigureCanvasAgg(self.figure)
        axes = self.figure.subplots(nrows, ncols, squeeze=False, **subplot_kw)
        self.axes = [ax for row in axes for ax in row]
        for ax in self.axes:
            ax.tick_params(labelsize=TICK_SIZE)
            ax.xaxis.label.set_size(LABEL_SIZE)
            ax.yaxis.label.set_size(LABEL_SIZE)
        self.image = widgets.Image(format="png", layout=widgets.Layout(width="100%",
                                                                       max_width=f"{int(width * dpi)}px"))
        self.image.add_class("osteo-figure")
        self._laid_out = False
        self._dynamic: list[Artist] = []
        self._backgrounds: OrderedDict[Hashable, Any] = OrderedDict()
        self.full_draws = 0

    @property
    def ax(self) -> Any:
        return self.axes[0]

    def dynamic(self, *artists: Artist) -> Artist:
        """Mark artists as changing on every update (drawn over the cached background, in this order)."""
        for a in artists:
            a.set_animated(True)
            self._dynamic.append(a)
        return artists[0]

    def forget_dynamic(self) -> None:
        """Stop drawing the dynamic artists (call after clearing the axes that held them)."""
        self._dynamic.clear()

    def layout_once(self) -> None:
        """Fix the subplot layout once (tight layout is too slow to run on every update)."""
        if not self._laid_out:
            self.figure.tight_layout()
            self._laid_out = True
            self._backgrounds.clear()

    def render(self, static_key: Hashable = None) -> None:
        """Draw the changing artists over the background for ``static_key`` and push PNG bytes to the image.

        The background for a key is drawn (without the dynamic artists) the first time the key is seen;
        ``static_key=None`` means 'the background may have changed': always drawn afresh, never kept.
        """
        self.layout_once()
        background = self._backgrounds.get(static_key) if static_key is not None else None
        if background is None:
            self.canvas.draw()  # Agg skips animated (dynamic) artists when not saving a file
            self.full_draws += 1
            background = self.canvas.copy_from_bbox(self.figure.bbox)
            if static_key is not None:
                self._backgrounds[static_key] = background
                while len(self._backgrounds) > self.BACKGROUNDS_KEPT:
                    self._backgrounds.popitem(last=False)
        else:
            self._backgrounds.move_to_end(static_key)
            self.canvas.restore_region(background)
        for a in self._dynamic:
            if a.get_visible():
                self.figure.draw_artist(a)
        self.image.value = encode_png(np.asarray(self.canvas.buffer_rgba()))


def provenance_html(params: list[Parameter]) -> str:
    """A compact list of the model numbers used, flagging teaching assumptions."""
    items = []
    for p in params:
        tag = "<b>assumption</b>" if p.assumed else html.escape(", ".join(p.source))
        val = "" if p.value is None else f" = {p.value:g} {html.escape(p.unit)}".rstrip()
        items.append(f"<li><code>{p.id}</code>{val}: {tag}</li>")
    return "<details><summary>Model numbers and their sources</summary><ul>" + "".join(items) + "</ul></details>"


class TeachingWidget(widgets.VBox):
    """Banner, controls, message line, output area, description, provenance; a safe update loop."""

    title = "Teaching model"

    def __init__(self, controls: list[widgets.Widget], outputs: list[widgets.Widget]) -> None:
        self.banner = widgets.HTML(
            f'<div class="osteo-banner" style="border-left:4px solid {COLOURS["orange"]};padding:2px 8px">'
            f"<b>{html.escape(self.title)}.</b> {html.escape(TEACHING_MODEL_NOTE)}</div>")
        self.message = widgets.HTML("")
        self.message.add_class("osteo-message")
        self.description = widgets.HTML("")
        self.description.add_class("osteo-description")
        self.details = widgets.HTML("")
        self.state: dict[str, Any] = {}
        self.error: str = ""
        self.controls_box = widgets.Box(controls, layout=widgets.Layout(flex_flow="row wrap", align_items="center",
                                                                         grid_gap="4px 16px"))
        super().__init__([self.banner, self.controls_box, self.message, *outputs, self.description,
                          self.details])
        self.add_class("osteo-widget")

    def watch(self, *controls: widgets.Widget, handler: Callable[[], None] | None = None) -> None:
        for c in controls:
            c.observe(lambda _change: self.refresh(handler), names="value")

    def refresh(self, handler: Callable[[], None] | None = None) -> None:
        """Run an update; expected input problems become one clear line, never a traceback."""
        try:
            (handler or self.update)()
        except EXPECTED_ERRORS as exc:
            self.show_error(str(exc))
        except Exception as exc:  # noqa: BLE001 - the screen must never show a traceback
            self.show_error(f"unexpected problem ({exc.__class__.__name__}): {exc}")
        else:
            self.error = ""
            self.message.value = ""

    def show_error(self, text: str) -> None:
        line = " ".join(str(text).split())
        self.error = line
        self.state = {**self.state, "error": line}
        self.message.value = (f'<div role="alert" style="color:{COLOURS["vermillion"]}"><b>Check the controls:</b> '
                              f"{html.escape(line)}</div>")

    def describe(self, text: str) -> None:
        self.description.value = f"<i>Figure description:</i> {html.escape(text)}"
        self.state["description"] = text

    def update(self) -> None:  # pragma: no cover - every widget overrides it
        raise NotImplementedError
