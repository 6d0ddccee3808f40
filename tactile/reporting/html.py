"""A self-contained HTML page: sections of text, tables and PNG figures (inlined as data URIs).

No scripts, no external files, no network: the page opens from a mail attachment or a shared
folder and prints as it shows. :class:`Report` collects sections; :meth:`Report.write` writes
one file.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto;
       max-width: 1100px; padding: 1.5em; color: #222; line-height: 1.45; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.25em; border-bottom: 2px solid #ddd; padding-bottom: 0.2em; margin-top: 2em; }
p.lead { color: #555; margin-top: 0; }
li { margin-bottom: 0.3em; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.88em; }
th, td { border: 1px solid #ddd; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
th { background: #f4f4f4; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.wrong td { background: #fde2e2; }
tr.reject td { color: #666; }
figure { margin: 1em 0; }
figure img { max-width: 100%; border: 1px solid #eee; }
figcaption { font-size: 0.85em; color: #555; }
.note { background: #f7f7e8; border-left: 4px solid #c8c86a; padding: 0.5em 0.8em; }
.kpi { display: inline-block; margin: 0 1.2em 0.6em 0; padding: 0.4em 0.8em;
       background: #eef4fb; border-radius: 6px; }
.kpi b { font-size: 1.3em; display: block; }
"""


@dataclass
class Report:
    title: str
    lead: str = ""
    _parts: list[str] = field(default_factory=list)

    def section(self, heading: str, anchor: str | None = None) -> None:
        ident = f' id="{html.escape(anchor)}"' if anchor else ""
        self._parts.append(f"<h2{ident}>{html.escape(heading)}</h2>")

    def text(self, paragraph: str, *, css: str = "") -> None:
        cls = f' class="{css}"' if css else ""
        self._parts.append(f"<p{cls}>{html.escape(paragraph)}</p>")

    def bullets(self, items: Sequence[str], *, lead: str = "") -> None:
        """A paragraph ``lead`` (if any) and a bulleted list of plain-text ``items``."""
        if lead:
            self.text(lead)
        cells = "".join(f"<li>{html.escape(i)}</li>" for i in items)
        self._parts.append(f"<ul>{cells}</ul>")

    def kpis(self, items: Sequence[tuple[str, str]]) -> None:
        cells = "".join(
            f'<span class="kpi"><b>{html.escape(v)}</b>{html.escape(k)}</span>' for k, v in items
        )
        self._parts.append(f"<div>{cells}</div>")

    def table(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[object]],
        *,
        row_classes: Sequence[str] = (),
        numeric: Sequence[int] = (),
    ) -> None:
        head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
        body = []
        for i, row in enumerate(rows):
            cls = f' class="{row_classes[i]}"' if i < len(row_classes) and row_classes[i] else ""
            cells = "".join(
                f"<td{' class=num' if j in numeric else ''}>{html.escape(str(v))}</td>"
                for j, v in enumerate(row)
            )
            body.append(f"<tr{cls}>{cells}</tr>")
        self._parts.append(f"<table><tr>{head}</tr>{''.join(body)}</table>")

    def figure(self, png: bytes, caption: str, *, alt: str = "") -> None:
        data = base64.b64encode(png).decode("ascii")
        self._parts.append(
            f'<figure><img class="plot" src="data:image/png;base64,{data}" '
            f'alt="{html.escape(alt or caption)}"><figcaption>{html.escape(caption)}'
            "</figcaption></figure>"
        )

    def render(self) -> str:
        lead = f'<p class="lead">{html.escape(self.lead)}</p>' if self.lead else ""
        return (
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{html.escape(self.title)}</title><style>{_CSS}</style></head><body>"
            f"<h1>{html.escape(self.title)}</h1>{lead}{''.join(self._parts)}</body></html>\n"
        )

    def write(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.render(), encoding="utf-8")
        return path
