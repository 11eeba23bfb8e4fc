"""Hostile inputs: each gives one specific errors row while the rest of the batch is still written.

File cases are data (tests/cases/hostile.toml); the cases that need a folder layout, a fault or
the command line are functions below.
"""
from __future__ import annotations

import errno
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pandas as pd
import pytest

from extractors.batch import run_batch
import extractors.tables as tables_module
from extractors.tables import OutputError

ROOT = Path(__file__).resolve().parents[1]
CASES = tomllib.loads((Path(__file__).parent / "cases" / "hostile.toml").read_text(encoding="utf-8"))["case"]
GOOD = "本报讯 1至2月，全市进出口总值42.9亿元，较去年同期增长46.9%。"
GOOD_VALUE = 4.29e9
TABLES = ("observations", "documents", "errors")


def _bytes(case: dict) -> bytes:
    if "hex" in case:
        return bytes.fromhex(case["hex"])
    data = (("\ufeff" if case.get("bom") else "") + case["text"]).encode(case["encoding"])
    if "append_text" in case:
        data += case["append_text"].encode(case["append_encoding"])
    return data[:len(data) - case.get("cut", 0)]


def _make(folder: Path, case: dict) -> Path:
    path = folder / case["file"]
    if "sparse_mb" in case:
        with path.open("wb") as f:
            f.write(GOOD.encode("utf-8"))
            f.truncate(case["sparse_mb"] * 1_000_000)
    else:
        path.write_bytes(_bytes(case))
    return path


def _good_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text(GOOD, encoding="utf-8")
    return folder


def _run(paths: list[Path], out: Path, **kwargs) -> tuple[pd.DataFrame, set[tuple[str, str, str]]]:
    run_batch(paths, None, out, **kwargs)
    observations = pd.read_parquet(out / "observations.parquet")
    errors = pd.read_parquet(out / "errors.parquet")
    return observations, {(r.source_file, r.stage, r.reason) for r in errors.itertuples()}


def _good_file_done(observations: pd.DataFrame) -> bool:
    return GOOD_VALUE in set(observations[observations.source_file == "good.txt"].value)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_hostile_file(case: dict, tmp_path: Path) -> None:
    folder = _good_folder(tmp_path)
    path = _make(folder, case)
    observations, errors = _run([folder], tmp_path / "out")
    assert _good_file_done(observations)
    if "error" in case:
        assert errors == {(case["file"], case.get("stage", "read"), case["error"])}
        assert case["file"] not in set(observations.source_file)
        return
    assert errors == set()
    rows = observations[observations.source_file == case["file"]]
    assert case["value"] in set(rows.value)
    text = path.read_bytes().decode(case.get("read_as", case["encoding"]))
    for row in rows.itertuples():
        assert row.value_text in "".join(text[row.char_start:row.char_end].split())


def test_the_size_limit_is_an_option(tmp_path: Path) -> None:
    folder = _good_folder(tmp_path)
    (folder / "long.txt").write_text("本报讯 " + "全市进出口总值42.9亿元。" * 80_000, encoding="utf-8")  # 2.7 MB, one line
    _, errors = _run([folder], tmp_path / "out", max_file_mb=1)
    assert errors == {("long.txt", "read", "file too large: 2.7 MB, over the limit of 1 MB (--max-file-mb); not read")}


def test_file_name_that_is_not_utf8(tmp_path: Path) -> None:
    folder = _good_folder(tmp_path)
    (folder / os.fsdecode(b"caf\xe9.txt")).write_text(GOOD, encoding="utf-8")
    observations, errors = _run([folder], tmp_path / "out")
    assert _good_file_done(observations)
    assert errors == {("caf\\xe9.txt", "input", "file name is not valid UTF-8; rename the file")}


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # We run as root in CI, where permissions do not stop reads: the OS refusal is simulated.
    folder = _good_folder(tmp_path)
    (folder / "secret.txt").write_text(GOOD, encoding="utf-8")
    real_open = Path.open

    def refusing_open(self: Path, *args, **kwargs):
        if self.name == "secret.txt":
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refusing_open)
    observations, errors = _run([folder], tmp_path / "out")
    assert _good_file_done(observations)
    assert errors == {("secret.txt", "read", "cannot read file: Permission denied")}


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files without read permission")
def test_unreadable_file_by_permissions(tmp_path: Path) -> None:
    folder = _good_folder(tmp_path)
    secret = folder / "secret.txt"
    secret.write_text(GOOD, encoding="utf-8")
    secret.chmod(0)
    observations, errors = _run([folder], tmp_path / "out")
    assert _good_file_done(observations)
    assert errors == {("secret.txt", "read", "cannot read file: Permission denied")}


def test_folder_that_cannot_be_listed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _good_folder(tmp_path)
    locked = folder / "locked"
    locked.mkdir()
    (locked / "inside.txt").write_text(GOOD, encoding="utf-8")
    real_scandir = os.scandir

    def refusing_scandir(path):
        if not isinstance(path, int) and Path(path) == locked:  # shutil.rmtree lists by descriptor
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", refusing_scandir)
    observations, errors = _run([folder], tmp_path / "out")
    assert _good_file_done(observations)
    assert errors == {(str(locked), "input", "cannot list folder: Permission denied")}


def test_links_and_paths_that_lead_nowhere(tmp_path: Path) -> None:
    folder = _good_folder(tmp_path)
    (folder / "loop_a.txt").symlink_to("loop_b.txt")
    (folder / "loop_b.txt").symlink_to("loop_a.txt")
    (folder / "dangling.txt").symlink_to("nowhere.txt")
    (folder / "up").symlink_to("..")  # a folder link back up the tree: not followed
    os.mkfifo(folder / "pipe.txt")  # reading it would block the run
    missing = tmp_path / "missing"
    loop_arg = folder / "loop_a.txt"
    observations, errors = _run([folder, missing, loop_arg], tmp_path / "out")
    assert _good_file_done(observations)
    assert list(observations.source_file) == ["good.txt"]
    assert errors == {
        ("loop_a.txt", "input", "symbolic link loop"),
        ("loop_b.txt", "input", "symbolic link loop"),
        ("dangling.txt", "input", "broken symbolic link (to nowhere.txt)"),
        ("pipe.txt", "input", "not a regular file"),
        (str(folder / "up"), "input", "linked folder not followed; name it on the command line to read it"),
        (str(missing), "input", "no such file or folder"),
        (str(loop_arg), "input", "symbolic link loop"),
    }


def test_the_same_file_named_twice_is_read_once(tmp_path: Path) -> None:
    folder = _good_folder(tmp_path)
    (folder / "alias.txt").symlink_to("good.txt")
    (tmp_path / "linked").symlink_to(folder)  # a linked folder named on the command line is read
    observations, errors = _run([folder / "good.txt", folder, tmp_path / "linked", folder / "good.txt"],
                                tmp_path / "out")
    assert list(observations.source_file) == ["good.txt"]
    assert errors == set()


def test_two_files_with_the_same_name(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    for sub, text in (("a", GOOD), ("b", "本报讯 全市进出口总值11亿元。")):
        (folder / sub).mkdir(parents=True)
        (folder / sub / "page.txt").write_text(text, encoding="utf-8")
    observations, errors = _run([folder], tmp_path / "out")
    assert list(observations.value) == [GOOD_VALUE]
    assert errors == {(str(folder / "b" / "page.txt"), "input",
                       f"another input file has the same name ({folder / 'a' / 'page.txt'}); names must be "
                       "unique in a batch (source_file is the name); skipped")}


def test_hostile_manifest(tmp_path: Path) -> None:
    folder = _good_folder(tmp_path)
    (folder / "other.txt").write_text(GOOD, encoding="utf-8")
    (folder / "third.txt").write_text(GOOD, encoding="utf-8")
    # no city/province columns, an extra one; a bad date, a duplicate, an unknown file, a ragged row
    (folder / "manifest.csv").write_text(
        "File,publisher,published,notes\r\n"
        "good.txt,株洲日报,2024-03-05,checked\r\n"
        "other.txt,湘潭日报,2024-13-45,\r\n"
        "good.txt,新华社,2023-01-01,\r\n"
        "ghost.txt,株洲日报,2024-03-05,\r\n"
        "third.txt,株洲日报,2024-03,,surplus\r\n"
        ",,,\r\n", encoding="utf-8-sig")
    observations, errors = _run([folder], tmp_path / "out")
    documents = pd.read_parquet(tmp_path / "out" / "documents.parquet").set_index("source_file")
    assert documents.loc["good.txt", "publisher"] == "株洲日报"
    assert str(documents.loc["good.txt", "published"]) == "2024-03-05"
    assert documents.loc["other.txt", "publisher"] == "湘潭日报"
    assert errors == {
        ("manifest.csv", "manifest", "line 3: unparsable date '2024-13-45' for other.txt; date ignored"),
        ("manifest.csv", "manifest", "line 4: duplicate row for good.txt; the first row is kept"),
        ("manifest.csv", "manifest", "line 6: 5 cells but the header has 4 for third.txt; extra cells ignored"),
        ("manifest.csv", "manifest", "no input file matches the row for ghost.txt; row unused"),
    }
    assert len(observations) == 3


@pytest.mark.parametrize(("content", "reason"), [
    ("name,publisher\r\ngood.txt,株洲日报\r\n", "no 'file' column in the header row; manifest ignored"),
    ("", "no 'file' column in the header row; manifest ignored"),
    ("file,published\r\ngood.txt,\"" + "9" * 200_000 + "\"\r\n",
     "line 2: field larger than field limit (131072); the rest of the manifest is ignored"),
])
def test_manifest_that_cannot_be_used(tmp_path: Path, content: str, reason: str) -> None:
    folder = _good_folder(tmp_path)
    (folder / "manifest.csv").write_text(content, encoding="utf-8")
    observations, errors = _run([folder], tmp_path / "out")
    assert _good_file_done(observations)
    assert errors == {("manifest.csv", "manifest", reason)}


def _cli(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "pipeline.py"), *map(str, args)],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)


def test_output_folder_that_cannot_be_created(tmp_path: Path) -> None:
    folder = _good_folder(tmp_path)
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    done = _cli(folder, "--out", blocker / "out")
    assert done.returncode == 2
    assert done.stderr == f"error: cannot create output folder {blocker / 'out'}: Not a directory\n"
    assert "Traceback" not in done.stderr and done.stdout == ""


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_output_folder_without_write_permission(tmp_path: Path) -> None:
    folder = _good_folder(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    out.chmod(0o555)
    done = _cli(folder, "--out", out)
    assert done.returncode == 2
    assert done.stderr == f"error: cannot write tables to {out}: Permission denied\n"


def _snapshot(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file()}


def test_disk_full_leaves_the_previous_tables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _good_folder(tmp_path)
    out = tmp_path / "out"
    run_batch([folder], None, out)
    before = _snapshot(out)
    (folder / "more.txt").write_text("本报讯 全市进出口总值11亿元。", encoding="utf-8")
    real_open = open

    class FullDisk:
        """A file whose writes fail the way a full disk makes them fail."""

        def __init__(self, f) -> None:
            self._f = f

        def write(self, data: bytes) -> int:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        def __enter__(self):
            return self

        def __exit__(self, *exc) -> None:
            self._f.close()

        def __getattr__(self, name: str):
            return getattr(self._f, name)

    # the table writer opens its CSV temp files with open(): make those writes fail
    monkeypatch.setattr(tables_module, "open", lambda *a, **k: FullDisk(real_open(*a, **k)), raising=False)
    with pytest.raises(OutputError, match="No space left on device"):
        run_batch([folder], None, out)
    assert _snapshot(out) == before  # same files (no temp left behind), same bytes


def _limit_file_size() -> None:
    import resource
    resource.setrlimit(resource.RLIMIT_FSIZE, (2048, 2048))  # Python ignores SIGXFSZ: writes fail


def test_writes_failing_in_the_kernel_leave_the_previous_tables(tmp_path: Path) -> None:
    """The same, without a mock: a file-size limit makes the kernel refuse the big table writes."""
    folder = _good_folder(tmp_path)
    out = tmp_path / "out"
    run_batch([folder], None, out)
    before = _snapshot(out)
    (folder / "more.txt").write_text("本报讯 全市进出口总值11亿元。", encoding="utf-8")
    done = subprocess.run([sys.executable, str(ROOT / "pipeline.py"), str(folder), "--out", str(out)],
                          capture_output=True, text=True, cwd=ROOT, timeout=120, preexec_fn=_limit_file_size)
    assert done.returncode == 2
    assert done.stderr.startswith(f"error: cannot write tables to {out}: ")
    assert "File too large" in done.stderr and done.stderr.count("\n") == 1
    assert _snapshot(out) == before


def test_a_rerun_removes_what_a_killed_run_left(tmp_path: Path) -> None:
    folder = _good_folder(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    leftovers = [".observations.parquet.k2j3x.tmp", ".errors.csv.9f8e7.old"]
    for name in leftovers:
        (out / name).write_bytes(b"PAR1 half")
    (out / ".notes.tmp").write_text("not ours")
    run_batch([folder], None, out)
    names = {p.name for p in out.iterdir() if p.is_file()}
    assert names == {f"{t}.{ext}" for t in TABLES for ext in ("parquet", "csv")} | {".notes.tmp"}


def test_formula_cells_are_neutralised_in_csv_only(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    lines = {
        "=": '=HYPERLINK("http://evil.example/x","点击")全市进出口总值42.9亿元。',
        "+": "+全市进出口总值42.9亿元。",
        "-": "-全市进出口总值42.9亿元。",
        "@": "@SUM(1+1)全市进出口总值42.9亿元。",
    }
    for i, line in enumerate(lines.values()):
        (folder / f"{i}.txt").write_text(f"本报讯 今年一季度情况如下。\n{line}\n", encoding="utf-8")
    (folder / "=1+2.txt").write_text(GOOD, encoding="utf-8")
    out = tmp_path / "out"
    run_batch([folder], None, out)
    parquet = pd.read_parquet(out / "observations.parquet")
    csv = pd.read_csv(out / "observations.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert len(parquet) == len(csv) == 5
    for trigger in lines:
        p_rows = parquet[parquet.sentence.str.startswith(trigger)]
        c_rows = csv[csv.sentence.str.startswith("'" + trigger)]
        assert len(p_rows) == len(c_rows) == 1, trigger
        assert c_rows.sentence.iloc[0] == "'" + p_rows.sentence.iloc[0]
        assert c_rows.value.iloc[0] == "4290000000"  # numbers are never escaped
        assert c_rows.char_start.iloc[0] == str(p_rows.char_start.iloc[0])
    assert set(csv.source_file) == {"0.txt", "1.txt", "2.txt", "3.txt", "'=1+2.txt"}
    assert "=1+2.txt" in set(parquet.source_file)
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r"))
                   for column in csv.columns for cell in csv[column] if not _is_number(cell))


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def test_tables_get_the_permissions_of_any_new_file(tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_batch([_good_folder(tmp_path)], None, out)
    umask = os.umask(0o022)
    os.umask(umask)
    for path in filter(Path.is_file, out.iterdir()):
        assert path.stat().st_mode & 0o777 == 0o666 & ~umask, path.name  # not mkstemp's 0600
