"""review.html: one static page to check every extracted figure against its source text.

Each document's text is shown with every figure that became a row highlighted (its span
``char_start..char_end`` in the original file); hovering or clicking a highlight shows the
row(s). A nearby number equal to a row's growth or share is highlighted as part of that row
(in green). Numbers the pipeline saw but did not turn into rows (``MISSED_NUMBER`` over the
text, minus the spans covered by rows and their rates) are marked differently. Filters by indicator and status dim the
other highlights and hide documents without a match.

The page needs no network: CSS and JavaScript are inline, a Content-Security-Policy forbids any
fetch, all input text is HTML-escaped and the rows travel as JSON inside a non-executable script
element. Input: the source files themselves, given as ``{source_file name: path}`` (the tables
store only the file's name); a document whose file is not given or no longer readable is shown
with its rows but without text.

A page for a whole archive would be too big for a browser, so it holds the first ``limit``
documents in table order (source file, position) and says how many it left out.
"""
from __future__ import annotations

import html
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb
import regex

from ..model import InputError
from ..reading import decode
from .dictionary import CODES, indicator_rows
from .files import write_text

DEFAULT_LIMIT = 300
# Digits (ASCII or full-width) with an optional decimal part, not an ordinal (第3) and not part of
# a date, a clock time or a month range (2024年, 5月, 11日, 10时, 1至3月, 前2个月): those are
# periods, not figures.
MISSED_NUMBER = regex.compile(
    r"(?<![第\d０-９.．])[\d０-９]+(?:[.．][\d０-９]+)?(?![\d０-９.．])"
    r"(?!\s*(?:[年月日号时分秒]|个月|个季度|[至到\-－—~～]\s*[\d０-９]+\s*[年月日号]))")
# A number near a row's figure that equals its growth or share (the row's span covers only the
# level) is that row's rate, not a missed figure: it is highlighted as part of the row.
RATE_WINDOW = (-20, 150)  # characters before the figure's start, after its end
_DIGITS = str.maketrans("０１２３４５６７８９．", "0123456789.")
ROW_FIELDS = ("obs_id", "indicator", "indicator_text", "region", "subject", "period_start", "period_end",
              "period_type", "period_text", "value", "unit", "value_text", "bound", "yoy_pct", "share_pct",
              "status", "rule", "char_start", "char_end")


@dataclass
class _Doc:
    doc_id: str
    source_file: str
    publisher: str | None
    published: object
    title: str | None
    char_start: int
    char_end: int


def write_review(out_dir: Path, con: duckdb.DuckDBPyConnection, sources: Mapping[str, Path],
                 limit: int = DEFAULT_LIMIT) -> None:
    """Write review.html for the first ``limit`` documents (0: all of them)."""
    total = con.sql("SELECT count(*) FROM documents").fetchall()[0][0]
    cap = f"LIMIT {int(limit)}" if limit > 0 else ""
    docs = [_Doc(*r) for r in con.sql(
        "SELECT doc_id, source_file, publisher, published, title, char_start, char_end FROM documents "
        f"ORDER BY source_file, char_start, doc_id {cap}").fetchall()]
    rows_by_doc: dict[str, list[dict]] = {}
    if docs:
        shown = ", ".join(f"'{d.doc_id.replace(chr(39), chr(39) * 2)}'" for d in docs)
        result = con.sql(f"SELECT doc_id, {', '.join(ROW_FIELDS)} FROM observations WHERE doc_id IN ({shown}) "
                         "ORDER BY source_file, char_start, char_end, indicator, obs_id")
        for doc_id, *values in result.fetchall():
            rows_by_doc.setdefault(doc_id, []).append(_json_row(dict(zip(ROW_FIELDS, values))))
    texts = _source_texts(sources, sorted({d.source_file for d in docs}))
    sections = [_section(d, texts.get(d.source_file), rows_by_doc.get(d.doc_id, [])) for d in docs]
    all_rows = {r["obs_id"]: r for rows in rows_by_doc.values() for r in rows}
    write_text(out_dir / "review.html", _page(sections, all_rows, len(docs), total))


def _json_row(row: dict) -> dict:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}


def _source_texts(sources: Mapping[str, Path], names: list[str]) -> dict[str, str]:
    texts = {}
    for name in names:
        path = sources.get(name)
        if path is None:
            continue
        try:
            texts[name] = decode(Path(path).read_bytes(), name)[0]
        except (OSError, InputError):
            continue  # shown as "text not available"; the core run has reported the file already
    return texts


def _section(doc: _Doc, file_text: str | None, rows: list[dict]) -> str:
    meta = " · ".join(html.escape(str(x)) for x in (doc.source_file, doc.publisher, doc.published) if x)
    head = (f'<section class="doc" id="{html.escape(doc.doc_id)}"><h2>{html.escape(doc.title or doc.doc_id)}</h2>'
            f'<p class="meta">{meta} · {len(rows)} rows</p>')
    if file_text is None:
        body = '<p class="warn">source text not available (input file not given or unreadable)</p>'
        located, unlocated = [], rows
    else:
        text = file_text[doc.char_start:doc.char_end]
        located = [r for r in rows if doc.char_start <= r["char_start"] < r["char_end"] <= doc.char_end]
        unlocated = [r for r in rows if r not in located]
        body = f'<div class="text">{_marked(text, doc.char_start, located)}</div>'
    if unlocated:
        items = "".join(f'<li><a href="#" class="fig" data-obs="{html.escape(r["obs_id"])}">'
                        f'{html.escape(str(r["value_text"]))}</a></li>' for r in unlocated)
        body += f'<p class="warn">rows whose span is outside this text:</p><ul>{items}</ul>'
    return head + body + "</section>"


def _marked(text: str, offset: int, rows: list[dict]) -> str:
    """The escaped text with row spans as <mark class="fig"> and other numbers as <span class="miss">."""
    spans = [(r["char_start"] - offset, r["char_end"] - offset, r["obs_id"]) for r in rows]
    rates: list[tuple[int, int, str]] = []
    missed: list[tuple[int, int]] = []
    for m in MISSED_NUMBER.finditer(text):
        if any(s < m.end() and m.start() < e for s, e, _ in spans):
            continue
        ids = _rate_of(float(m.group().translate(_DIGITS)), m.start() + offset, rows)
        if ids:
            rates.append((m.start(), m.end(), " ".join(ids)))
        else:
            missed.append((m.start(), m.end()))
    cuts = sorted({0, len(text)} | {p for s, e, _ in spans + rates for p in (s, e)} | {p for s, e in missed for p in (s, e)})
    out = []
    for a, b in zip(cuts, cuts[1:]):
        piece = html.escape(text[a:b])
        ids = [i for s, e, i in spans if s <= a and b <= e]
        rate = [i for s, e, i in rates if s <= a and b <= e]
        if ids:
            out.append(f'<mark class="fig" tabindex="0" data-obs="{html.escape(" ".join(ids))}">{piece}</mark>')
        elif rate:
            out.append(f'<mark class="fig rate" tabindex="0" data-obs="{html.escape(rate[0])}">{piece}</mark>')
        elif any(s <= a and b <= e for s, e in missed):
            out.append(f'<span class="miss" title="number not in any row">{piece}</span>')
        else:
            out.append(piece)
    return "".join(out)


def _rate_of(number: float, pos: int, rows: list[dict]) -> list[str]:
    """obs_ids of the rows near ``pos`` whose growth or share is ``number``."""
    before, after = RATE_WINDOW
    return [r["obs_id"] for r in rows
            if r["char_start"] + before <= pos <= r["char_end"] + after
            and number in {r["yoy_pct"], -(r["yoy_pct"] or 0), r["share_pct"]}]


def _options(values: list[str], names: Mapping[str, str], everything: str) -> str:
    opts = [f'<option value="">{everything}</option>']
    opts += [f'<option value="{html.escape(v)}">{html.escape(v)}{html.escape(" " + names[v]) if v in names else ""}</option>'
             for v in values]
    return "".join(opts)


def _script_json(data: object) -> str:
    """JSON that cannot end its <script> element or open a comment: <, > and & as \\u escapes."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _page(sections: list[str], rows: dict[str, dict], shown: int, total: int) -> str:
    names = {r["code"]: r["name_zh"] for r in indicator_rows()}
    indicators = sorted({r["indicator"] for r in rows.values() if r["indicator"]})
    note = (f"{shown} of {total} documents" if shown == total else
            f"the first {shown} of {total} documents (raise with --review-limit N; 0 shows all)")
    return _TEMPLATE.format(
        css=_CSS, js=_JS, note=html.escape(note), n_rows=len(rows),
        indicator_options=_options(indicators, names, "all indicators"),
        status_options=_options(list(CODES["status"]), {}, "all statuses"),
        sections="\n".join(sections), rows=_script_json(rows),
    )


_TEMPLATE = """<!DOCTYPE html>
<html lang="zh">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>Review of extracted figures</title>
<style>{css}</style>
</head>
<body>
<header>
<h1>Review of extracted figures</h1>
<p>{note}, {n_rows} rows.
<mark class="fig legend">figure in a row</mark> <mark class="fig rate legend">its growth or share</mark>
<span class="miss legend">number not in any row</span></p>
<label>Indicator <select id="f-indicator">{indicator_options}</select></label>
<label>Status <select id="f-status">{status_options}</select></label>
<label><input type="checkbox" id="f-missed" checked> show numbers not in any row</label>
</header>
<aside id="panel"><p class="hint">Click or hover a highlighted figure to see its row.</p></aside>
<main>
{sections}
</main>
<script type="application/json" id="rows">{rows}</script>
<script>{js}</script>
</body>
</html>
"""

_CSS = """
body{font-family:system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:0;color:#222}
header{position:sticky;top:0;background:#f7f7f7;border-bottom:1px solid #ccc;padding:.5em 1em;z-index:2}
header h1{font-size:1.2em;margin:.2em 0}
header label{margin-right:1.5em}
main{margin-right:24em;padding:0 1em}
aside#panel{position:fixed;right:0;top:7.5em;bottom:0;width:23em;overflow:auto;border-left:1px solid #ccc;
 padding:.5em;background:#fff;font-size:.9em}
.doc{border-bottom:1px solid #ddd;padding:.5em 0}
.doc h2{font-size:1.05em;margin:.3em 0}
.meta{color:#666;font-size:.85em;margin:.2em 0}
.text{white-space:pre-wrap;line-height:1.7}
mark.fig{background:#ffe066;cursor:pointer;border-radius:2px}
mark.fig.rate{background:#d3f9d8;border-bottom:2px solid #2b8a3e}
mark.fig.off{background:none;border:none}
mark.fig.selected{background:#ff9f1c;outline:2px solid #d9480f}
.miss{border-bottom:2px dashed #e8590c;color:#c92a2a}
body.hide-miss .miss{border:none;color:inherit}
.warn{color:#c92a2a}
.hidden{display:none}
table.row{border-collapse:collapse;margin-bottom:1em;width:100%}
table.row th{text-align:left;color:#555;font-weight:normal;padding-right:.5em;white-space:nowrap}
table.row td{font-weight:bold}
"""

_JS = """
(function () {
  "use strict";
  var rows = JSON.parse(document.getElementById("rows").textContent);
  var panel = document.getElementById("panel");
  var fields = ["indicator", "indicator_text", "region", "subject", "period_start", "period_end",
    "period_type", "period_text", "value", "unit", "value_text", "bound", "yoy_pct", "share_pct",
    "status", "rule", "obs_id"];
  var selected = null;
  function show(mark) {
    panel.replaceChildren();
    mark.getAttribute("data-obs").split(" ").forEach(function (id) {
      var row = rows[id];
      if (!row) { return; }
      var table = document.createElement("table");
      table.className = "row";
      table.setAttribute("data-obs", id);
      fields.forEach(function (name) {
        var tr = table.insertRow();
        var th = document.createElement("th");
        th.textContent = name;
        tr.appendChild(th);
        tr.insertCell().textContent = row[name] === null ? "" : String(row[name]);
      });
      panel.appendChild(table);
    });
  }
  function select(mark) {
    if (selected) { selected.classList.remove("selected"); }
    selected = mark;
    mark.classList.add("selected");
    show(mark);
  }
  document.querySelectorAll(".fig[data-obs]").forEach(function (mark) {
    mark.addEventListener("click", function (e) { e.preventDefault(); select(mark); });
    mark.addEventListener("mouseenter", function () { show(mark); });
    mark.addEventListener("mouseleave", function () { if (selected) { show(selected); } });
    mark.addEventListener("keydown", function (e) { if (e.key === "Enter") { select(mark); } });
  });
  var fIndicator = document.getElementById("f-indicator");
  var fStatus = document.getElementById("f-status");
  function matches(id) {
    var row = rows[id];
    return row && (!fIndicator.value || row.indicator === fIndicator.value) &&
      (!fStatus.value || row.status === fStatus.value);
  }
  function filter() {
    var active = fIndicator.value || fStatus.value;
    document.querySelectorAll("section.doc").forEach(function (doc) {
      var any = false;
      doc.querySelectorAll(".fig[data-obs]").forEach(function (mark) {
        var ok = mark.getAttribute("data-obs").split(" ").some(matches);
        mark.classList.toggle("off", !ok);
        any = any || ok;
      });
      doc.classList.toggle("hidden", Boolean(active) && !any);
    });
  }
  fIndicator.addEventListener("change", filter);
  fStatus.addEventListener("change", filter);
  document.getElementById("f-missed").addEventListener("change", function (e) {
    document.body.classList.toggle("hide-miss", !e.target.checked);
  });
}());
"""
