"""Table-driven tests for extractors.resolve.regions (cases in tests/cases/regions.toml)."""
from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from extractors.model import Place
from extractors.resolve.regions import gazetteer

CASES = tomllib.loads((Path(__file__).parent / "cases" / "regions.toml").read_text(encoding="utf-8"))["case"]


def _param(case: dict):
    marks = [pytest.mark.xfail(reason=case["reason"], strict=True)] if case.get("xfail") else []
    return pytest.param(case, id=f'{case["func"]}: {case["name"]}', marks=marks)


def _known(name: str | None) -> Place | None:
    if name is None:
        return None
    place = gazetteer().resolve(name)
    assert place is not None, f"test context {name} is not a unique place"
    return place


def _check_place(case: dict, got: Place | None) -> None:
    if case.get("none"):
        assert got is None
        return
    assert got is not None and got.name == case["expected"]
    if "within" in case:
        assert case["within"] in (got.county, got.city, got.province)


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_case(case: dict) -> None:
    g = gazetteer()
    func = case["func"]
    if func == "find":
        text = case["input"]
        found = g.find(text, _known(case.get("context")))
        assert [[text[s:e], p.name] for s, e, p in found] == case["expected"]
    elif func == "resolve":
        _check_place(case, g.resolve(case["input"], _known(case.get("context"))))
    elif func == "self":
        _check_place(case, g.from_self_reference(case["input"], _known(case.get("home"))))
    elif func == "publisher":
        _check_place(case, g.place_for_publisher(case["input"]))
    elif func == "by_name":
        places = g.by_name(case["input"])
        assert {p.level for p in places} == {case["level"]}
        assert len(places) == case["count"] if "count" in case else len(places) >= case["count_at_least"]
    else:
        pytest.fail(f"unknown func {func}")


def test_case_count() -> None:
    assert len(CASES) >= 40


def test_find_spans_are_ordered_and_disjoint() -> None:
    text = "湖南省株洲市醴陵市、攸县和茶陵县"
    found = gazetteer().find(text, gazetteer().resolve("株洲市"))
    ends = [0] + [e for _, e, _ in found]
    assert all(s >= prev for (s, _, _), prev in zip(found, ends))
