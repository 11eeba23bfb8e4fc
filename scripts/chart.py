"""Draw one indicator for every region over time from the series table (for the README).

    python scripts/chart.py [--tables outputs] [--indicator gdp] [--measure yoy_pct|value]
                            [--period-type year] [--out docs/chart.png]

Reads ``series.parquet`` from a pipeline output folder (run ``make run`` first). Each region
whose figure concerns the region as a whole (empty subject) is one line over the periods of one
type; levels are drawn in their most common unit (money in 亿, 1e8); targets and estimates are
hollow markers. Needs the ``chart`` extra (matplotlib).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager  # noqa: E402
import pandas as pd  # noqa: E402

HERE = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(HERE))
from extractors.exports.dictionary import MONEY_UNITS, YI, indicator_rows  # noqa: E402

CJK_FONTS = ["WenQuanYi Zen Hei", "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "SimHei", "DejaVu Sans"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tables", type=Path, default=HERE / "outputs", help="pipeline output folder")
    parser.add_argument("--indicator", default="gdp")
    parser.add_argument("--measure", choices=("yoy_pct", "value"), default="yoy_pct")
    parser.add_argument("--period-type", default="year")
    parser.add_argument("--out", type=Path, default=HERE / "docs" / "chart.png")
    args = parser.parse_args(argv)
    series = pd.read_parquet(args.tables / "series.parquet")
    rows = series[(series.indicator == args.indicator) & series.subject.isna()
                  & (series.period_type == args.period_type) & series[args.measure].notna()]
    if rows.empty:
        print(f"no {args.indicator} {args.measure} for whole regions in {args.tables}/series.parquet", file=sys.stderr)
        return 1
    if args.measure == "value":
        unit = rows.unit.mode().iloc[0]
        rows = rows[rows.unit == unit]
        scale, y_label = (YI, f"亿 {unit} (100 million)") if unit in MONEY_UNITS else (1, unit)
    else:
        scale, y_label = 1, "growth on a year earlier, %"
    installed = {f.name for f in font_manager.fontManager.ttflist}
    plt.rcParams["font.family"] = [f for f in CJK_FONTS if f in installed]  # Chinese names need a CJK font
    fig, ax = plt.subplots(figsize=(8, 4.2), dpi=100)
    for region, group in rows.sort_values("period_end").groupby("region", sort=True):
        x, y = (group.year if args.period_type == "year" else group.period_end), group[args.measure] / scale
        line, = ax.plot(x, y, "-", alpha=0.5, label=region)
        for x, value, status in zip(x, y, group.status):
            ax.plot(x, value, "o", color=line.get_color(), markersize=7,
                    markerfacecolor=line.get_color() if status == "actual" else "white")
    names = {r["code"]: (r["name_zh"], r["name_en"]) for r in indicator_rows()}
    zh, en = names.get(args.indicator, (args.indicator, ""))
    ax.set_title(f"{zh} / {en}, {args.measure} by {args.period_type} (hollow: target or estimate)")
    ax.set_ylabel(y_label)
    if args.period_type == "year":
        ax.xaxis.get_major_locator().set_params(integer=True)
    ax.grid(alpha=0.3)
    ax.legend(title="region")
    fig.autofmt_xdate()
    fig.tight_layout()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(args.out, metadata={"Software": None})  # no version stamp: same tables, same bytes
    print(f"{len(rows)} points, {rows.region.nunique()} regions -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
