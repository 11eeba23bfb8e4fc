"""review.html: one offline page to check every extracted figure against its text, and correct it.

The page lists the documents (those with rows first, with their row counts; a search and an
"only documents with rows" filter) and shows one document at a time: every figure that became a
row is highlighted at its span, a nearby number equal to a row's growth or share is highlighted
as that row's rate, and numbers in no row (not dates, clock times, ordinals or month ranges) are
underlined as possibly missed. The side panel shows the selected row as an analyst writes it
(``5.3万亿元``, ``增长5.5%``) with its sentence; keys move between figures and confirm, reject or
edit the row, and a text selection becomes an added figure. "Download corrections" writes the
CSV that ``--corrections`` reads back (see ``extractors/corrections.py``); when the run applied
a corrections file, the page starts from its decisions, so the download holds old and new ones.

Scale: the page carries data, not markup. Each document's text is a JSON string in its own
inert ``<script type="application/json">`` element, read and rendered only when the document
is opened; rows are arrays under one header. The marks are computed here in one pass over each
text (numbers, figure spans, dates and the rows whose rate window is open are all swept in
order), so the work is linear in the text and the rows. The page holds the first ``limit``
documents in table order (source file, position) and says how many it left out.

Safety: no network (inline CSS/JS, a Content-Security-Policy that forbids fetching), all text is
inserted as text nodes, and the JSON cannot close its script element (``<``, ``>``, ``&`` are
escaped). A document whose file is not given or no longer readable is listed with its rows but
without text.
"""
from __future__ import annotations

import bisect
import json
from collections import deque
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import regex

from ..corrections import ACTIONS, EDITABLE, KEY_COLUMNS, Corrections
from ..model import InputError
from ..reading import decode
from .dictionary import CODES, indicator_rows
from .files import write_text

if TYPE_CHECKING:
    import duckdb

DEFAULT_LIMIT = 300
# Digits (ASCII or full-width) with an optional decimal part, not an ordinal (第3) and not part of
# a date, a clock time or a month range (2024年, 5月, 11日, 10时, 1至3月, 前2个月): those are
# periods, not figures.
MISSED_NUMBER = regex.compile(
    r"(?<![第\d０-９.．])[\d０-９]+(?:[.．][\d０-９]+)?(?![\d０-９.．])"
    r"(?!\s*(?:[年月日号时分秒]|个月|个季度|[至到\-－—~～]\s*[\d０-９]+\s*[年月日号]))")
# Dates and times written with separators (2024-03-20, 2024/3/20, 2024.03, 10:30): never figures.
DATE_OR_TIME = regex.compile(
    r"(?<![\d０-９.．])(?:(?:19|20)\d{2}(?P<sep>[-/.])\d{1,2}(?:(?P=sep)\d{1,2})?|\d{1,2}[:：]\d{2}(?:[:：]\d{2})?)"
    r"(?![\d０-９])")
# A number near a row's figure that equals its growth or share (the row's span covers only the
# level) is that row's rate, not a missed figure: it is highlighted as part of the row.
RATE_WINDOW = (-20, 150)  # characters before the figure's start, after its end
_DIGITS = str.maketrans("０１２３４５６７８９．", "0123456789.")
ROW_FIELDS = ("obs_id", "source_file", "indicator", "indicator_text", "region", "region_level", "subject",
              "period_start", "period_end", "period_type", "period_text", "value", "unit", "value_text", "bound",
              "yoy_pct", "share_pct", "status", "rule", "review", "char_start", "char_end", "doc_id")
# columns of the downloaded corrections file, in the order --corrections documents them
CSV_COLUMNS = (*KEY_COLUMNS, "action", *EDITABLE)


def write_review(out_dir: Path, con: duckdb.DuckDBPyConnection, sources: Mapping[str, Path],
                 limit: int = DEFAULT_LIMIT, corrections: Path | None = None) -> None:
    """Write review.html for the first ``limit`` documents (0: all), starting from ``corrections``."""
    total = con.sql("SELECT count(*) FROM documents").fetchall()[0][0]
    cap = f"LIMIT {int(limit)}" if limit > 0 else ""
    con.execute("CREATE OR REPLACE TEMP TABLE review_docs AS SELECT doc_id, source_file, publisher, published, "
                "title, char_start, char_end, row_number() OVER () - 1 AS i FROM (SELECT * FROM documents "
                f"ORDER BY source_file, char_start, doc_id {cap})")
    docs = con.sql("SELECT doc_id, source_file, publisher, published, title, char_start, char_end "
                   "FROM review_docs ORDER BY i").fetchall()
    rows_by_doc: dict[str, list[dict]] = {}
    result = con.sql(f"SELECT {', '.join('o.' + f for f in ROW_FIELDS)} FROM observations o "
                     "JOIN review_docs d USING (doc_id) ORDER BY d.i, o.char_start, o.char_end, o.indicator, o.obs_id")
    for values in result.fetchall():
        row = dict(zip(ROW_FIELDS, values))
        rows_by_doc.setdefault(row["doc_id"], []).append(row)
    con.execute("DROP TABLE review_docs")
    decisions = _decisions(corrections)
    texts = _source_texts(sources, sorted({d[1] for d in docs}))
    write_text(out_dir / "review.html", _page(docs, rows_by_doc, texts, decisions, total))


def _decisions(path: Path | None) -> list[dict]:
    """The corrections file's decisions as the page keeps them: the address, the action and the set cells."""
    if path is None:
        return []
    try:
        decisions = Corrections.read(path).decisions
    except ValueError:
        return []  # the run has reported why the file is unusable
    return sorted(({"k": list(c.key), "action": c.action, "fields": c.cells} for c in decisions),
                  key=lambda d: tuple(d["k"]))


def _source_texts(sources: Mapping[str, Path], names: list[str]) -> dict[str, str]:
    texts = {}
    for name in names:
        path = sources.get(name)
        if path is None:
            continue
        try:
            texts[name] = decode(Path(path).read_bytes(), name)[0]
        except (OSError, InputError):
            continue  # listed as "text not available"; the core run has reported the file already
    return texts


def marks(text: str, rows: list[dict], offset: int = 0) -> tuple[list[int], list[list[int]]]:
    """Numbers in ``text`` that are in no row, and those that are a row's growth or share.

    ``rows`` (with ``char_start``, ``char_end``, ``yoy_pct``, ``share_pct`` in file offsets, and
    ``text`` starting at ``offset``) must be sorted by ``char_start``. Returns ``missed`` as flat
    ``[start, end, start, end, …]`` and ``rates`` as ``[start, end, row index, …]`` (offsets into
    ``text``). One pass: numbers, dates and rows are each walked once, in order.
    """
    spans = sorted((r["char_start"] - offset, r["char_end"] - offset) for r in rows)
    dates = [m.span() for m in DATE_OR_TIME.finditer(text)]
    before, after = RATE_WINDOW
    missed: list[int] = []
    rates: list[list[int]] = []
    si = di = ri = 0
    reach = date_reach = -1  # the furthest end of the figure (date) spans starting before this number
    # rows whose rate window has opened, by rate value; each row enters and leaves once
    by_rate: dict[float, deque[int]] = {}
    opened: deque[int] = deque()
    for m in MISSED_NUMBER.finditer(text):
        start, end = m.span()
        while si < len(spans) and spans[si][0] < end:
            reach = max(reach, spans[si][1])
            si += 1
        while di < len(dates) and dates[di][0] < end:
            date_reach = max(date_reach, dates[di][1])
            di += 1
        if reach > start or date_reach > start:
            continue
        pos = start + offset
        while ri < len(rows) and rows[ri]["char_start"] + before <= pos:
            for rate in _rates(rows[ri]):
                by_rate.setdefault(rate, deque()).append(ri)
            opened.append(ri)
            ri += 1
        # windows close roughly in opening order; a row left open a little longer is filtered below
        while opened and rows[opened[0]]["char_end"] + after < pos:
            for rate in _rates(rows[opened.popleft()]):
                by_rate[rate].popleft()  # the earliest opened row with this rate is this one
        ids = [i for i in by_rate.get(float(m.group().translate(_DIGITS)), ())
               if pos <= rows[i]["char_end"] + after]
        if ids:
            rates.append([start, end, *ids])
        else:
            missed += [start, end]
    return missed, rates


def _rates(row: dict) -> set[float]:
    yoy, share = row.get("yoy_pct"), row.get("share_pct")
    return {x for x in (yoy, None if yoy is None else -yoy, share) if x is not None}


class _Utf16:
    """Code point offsets (Python, the tables) to UTF-16 offsets (JavaScript strings) in one text."""

    def __init__(self, text: str) -> None:
        self.astral = [i for i, ch in enumerate(text) if ord(ch) > 0xFFFF] if not text.isascii() else []

    def __call__(self, i: int) -> int:
        return i + bisect.bisect_left(self.astral, i) if self.astral else i


def _page(docs: list[tuple], rows_by_doc: dict[str, list[dict]], texts: dict[str, str],
          decisions: list[dict], total: int) -> str:
    rows: list[list] = []
    doc_entries: list[dict] = []
    text_scripts: list[str] = []
    # rejected rows, shown struck through so they can be undone: by file, in order of char_start
    # (decisions come sorted by address), so each document takes its own by bisection
    rejected: dict[str, list[dict]] = {}
    for d in decisions:
        if d["action"] == "reject":
            rejected.setdefault(d["k"][0], []).append(d)
    rejected_starts = {name: [d["k"][1] for d in file_decisions] for name, file_decisions in rejected.items()}
    renamed = {(d["k"][0], d["k"][1], d["k"][2], d["fields"]["new_indicator"]): d["k"]
               for d in decisions if d["action"] == "edit" and "new_indicator" in d["fields"]}
    for n, (doc_id, source_file, publisher, published, title, start, end) in enumerate(docs):
        doc_rows = list(rows_by_doc.get(doc_id, []))
        n_rows = len(doc_rows)
        starts = rejected_starts.get(source_file, [])
        doc_rows += [_ghost(d, doc_id) for d in
                     rejected.get(source_file, [])[bisect.bisect_left(starts, start):bisect.bisect_left(starts, end)]]
        doc_rows.sort(key=lambda r: (r["char_start"], r["char_end"], r["indicator"]))
        file_text = texts.get(source_file)
        entry = {"id": doc_id, "file": source_file, "start": start, "title": title or "", "meta": " · ".join(
            str(x) for x in (publisher, published.isoformat() if published else None) if x), "n": n_rows,
            "rows": list(range(len(rows), len(rows) + len(doc_rows)))}
        if file_text is not None:
            text = file_text[start:end]
            u16 = _Utf16(text)
            inside = [r for r in doc_rows if start <= r["char_start"] < r["char_end"] <= end]
            missed, rate_marks = marks(text, inside, start)
            index = {id(r): entry["rows"][i] for i, r in enumerate(doc_rows)}
            entry["miss"] = [u16(p) for p in missed]
            entry["rates"] = [[u16(s), u16(e), *(index[id(inside[i])] for i in ids)] for s, e, *ids in rate_marks]
            text_scripts.append(f'<script type="application/json" id="t{n}">{_script_json(text)}</script>')
            entry["t"] = n
        for r in doc_rows:
            r = dict(r)
            key = (r["source_file"], r["char_start"], r["char_end"], r["indicator"])
            r["k"] = list(renamed.get(key, key)) if r.get("review") == "corrected" else list(key)
            located = file_text is not None and start <= r["char_start"] < r["char_end"] <= end
            r["s"], r["e"] = (u16(r["char_start"] - start), u16(r["char_end"] - start)) if located else (None, None)
            r["d"] = n
            rows.append([_json(r.get(f)) for f in PAGE_FIELDS])
        doc_entries.append(entry)
    names = {r["code"]: r["name_zh"] for r in indicator_rows()}
    note = (f"{len(docs)} of {total} documents" if len(docs) == total else
            f"the first {len(docs)} of {total} documents (raise with --review-limit N; 0 shows all)")
    data = {"fields": list(PAGE_FIELDS), "rows": rows, "docs": doc_entries, "decisions": decisions,
            "names": names, "codes": {k: list(v) for k, v in CODES.items() if k != "review"},
            "bounds": [*CODES["bound"], "range"], "csv": list(CSV_COLUMNS), "actions": list(ACTIONS),
            "note": note}
    return _TEMPLATE.replace("/*CSS*/", _CSS).replace("/*JS*/", _JS).replace(
        "<!--DATA-->", f'<script type="application/json" id="data">{_script_json(data)}</script>\n'
        + "\n".join(text_scripts))


PAGE_FIELDS = (*ROW_FIELDS, "k", "s", "e", "d")


def _ghost(d: dict, doc_id: str) -> dict:
    """A rejected row, known only by its address, so the page can show it struck through."""
    source_file, start, end, indicator = d["k"]
    row = dict.fromkeys(ROW_FIELDS)
    row.update(source_file=source_file, char_start=start, char_end=end, indicator=indicator,
               doc_id=doc_id, review="rejected", obs_id="")
    return row


def _json(value: object) -> object:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _script_json(data: object) -> str:
    """JSON that cannot end its <script> element or open a comment: <, > and & as \\u escapes."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


_TEMPLATE = """<!DOCTYPE html>
<html lang="zh">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>Review of extracted figures</title>
<style>/*CSS*/</style>
</head>
<body>
<header>
<h1>Review of extracted figures</h1>
<span id="note"></span>
<span class="legend"><mark class="fig">figure in a row</mark> <mark class="fig rate">its growth or share</mark>
<span class="miss">number in no row</span></span>
<div class="controls">
<label>Indicator <select id="f-indicator"></select></label>
<label>Status <select id="f-status"></select></label>
<label><input type="checkbox" id="f-missed" checked> numbers in no row</label>
<button id="add" title="select a figure in the text, then press a">Add selected figure (a)</button>
<button id="download">Download corrections</button>
<label class="file">Load corrections… <input type="file" id="load" accept=".csv,text/csv"></label>
<span id="status" role="status"></span>
</div>
</header>
<nav id="docs">
<input type="search" id="search" placeholder="search title, file or text">
<label><input type="checkbox" id="f-rows"> only documents with rows</label>
<ol id="doc-list"></ol>
</nav>
<main id="doc"><p class="hint">Choose a document.</p></main>
<aside id="panel"><p class="hint">Click a highlighted figure, or press j / k to move between figures.</p>
<p class="keys">j / k: next / previous figure · c: confirm · x: reject · e: edit · u: undo · a: add the selected text</p></aside>
<!--DATA-->
<script>/*JS*/</script>
</body>
</html>
"""

_CSS = """
*{box-sizing:border-box}
body{font-family:system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:0;color:#222;font-size:15px}
header{position:fixed;top:0;left:0;right:0;height:6.2em;background:#f4f5f7;border-bottom:1px solid #ccc;padding:.3em 1em;z-index:2}
header h1{font-size:1.15em;margin:.1em 1em .2em 0;display:inline-block}
#note{color:#555}
.legend{margin-left:1.5em;font-size:.9em}
.controls{margin-top:.35em;display:flex;flex-wrap:wrap;gap:.4em 1.2em;align-items:center}
.controls button{font:inherit;padding:.15em .7em}
label.file input{width:12em}
#status{color:#2b8a3e;font-weight:bold}
nav#docs{position:fixed;top:6.2em;left:0;bottom:0;width:21em;overflow:auto;border-right:1px solid #ccc;padding:.5em;background:#fafafa}
nav#docs input[type=search]{width:100%;font:inherit;margin-bottom:.3em}
#doc-list{list-style:none;padding:0;margin:.4em 0}
#doc-list li{padding:.35em .4em;border-bottom:1px solid #e6e6e6;cursor:pointer}
#doc-list li:hover{background:#eef3ff}
#doc-list li.open{background:#dbe7ff}
#doc-list .t{display:block;font-size:.92em}
#doc-list .f{color:#777;font-size:.78em}
#doc-list .n{float:right;background:#ffe066;border-radius:8px;padding:0 .45em;font-size:.8em;margin-left:.3em}
#doc-list .n.zero{background:#e9ecef;color:#888}
#doc-list .dn{float:right;background:#b2f2bb;border-radius:8px;padding:0 .45em;font-size:.8em}
main#doc{margin:6.2em 25em 0 21em;padding:.5em 1.5em 3em}
main h2{font-size:1.1em;margin:.4em 0}
.meta{color:#666;font-size:.85em;margin:.2em 0 .8em}
.text{white-space:pre-wrap;line-height:1.8}
mark.fig{background:#ffe066;cursor:pointer;border-radius:2px;padding:0 1px}
mark.fig.rate{background:#d3f9d8;border-bottom:2px solid #2b8a3e}
mark.fig.off{background:none;border:none}
mark.fig.confirm{box-shadow:inset 0 -3px 0 #2b8a3e}
mark.fig.edit{background:#a5d8ff}
mark.fig.add{background:#e5dbff}
mark.fig.reject{background:#e9ecef;text-decoration:line-through;color:#868e96}
mark.fig.selected{outline:2px solid #d9480f;background:#ffc078}
.miss{border-bottom:2px dashed #e8590c;color:#c92a2a}
body.hide-miss .miss{border:none;color:inherit}
.warn{color:#c92a2a}
.hidden{display:none}
aside#panel{position:fixed;right:0;top:6.2em;bottom:0;width:25em;overflow:auto;border-left:1px solid #ccc;padding:.6em .8em;background:#fff;font-size:.92em}
.hint,.keys{color:#666}
.keys{font-size:.85em}
.summary{font-size:1.2em;font-weight:bold;margin:.2em 0 .4em}
.sentence{background:#f8f9fa;border-left:3px solid #ffd43b;padding:.4em .6em;line-height:1.6}
.sentence b{background:#ffe066}
.decision{font-weight:bold;margin:.5em 0}
.decision.confirm{color:#2b8a3e}.decision.reject{color:#c92a2a}.decision.edit{color:#1864ab}.decision.add{color:#5f3dc4}
.buttons button{font:inherit;margin:.2em .3em .2em 0}
table.row{border-collapse:collapse;margin:.5em 0 1em;width:100%}
table.row th{text-align:left;color:#555;font-weight:normal;padding:.1em .5em .1em 0;white-space:nowrap;vertical-align:top}
table.row td{padding:.1em 0}
table.row td.v{font-weight:bold}
table.row input,table.row select{width:100%;font:inherit}
.raw{color:#888;font-size:.85em;font-weight:normal}
.also a{margin-right:.5em}
"""

_JS = r"""
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("data").textContent);
  var F = {};
  D.fields.forEach(function (name, i) { F[name] = i; });
  var rows = D.rows.map(function (a) {
    var r = {};
    D.fields.forEach(function (name, i) { r[name] = a[i]; });
    return r;
  });
  var docs = D.docs;
  var decisions = new Map();
  function keyOf(k) { return k.join("\u0001"); }
  D.decisions.forEach(function (d) { decisions.set(keyOf(d.k), {k: d.k, action: d.action, fields: d.fields}); });
  var EDIT = ["indicator", "region", "region_level", "subject", "period_start", "period_end", "period_type",
    "value", "unit", "bound", "status", "yoy_pct", "share_pct"];
  var NUMERIC = {value: 1, yoy_pct: 1, share_pct: 1};
  var $ = function (id) { return document.getElementById(id); };
  var current = {doc: null, row: null, editing: false};
  var texts = {};

  // ---------------------------------------------------------------- values as an analyst writes them
  function num(x) { return String(Number(Number(x).toPrecision(12))); }
  var UNIT_WORDS = {count: "个", person_time: "人次", percent: "%", mu: "亩", hectare: "公顷", m2: "平方米",
    km: "公里", ton: "吨"};
  function amount(v, unit) {
    if (v === null || v === undefined || v === "") { return ""; }
    v = Number(v);
    if (unit === "CNY" || unit === "USD") {
      var cur = unit === "CNY" ? "元" : "美元", a = Math.abs(v);
      if (a >= 1e12) { return num(v / 1e12) + "万亿" + cur; }
      if (a >= 1e8) { return num(v / 1e8) + "亿" + cur; }
      if (a >= 1e4) { return num(v / 1e4) + "万" + cur; }
      return num(v) + cur;
    }
    return num(v) + (UNIT_WORDS[unit] || (unit ? " " + unit : ""));
  }
  function bounded(text, bound) {
    if (!text) { return ""; }
    return {at_least: text + "以上", at_most: text + "以内", approx: "约" + text}[bound] || text;
  }
  function growth(y) {
    if (y === null || y === undefined || y === "") { return ""; }
    y = Number(y);
    return (y < 0 ? "下降" + num(-y) : "增长" + num(y)) + "%";
  }
  function ymd(s) { var p = s.split("-"); return {y: +p[0], m: +p[1], d: +p[2]}; }
  function period(r) {
    if (!r.period_start && !r.period_end) { return r.period_type === "unknown" || !r.period_type ? "" : r.period_type; }
    var a = ymd(r.period_start || r.period_end), b = ymd(r.period_end || r.period_start);
    if (r.period_type === "year" || (a.m === 1 && a.d === 1 && b.m === 12 && b.d === 31 && a.y === b.y)) { return a.y + "年"; }
    if (r.period_type === "day") { return a.y + "年" + a.m + "月" + a.d + "日"; }
    if (r.period_type === "as_of") { return "截至" + b.y + "年" + b.m + "月" + b.d + "日"; }
    if (a.y === b.y && a.m === b.m) { return a.y + "年" + a.m + "月"; }
    if (a.y === b.y) { return a.y + "年" + a.m + "—" + b.m + "月"; }
    if (a.m === 1 && b.m === 12) { return a.y + "—" + b.y + "年"; }
    return a.y + "年" + a.m + "月—" + b.y + "年" + b.m + "月";
  }
  function summary(r) {
    var parts = [(D.names[r.indicator] || "") + " " + (r.indicator || "?"), r.region, r.subject, period(r),
      bounded(amount(r.value, r.unit), r.bound), growth(r.yoy_pct),
      r.share_pct === null || r.share_pct === undefined || r.share_pct === "" ? "" : "占比" + num(r.share_pct) + "%",
      r.status && r.status !== "actual" ? r.status : ""];
    return parts.filter(Boolean).join(" · ");
  }
  // "5.3万亿元" / "42.9亿美元" / "36个" / "增长5.5%" -> {value, unit} or {yoy_pct}
  function parseFigure(s) {
    s = s.replace(/[０-９．]/g, function (c) { return String.fromCharCode(c.charCodeAt(0) - 0xFEE0); })
      .replace(/[\s,，]/g, "");
    var m = /(-?\d+(?:\.\d+)?)(万亿|亿|万|千)?(美元|元|个|家|项|人次|%|％)?/.exec(s);
    if (!m) { return {}; }
    var v = Number(m[1]) * ({"万亿": 1e12, "亿": 1e8, "万": 1e4, "千": 1e3}[m[2]] || 1);
    if (m[3] === "%" || m[3] === "％") { return {yoy_pct: /下降|减少|回落/.test(s) ? -v : v}; }
    var unit = {"元": "CNY", "美元": "USD", "个": "count", "家": "count", "项": "count", "人次": "person_time"}[m[3]];
    return {value: Number(v.toPrecision(15)), unit: unit || (m[2] ? "CNY" : "")};
  }

  // ---------------------------------------------------------------- decisions
  function decisionOf(r) { return decisions.get(keyOf(r.k)); }
  function actionOf(r) { var d = decisionOf(r); return d ? d.action : ""; }
  function setDecision(r, action, fields) {
    var key = keyOf(r.k), old = decisions.get(key);
    if (action === null) { decisions.delete(key); }
    else if (action === "confirm" && old && (old.action === "edit" || old.action === "add")) { return; }
    else { decisions.set(key, {k: r.k, action: action, fields: fields || (old && old.action === action ? old.fields : {})}); }
    changed();
  }
  function changed() {
    $("download").textContent = "Download corrections (" + decisions.size + ")";
    renderList();
    if (current.doc !== null) { refreshMarks(); }
    showPanel();
  }

  // ---------------------------------------------------------------- filters and document list
  var fIndicator = $("f-indicator"), fStatus = $("f-status");
  function options(select, values, label, names) {
    var o = document.createElement("option");
    o.value = ""; o.textContent = label; select.appendChild(o);
    values.forEach(function (v) {
      var e = document.createElement("option");
      e.value = v; e.textContent = v + (names && names[v] ? " " + names[v] : "");
      select.appendChild(e);
    });
  }
  var present = Array.from(new Set(rows.map(function (r) { return r.indicator; }).filter(Boolean))).sort();
  options(fIndicator, present, "all indicators", D.names);
  options(fStatus, D.codes.status, "all statuses");
  function matches(r) {
    return (!fIndicator.value || r.indicator === fIndicator.value) && (!fStatus.value || r.status === fStatus.value);
  }
  function filtering() { return Boolean(fIndicator.value || fStatus.value); }
  function textOf(doc) {
    if (doc.t === undefined) { return null; }
    if (!(doc.t in texts)) { texts[doc.t] = JSON.parse($("t" + doc.t).textContent); }
    return texts[doc.t];
  }
  var order = docs.map(function (d, i) { return i; }).sort(function (a, b) {
    return (docs[b].n > 0) - (docs[a].n > 0) || a - b;   // documents with rows first, then table order
  });
  function listed(doc) {
    if ($("f-rows").checked && doc.n === 0) { return false; }
    if (filtering() && !doc.rows.some(function (i) { return matches(rows[i]); })) { return false; }
    var q = $("search").value.trim();
    if (!q) { return true; }
    if (doc.title.indexOf(q) >= 0 || doc.file.indexOf(q) >= 0 || doc.id.indexOf(q) >= 0) { return true; }
    var t = textOf(doc);
    return t !== null && t.indexOf(q) >= 0;
  }
  function renderList() {
    var list = $("doc-list"), frag = document.createDocumentFragment();
    order.forEach(function (i) {
      var doc = docs[i];
      if (!listed(doc)) { return; }
      var li = document.createElement("li");
      li.setAttribute("data-doc", i);
      li.setAttribute("data-id", doc.id);
      li.id = "doc-" + i;
      if (i === current.doc) { li.className = "open"; }
      var n = document.createElement("span");
      n.className = "n" + (doc.n ? "" : " zero"); n.textContent = doc.n; n.title = doc.n + " rows";
      li.appendChild(n);
      var done = doc.rows.filter(function (j) { return decisionOf(rows[j]); }).length;
      if (done) { var dn = document.createElement("span"); dn.className = "dn"; dn.textContent = "✓" + done; dn.title = done + " decisions"; li.appendChild(dn); }
      var t = document.createElement("span"); t.className = "t"; t.textContent = doc.title || doc.id; li.appendChild(t);
      var f = document.createElement("span"); f.className = "f"; f.textContent = doc.file + (doc.meta ? " · " + doc.meta : ""); li.appendChild(f);
      frag.appendChild(li);
    });
    list.replaceChildren(frag);
  }
  $("doc-list").addEventListener("click", function (e) {
    var li = e.target.closest("li[data-doc]");
    if (li) { openDoc(Number(li.getAttribute("data-doc"))); }
  });

  // ---------------------------------------------------------------- one document, rendered when opened
  function openDoc(i, rowIndex) {
    current.doc = i; current.row = null; current.editing = false;
    var doc = docs[i], main = $("doc");
    var h = document.createElement("h2"); h.textContent = doc.title || doc.id;
    var meta = document.createElement("p"); meta.className = "meta";
    meta.textContent = [doc.file, doc.meta, doc.n + " rows"].filter(Boolean).join(" · ");
    var body = document.createElement("div"); body.className = "text"; body.id = "text";
    var t = textOf(doc);
    main.replaceChildren(h, meta, body);
    if (t === null) {
      var w = document.createElement("p"); w.className = "warn";
      w.textContent = "source text not available (input file not given or unreadable)";
      main.appendChild(w);
    } else {
      body.appendChild(marked(doc, t));
    }
    var outside = doc.rows.filter(function (j) { return rows[j].s === null; });
    if (outside.length) {
      var p = document.createElement("p"); p.className = "warn"; p.textContent = "rows whose span is outside this text:";
      var ul = document.createElement("ul");
      outside.forEach(function (j) {
        var li = document.createElement("li"), a = document.createElement("a");
        a.href = "#"; a.className = "fig"; a.setAttribute("data-rows", j); a.textContent = rows[j].value_text || rows[j].indicator;
        li.appendChild(a); ul.appendChild(li);
      });
      main.append(p, ul);
    }
    renderList();
    main.scrollTop = 0; window.scrollTo(0, 0);
    if (rowIndex !== undefined) { selectRow(rowIndex); } else { refreshMarks(); showPanel(); }
  }
  function marked(doc, t) {
    var events = [];  // [position, +1 start / -1 end, kind, row indices]
    doc.rows.forEach(function (j) { var r = rows[j]; if (r.s !== null) { events.push([r.s, r.e, "fig", [j]]); } });
    (doc.rates || []).forEach(function (a) { events.push([a[0], a[1], "rate", a.slice(2)]); });
    var miss = doc.miss || [];
    for (var m = 0; m < miss.length; m += 2) { events.push([miss[m], miss[m + 1], "miss", []]); }
    var cuts = new Set([0, t.length]);
    events.forEach(function (ev) { cuts.add(ev[0]); cuts.add(ev[1]); });
    cuts = Array.from(cuts).sort(function (a, b) { return a - b; });
    events.sort(function (a, b) { return a[0] - b[0]; });
    var frag = document.createDocumentFragment(), active = [], k = 0;
    for (var c = 0; c + 1 < cuts.length; c++) {
      var a = cuts[c], b = cuts[c + 1];
      while (k < events.length && events[k][0] <= a) { active.push(events[k]); k++; }
      active = active.filter(function (ev) { return ev[1] > a; });
      var piece = t.slice(a, b), figs = [], rate = [], isMiss = false;
      active.forEach(function (ev) {
        if (ev[0] <= a && b <= ev[1]) {
          if (ev[2] === "fig") { figs = figs.concat(ev[3]); } else if (ev[2] === "rate") { rate = rate.concat(ev[3]); } else { isMiss = true; }
        }
      });
      if (figs.length || rate.length) {
        var mk = document.createElement("mark");
        mk.className = "fig" + (figs.length ? "" : " rate");
        mk.setAttribute("data-rows", (figs.length ? figs : rate).join(" "));
        mk.setAttribute("data-obs", (figs.length ? figs : rate).map(function (j) { return rows[j].obs_id; }).join(" "));
        mk.textContent = piece;
        frag.appendChild(mk);
      } else if (isMiss) {
        var sp = document.createElement("span"); sp.className = "miss"; sp.title = "number in no row (select it with its unit and press a to add it)";
        sp.textContent = piece; frag.appendChild(sp);
      } else {
        frag.appendChild(document.createTextNode(piece));
      }
    }
    return frag;
  }
  function marksOf(j) {
    return Array.from(document.querySelectorAll("#doc mark.fig[data-rows]")).filter(function (mk) {
      return mk.getAttribute("data-rows").split(" ").indexOf(String(j)) >= 0;
    });
  }
  function refreshMarks() {
    document.querySelectorAll("#doc mark.fig[data-rows]").forEach(function (mk) {
      var ids = mk.getAttribute("data-rows").split(" ").map(Number);
      var rs = ids.map(function (j) { return rows[j]; });
      mk.classList.toggle("off", !rs.some(matches));
      ["confirm", "reject", "edit", "add"].forEach(function (a) {
        mk.classList.toggle(a, !mk.classList.contains("rate") && rs.some(function (r) {
          return actionOf(r) === a;
        }));
      });
      mk.classList.toggle("selected", ids.indexOf(current.row) >= 0);
      mk.title = rs.map(summary).join("\n");
    });
  }
  document.addEventListener("click", function (e) {
    var mk = e.target.closest ? e.target.closest("#doc .fig[data-rows]") : null;
    if (!mk) { return; }
    e.preventDefault();
    var ids = mk.getAttribute("data-rows").split(" ").map(Number);
    var next = ids.indexOf(current.row) >= 0 ? ids[(ids.indexOf(current.row) + 1) % ids.length] : ids[0];
    selectRow(next);
  });

  // ---------------------------------------------------------------- the selected row
  function visibleRows() {
    if (current.doc === null) { return []; }
    return docs[current.doc].rows.filter(function (j) { return rows[j] && matches(rows[j]); });
  }
  function selectRow(j) {
    current.row = j; current.editing = false;
    refreshMarks();
    var mk = marksOf(j)[0];
    if (mk) { mk.scrollIntoView({block: "center"}); }
    showPanel();
  }
  function move(step) {
    var list = visibleRows();
    if (!list.length) { return; }
    var at = list.indexOf(current.row);
    var next = at < 0 ? (step > 0 ? 0 : list.length - 1) : Math.min(list.length - 1, Math.max(0, at + step));
    selectRow(list[next]);
  }
  function sentenceOf(r) {
    var t = textOf(docs[r.d]);
    if (t === null || r.s === null) { return null; }
    var ends = "。！？；!?;\n", a = r.s, b = r.e;
    while (a > 0 && r.s - a < 300 && ends.indexOf(t[a - 1]) < 0) { a--; }
    while (b < t.length && b - r.e < 300 && ends.indexOf(t[b]) < 0) { b++; }
    return [t.slice(a, r.s), t.slice(r.s, r.e), t.slice(r.e, Math.min(t.length, b + 1))];
  }
  function cell(tr, text, cls) { var td = tr.insertCell(); td.textContent = text; if (cls) { td.className = cls; } return td; }
  function button(label, fn, id) { var b = document.createElement("button"); b.textContent = label; b.addEventListener("click", fn); if (id) { b.id = id; } return b; }
  function showPanel() {
    var panel = $("panel");
    var r = current.row === null ? null : rows[current.row];
    if (!r) {
      var p = document.createElement("p"); p.className = "hint";
      p.textContent = current.doc === null ? "Choose a document." : "Click a highlighted figure, or press j / k to move between figures.";
      var keys = document.createElement("p"); keys.className = "keys";
      keys.textContent = "j / k: next / previous figure · c: confirm · x: reject · e: edit · u: undo · a: add the selected text";
      panel.replaceChildren(p, keys);
      return;
    }
    var out = [];
    var head = document.createElement("p"); head.className = "summary"; head.textContent = summary(r); out.push(head);
    if (!matches(r)) { var hid = document.createElement("p"); hid.className = "warn"; hid.textContent = "hidden by the filters"; out.push(hid); }
    var s = sentenceOf(r);
    if (s) {
      var q = document.createElement("p"); q.className = "sentence";
      var bold = document.createElement("b"); bold.textContent = s[1];
      q.append(document.createTextNode(s[0]), bold, document.createTextNode(s[2]));
      out.push(q);
    }
    var d = decisionOf(r);
    var state = document.createElement("p");
    state.className = "decision " + (d ? d.action : "");
    state.textContent = d ? {confirm: "confirmed", reject: "rejected", edit: "corrected", add: "added"}[d.action] +
      (Object.keys(d.fields).length ? ": " + Object.keys(d.fields).map(function (k) { return k + " = " + d.fields[k]; }).join(", ") : "")
      : (r.review ? "from the corrections file: " + r.review : "not reviewed");
    state.id = "decision";
    out.push(state);
    var buttons = document.createElement("div"); buttons.className = "buttons";
    if (current.editing) {
      buttons.append(button("Save (Enter)", saveEdit, "save"), button("Cancel (Esc)", function () { current.editing = false; showPanel(); }, "cancel"));
    } else {
      buttons.append(button("Confirm (c)", function () { act("c"); }, "confirm"), button("Reject (x)", function () { act("x"); }, "reject"),
        button("Edit (e)", function () { act("e"); }, "edit"), button("Undo (u)", function () { act("u"); }, "undo"));
    }
    out.push(buttons);
    var table = document.createElement("table"); table.className = "row"; table.setAttribute("data-row", current.row);
    table.setAttribute("data-obs", r.obs_id || "");
    if (current.editing) {
      EDIT.forEach(function (name) { editRow(table, name, r); });
    } else {
      [["indicator", (r.indicator || "") + (D.names[r.indicator] ? " " + D.names[r.indicator] : "")],
        ["indicator_text", r.indicator_text], ["region", r.region], ["region_level", r.region_level], ["subject", r.subject],
        ["period", period(r)], ["period_start", r.period_start], ["period_end", r.period_end], ["period_type", r.period_type],
        ["period_text", r.period_text], ["value", bounded(amount(r.value, r.unit), r.bound), r.value], ["unit", r.unit],
        ["value_text", r.value_text], ["bound", r.bound], ["yoy_pct", growth(r.yoy_pct), r.yoy_pct],
        ["share_pct", r.share_pct === null || r.share_pct === undefined ? "" : num(r.share_pct) + "%"], ["status", r.status],
        ["rule", r.rule], ["review", r.review], ["obs_id", r.obs_id]].forEach(function (f) {
        var tr = table.insertRow(); tr.setAttribute("data-field", f[0]);
        var th = document.createElement("th"); th.textContent = f[0]; tr.appendChild(th);
        var td = cell(tr, f[1] === null || f[1] === undefined ? "" : String(f[1]), "v");
        if (f[2] !== undefined && f[2] !== null && f[2] !== "") {
          var raw = document.createElement("span"); raw.className = "raw"; raw.textContent = " (" + String(f[2]) + ")"; td.appendChild(raw);
        }
      });
    }
    out.push(table);
    var others = docs[r.d].rows.filter(function (j) { return j !== current.row && rows[j].s !== null && rows[j].s < r.e && r.s < rows[j].e; });
    if (others.length) {
      var also = document.createElement("p"); also.className = "also"; also.textContent = "also at this figure: ";
      others.forEach(function (j) { var a = document.createElement("a"); a.href = "#"; a.textContent = rows[j].indicator; a.addEventListener("click", function (e) { e.preventDefault(); selectRow(j); }); also.appendChild(a); });
      out.push(also);
    }
    panel.replaceChildren.apply(panel, out);
    if (current.editing) { var first = panel.querySelector("input,select"); if (first) { first.focus(); } }
  }
  function editRow(table, name, r) {
    var tr = table.insertRow(); tr.setAttribute("data-field", name);
    var th = document.createElement("th"); th.textContent = name; tr.appendChild(th);
    var choices = name === "indicator" ? Object.keys(D.names).sort() : name === "bound" ? D.bounds : D.codes[name];
    var input;
    if (choices) {
      input = document.createElement("select");
      options(input, choices.indexOf(r[name]) < 0 && r[name] ? choices.concat([r[name]]) : choices, "", name === "indicator" ? D.names : null);
    } else {
      input = document.createElement("input");
      if (name === "value") { input.placeholder = "yuan, or 5.3亿"; }
    }
    input.name = name;
    input.value = r[name] === null || r[name] === undefined ? "" : String(r[name]);
    tr.insertCell().appendChild(input);
  }
  function formValue(name, text) {
    text = text.trim();
    if (!text || !NUMERIC[name]) { return text; }
    if (name === "value" && /[万亿千]/.test(text)) { var p = parseFigure(text); return p.value === undefined ? text : String(p.value); }
    return String(Number(text));
  }
  function saveEdit() {
    var r = rows[current.row], fields = {}, bad = null;
    document.querySelectorAll("#panel table.row [name]").forEach(function (input) {
      var name = input.name, v = formValue(name, input.value), old = r[name] === null || r[name] === undefined ? "" : String(r[name]);
      if (NUMERIC[name] && v && isNaN(Number(v))) { bad = name; }
      if (v !== old || r.review === "added" || (decisionOf(r) || {}).action === "add") { if (v) { fields[name] = v; } }
    });
    if (bad) { flash(bad + " must be a number"); return; }
    var d = decisionOf(r), adding = r.pending || (d && d.action === "add");
    if (adding) {
      if (!fields.indicator) { flash("choose an indicator"); return; }
      if (!fields.value && !fields.yoy_pct && !fields.share_pct) { flash("give a value, yoy_pct or share_pct"); return; }
      if (d) { decisions.delete(keyOf(r.k)); }
      r.k = [r.source_file, r.char_start, r.char_end, fields.indicator];
      delete r.pending;
      var add = {};
      Object.keys(fields).forEach(function (k) { if (k !== "indicator") { add[k] = fields[k]; } });
      add.value_text = r.value_text;
      Object.keys(fields).forEach(function (k) { r[k] = NUMERIC[k] ? Number(fields[k]) : fields[k]; });
      current.editing = false;
      setDecision(r, "add", add);
      openDoc(current.doc, current.row);
      return;
    }
    if (!Object.keys(fields).length) { current.editing = false; showPanel(); return; }
    var merged = Object.assign({}, d && d.action === "edit" ? d.fields : {});
    if (!r.before) { r.before = {}; EDIT.forEach(function (k) { r.before[k] = r[k]; }); }  // for undo
    Object.keys(fields).forEach(function (k) {
      merged[k === "indicator" ? "new_indicator" : k] = fields[k];
      r[k] = NUMERIC[k] ? Number(fields[k]) : fields[k];
    });
    current.editing = false;
    setDecision(r, "edit", merged);
  }
  function act(key) {
    var r = current.row === null ? null : rows[current.row];
    if (key === "a") { addFromSelection(); return; }
    if (!r) { return; }
    var d = decisionOf(r);
    if (key === "c") { setDecision(r, "confirm"); flash("confirmed"); move(1); }
    else if (key === "x") {
      if (r.pending || (d && d.action === "add")) { dropAdded(r); return; }
      setDecision(r, "reject"); flash("rejected"); move(1);
    } else if (key === "e") { current.editing = true; showPanel(); }
    else if (key === "u") {
      if (r.pending) { dropAdded(r); return; }
      if (r.before && d && d.action === "edit") { Object.assign(r, r.before); delete r.before; }
      setDecision(r, null); flash("decision undone");
    }
  }
  function dropAdded(r) {
    decisions.delete(keyOf(r.k));
    var doc = docs[r.d];
    doc.rows = doc.rows.filter(function (j) { return j !== current.row; });
    rows[current.row] = null;
    current.row = null;
    changed();
    openDoc(r.d);
  }
  function flash(text) { var s = $("status"); s.textContent = text; clearTimeout(flash.t); flash.t = setTimeout(function () { s.textContent = ""; }, 2500); }

  // ---------------------------------------------------------------- add a figure from a text selection
  function codePoints(s) { var n = 0; for (var i = 0; i < s.length; i++) { var c = s.charCodeAt(i); if (c < 0xDC00 || c > 0xDFFF) { n++; } } return n; }
  function addFromSelection() {
    var sel = window.getSelection(), body = $("text");
    if (current.doc === null || !body || !sel.rangeCount || sel.isCollapsed) { flash("select a figure in the text first"); return; }
    var range = sel.getRangeAt(0);
    if (!body.contains(range.startContainer) || !body.contains(range.endContainer)) { flash("select inside the document text"); return; }
    var pre = document.createRange(); pre.setStart(body, 0); pre.setEnd(range.startContainer, range.startOffset);
    var doc = docs[current.doc], t = textOf(doc), s = pre.toString().length, e = s + range.toString().length;
    while (s < e && /\s/.test(t[s])) { s++; }
    while (e > s && /\s/.test(t[e - 1])) { e--; }
    if (s >= e) { flash("select a figure in the text first"); return; }
    var lead = doc.rows.map(function (j) { return rows[j]; }).filter(function (r) { return r && r.s !== null && r.s <= s && r.review !== "rejected"; }).pop() || {};
    var start = doc.start + codePoints(t.slice(0, s)), end = start + codePoints(t.slice(s, e));
    var parsed = parseFigure(t.slice(s, e));
    var r = {source_file: doc.file, char_start: start, char_end: end, indicator: "", value_text: t.slice(s, e).replace(/\s+/g, ""),
      region: lead.region || "", region_level: lead.region_level || "", subject: "", period_start: lead.period_start || "",
      period_end: lead.period_end || "", period_type: lead.period_type || "unknown", value: parsed.value === undefined ? "" : parsed.value,
      unit: parsed.unit || "", bound: "exact", status: lead.status || "actual", yoy_pct: parsed.yoy_pct === undefined ? "" : parsed.yoy_pct,
      share_pct: "", review: "added", rule: "manual", obs_id: "", s: s, e: e, d: current.doc, pending: true};
    r.k = [r.source_file, r.char_start, r.char_end, ""];
    rows.push(r);
    doc.rows.push(rows.length - 1);
    doc.rows.sort(function (a, b) { return rows[a].s - rows[b].s || a - b; });
    sel.removeAllRanges();
    openDoc(current.doc, rows.length - 1);
    current.editing = true;
    showPanel();
  }

  // ---------------------------------------------------------------- the corrections file
  function csvCell(v) {
    v = v === null || v === undefined ? "" : String(v);
    if (/^[=+\-@\t\r]/.test(v) && isNaN(Number(v))) { v = "'" + v; }
    return /[",\r\n]/.test(v) ? '"' + v.replace(/"/g, '""') + '"' : v;
  }
  function correctionsCsv() {
    var list = Array.from(decisions.values()).sort(function (a, b) {
      return a.k[0] < b.k[0] ? -1 : a.k[0] > b.k[0] ? 1 : a.k[1] - b.k[1] || a.k[2] - b.k[2] || (a.k[3] < b.k[3] ? -1 : a.k[3] > b.k[3] ? 1 : 0);
    });
    var lines = [D.csv.join(",")];
    list.forEach(function (d) {
      var row = {source_file: d.k[0], char_start: d.k[1], char_end: d.k[2], indicator: d.k[3], action: d.action};
      lines.push(D.csv.map(function (c) { return csvCell(c in row ? row[c] : d.fields[c]); }).join(","));
    });
    return "\ufeff" + lines.join("\r\n") + "\r\n";
  }
  $("download").addEventListener("click", function () {
    var a = document.createElement("a");
    a.href = URL.createObjectURL(new Blob([correctionsCsv()], {type: "text/csv;charset=utf-8"}));
    a.download = "corrections.csv";
    document.body.appendChild(a); a.click(); a.remove();
    flash(decisions.size + " decisions downloaded as corrections.csv");
  });
  function parseCsv(text) {
    var out = [], row = [], cell = "", q = false;
    text = text.replace(/^\ufeff/, "");
    for (var i = 0; i < text.length; i++) {
      var ch = text[i];
      if (q) { if (ch === '"') { if (text[i + 1] === '"') { cell += '"'; i++; } else { q = false; } } else { cell += ch; } }
      else if (ch === '"') { q = true; }
      else if (ch === ",") { row.push(cell); cell = ""; }
      else if (ch === "\n" || ch === "\r") { if (ch === "\r" && text[i + 1] === "\n") { i++; } row.push(cell); out.push(row); row = []; cell = ""; }
      else { cell += ch; }
    }
    if (cell || row.length) { row.push(cell); out.push(row); }
    return out;
  }
  $("load").addEventListener("change", function (e) {
    var file = e.target.files[0];
    if (!file) { return; }
    var reader = new FileReader();
    reader.onload = function () {
      var table = parseCsv(String(reader.result)), head = (table.shift() || []).map(function (h) { return h.trim().toLowerCase(); });
      var n = 0;
      table.forEach(function (cells) {
        var c = {};
        head.forEach(function (h, i) { c[h] = (cells[i] || "").trim(); });
        if (D.actions.indexOf(c.action) < 0 || !c.source_file || !c.indicator) { return; }
        var fields = {};
        D.csv.slice(5).forEach(function (h) { if (c[h]) { fields[h] = c[h].replace(/^'(?=[=+\-@\t\r])/, ""); } });
        var k = [c.source_file, Number(c.char_start), Number(c.char_end), c.indicator];
        decisions.set(keyOf(k), {k: k, action: c.action, fields: fields});
        n++;
      });
      flash(n + " decisions loaded");
      changed();
    };
    reader.readAsText(file, "utf-8");
  });

  // ---------------------------------------------------------------- keys and controls
  document.addEventListener("keydown", function (e) {
    var tag = (e.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "select" || tag === "textarea") {
      if (current.editing && e.key === "Enter") { e.preventDefault(); saveEdit(); }
      else if (current.editing && e.key === "Escape") { current.editing = false; showPanel(); }
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey) { return; }
    var k = e.key;
    if (k === "j" || k === "ArrowDown" || k === "n") { e.preventDefault(); move(1); }
    else if (k === "k" || k === "ArrowUp" || k === "p") { e.preventDefault(); move(-1); }
    else if ("cxeua".indexOf(k) >= 0 && k.length === 1) { e.preventDefault(); act(k); }
    else if (k === "Escape" && current.editing) { current.editing = false; showPanel(); }
  });
  $("add").addEventListener("mousedown", function (e) { e.preventDefault(); });  // keep the text selection
  $("add").addEventListener("click", function () { act("a"); });
  function refilter() { renderList(); if (current.doc !== null) { refreshMarks(); } showPanel(); }
  fIndicator.addEventListener("change", refilter);
  fStatus.addEventListener("change", refilter);
  $("f-rows").addEventListener("change", renderList);
  var searchTimer = null;
  $("search").addEventListener("input", function () { clearTimeout(searchTimer); searchTimer = setTimeout(renderList, 150); });
  $("f-missed").addEventListener("change", function (e) { document.body.classList.toggle("hide-miss", !e.target.checked); });
  $("note").textContent = D.note + ", " + rows.filter(function (r) { return r.review !== "rejected"; }).length + " rows";
  changed();
  if (order.length) { openDoc(order[0]); }
  document.body.setAttribute("data-ready", "1");
}());
"""
