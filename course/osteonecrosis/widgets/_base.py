"""Shared pieces of the simulation widgets: a reusable Agg figure rendered to a PNG image widget, the
teaching-model banner, a message line for bad input, and a safe update loop (never a traceback on screen).

Each widget is an ``ipywidgets.VBox`` whose callbacks call pure, tested model functions; after every update
``widget.state`` holds what is displayed (numbers, text), so tests can check it without a browser.
"""

from __future__ import annotations

import html
import io
from collections.abc import Callable
from typing import Any

import ipywidgets as widgets
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


class FigureView:
    """One matplotlib figure, reused across updates, drawn with Agg into an ``ipywidgets.Image``."""

    def __init__(self, width: float = 7.5, height: float = 3.4, nrows: int = 1, ncols: int = 1,
                 dpi: int = 80, **subplot_kw: Any) -> None:
        self.dpi = dpi
        self.figure = Figure(figsize=(width, height), dpi=dpi)
        self.canvas = FigureCanvasAgg(self.figure)
        axes = self.figure.subplots(nrows, ncols, squeeze=False, **subplot_kw)
        self.axes = [ax for row in axes for ax in row]
        self.image = widgets.Image(format="png", layout=widgets.Layout(width="100%",
                                                                       max_width=f"{int(width * dpi)}px"))
        self.image.add_class("osteo-figure")
        self._laid_out = False

    @property
    def ax(self) -> Any:
        return self.axes[0]

    def layout_once(self) -> None:
        """Fix the subplot layout once (tight layout is too slow to run on every update)."""
        if not self._laid_out:
            self.figure.tight_layout()
            self._laid_out = True

    def render(self) -> None:
        """Draw the figure (artists updated in place by the caller) and push PNG bytes to the image widget."""
        self.layout_once()
        buf = io.BytesIO()
        self.canvas.print_png(buf, pil_kwargs={"compress_level": 1})
        self.image.value = buf.getvalue()


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
        self.controls_box = widgets.Box(controls, layout=widgets.Layout(flex_flow="row wrap"))
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
