"""The review page's number marking: the same marks as the plain definition, in one pass (linear
in the text and the rows), so a 10 MB input costs seconds, not hours."""
from __future__ import annotations

import random
import time

from extractors.exports.review import DATE_OR_TIME, MISSED_NUMBER, RATE_WINDOW, marks


def reference(text: str, rows: list[dict]) -> tuple[list[int], list[list[int]]]:
    """Every number against every row and date: the definition, quadratic."""
    dates = [m.span() for m in DATE_OR_TIME.finditer(text)]
    missed, rates = [], []
    for m in MISSED_NUMBER.finditer(text):
        s, e = m.span()
        if any(r["char_start"] < e and s < r["char_end"] for r in rows) or any(a < e and s < b for a, b in dates):
            continue
        n = float(m.group())
        ids = [i for i, r in enumerate(rows) if r["char_start"] + RATE_WINDOW[0] <= s <= r["char_end"] + RATE_WINDOW[1]
               and n in {r["yoy_pct"], None if r["yoy_pct"] is None else -r["yoy_pct"], r["share_pct"]}]
        if ids:
            rates.append([s, e, *ids])
        else:
            missed += [s, e]
    return missed, rates


def sample(rng: random.Random, n: int) -> tuple[str, list[dict]]:
    pieces, rows, pos = [], [], 0
    for _ in range(n):
        kind = rng.random()
        if kind < 0.3:
            piece = f"{rng.randint(1, 99)}亿元"
            rows.append({"char_start": pos, "char_end": pos + len(piece), "yoy_pct": float(rng.randint(1, 9)),
                         "share_pct": None})
        elif kind < 0.5:
            piece = f"增长{rng.randint(1, 9)}%"
        elif kind < 0.6:
            piece = rng.choice(["2024-03-20", "10:30", "2024年3月", "第3", "1至3月"])
        else:
            piece = rng.choice(["全市", "，", "。", "共有", str(rng.randint(1, 2000)), "家企业"])
        pieces.append(piece)
        pos += len(piece)
    return "".join(pieces), rows


def test_marks_match_the_definition() -> None:
    rng = random.Random(13)
    for _ in range(200):
        text, rows = sample(rng, rng.randint(1, 60))
        assert marks(text, rows) == reference(text, rows)


def test_marks_are_linear_on_a_10_mb_input() -> None:
    text, rows = sample(random.Random(1), 1_500_000)  # about 4 M characters, 10 MB as UTF-8
    assert len(text.encode()) > 9_000_000 and len(rows) > 400_000
    started = time.perf_counter()
    missed, rates = marks(text, rows)
    assert time.perf_counter() - started < 20  # about 4 s here; the quadratic version needed hours
    assert missed and rates
