"""Time and peak memory of the pipeline on three hostile input shapes, all formats written.

    python bench/shapes.py [--scale 1.0] [--only NAME] [--keep DIR]

Shapes (sizes at scale 1, as in issue 11):
  no-punctuation  one 40 MB file of figures with no sentence punctuation at all
  one-per-line    one file of 200,000 lines, one figure each (about 8.6 MB)
  unclosed-script a 10 MB HTML page whose <script> never closes

Each runs ``pipeline.py FILE --out DIR --formats all --review-limit 0 --no-cache`` in a fresh
process; the peak RSS is the largest of that process and its workers (``wait4``'s rusage).
Goal (issue 11): each under 2 minutes and 1 GB. A run still going after ``--limit`` seconds is
stopped (exit -9 in the table).
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MB = 1_000_000


def no_punctuation(target: int) -> str:
    parts, size, i = ["本报讯 "], 0, 0
    while size < target:
        i += 1
        part = f"全市进出口总值{i % 9000 + 1}亿元同比增长{i % 50}.{i % 10}% 新签项目{i % 300}个 "
        parts.append(part)
        size += len(part.encode())
    return "".join(parts)


def one_per_line(lines: int) -> str:
    return "本报讯\n" + "".join(f"全市进出口总值{i % 9000 + 1}亿元\n" for i in range(lines))


def unclosed_script(target: int) -> str:
    head = "<html><head><title>株洲</title></head><body><p>本报讯 1至2月，全市进出口总值42.9亿元，同比增长46.9%。</p><script>"
    line = 'document.write("<script src=x.js>"); var total = 12345.6; if (a<b) { n = 42; }\n'
    return head + line * ((target - len(head)) // len(line))


SHAPES = {
    "no-punctuation": lambda scale: no_punctuation(int(40 * MB * scale)),
    "one-per-line": lambda scale: one_per_line(int(200_000 * scale)),
    "unclosed-script": lambda scale: unclosed_script(int(10 * MB * scale)),
}


def run(name: str, text: str, work: Path, limit: float) -> dict:
    inputs = work / name
    inputs.mkdir(parents=True)
    path = inputs / f"{name}.txt"
    path.write_text(text, encoding="utf-8")
    out = work / f"{name}.out"
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, str(ROOT / "pipeline.py"), str(path), "--out", str(out),
                             "--formats", "all", "--review-limit", "0", "--no-cache"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        while True:  # polled, so that a run past the limit is stopped and reported as such
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - started > limit:
                proc.kill()
            time.sleep(0.05)
    except BaseException:
        proc.kill()
        raise
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)  # -9: stopped at the limit
    stdout, stderr = proc.stdout.read(), proc.stderr.read()
    sizes = {p.name: p.stat().st_size for p in out.iterdir() if p.is_file()} if out.exists() else {}
    return {"shape": name, "MB": path.stat().st_size / MB, "seconds": seconds,
            "peak_rss_MB": usage.ru_maxrss * 1024 / MB, "exit": proc.returncode,
            "summary": (stdout.strip().splitlines() or [stderr.strip()])[-1],
            "review_MB": sizes.get("review.html", 0) / MB, "observations_csv_MB": sizes.get("observations.csv", 0) / MB}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="size factor for every shape (default 1)")
    parser.add_argument("--only", choices=sorted(SHAPES), action="append", help="run only these shapes")
    parser.add_argument("--limit", type=float, default=600, help="seconds before a shape's run is stopped (default 600)")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it (default: a temp folder)")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="shapes."))
    try:
        print("| shape | input MB | wall s | peak RSS MB | exit | observations.csv MB | review.html MB |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        for name in args.only or SHAPES:
            r = run(name, SHAPES[name](args.scale), work, args.limit)
            print(f"| {r['shape']} | {r['MB']:.1f} | {r['seconds']:.1f} | {r['peak_rss_MB']:.0f} | {r['exit']} "
                  f"| {r['observations_csv_MB']:.1f} | {r['review_MB']:.1f} |", flush=True)
            print(f"  {r['summary']}", file=sys.stderr, flush=True)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
