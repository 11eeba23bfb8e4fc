"""Build extractors/data/zh/trad2simp.csv, a one-character-to-one-character Traditional →
Simplified table, from OpenCC's TSCharacters dictionary as shipped in the PyPI wheel
`opencc-python-reimplemented` (0.1.7). Offline: pass the unpacked TSCharacters.txt path.

    pip download --no-deps opencc-python-reimplemented==0.1.7 && unzip the wheel
    python scripts/build_trad2simp.py path/to/opencc/dictionary/TSCharacters.txt

Only single-character entries are kept, with the first candidate, and never a character that
is also a Simplified form (OpenCC's STCharacters.txt beside it), so normalising never
changes the text's length and offsets stay one to one.
"""
from __future__ import annotations

import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "extractors" / "data" / "zh" / "trad2simp.csv"


def main(source: Path) -> None:
    # a character that is itself a Simplified form (乾 in 乾坤, 於 as a surname) is left alone
    simplified = {line.split("\t", 1)[0] for line in
                  (source.parent / "STCharacters.txt").read_text(encoding="utf-8").splitlines() if "\t" in line}
    pairs = {}
    for line in source.read_text(encoding="utf-8").splitlines():
        if "\t" not in line:
            continue
        trad, simp = line.split("\t", 1)
        candidates = simp.split(" ")
        first = candidates[0]
        # 乾 -> "干 乾": a character listed as its own candidate is also Simplified; leave it
        if len(trad) == 1 and len(first) == 1 and trad not in candidates and trad not in simplified:
            pairs[trad] = first
    lines = ["# Traditional -> Simplified, one character each; built by scripts/build_trad2simp.py from",
             "# OpenCC TSCharacters.txt in opencc-python-reimplemented 0.1.7 (Apache-2.0).", "trad,simp"]
    lines += [f"{t},{s}" for t, s in sorted(pairs.items())]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
