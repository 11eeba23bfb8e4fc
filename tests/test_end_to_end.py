"""The whole pipeline over seeds/: schema, types, grounding, determinism and known rows."""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from extractors.batch import run_batch
from extractors.tables import DOCUMENT_COLUMNS, OBSERVATION_COLUMNS

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    out_dir = tmp_path_factory.mktemp("out")
    run_batch([SEEDS], None, out_dir)
    return out_dir


def test_tables_have_the_contract_columns_and_types(out: Path) -> None:
    schema = pq.read_schema(out / "observations.parquet")
    assert schema.names == list(OBSERVATION_COLUMNS)
    assert str(schema.field("published").type) == "date32[day]"
    assert str(schema.field("value").type) == "double"
    assert str(schema.field("char_start").type) == "int64"
    assert str(schema.field("indicator").type).startswith("dictionary")
    assert pq.read_schema(out / "documents.parquet").names == list(DOCUMENT_COLUMNS)


def test_csv_starts_with_a_bom_and_has_the_columns(out: Path) -> None:
    raw = (out / "observations.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    header = raw[3:].split(b"\r\n", 1)[0].decode("utf-8")
    assert header.split(",") == list(OBSERVATION_COLUMNS)


def test_every_row_points_at_its_figure(out: Path) -> None:
    df = pd.read_parquet(out / "observations.parquet")
    assert len(df) > 100
    texts = {f: (SEEDS / f).read_text(encoding="utf-8") for f in df["source_file"].unique()}
    for row in df.itertuples():
        span = texts[row.source_file][row.char_start:row.char_end]
        assert re.sub(r"\s+", "", span) == row.value_text


def test_known_rows(out: Path) -> None:
    df = pd.read_parquet(out / "observations.parquet")
    zhuzhou = df[(df.source_file == "002_48d7b6b6f196053b.txt") & (df.indicator == "trade_total") & (df.value == 4.29e9)]
    assert len(zhuzhou) == 1
    row = zhuzhou.iloc[0]
    assert (row.region, row.yoy_pct, row.period_start, row.period_end, row.period_type) == (
        "株洲市", 46.9, date(2024, 1, 1), date(2024, 2, 29), "ytd")
    xiangtan = df[(df.source_file == "000_3e9d964cde695e40.txt") & (df.indicator == "trade_total") & (df.value == 1.075e10)]
    assert list(xiangtan.yoy_pct) == [45.7]
    liling = df[(df.region == "醴陵市") & (df.indicator == "gdp") & (df.yoy_pct == 7.4)]
    assert list(liling.status) == ["actual"] and liling.iloc[0].period_start == date(2018, 1, 1)


def test_two_runs_give_identical_bytes(out: Path, tmp_path: Path) -> None:
    run_batch([SEEDS], None, tmp_path)
    for name in ("observations.parquet", "observations.csv", "documents.parquet", "errors.csv"):
        assert (tmp_path / name).read_bytes() == (out / name).read_bytes(), name


def test_a_bad_file_is_an_error_row_not_a_crash(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "empty.txt").write_bytes(b"")
    (inputs / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20)
    (inputs / "good.txt").write_text("本报讯 1至2月，全市进出口总值42.9亿元。", encoding="gb18030")
    summary = run_batch([inputs, tmp_path / "missing"], None, tmp_path / "out")
    errors = pd.read_csv(tmp_path / "out" / "errors.csv", encoding="utf-8-sig")
    assert sorted(errors.stage) == ["input", "read", "read"]
    assert summary.observations == 1
