"""Batch runs: worker count, cache, Dask, streaming writer, partitions and the all-or-nothing swap."""
from __future__ import annotations

import os
import shutil
import sys
from concurrent.futures import Future
from datetime import date
from functools import partial
from pathlib import Path

import pandas as pd
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from extractors import batch, parallel
from extractors.batch import CACHE_FOLDER, as_tuples, run_batch
from extractors.cache import Cache
from extractors.parallel import extract_rows
from extractors.tables import (TABLES, OutputError, TableSet, csv_bytes, parquet_bytes, prepared_rows, prepared_table,
                               write_tables)

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
TABLE_FILES = [f"{stem}.{fmt}" for stem in TABLES for fmt in ("parquet", "csv")]
# a city the seeds' manifest does not name, a file without any city, a file that cannot be decoded
EXTRA = {
    "a/late.txt": "株洲日报讯 2023年1至6月，全市进出口总值42.9亿元，同比增长12.5%。",
    "b/nocity.txt": "本报讯 1至2月，全市进出口总值12.1亿元。",
    "b/broken.txt": b"\x89PNG\r\n\x1a\n" + b"\x00" * 20,
}


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    shutil.copytree(SEEDS, folder)
    for name, content in EXTRA.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        data = content.encode("utf-8") if isinstance(content, str) else content
        (folder / name).write_bytes(data)
    return folder


def snapshot(out: Path) -> dict[str, bytes]:
    """Every output file except the cache, by relative path."""
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and CACHE_FOLDER not in p.relative_to(out).parts}


def test_tables_are_byte_identical_for_any_worker_count(inputs: Path, tmp_path: Path) -> None:
    one = run_batch([inputs], None, tmp_path / "w1", workers=1, partition_by=("city", "year"))
    two = run_batch([inputs], None, tmp_path / "w2", workers=2, partition_by=("city", "year"))
    assert (one.documents, one.observations, one.errors, one.files_extracted) == (
        two.documents, two.observations, two.errors, 8)
    first, second = snapshot(tmp_path / "w1"), snapshot(tmp_path / "w2")
    assert set(TABLE_FILES) < set(first)
    assert first == second


def test_row_order_does_not_depend_on_the_order_inputs_are_given(inputs: Path, tmp_path: Path) -> None:
    files = sorted(inputs.rglob("*.txt"))
    run_batch(files, inputs / "manifest.csv", tmp_path / "forward", use_cache=False)
    run_batch(files[::-1], inputs / "manifest.csv", tmp_path / "backward", use_cache=False)
    assert snapshot(tmp_path / "forward") == snapshot(tmp_path / "backward")
    sources = pd.read_csv(tmp_path / "forward" / "documents.csv", encoding="utf-8-sig").source_file
    assert list(sources) == sorted(sources)  # files follow each other by name


def test_a_second_run_takes_everything_from_the_cache(inputs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = run_batch([inputs], None, out)
    tables = snapshot(out)
    again = run_batch([inputs], None, out)
    assert (first.files_extracted, first.files_cached) == (8, 0)
    assert (again.files_extracted, again.files_cached) == (0, 8)
    assert snapshot(out) == tables
    assert (again.documents, again.observations, again.errors) == (first.documents, first.observations, first.errors)


def test_only_a_changed_file_is_extracted_again(inputs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_batch([inputs], None, out)
    (inputs / "a" / "late.txt").write_text("株洲日报讯 2023年1至6月，全市进出口总值50亿元。", encoding="utf-8")
    summary = run_batch([inputs], None, out)
    assert (summary.files_extracted, summary.files_cached) == (1, 7)
    values = pd.read_parquet(out / "observations.parquet").query("source_file == 'late.txt'").value
    assert list(values) == [5e9]
    assert len(list((out / CACHE_FOLDER).glob("*/*"))) == 8  # the old entry of late.txt is pruned


def test_a_new_rules_version_invalidates_the_cache(inputs: Path, tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "out"
    run_batch([inputs], None, out)
    monkeypatch.setattr(batch, "rules_version", lambda: "another-version")
    assert run_batch([inputs], None, out).files_extracted == 8


def test_the_rules_version_covers_rule_files_and_code(tmp_path: Path, monkeypatch) -> None:
    from extractors import vocab
    package = tmp_path / "extractors"
    shutil.copytree(Path(vocab.__file__).parent, package, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(vocab, "DATA_DIR", package / "data")
    before = vocab.rules_version()
    with (package / "data" / "zh" / "units.csv").open("a", encoding="utf-8") as f:
        f.write("\n")
    after_rule = vocab.rules_version()
    with (package / "figures.py").open("a", encoding="utf-8") as f:
        f.write("\n")
    assert len({before, after_rule, vocab.rules_version()}) == 3


def test_corrupt_and_half_written_entries_are_recomputed(inputs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_batch([inputs], None, out)
    tables = snapshot(out)
    entries = sorted((out / CACHE_FOLDER).glob("*/*"))
    entries[0].write_bytes(b"not zlib")
    entries[1].write_bytes(entries[1].read_bytes()[:10])
    (entries[2].parent / ".left-by-a-crash.tmp").write_bytes(b"")
    summary = run_batch([inputs], None, out)
    assert (summary.files_extracted, summary.files_cached) == (2, 6)
    assert snapshot(out) == tables
    assert not list((out / CACHE_FOLDER).glob("*/.*.tmp"))


def test_no_cache_extracts_everything_and_leaves_the_cache_alone(inputs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_batch([inputs], None, out)
    entries = {p: p.read_bytes() for p in (out / CACHE_FOLDER).glob("*/*")}
    (inputs / "a" / "late.txt").unlink()
    summary = run_batch([inputs], None, out, use_cache=False)
    assert (summary.files_extracted, summary.files_cached) == (7, 0)
    assert {p: p.read_bytes() for p in (out / CACHE_FOLDER).glob("*/*")} == entries


def test_cache_entries_round_trip_dates_and_nulls(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    rows = {"observations": [], "errors": [("x.txt", "read", "bad")],
            "documents": [("d1", "x.txt", None, date(2024, 3, 1), "株洲市", None, "标题", "news", 0, 9, 1, "manifest")]}
    cache.put("ab" + "0" * 62, rows)
    assert as_tuples(cache.get("ab" + "0" * 62)) == rows
    assert cache.get("cd" + "0" * 62) is None


def test_cached_fresh_and_mixed_runs_write_the_same_bytes_across_row_groups(inputs: Path, tmp_path: Path,
                                                                           monkeypatch) -> None:
    """Row groups of 7 rows, so a group holds rows of cached and of fresh files, and files span groups."""
    monkeypatch.setattr(batch, "TableSet", partial(TableSet, row_group_rows=7))
    out = tmp_path / "out"
    run_batch([inputs], None, tmp_path / "plain", use_cache=False)
    assert pq.ParquetFile(tmp_path / "plain" / "observations.parquet").num_row_groups > 2
    run_batch([inputs], None, out)
    assert snapshot(out) == snapshot(tmp_path / "plain")
    assert run_batch([inputs], None, out).files_cached == 8
    assert snapshot(out) == snapshot(tmp_path / "plain")
    (inputs / "a" / "late.txt").write_text("株洲日报讯 2023年1至6月，全市进出口总值50亿元，同比增长3%。", encoding="utf-8")
    assert run_batch([inputs], None, out).files_extracted == 1
    run_batch([inputs], None, tmp_path / "plain", use_cache=False)
    assert snapshot(out) == snapshot(tmp_path / "plain")


def test_a_damaged_entry_is_a_miss(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    rows = {"observations": [], "errors": [], "documents": [("d1", "x.txt", None, None, None, None, "标题", "news",
                                                              0, 9, 0, "manifest")]}
    cache.put("ab" + "0" * 62, rows)
    entry = next(tmp_path.glob("*/*"))
    data = bytearray(entry.read_bytes())
    data[len(data) // 2] ^= 0x01
    entry.write_bytes(bytes(data))
    assert cache.get("ab" + "0" * 62) is None


def test_work_in_flight_is_bounded(inputs: Path, tmp_path: Path, monkeypatch) -> None:
    """At most a window of files is submitted ahead of the one being written (bounded memory)."""
    outstanding, peak = [], [0]

    class LazyFuture(Future):
        def __init__(self, fn, args) -> None:
            super().__init__()
            self.call = (fn, args)

        def result(self, timeout=None):
            outstanding.remove(self)
            fn, args = self.call
            return fn(*args)

    def submit(fn, *args):
        outstanding.append(LazyFuture(fn, args))
        peak[0] = max(peak[0], len(outstanding))
        return outstanding[-1]

    for i in range(30):
        (inputs / f"extra{i:02}.txt").write_text(f"本报讯 全市进出口总值{i + 1}亿元。", encoding="utf-8")
    monkeypatch.setattr(batch, "Runner", lambda workers, dask: _FakeRunner(submit, parallel=2))
    summary = run_batch([inputs], None, tmp_path / "out", use_cache=False)
    assert summary.files_extracted == 38
    assert 1 < peak[0] <= 2 * 4 + 1


class _FakeRunner:
    def __init__(self, submit, parallel: int) -> None:
        self.submit, self.parallel = submit, parallel

    def result(self, future, fn, *args):
        return future.result()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        return None


def test_dask_cluster_gives_the_same_tables(inputs: Path, tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    run_batch([inputs], None, tmp_path / "local", workers=1)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        summary = run_batch([inputs], None, tmp_path / "dask", dask=cluster.scheduler_address)
    assert summary.files_extracted == 8
    assert snapshot(tmp_path / "dask") == snapshot(tmp_path / "local")


def test_partitions_read_back_as_one_dataset(inputs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_batch([inputs], None, out, partition_by=("city", "year"))
    flat = pd.read_parquet(out / "observations.parquet")
    dataset = ds.dataset(out / "observations", format="parquet", partitioning="hive")
    parts = dataset.to_table().to_pandas()
    assert len(parts) == len(flat) > 0
    assert (out / "observations" / "city=").is_dir()  # nocity.txt
    late = parts[parts.source_file == "late.txt"]
    assert set(zip(late.city, late.year)) == {("株洲市", 2023)}
    dates = flat.period_end.where(flat.period_end.notna(), flat.published)
    expected = pd.Series([0 if pd.isna(d) else d.year for d in dates], dtype="Int64")
    got = parts.set_index("obs_id").year.reindex(flat.obs_id).astype("Int64")
    assert (expected == 0).any()  # nocity.txt has no date either
    pd.testing.assert_series_equal(got, expected, check_names=False, check_index=False)
    for path in (out / "observations").rglob("*.parquet"):
        assert path.name == "part-0.parquet"


def test_duckdb_reads_the_partitions(inputs: Path, tmp_path: Path) -> None:
    duckdb = pytest.importorskip("duckdb")
    out = tmp_path / "out"
    run_batch([inputs], None, out, partition_by=("city", "year"))
    glob = (out / "observations" / "**" / "*.parquet").as_posix()
    rows = duckdb.sql(f"select city, year, count(*) from read_parquet('{glob}', hive_partitioning=true) "
                      "where source_file = 'late.txt' group by all").fetchall()
    assert rows == [("株洲市", 2023, 1)]
    total = duckdb.sql(f"select count(*) from read_parquet('{glob}', hive_partitioning=true)").fetchall()[0][0]
    assert total == pq.read_metadata(out / "observations.parquet").num_rows


def test_row_groups_read_back_as_the_same_table(tmp_path: Path) -> None:
    run_batch([SEEDS], None, tmp_path / "whole", use_cache=False)
    whole = {stem: pd.read_parquet(tmp_path / "whole" / f"{stem}.parquet") for stem in TABLES}
    with TableSet(tmp_path / "groups", row_group_rows=7) as tables:
        for stem, frame in whole.items():
            rows = frame.astype(object).where(frame.notna(), None).itertuples(index=False, name=None)
            tables.add(stem, [tuple(None if v is pd.NA else v for v in row) for row in rows])
        tables.commit()
    assert pq.ParquetFile(tmp_path / "groups" / "observations.parquet").num_row_groups > 10
    for stem in TABLES:
        pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "groups" / f"{stem}.parquet"), whole[stem],
                                      check_categorical=False)
        assert (tmp_path / "groups" / f"{stem}.csv").read_bytes() == (tmp_path / "whole" / f"{stem}.csv").read_bytes()


def test_a_failed_run_leaves_the_old_tables_and_no_temp_files(inputs: Path, tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "out"
    run_batch([SEEDS], None, out, partition_by=("city",))
    before = snapshot(out)

    def fail(*args) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(batch, "write_partitions", fail)
    with pytest.raises(OSError):
        run_batch([inputs], None, out, partition_by=("city",))
    assert snapshot(out) == before
    assert not [p for p in os.listdir(out) if p.startswith(".") and p != CACHE_FOLDER]


def test_a_failed_swap_puts_back_every_old_file_and_folder(tmp_path: Path, monkeypatch) -> None:
    from extractors import tables
    out = tmp_path / "out"
    run_batch([SEEDS], None, out, partition_by=("year",))
    before = snapshot(out)
    real_replace, calls = os.replace, []

    def flaky_replace(src, dst) -> None:
        calls.append(dst)
        if len(calls) == 4:  # after three of the new files are in place
            raise OSError(5, "Input/output error")
        real_replace(src, dst)

    monkeypatch.setattr(tables.os, "replace", flaky_replace)
    with pytest.raises(OutputError):
        write_tables(out, [], [], [])  # would replace all six files with empty tables
    monkeypatch.undo()
    assert snapshot(out) == before
    assert not [p for p in os.listdir(out) if p.startswith(".") and p != CACHE_FOLDER]


def test_a_fully_cached_run_starts_no_worker_pool(inputs: Path, tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "out"
    run_batch([inputs], None, out, workers=1)

    def no_pool(*args, **kwargs):
        raise AssertionError("a pool was started")

    monkeypatch.setattr(parallel, "ProcessPoolExecutor", no_pool)
    assert run_batch([inputs], None, out, workers=2).files_cached == 8
    (inputs / "a" / "late.txt").write_text("本报讯 全市进出口总值3亿元。", encoding="utf-8")
    with pytest.raises(AssertionError, match="a pool was started"):
        run_batch([inputs], None, out, workers=2)


def test_a_file_the_extraction_fails_on_is_an_error_row(inputs: Path, tmp_path: Path, monkeypatch) -> None:
    from extractors import extract
    real = extract.process_file

    def flaky(source_file, data, meta):
        if source_file == "late.txt":
            raise ValueError("boom")
        return real(source_file, data, meta)

    monkeypatch.setattr(extract, "process_file", flaky)
    summary = run_batch([inputs], None, tmp_path / "out", use_cache=False)
    errors = pd.read_csv(tmp_path / "out" / "errors.csv", encoding="utf-8-sig")
    assert errors[errors.stage == "extract"].to_dict("records") == [
        {"source_file": "late.txt", "stage": "extract", "reason": "ValueError: boom"}]
    assert summary.documents > 0


@pytest.mark.parametrize("flags, code, said", [
    (["--workers", "2", "--partition-by", "city,year"], 0, "8 files extracted, 0 from cache"),
    (["--no-cache", "--workers", "1"], 0, "8 files extracted, 0 from cache"),
    (["--partition-by", "town"], 2, "unknown key(s) town"),
    (["--workers", "0"], 2, "--workers must be at least 1"),
])
def test_command_line_flags(inputs: Path, tmp_path: Path, capsys, flags: list[str], code: int, said: str) -> None:
    from pipeline import main
    try:
        returned = main([str(inputs), "--out", str(tmp_path / "out"), *flags])
    except SystemExit as e:
        returned = e.code
    out, err = capsys.readouterr()
    assert returned == code
    assert said in out + err


def test_a_row_group_of_tuples_and_prepared_rows_is_the_table_written_at_once(tmp_path: Path) -> None:
    """The writer's prepared form (typed columns, categories as text, CSV lines) and the
    dictionaries it builds per row group give the bytes of the table built from the tuples directly."""
    rows = []
    for path in sorted(SEEDS.glob("*.txt")):
        rows += extract_rows(path.name, path.read_bytes(), None)["observations"]
    columns = TABLES["observations"]
    with TableSet(tmp_path / "out") as tables:
        tables.add("observations", rows[:100])
        tables.add("observations", prepared_table(rows[100:], columns))
        tables.commit()
    values = dict(zip(columns, map(list, zip(*rows))))
    assert (tmp_path / "out" / "observations.parquet").read_bytes() == parquet_bytes(values, columns)
    assert (tmp_path / "out" / "observations.csv").read_bytes() == csv_bytes(values, columns)
    assert prepared_rows(prepared_table(rows, columns), columns) == rows


def _rules_loaded() -> bool:
    import sys
    return "extractors.extract" in sys.modules


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux only")
def test_workers_inherit_the_rules_the_parent_loaded() -> None:
    with parallel.Runner(2) as run:
        run.submit(extract_rows, "x.txt", "本报讯 全市进出口总值1亿元。".encode(), None).result()
        assert run.submit(_rules_loaded).result()


def test_an_entry_claiming_an_impossible_size_is_a_miss(tmp_path: Path, monkeypatch) -> None:
    """A cache folder from elsewhere cannot make the reader allocate what its header claims:
    the entry is refused before anything is decompressed."""
    import zlib
    from extractors import cache as cache_module

    class NeverCalled:
        def decompress(self, *args, **kwargs):
            raise AssertionError("decompressed an entry claiming 2 GB")

    monkeypatch.setitem(cache_module._CODECS, 1, NeverCalled())
    entry = tmp_path / "ab" / ("ab" + "0" * 62)
    entry.parent.mkdir()
    stored = b"\x00" * 16
    entry.write_bytes(cache_module._MAGIC + cache_module._HEAD.pack(1, 2**31, zlib.crc32(stored)) + stored)
    assert Cache(tmp_path).get("ab" + "0" * 62) is None
