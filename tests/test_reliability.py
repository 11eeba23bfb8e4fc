"""Issue 11: no run destroys good data, stalls, or leaves a mixed folder.

One test (or a few) per item of the issue: a run that reads nothing, bounded sentences, the
tables and derived files swapped in as one set, temp files of killed runs, dying workers,
manifest dates, invisible characters inside numbers, two runs into one folder, and growth that
stays linear in the input (scaled-down shapes of bench/shapes.py).
"""
from __future__ import annotations

import math
import os
import resource
import signal
import subprocess
import sys
import time
import tracemalloc
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from extractors import batch, extract
from extractors.batch import CACHE_FOLDER, NoInput, run_batch
from extractors.exports import FORMATS
from extractors.extract import SENTENCE_WINDOW, process_file, sentence_window
from extractors.model import SourceMeta
from extractors.outlock import LOCK_NAME, FolderBusy, folder_lock
from extractors.reading import blank_markup
from extractors.tables import OutputError

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
FIRST_SEED = sorted(SEEDS.glob("*.txt"))[0]
ARTICLE = "本报讯 1至2月，全市进出口总值42.9亿元，同比增长46.9%。\n"
META = SourceMeta("a.txt", published=date(2024, 3, 1), published_precision="day")


def cli(*args: str | Path, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "pipeline.py"), *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300, **kwargs)


def snapshot(out: Path) -> dict[str, bytes]:
    """Every file under the folder (tables, exports, cache), by relative path."""
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def good_run(tmp_path_factory) -> Path:
    """An output folder holding a complete earlier run (all formats) over one seed file."""
    out = tmp_path_factory.mktemp("good") / "out"
    assert cli(FIRST_SEED, "--out", out).returncode == 0
    return out


def copy_of(folder: Path, tmp_path: Path) -> Path:
    target = tmp_path / "out"
    for name, data in snapshot(folder).items():
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        (target / name).write_bytes(data)
    return target


# --- 1. a run that reads no input leaves the folder as it was ---

def test_a_mistyped_path_or_an_empty_folder_changes_nothing(good_run: Path, tmp_path: Path) -> None:
    out = copy_of(good_run, tmp_path)
    before = snapshot(out)
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.md").write_text("not an input")
    result = cli("seed", empty, "--out", out)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert "no such file or folder: seed" in result.stderr
    assert f"no .txt files under {empty}" in result.stderr
    assert snapshot(out) == before


def test_a_folder_of_unreadable_files_changes_nothing(good_run: Path, tmp_path: Path) -> None:
    out = copy_of(good_run, tmp_path)
    before = snapshot(out)
    junk = tmp_path / "junk"
    junk.mkdir()
    (junk / "empty.txt").write_bytes(b"")
    (junk / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    result = cli(junk, "--out", out)
    assert result.returncode == 1
    assert "empty file: empty.txt" in result.stderr and "binary file (PNG image), not text: image.txt" in result.stderr
    assert snapshot(out) == before  # the cache too: nothing was put in it


def test_no_input_creates_no_output_folder(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    with pytest.raises(NoInput, match="empty file: empty.txt"):
        run_batch([tmp_path / "empty.txt"], None, tmp_path / "out")
    assert not (tmp_path / "out").exists()


# --- 2. a row keeps a bounded window of its sentence ---

def test_sentence_window_is_bounded_and_cut_at_clause_marks() -> None:
    clauses = [f"第{i}项投资{i}亿元" for i in range(200)]
    sentence = ",".join(clauses)
    figure = sentence.index("投资100亿元") + 2
    window = sentence_window(sentence, figure, figure + len("100亿元"))
    assert len(window) <= SENTENCE_WINDOW
    assert "100亿元" in window
    assert set(window.strip(",").split(",")) <= set(clauses)  # whole clauses only
    assert sentence_window("短句,1亿元", 3, 6) == "短句,1亿元"
    assert len(sentence_window("9" * 1000, 0, 1000)) == SENTENCE_WINDOW  # a figure longer than the window


def test_rows_of_an_unpunctuated_text_keep_short_sentences() -> None:
    text = "本报讯 " + "".join(f"全市进出口总值{i}亿元 " for i in range(1, 2001))
    rows = process_file("a.txt", text.encode(), META).observations
    assert len(rows) == 2000
    assert max(len(r.sentence) for r in rows) <= SENTENCE_WINDOW
    assert all(r.value_text in r.sentence for r in rows)


# --- 3. the tables and the derived files are one set; non-finite numbers never reach a table ---

def test_a_file_size_limit_in_the_export_stage_leaves_the_previous_set(good_run: Path, tmp_path: Path) -> None:
    out = copy_of(good_run, tmp_path)
    before = snapshot(out)

    def limit() -> None:  # the core tables fit under it, the DuckDB file does not
        resource.setrlimit(resource.RLIMIT_FSIZE, (1_000_000, 1_000_000))

    result = cli(SEEDS, "--out", out, preexec_fn=limit)
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: cannot write {out / 'indicators.duckdb'}: ")
    assert "File too large" in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    after = snapshot(out)
    assert {k: v for k, v in after.items() if not k.startswith(CACHE_FOLDER)} == \
           {k: v for k, v in before.items() if not k.startswith(CACHE_FOLDER)}


@pytest.mark.parametrize("writer, file", [("xlsx.write_xlsx", "observations.xlsx"), ("review.write_review", "review.html"),
                                          ("series.write_series", "series.parquet")])
def test_a_writer_error_names_its_file_and_changes_nothing(good_run: Path, tmp_path: Path, monkeypatch,
                                                           writer: str, file: str) -> None:
    out = copy_of(good_run, tmp_path)
    before = {k: v for k, v in snapshot(out).items() if not k.startswith(CACHE_FOLDER)}

    def fail(*args, **kwargs) -> None:
        raise ValueError("NAN/INF not supported in write_number()")

    monkeypatch.setattr(f"extractors.exports.{writer}", fail)  # the exports import each writer when they run
    with pytest.raises(OutputError) as caught:
        run_batch([SEEDS], None, out, formats=FORMATS)
    assert str(caught.value) == f"cannot write {out / file}: ValueError: NAN/INF not supported in write_number()"
    assert {k: v for k, v in snapshot(out).items() if not k.startswith(CACHE_FOLDER)} == before
    assert [n for n in os.listdir(out) if n.startswith(".")] == [CACHE_FOLDER]


def test_a_figure_too_large_to_be_real_is_an_errors_row(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "good.txt").write_text(ARTICLE, encoding="utf-8")
    (inputs / "huge.txt").write_text("本报讯 1至2月，全市进出口总值" + "9" * 400 + "亿元，同比增长1" + "0" * 400 + "%。",
                                     encoding="utf-8")
    out = tmp_path / "out"
    run_batch([inputs], None, out, formats=FORMATS)
    observations = pd.read_parquet(out / "observations.parquet")
    assert list(observations.source_file) == ["good.txt"]
    errors = pd.read_parquet(out / "errors.parquet")
    assert list(errors.source_file) == ["huge.txt"]
    assert errors.reason[0].startswith("figure too large to be real: value inf from 9999")
    assert all(math.isfinite(v) for v in observations[["value", "yoy_pct"]].stack())
    assert "Infinity" not in (out / "review.html").read_text(encoding="utf-8")


# --- 4. the next run removes every temp file a killed run left, whatever the phase ---

def test_temp_files_of_runs_killed_in_the_export_phase_are_removed(good_run: Path, tmp_path: Path) -> None:
    out = copy_of(good_run, tmp_path)
    proc = subprocess.Popen([sys.executable, str(ROOT / "pipeline.py"), str(SEEDS), "--out", str(out)],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    # a derived file is being written in the staging folder (its own temp name, or DuckDB's)
    while proc.poll() is None and time.monotonic() < deadline and not any(
            n.startswith(".") for staging in out.glob(".run.*.tmp") for n in _listing(staging)):
        time.sleep(0.0005)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    # what earlier versions left beside the tables when killed while exporting
    for name in (".indicators.duckdb.a1.tmp", ".indicators.duckdb.a1.tmp.wal", ".series.parquet.b2.tmp",
                 ".indicators.csv.c3.tmp", ".datapackage.json.d4.tmp", ".review.html.e5.tmp",
                 ".observations.xlsx.f6.tmp", ".exports.g7.tmp/spill.bin", ".series.csv.h8.old",
                 f"{CACHE_FOLDER}/ab/.i9.tmp"):
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_bytes(b"left by a killed run")
    assert cli(SEEDS, "--out", out).returncode == 0
    assert [n for n in os.listdir(out) if n.startswith(".")] == [CACHE_FOLDER]
    assert not list((out / CACHE_FOLDER).glob("*/.*.tmp"))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the parent-death signal is Linux's")
def test_workers_of_a_killed_run_do_not_linger(tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, str(ROOT / "pipeline.py"), str(SEEDS), "--out", str(out),
                             "--workers", "2", "--no-cache"], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline and not _workers_of(out):
        time.sleep(0.01)
    assert _workers_of(out), "the run never started its workers"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    for _ in range(100):
        if not _workers_of(out):
            break
        time.sleep(0.05)
    assert _workers_of(out) == []


def _workers_of(out: Path) -> list[int]:
    """Processes other than the run's own whose command line names the output folder."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            parent = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError, ValueError):
            continue
        if str(out).encode() in cmdline and parent != os.getpid() and state != "Z":
            found.append(int(pid))
    return found


def _listing(folder: Path) -> list[str]:
    try:
        return os.listdir(folder)
    except OSError:  # swapped in and removed meanwhile
        return []


# --- 5. a worker that dies is replaced; its file is retried once, then an errors row ---

@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(6):
        (folder / f"f{i}.txt").write_text(ARTICLE.replace("42.9", f"{i + 1}"), encoding="utf-8")
    (folder / "killer.txt").write_text(ARTICLE, encoding="utf-8")
    return folder


def _dying(times: int, marker: Path):
    """process_file that kills its process on killer.txt the first ``times`` attempts."""
    real = extract.process_file

    def process(source_file, data, meta):
        if source_file == "killer.txt":
            attempt = len(list(marker.parent.glob(marker.name + "*")))
            (marker.parent / f"{marker.name}{attempt}").touch()
            if attempt < times:
                os.kill(os.getpid(), signal.SIGKILL)  # what the out-of-memory killer does
        return real(source_file, data, meta)
    return process


def test_a_file_that_kills_its_worker_twice_is_an_errors_row(inputs: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(extract, "process_file", _dying(2, tmp_path / "attempt"))
    summary = run_batch([inputs], None, tmp_path / "out", workers=2, use_cache=False)
    errors = pd.read_parquet(tmp_path / "out" / "errors.parquet")
    assert errors.to_dict("records") == [{"source_file": "killer.txt", "stage": "extract", "reason": "worker died"}]
    observations = pd.read_parquet(tmp_path / "out" / "observations.parquet")
    assert sorted(observations.value) == [i * 1e8 for i in range(1, 7)]  # every other file
    assert summary.documents == 6
    assert len(list(tmp_path.glob("attempt*"))) == 2  # once in the pool, once alone


def test_a_file_whose_worker_died_once_is_retried(inputs: Path, tmp_path: Path, monkeypatch) -> None:
    run_batch([inputs], None, tmp_path / "clean", workers=1, use_cache=False)
    monkeypatch.setattr(extract, "process_file", _dying(1, tmp_path / "attempt"))
    run_batch([inputs], None, tmp_path / "out", workers=2)
    for name in ("observations.parquet", "documents.parquet", "errors.parquet", "observations.csv"):
        assert (tmp_path / "out" / name).read_bytes() == (tmp_path / "clean" / name).read_bytes()
    # the worker death is not cached: a re-run takes every file, killer.txt included, from the cache
    monkeypatch.undo()
    assert run_batch([inputs], None, tmp_path / "out", workers=2).files_cached == 7


# --- 6. manifest dates outside 1900–2100 ---

def test_manifest_dates_outside_1900_to_2100_are_manifest_errors(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("early.txt", "late.txt", "first.txt", "last.txt"):
        (folder / name).write_text("本报讯 去年全市进出口总值12.5亿元。明年力争达到20亿元，今年1至2月增长5%。",
                                   encoding="utf-8")
    (folder / "manifest.csv").write_text(
        "file,publisher,published\nearly.txt,株洲日报,0001-06-01\nlate.txt,株洲日报,9999-06-01\n"
        "first.txt,株洲日报,1900-01-01\nlast.txt,株洲日报,2100-12-31\n", encoding="utf-8")
    run_batch([folder], None, tmp_path / "out")
    errors = pd.read_parquet(tmp_path / "out" / "errors.parquet")
    assert errors.to_dict("records") == [
        {"source_file": "manifest.csv", "stage": "manifest",
         "reason": f"line {n}: date '{d}' for {f} is outside 1900–2100; date ignored"}
        for n, d, f in ((2, "0001-06-01", "early.txt"), (3, "9999-06-01", "late.txt"))]
    documents = pd.read_parquet(tmp_path / "out" / "documents.parquet").set_index("source_file")
    assert set(documents.publisher) == {"株洲日报"}  # the rest of each row still applies
    observations = pd.read_parquet(tmp_path / "out" / "observations.parquet")
    assert set(observations.source_file) == {"early.txt", "late.txt", "first.txt", "last.txt"}


# --- 7. format and bidi characters, combining marks and space variants inside numbers ---

@pytest.mark.parametrize("mark", ["\u200e", "\u200f", "\u2066", "\u061c", "\ufe0f", "\u0301", "\u00a0",
                                  "\u2009", "\u202f", "\u2007"])
def test_an_invisible_or_spacing_mark_inside_a_number_keeps_its_value(mark: str) -> None:
    text = f"本报讯 1至2月，全市进出口总值1{mark}2.5亿元，同比增长4{mark}6.9%。"
    rows = process_file("a.txt", text.encode(), META).observations
    assert [(r.value, r.yoy_pct) for r in rows] == [(1.25e9, 46.9)]
    assert text[rows[0].char_start:rows[0].char_end] == f"1{mark}2.5亿元"


# --- 8. two runs into one output folder ---

def test_a_second_run_into_a_held_folder_exits_2_naming_the_other_run(good_run: Path, tmp_path: Path) -> None:
    out = copy_of(good_run, tmp_path)
    before = snapshot(out)
    with folder_lock(out):
        result = cli(SEEDS, "--out", out)
        assert result.returncode == 2
        assert result.stderr == (f"error: output folder {out} is in use by another run (pid {os.getpid()}); "
                                 "wait for it to finish or choose another --out\n")
        with pytest.raises(FolderBusy):
            run_batch([SEEDS], None, out)
    assert snapshot(out) == before  # the lock file is gone again too


def test_a_stale_lock_of_a_killed_run_is_taken_over(good_run: Path, tmp_path: Path) -> None:
    out = copy_of(good_run, tmp_path)
    (out / LOCK_NAME).write_text("999999999\n")  # a pid no process has: its holder died
    assert cli(SEEDS, "--out", out).returncode == 0
    assert not (out / LOCK_NAME).exists()


def test_two_runs_at_once_never_break_each_other(tmp_path: Path) -> None:
    out = tmp_path / "out"
    procs = [subprocess.Popen([sys.executable, str(ROOT / "pipeline.py"), str(SEEDS), "--out", str(out),
                               "--formats", "parquet,csv"], cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [(p.wait(timeout=300), p.stderr.read()) for p in procs]
    for p in procs:
        p.stdout.close()
        p.stderr.close()
    assert (0, "") in results
    for code, err in results:
        assert code == 0 or (code == 2 and f"output folder {out} is in use by another run (pid " in err)
    assert cli(SEEDS, "--out", tmp_path / "alone", "--formats", "parquet,csv").returncode == 0
    for name in ("observations.parquet", "observations.csv", "documents.csv", "errors.csv"):
        assert (out / name).read_bytes() == (tmp_path / "alone" / name).read_bytes()


# --- 9. growth stays linear in the input (scaled-down shapes of bench/shapes.py) ---

def _no_punctuation(n: int) -> str:
    return "本报讯 " + "".join(f"全市进出口总值{i}亿元同比增长{i % 50}% " for i in range(1, n + 1))


def _one_figure_per_line(n: int) -> str:
    return "本报讯\n" + "".join(f"全市进出口总值{i}亿元\n" for i in range(1, n + 1))


@pytest.mark.parametrize("shape", [_no_punctuation, _one_figure_per_line])
def test_extraction_memory_and_output_grow_linearly(shape) -> None:
    """Peak memory (tracemalloc: deterministic for a given input) and the rows' text at 4× the
    input stay within 6× of 1×; a sentence stored whole in every row made both grow 16×."""
    peaks, sizes = [], []
    for n in (500, 2000):
        data = shape(n).encode()
        tracemalloc.start()
        rows = process_file("a.txt", data, META).observations
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
        assert len(rows) >= n
        sizes.append(sum(len(r.sentence) for r in rows))
    assert peaks[1] < 6 * peaks[0]
    assert sizes[1] < 6 * sizes[0]


class Scanned(str):
    """A text that counts the characters its searches go over (``find`` here, the markup
    patterns' ``search``/``match`` through ``ScanningPattern``)."""

    chars = 0

    def find(self, sub: str, start: int = 0, end: int | None = None) -> int:
        found = super().find(sub, start, len(self) if end is None else end)
        Scanned.chars += (len(self) if found == -1 else found + len(sub)) - start
        return found


class ScanningPattern:
    def __init__(self, pattern) -> None:
        self.pattern = pattern

    def search(self, text: str, pos: int = 0):
        m = self.pattern.search(text, pos)
        Scanned.chars += (m.end() if m else len(text)) - pos  # a search in vain goes to the end
        return m

    def match(self, text: str, pos: int = 0):
        m = self.pattern.match(text, pos)
        Scanned.chars += m.end() - pos if m else 1
        return m


def test_an_unclosed_script_is_blanked_in_one_pass(monkeypatch) -> None:
    """Every search for markup goes over a stretch of the page once: about twice its length
    in all (re-scanning to the end for every "<script" inside the script, as before, went over it
    once per "<script": 20,000 times here)."""
    import extractors.reading as reading
    for name in ("_HIDDEN_OPEN", "_DECLARATION", "_ANY_TAG"):
        monkeypatch.setattr(reading, name, ScanningPattern(getattr(reading, name)))
    monkeypatch.setattr(reading, "_HIDDEN_CLOSE", {k: ScanningPattern(p) for k, p in reading._HIDDEN_CLOSE.items()})
    text = Scanned("<html><body><p>本报讯</p><script>" + 'document.write("<script>"); var x = 1234; if (a<b) {}\n' * 20_000)
    Scanned.chars = 0
    assert blank_markup(text).split() == ["本报讯"]
    assert Scanned.chars <= 4 * len(text)