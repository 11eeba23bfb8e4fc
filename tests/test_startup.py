"""What a run loads before its first figure: the prebuilt gazetteer index (up to date with its data
files, independent of the hash seed, data only), tables written without pandas, and no library
imported that the run does not use."""
from __future__ import annotations

import io
import os
import pickle
import subprocess
import sys
from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings, strategies as st

from extractors import tables
from extractors.resolve import regions

ROOT = Path(__file__).resolve().parents[1]
ARTICLE = "本报讯 1至2月，全市进出口总值42.9亿元，同比增长46.9%。\n"  # Arabic figures only: no cn2an


def test_the_shipped_gazetteer_index_is_what_its_data_files_build() -> None:
    assert regions.INDEX_PATH.read_bytes() == regions.index_bytes(regions.index_from_data_files()), \
        "stale gazetteer index: run python scripts/build_gazetteer_index.py"


def test_the_index_build_does_not_depend_on_the_hash_seed() -> None:
    for seed in ("0", "1"):
        result = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_gazetteer_index.py"), "--check"],
                                env={**os.environ, "PYTHONHASHSEED": seed}, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr


def test_a_stale_index_is_not_used(tmp_path: Path, monkeypatch) -> None:
    shipped = regions.gazetteer()
    stale = tmp_path / "gazetteer.index"
    stale.write_bytes(regions.INDEX_PATH.read_bytes().replace(regions.sources_digest().encode(), b"0" * 64, 1))
    monkeypatch.setattr(regions, "INDEX_PATH", stale)
    assert regions._read_index() is None
    with pytest.warns(UserWarning, match="build_gazetteer_index.py"):
        built = regions.gazetteer.__wrapped__()
    text = "湖南省株洲市醴陵市、攸县和茶陵县"
    assert built.find(text) == shipped.find(text)


def test_an_index_holds_data_only(tmp_path: Path, monkeypatch) -> None:
    forged = tmp_path / "gazetteer.index"
    forged.write_bytes(regions.INDEX_PATH.read_bytes().partition(b"\n")[0] + b"\n" + pickle.dumps(os.system))
    monkeypatch.setattr(regions, "INDEX_PATH", forged)
    with pytest.raises(pickle.UnpicklingError, match="data only"):
        regions._read_index()


_DTYPES = {"string": object, "category": "category", "date": object, "float": "float64", "int": "Int64", "int32": "Int32"}


@pytest.mark.parametrize("stem", sorted(tables.TABLES))
def test_the_schema_carries_the_pandas_metadata_pandas_writes(stem: str) -> None:
    columns = tables.TABLES[stem]
    empty = pd.DataFrame({name: pd.Series([], dtype=_DTYPES[kind]) for name, kind in columns.items()})
    plain = pa.schema([pa.field(name, tables._ARROW_TYPES[kind]) for name, kind in columns.items()])
    expected = pa.Table.from_pandas(empty, schema=plain, preserve_index=False).schema
    assert tables.arrow_schema(columns).equals(expected, check_metadata=True)


_VALUES = {
    "string": st.text(max_size=12), "category": st.sampled_from(["", "株洲市", "year", "亿元", "=1+2"]),
    "date": st.dates(), "float": st.floats(allow_nan=True, allow_infinity=True),
    "int": st.integers(-2**63, 2**63 - 1), "int32": st.integers(-2**31, 2**31 - 1),
}


def _reference(column: list, kind: str) -> pa.Array:
    """The column as pa.array makes it (how the tables were built before)."""
    if kind == "category":
        categories = sorted({v for v in column if v is not None})
        code = {v: i for i, v in enumerate(categories)}
        return pa.DictionaryArray.from_arrays(pa.array([None if v is None else code[v] for v in column], type=pa.int32()),
                                              pa.array(categories, type=pa.string()))
    return pa.array(column, type=tables._ARROW_TYPES[kind], from_pandas=kind == "float")


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(_VALUES)).flatmap(
    lambda kind: st.tuples(st.just(kind), st.lists(st.none() | _VALUES[kind], max_size=40))))
def test_a_column_is_the_array_pa_array_makes(case: tuple[str, list]) -> None:
    kind, column = case
    got = tables._arrow_column(column, kind)
    got.validate(full=True)
    expected = _reference(column, kind)
    assert got.type == expected.type and got.equals(expected)
    assert (got.buffers()[0] is None) == (expected.buffers()[0] is None)  # a bitmap exactly where pa.array has one


def test_the_parquet_bytes_are_those_of_pa_array_columns() -> None:
    values = {"obs_id": ["obs_1", None, "obs_3"], "published": [date(2024, 3, 20), None, date(1969, 12, 31)],
              "region": ["株洲市", None, "醴陵市"], "value": [4.29e9, float("nan"), None], "rank": [None, 3, None],
              "char_start": [0, 12, 40]}
    columns = {name: tables.OBSERVATION_COLUMNS[name] for name in values}
    schema = tables.arrow_schema(columns)
    expected = io.BytesIO()
    pq.write_table(pa.Table.from_arrays([_reference(values[n], k) for n, k in columns.items()], schema=schema), expected)
    assert tables.parquet_bytes(values, columns) == expected.getvalue()


def test_a_text_batch_is_what_from_pydict_makes() -> None:
    values = {"code": ["gdp", "exports", ""], "name_zh": ["地区生产总值", "出口", "空"]}
    assert tables.text_batch(values).equals(pa.RecordBatch.from_pydict(values))


_LOADED = """
import sys
import extractors
extractors.run([sys.argv[1]], sys.argv[2], formats=sys.argv[3], workers=1)
print(" ".join(m for m in ("pandas", "cn2an", "duckdb", "xlsxwriter", "extractors.extract") if m in sys.modules))
"""


def test_a_run_imports_only_what_it_uses(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "a.txt").write_text(ARTICLE, encoding="utf-8")

    def loaded(formats: str) -> str:
        result = subprocess.run([sys.executable, "-c", _LOADED, str(inputs), str(tmp_path / "out"), formats],
                                capture_output=True, text=True, timeout=300, cwd=ROOT)
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    assert loaded("parquet") == "extractors.extract"  # no pandas for the schema, no DuckDB without exports
    assert loaded("parquet") == ""  # from the cache: not even the rules
    assert loaded("all") == "duckdb xlsxwriter"
