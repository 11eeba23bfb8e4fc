"""Table-driven tests for extractors.articles.split_articles (cases in tests/cases/articles.toml)."""
from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
import regex

from extractors.articles import split_articles
from extractors.model import Article
from extractors.normalize import normalize

CASES = tomllib.loads((Path(__file__).parent / "cases" / "articles.toml").read_text(encoding="utf-8"))
SEEDS = Path(__file__).resolve().parents[1] / "seeds"
FIELDS = ("title", "kind", "publisher", "dateline", "area_hint")
WHITESPACE = regex.compile(r"\s+")


def _param(case: dict, name: str):
    marks = [pytest.mark.xfail(reason=case["reason"], strict=True)] if case.get("xfail") else []
    return pytest.param(case, id=name, marks=marks)


def _check_spans(text: str, articles: list[Article]) -> None:
    previous_end = 0
    for i, a in enumerate(articles):
        assert a.index == i
        assert previous_end <= a.start <= a.body_start <= a.end <= len(text)
        previous_end = a.end


def _check_article(text: str, article: Article, expected: dict) -> None:
    got = {field: getattr(article, field) for field in FIELDS}
    want = {field: expected.get(field) for field in FIELDS}
    want["kind"] = expected.get("kind", "news")
    assert got == want
    body = WHITESPACE.sub("", normalize(text[article.body_start:article.end]).text)
    if "body" in expected:
        assert body.startswith(WHITESPACE.sub("", expected["body"]))
    if "last" in expected:
        assert body.endswith(WHITESPACE.sub("", expected["last"]))


@pytest.mark.parametrize("case", [_param(c, c["name"]) for c in CASES["case"]])
def test_case(case: dict) -> None:
    articles = split_articles(case["text"], "page.txt")
    _check_spans(case["text"], articles)
    assert len(articles) == len(case["expected"])
    for article, expected in zip(articles, case["expected"]):
        assert article.source_file == "page.txt"
        _check_article(case["text"], article, expected)


def test_case_count() -> None:
    assert len(CASES["case"]) >= 15


def _seed(name: str) -> tuple[str, list[Article]]:
    text = (SEEDS / name).read_text(encoding="utf-8")
    return text, split_articles(text, name)


@pytest.mark.parametrize("case", [_param(c, c["file"]) for c in CASES["seed"]])
def test_seed_article_count(case: dict) -> None:
    text, articles = _seed(case["file"])
    _check_spans(text, articles)
    assert len(articles) == case["articles"]


@pytest.mark.parametrize("case", [_param(c, f"{c['file'][:3]}#{c['index']}") for c in CASES["seed_article"]])
def test_seed_article(case: dict) -> None:
    text, articles = _seed(case["file"])
    _check_article(text, articles[case["index"]], case)
