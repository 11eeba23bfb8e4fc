"""Rule-based extraction of economic figures from Chinese news and work reports into tidy tables.

Two calls cover what the command line does::

    import extractors
    rows = extractors.extract_text("本报讯 1至2月，全市进出口总值42.9亿元，同比增长46.9%。",
                                   published="2024-03-20", city="株洲市")
    summary = extractors.run(["seeds"], "outputs", corrections="corrections.csv")

Importing the package loads nothing heavy (pandas, pyarrow and the rules are imported by the
calls that need them), so ``import extractors`` and ``cn-econ-extract --version`` start fast.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from os import PathLike
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from .batch import Summary

__version__ = "0.1.0"
__all__ = ["extract_text", "run", "__version__"]

StrPath = str | PathLike[str]


def extract_text(text: str, *, published: date | str | None = None, city: str | None = None,
                 province: str | None = None, publisher: str | None = None,
                 source_file: str = "text") -> pd.DataFrame:
    """The observations of one text, as the command line gives them for a file with that text.

    The keyword arguments are the file's manifest row: ``published`` is a date or a manifest
    date string (``2024``, ``2024-03``, ``2024-03-20``); what is not given is inferred from the
    text, as for a file without a manifest row. The frame has the columns and dtypes of
    ``observations.parquet`` read with pandas, rows in table order. Raises
    ``extractors.model.InputError`` when the text cannot be used (empty, no words) and
    ``ValueError`` for a date that cannot be parsed.
    """
    from .manifest import parse_published
    from .model import InputError, SourceMeta
    from .parallel import extract_rows
    from .tables import OBSERVATION_COLUMNS, arrow_schema, arrow_table

    meta = None
    if any(x is not None for x in (published, city, province, publisher)):
        precision = "none"
        if isinstance(published, str):
            parsed = parse_published(published)
            if parsed is None:
                raise ValueError(f"unparsable date {published!r}")
            published, precision = parsed
        elif published is not None:
            precision = "day"
        meta = SourceMeta(source_file=source_file, publisher=publisher or None, published=published,
                          published_precision=precision, city=city or None, province=province or None)
    rows = extract_rows(source_file, text.encode("utf-8"), meta)
    if rows["errors"]:
        _source, stage, reason = rows["errors"][0]
        raise InputError(stage, reason)
    values = dict(zip(OBSERVATION_COLUMNS, map(list, zip(*rows["observations"])))) if rows["observations"] \
        else {name: [] for name in OBSERVATION_COLUMNS}
    schema = arrow_schema(OBSERVATION_COLUMNS)
    return arrow_table(values, OBSERVATION_COLUMNS, schema).to_pandas()


def run(paths: Iterable[StrPath], out: StrPath, *, manifest: StrPath | None = None, workers: int | None = None,
        formats: str | Iterable[str] = "all", corrections: StrPath | None = None, use_cache: bool = True,
        labels: str = "en", review_limit: int | None = None, partition_by: Iterable[str] = (),
        max_file_mb: float | None = None, dask: str | None = None,
        progress: Callable[[int, int, str], None] | None = None) -> Summary:
    """Extract every input file and write the tables and exports into ``out``: the command line's run.

    ``paths`` are files or folders (searched for ``*.txt``); ``manifest`` defaults to a
    ``manifest.csv`` inside an input folder; ``workers`` to the machine's cores; ``formats`` is
    a comma-separated string or a list (see ``extractors.exports.FORMATS``); ``corrections`` a
    corrections CSV applied on this run (see ``extractors.corrections``); ``progress(done,
    total, file name)`` is called after each file; ``max_file_mb`` defaults to 50 and
    ``review_limit`` to 300 documents (0: all). Returns the run's
    ``Summary`` (counts, seconds, the input files by name). Raises ``FileNotFoundError`` for a
    missing manifest or corrections file, ``ValueError`` for bad arguments or an unusable
    corrections file, ``extractors.batch.NoInput`` when no input could be read (``out`` is then left
    as it was), and ``extractors.tables.OutputError`` when ``out`` cannot be written or another run
    holds it (the previous set of files stays complete).
    Prints nothing.
    """
    from pathlib import Path

    from .batch import default_workers, run_batch
    from .exports import parse_formats
    from .exports.review import DEFAULT_LIMIT
    from .inputs import DEFAULT_MAX_FILE_MB

    chosen = parse_formats(formats if isinstance(formats, str) else ",".join(formats))
    for what, path in (("manifest", manifest), ("corrections file", corrections)):
        if path is not None and not Path(path).is_file():
            raise FileNotFoundError(f"{what} not found: {path}")
    workers = default_workers() if workers is None else workers
    if workers < 1:
        raise ValueError("workers must be at least 1")
    out = Path(out)
    return run_batch([Path(p) for p in paths], None if manifest is None else Path(manifest), out,
                     workers=workers, use_cache=use_cache, dask=dask, partition_by=tuple(partition_by),
                     max_file_mb=DEFAULT_MAX_FILE_MB if max_file_mb is None else max_file_mb,
                     formats=chosen, labels=labels, review_limit=DEFAULT_LIMIT if review_limit is None else review_limit,
                     corrections=None if corrections is None else Path(corrections), progress=progress)
