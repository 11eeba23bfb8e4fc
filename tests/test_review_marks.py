"""The review page's number marking: the same marks as the plain definition, in one pass (linear
in the text and the rows), so a 10 MB input costs seconds, not hours."""
from __future__ import annotations

import random

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


class CountedRow(dict):
    """A row that counts every read of its fields, across all rows, and stops a quadratic walk
    (every number against every row) as soon as the reads pass ``budget``."""

    reads = 0
    budget = 0

    def __getitem__(self, key):
        CountedRow.reads += 1
        assert CountedRow.reads <= CountedRow.budget, "rows are read again for every number"
        return super().__getitem__(key)

    def get(self, key, default=None):
        return self[key] if key in self else default


def test_marks_read_each_row_a_bounded_number_of_times() -> None:
    text, rows = sample(random.Random(1), 300_000)  # 1 M characters, 90 k rows, 180 k numbers
    numbers = sum(1 for _ in MISSED_NUMBER.finditer(text))
    assert len(rows) > 80_000 and numbers > 100_000
    # A row is read when it is sorted, when its rate window opens and closes, and for each number
    # in its window with its rate (a window spans a few numbers); the quadratic version, hours on
    # 10 MB, reads every row for every number.
    CountedRow.reads, CountedRow.budget = 0, 10 * (len(rows) + numbers)  # 3.6 here
    counted = [CountedRow(r) for r in rows]
    missed, rates = marks(text, counted)
    assert missed and rates
