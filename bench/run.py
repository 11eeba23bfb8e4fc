"""Benchmark over the corpus from make_corpus.py, all measured in one run:

(a) floor: one compiled regex pass for numbers with units over the same text;
(b) peer: JioNLP's ner.extract_money over the same text (or a deterministic sample of it, --peer-mb);
(c) our pipeline end to end, 1 worker and all workers (each run in a fresh process, no cache);
(d) a second run with all workers over the unchanged input (everything from the cache).

Prints chars/s, CPU seconds (with workers; "cores used" = CPU s / wall s, which shows how much
of the machine a run actually got when it is shared) and peak RSS for each, then the ratios. `--profile` adds a
pyinstrument profile of the extraction on the sample: time per function, inclusive.

    python bench/run.py [--corpus bench/.corpus] [--peer-mb 5] [--profile]
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# the floor: a number (with decimals) and a scale/unit or percent sign after it
FLOOR = re.compile(r"\d+(?:\.\d+)?\s*(?:[万亿千百]*(?:元|美元|吨|亩|个|家|项|人次|人)|[%％])")
# one pipeline run in a fresh process: its summary, CPU time and peak RSS (self and workers)
RUN = """
import json, resource, sys, time
from pathlib import Path
from extractors.batch import run_batch
corpus, out, workers, cache = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1"
started = time.perf_counter()
s = run_batch([Path(corpus)], None, Path(out), workers=workers, use_cache=cache)
wall = time.perf_counter() - started
me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"wall": wall, "extracted": s.files_extracted, "cached": s.files_cached,
                  "observations": s.observations, "cpu": me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime,
                  "rss_main_mb": me.ru_maxrss / 1024, "rss_worker_mb": kids.ru_maxrss / 1024}))
"""


def texts(paths: list[Path]) -> list[str]:
    return [p.read_text(encoding="utf-8") for p in paths]


def floor_pass(paths: list[Path]) -> dict:
    started, cpu = time.perf_counter(), time.process_time()
    found = sum(len(FLOOR.findall(t)) for t in texts(paths))
    return {"wall": time.perf_counter() - started, "cpu": time.process_time() - cpu, "found": found}


def peer_pass(paths: list[Path]) -> dict:
    import jionlp  # the optional `bench` extra
    sample = texts(paths)
    jionlp.ner.extract_money(sample[0][:200])  # loads its tables outside the timing
    started, cpu = time.perf_counter(), time.process_time()
    found = sum(len(jionlp.ner.extract_money(t)) for t in sample)
    return {"wall": time.perf_counter() - started, "cpu": time.process_time() - cpu, "found": found}


def pipeline_run(corpus: Path, out: Path, workers: int, cache: bool) -> dict:
    done = subprocess.run([sys.executable, "-c", RUN, str(corpus), str(out), str(workers), "1" if cache else "0"],
                          cwd=ROOT, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def profile(paths: list[Path], top: int) -> None:
    """Inclusive time per extraction function on the sample, as a share of the whole run."""
    from pyinstrument import Profiler

    from extractors.batch import run_batch
    out = ROOT / "bench" / ".out" / "profile"
    shutil.rmtree(out, ignore_errors=True)
    sample = out.parent / "profile-input"
    shutil.rmtree(sample, ignore_errors=True)
    sample.mkdir(parents=True)
    for p in paths:
        shutil.copy(p, sample / p.name)
    run_batch([sample], None, out, workers=1, use_cache=False)  # load rules outside the profile
    profiler = Profiler(interval=0.0005)
    profiler.start()
    run_batch([sample], None, out, workers=1, use_cache=False)
    session = profiler.stop()
    totals: dict[str, float] = {}

    def walk(frame, seen: frozenset) -> None:
        name = f"{frame.function} ({Path(frame.file_path or '?').name}:{frame.line_no})"
        if name not in seen and ("extractors" in (frame.file_path or "")):
            totals[name] = totals.get(name, 0.0) + frame.time
        for child in frame.children:
            walk(child, seen | {name})

    root = session.root_frame()
    walk(root, frozenset())
    print(f"\nprofile of 1 worker over the sample ({root.time:.2f} s), inclusive time per function:")
    for name, seconds in sorted(totals.items(), key=lambda kv: -kv[1])[:top]:
        print(f"  {100 * seconds / root.time:5.1f} %  {seconds:6.2f} s  {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=ROOT / "bench" / ".corpus")
    parser.add_argument("--peer-mb", type=float, default=5.0, help="size of the sample the peer runs on")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    paths = sorted(args.corpus.glob("*.txt"))
    if not paths:
        sys.exit(f"no corpus in {args.corpus}: run bench/make_corpus.py first")
    chars = sum(len(t) for t in texts(paths))
    size = sum(p.stat().st_size for p in paths)
    sample, sample_size = [], 0
    for p in paths:
        if sample_size >= args.peer_mb * 1e6:
            break
        sample.append(p)
        sample_size += p.stat().st_size
    sample_chars = sum(len(t) for t in texts(sample))
    print(f"corpus: {len(paths)} files, {size / 1e6:.1f} MB, {chars / 1e6:.2f} M chars; "
          f"peer sample: {len(sample)} files, {sample_chars / 1e6:.2f} M chars")
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}; load average at start {os.getloadavg()[0]:.2f}")

    out = ROOT / "bench" / ".out"
    shutil.rmtree(out, ignore_errors=True)
    results = {"floor": (floor_pass(paths), chars), "peer": (peer_pass(sample), sample_chars)}
    results["ours, 1 worker"] = (pipeline_run(args.corpus, out / "one", 1, cache=False), chars)
    results[f"ours, {args.workers} workers"] = (pipeline_run(args.corpus, out / "all", args.workers, cache=True), chars)
    results[f"ours, {args.workers} workers, cached"] = (pipeline_run(args.corpus, out / "all", args.workers, cache=True),
                                                        chars)
    print("\n| run | chars | wall s | chars/s | CPU s | cores used | chars per CPU s | peak RSS main / worker MB |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    speed = {}
    for name, (r, n) in results.items():
        speed[name] = n / r["wall"]
        rss = f"{r['rss_main_mb']:.0f} / {r['rss_worker_mb']:.0f}" if "rss_main_mb" in r else ""
        print(f"| {name} | {n / 1e6:.2f} M | {r['wall']:.1f} | {speed[name] / 1e6:.3f} M | {r['cpu']:.1f} "
              f"| {r['cpu'] / r['wall']:.2f} | {n / r['cpu'] / 1e6:.3f} M | {rss} |")
    one, many, cached = (speed["ours, 1 worker"], speed[f"ours, {args.workers} workers"],
                         speed[f"ours, {args.workers} workers, cached"])
    print(f"\nours (1 worker) / peer: {one / speed['peer']:.2f}x; ours (1 worker) / floor: {one / speed['floor']:.3f}x; "
          f"speed-up on {args.workers} workers: {many / one:.2f}x; cached / uncached ({args.workers} workers): "
          f"{cached / many:.1f}x")
    if args.profile:
        profile(sample, 25)


if __name__ == "__main__":
    main()
