"""Server-rendered SVG charts: geometry computed here, drawn by a template (no JavaScript)."""
from __future__ import annotations

import datetime as dt

from django.utils import formats
from django.utils.translation import gettext_lazy as _

# labels, tick dates and tick numbers in the active language; coordinates stay plain (the template
# turns localisation off inside the SVG)
SERIES = [("invited_total", _("Invited"), "#6c757d"), ("opened_total", _("Opened the link"), "#0d6efd"),
          ("started_total", _("Started"), "#fd7e14"), ("submitted_total", _("Submitted"), "#198754")]


def _axis(value: int) -> tuple[int, int]:
    """A round step (1, 2 or 5 x 10^k) giving at most five intervals, and the axis top."""
    step = 1
    while value > 5 * step:
        step = step * 5 // 2 if str(step).startswith("2") else step * 2
    return step, max(step, -(-value // step) * step)


def progress_chart(daily: list[dict], *, width: int = 760, height: int = 280) -> dict | None:
    """Cumulative invited / opened / started / submitted per day, with the days reminders went out."""
    if not daily:
        return None
    left, right, top, bottom = 48, 12, 12, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    step, top_value = _axis(max(max(d.get(key, 0) for key, _, _ in SERIES) for d in daily))
    span = max(1, len(daily) - 1)

    def x(i: int) -> float:
        return round(left + plot_w * i / span, 1)

    def y(v: int) -> float:
        return round(top + plot_h * (1 - v / top_value), 1)

    series = [{"label": str(label), "color": color, "last": daily[-1].get(key, 0),
               "points": " ".join(f"{x(i)},{y(d.get(key, 0))}" for i, d in enumerate(daily))}
              for key, label, color in SERIES]
    every = max(1, len(daily) // 8)
    x_ticks = [{"x": x(i), "label": formats.date_format(dt.date.fromisoformat(d["date"]), "d M")}
               for i, d in enumerate(daily) if i % every == 0]
    y_ticks = [{"y": y(v), "label": formats.number_format(v, use_l10n=True, force_grouping=True)}
               for v in range(0, top_value + 1, step)]
    reminders = [{"x": x(i), "count": d["reminded"], "date": d["date"]} for i, d in enumerate(daily)
                 if d.get("reminded")]
    return {"width": width, "height": height, "series": series, "x_ticks": x_ticks, "y_ticks": y_ticks,
            "reminders": reminders, "left": left, "right": width - right, "top": top, "bottom": height - bottom,
            "first": daily[0]["date"], "last": daily[-1]["date"]}
