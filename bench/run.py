"""Benchmark over the corpus from make_corpus.py, all measured in one run:

(a) floor: one compiled regex pass for numbers with units over the same text;
(b) peer: JioNLP's ner.extract_money (with parsing) over a deterministic sample of it (--peer-mb);
(c) our pipeline end to end (reading, extraction, Parquet + CSV tables), 1 worker and all
    workers, each in a fresh process, no cache (the all-workers run fills the cache);
(d) the all-workers run again over the unchanged input (everything from the cache);
(e) the 1-worker run with every export (--formats all), to see what the exports add.

Prints chars/s, CPU seconds (with workers; "cores used" = CPU s / wall s, which shows how much
of the machine a run actually got when it is shared) and peak RSS for each, then each target
of issue 14 with PASS or FAIL. `--profile` adds a pyinstrument profile of the extraction on the
sample: time per function, inclusive.

    python bench/run.py [--corpus bench/.corpus] [--peer-mb 5] [--workers N] [--profile]
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
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# the floor: a number (with decimals) and a scale/unit or percent sign after it
FLOOR = re.compile(r"\d+(?:\.\d+)?\s*(?:[万亿千百]*(?:元|美元|吨|亩|个|家|项|人次|人)|[%％])")
# one pipeline run in a fresh process: wall and CPU time of the run (self and workers, imports
# left out of both) and peak RSS of the whole process and of its largest worker
RUN = """
import json, resource, sys, time
from pathlib import Path
from extractors.batch import run_batch
from extractors.exports import parse_formats
corpus, out, workers, cache, formats = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1", sys.argv[5]
def cpu(who):
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime
started, cpu_before = time.perf_counter(), cpu(resource.RUSAGE_SELF)
s = run_batch([Path(corpus)], None, Path(out), workers=workers, use_cache=cache, formats=parse_formats(formats))
wall = time.perf_counter() - started
run_cpu = cpu(resource.RUSAGE_SELF) - cpu_before + cpu(resource.RUSAGE_CHILDREN)
print(json.dumps({"wall": wall, "cpu": run_cpu, "extracted": s.files_extracted, "cached": s.files_cached,
                  "rss_main_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "rss_worker_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""
CORE = "parquet,csv"
# issue 14's targets
MIN_RATE = 2.0e6  # chars/s of one worker
MIN_PEER_RATIO = 1.0
MIN_SPEED_UP = 1.8  # 2 workers over 1
MIN_CACHED_RATIO = 20.0
MAX_EXPORTS_SHARE = 0.15  # what all formats add to the core run
MAX_RSS_MB = 500.0  # 1 worker, all formats


@dataclass
class Measured:
    chars: int
    wall: float
    cpu: float
    rss_main_mb: float | None = None
    rss_worker_mb: float | None = None

    @property
    def rate(self) -> float:
        return self.chars / self.wall

    @property
    def cpu_rate(self) -> float:
        return self.chars / self.cpu


def texts(paths: list[Path]) -> list[str]:
    return [p.read_text(encoding="utf-8") for p in paths]


def floor_pass(paths: list[Path], chars: int) -> Measured:
    started, cpu = time.perf_counter(), time.process_time()
    sum(len(FLOOR.findall(t)) for t in texts(paths))
    return Measured(chars, time.perf_counter() - started, time.process_time() - cpu)


def peer_pass(paths: list[Path], chars: int) -> Measured:
    import jionlp  # the optional `bench` extra
    sample = texts(paths)
    jionlp.ner.extract_money(sample[0][:200])  # loads its tables outside the timing
    started, cpu = time.perf_counter(), time.process_time()
    for t in sample:
        jionlp.ner.extract_money(t)
    return Measured(chars, time.perf_counter() - started, time.process_time() - cpu)


def pipeline_run(corpus: Path, out: Path, chars: int, workers: int, cache: bool, formats: str = CORE) -> Measured:
    done = subprocess.run([sys.executable, "-c", RUN, str(corpus), str(out), str(workers), "1" if cache else "0",
                           formats], cwd=ROOT, check=True, capture_output=True, text=True)
    r = json.loads(done.stdout.strip().splitlines()[-1])
    return Measured(chars, r["wall"], r["cpu"], r["rss_main_mb"], r["rss_worker_mb"])


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


def print_table(results: dict[str, Measured]) -> None:
    print("\n| run | chars | wall s | chars/s | CPU s | cores used | chars per CPU s | peak RSS main / worker MB |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, r in results.items():
        rss = "" if r.rss_main_mb is None else f"{r.rss_main_mb:.0f} / {r.rss_worker_mb or 0:.0f}"
        print(f"| {name} | {r.chars / 1e6:.2f} M | {r.wall:.1f} | {r.rate / 1e6:.3f} M | {r.cpu:.1f} "
              f"| {r.cpu / r.wall:.2f} | {r.cpu_rate / 1e6:.3f} M | {rss} |")


def print_targets(floor: Measured, peer: Measured, one: Measured, many: Measured, cached: Measured,
                  everything: Measured, workers: int) -> None:
    """One line per target of issue 14, judged on wall clock (CPU-based figures beside)."""
    exports_wall = everything.wall / one.wall - 1
    exports_cpu = everything.cpu / one.cpu - 1
    rows = [
        (f"ours, 1 worker: {one.rate / 1e6:.3f} M chars/s ({one.cpu_rate / 1e6:.3f} M per CPU s)",
         f">= {MIN_RATE / 1e6:.1f} M", one.rate >= MIN_RATE),
        (f"ours, 1 worker / peer: {one.rate / peer.rate:.2f}x (per CPU s {one.cpu_rate / peer.cpu_rate:.2f}x)",
         f">= {MIN_PEER_RATIO:.1f}x", one.rate >= MIN_PEER_RATIO * peer.rate),
        (f"{workers} workers / 1 worker: {many.rate / one.rate:.2f}x "
         f"(the {workers}-worker run got {many.cpu / many.wall:.2f} cores)",
         f">= {MIN_SPEED_UP:.1f}x", many.rate >= MIN_SPEED_UP * one.rate),
        (f"cached / uncached ({workers} workers): {cached.rate / many.rate:.1f}x",
         f">= {MIN_CACHED_RATIO:.0f}x", cached.rate >= MIN_CACHED_RATIO * many.rate),
        (f"all formats over the core run (1 worker): {100 * exports_wall:+.1f} % wall "
         f"({everything.wall - one.wall:+.1f} s), {100 * exports_cpu:+.1f} % CPU",
         f"<= {100 * MAX_EXPORTS_SHARE:.0f} %", exports_wall <= MAX_EXPORTS_SHARE),
        (f"peak RSS, 1 worker, all formats: {everything.rss_main_mb:.0f} MB",
         f"<= {MAX_RSS_MB:.0f} MB", everything.rss_main_mb <= MAX_RSS_MB),
    ]
    print(f"\nours (1 worker) / floor: {one.rate / floor.rate:.3f}x\n\ntargets (issue 14):")
    for text, target, passed in rows:
        print(f"  {'PASS' if passed else 'FAIL'}  {text}  (target {target})")


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
    n = args.workers
    floor = floor_pass(paths, chars)
    peer = peer_pass(sample, sample_chars)
    one = pipeline_run(args.corpus, out / "one", chars, 1, cache=False)
    many = pipeline_run(args.corpus, out / "all", chars, n, cache=True)  # fills the cache
    cached = pipeline_run(args.corpus, out / "all", chars, n, cache=True)
    everything = pipeline_run(args.corpus, out / "formats", chars, 1, cache=False, formats="all")
    print_table({"floor (regex pass)": floor, f"peer (JioNLP extract_money, {args.peer_mb:g} MB sample)": peer,
                 "ours, 1 worker": one, f"ours, {n} workers": many, f"ours, {n} workers, cached re-run": cached,
                 "ours, 1 worker, all formats": everything})
    print_targets(floor, peer, one, many, cached, everything, n)
    if args.profile:
        profile(sample, 25)


if __name__ == "__main__":
    main()
