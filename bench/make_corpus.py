"""Build the benchmark corpus from seeds/: the same bytes for the same size and seed, every time.

Each corpus file takes the articles of one seed file (so the seed's manifest row still fits it),
shuffled, with every figure varied (a number before a unit or a percent sign is scaled by a
random factor and keeps its decimals), until the corpus reaches the wanted size.

    python bench/make_corpus.py [--mb 100] [--seed 7] [--out bench/.corpus]
"""
from __future__ import annotations

import argparse
import csv
import random
import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
# a figure: a number followed by a scale, currency, percent or counter (years and dates are kept)
FIGURE = re.compile(r"(\d+(?:\.\d+)?)(?=\s*(?:亿|万|千|百|元|美元|%|％|个|家|项|人|吨|亩|倍))")
TARGET_FILE_BYTES = 40_000


def articles(text: str) -> list[str]:
    """The seed text in blocks of paragraphs (an article or a stretch of one), never empty."""
    blocks = [b for b in re.split(r"\n\s*\n", text) if b.strip()]
    return blocks or [text]


def vary(block: str, rng: random.Random) -> str:
    def scaled(m: re.Match) -> str:
        number = m.group(1)
        decimals = len(number.split(".")[1]) if "." in number else 0
        value = float(number) * rng.uniform(0.5, 1.5)
        return f"{value:.{decimals}f}"
    return FIGURE.sub(scaled, block)


def build(out: Path, megabytes: float, seed: int) -> tuple[int, int]:
    rng = random.Random(seed)
    with (SEEDS / "manifest.csv").open(encoding="utf-8-sig", newline="") as f:
        manifest = {row["file"]: row for row in csv.DictReader(f)}
    sources = {p.name: articles(p.read_text(encoding="utf-8")) for p in sorted(SEEDS.glob("*.txt"))}
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    rows, total, n = [], 0, 0
    while total < megabytes * 1_000_000:
        name = rng.choice(sorted(sources))
        blocks = sources[name][:]
        rng.shuffle(blocks)
        parts, size = [], 0
        for block in blocks * (1 + TARGET_FILE_BYTES // max(1, sum(len(b.encode()) for b in blocks))):
            if size >= TARGET_FILE_BYTES:
                break
            parts.append(vary(block, rng))
            size += len(parts[-1].encode())
        data = "\n\n".join(parts).encode("utf-8")
        file = f"{n:06d}_{name}"
        (out / file).write_bytes(data)
        rows.append({**manifest.get(name, {}), "file": file})
        total += len(data)
        n += 1
    with (out / "manifest.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, ["file", "publisher", "published", "city"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return n, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=float, default=100.0, help="corpus size in MB (default 100)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / ".corpus")
    args = parser.parse_args()
    n, total = build(args.out, args.mb, args.seed)
    print(f"{n} files, {total / 1e6:.1f} MB -> {args.out}")


if __name__ == "__main__":
    main()
