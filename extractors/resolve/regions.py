"""The gazetteer of Chinese administrative divisions and the region resolver.

Data files (under ``extractors/data/zh/``):
- ``gazetteer.csv`` (built by scripts/build_gazetteer.py) and ``gazetteer_extra.csv`` (hand
  additions with a ``source`` column): one row per division with its full name, level, parents,
  code and ``|``-separated aliases that are safe to match in running text;
- ``place_stopwords.csv``: ordinary words that look like place names; found in text they are
  consumed and yield nothing (中山路, 大理石), so no shorter place is read inside them;
- ``place_boundaries.csv``: continuations that show a name is the head of a longer word
  (乡 + 村 is 乡村, 市 + 场 is 市场);
- ``township_word_endings.csv``: ordinary words that, ending a township's name, make it the
  tail of a phrase as often as a name (提高城乡 is not 高城乡): such a name is taken only
  right after a bigger place's name (雨湖区长城乡) or after a non-Han character;
- ``self_reference.csv`` (我市, 全省, 全国; also blockers), ``publishers.csv`` and
  ``publisher_suffixes.csv``.

Short names of local units are common inside ordinary words (黄武平 is a person, 创新和 is
not 新和县), so in running text a county's short form or two-character name, and any township,
is taken only near the context: a county in the context's province, a township in its city.

Every full name and alias goes into one dictionary scanner that yields the leftmost, longest
acceptable name at each point of a text.

Building those tables from the 43,000 rows takes about half a second, so they are shipped
prebuilt: ``gazetteer.index`` (beside the data files) is written by
``scripts/build_gazetteer_index.py`` and names the digest of everything it is built from (the
data files above and this module). ``gazetteer()`` loads it while that digest matches; after an
edit of a data file without a rebuild it warns and builds the tables from the files instead.
A test checks that the shipped index is what the build makes.
"""
from __future__ import annotations

import hashlib
import io
import pickle
import warnings
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import fields
from functools import cache
from pathlib import Path
from typing import NoReturn, TypedDict

from ..model import Place
from ..vocab import data_path, load_table

COLUMNS = ("name", "level", "province", "city", "county", "code", "aliases")
LEVELS = ("country", "province", "city", "county", "township")
COUNTRY = Place(name="中国", level="country", province=None, city=None)
# A township's bare name of two characters (古镇, 新镇 look-alikes) is too often an ordinary
# word; such townships are still known to by_name and resolve, only not found in text.
_MIN_TOWNSHIP_CHARS = 3
_MIN_KEY_CHARS = 2
_COUNTY_ENDINGS = ("县", "市", "区", "旗")

Span = tuple[int, int, Place]
Found = tuple[tuple[Place, ...], tuple[bool, ...]]  # the places a key names, and whether it names each too briefly

INDEX_PATH = data_path("gazetteer.index")
_INDEX_FORMAT = 1
# every data file the index is built from, in the order they are hashed
_SOURCES = ("gazetteer.csv", "gazetteer_extra.csv", "place_stopwords.csv", "place_boundaries.csv",
            "township_word_endings.csv", "self_reference.csv", "publishers.csv", "publisher_suffixes.csv")
_HEADER = b"cn-econ-extract gazetteer index "
_FIELD, _LINE = "\x1f", "\n"  # separators of the index's text blocks; no name holds them


class Index(TypedDict):
    """The gazetteer's tables as plain data: what ``gazetteer.index`` holds. The places and keys
    are blocks of text, split when loaded: a few large strings unpickle far faster than 80,000
    small ones, and a place becomes a ``Place`` only when a look-up finds it."""

    places: str  # one line per place: its fields in Place's order, "" for None; sorted by level, province, ...
    keys: str  # every full name and alias, one a line, sorted
    # per key, its place's line number (or several, in _sort_key order); ~number where the key
    # names that place too briefly to be trusted far from the context (_is_local)
    numbers: tuple[int | tuple[int, ...], ...]
    guards: dict[str, tuple[str, ...]]  # the scanner's words -> continuations that make them no name
    lengths: dict[str, tuple[int, ...]]  # the scanner's first two characters -> its words' lengths, longest first
    guarded: tuple[str, ...]
    stopwords: tuple[str, ...]
    self_references: dict[str, str]
    publishers: dict[str, tuple[str, str]]
    suffixes: tuple[str, ...]


def _place(row: dict[str, str]) -> Place:
    return Place(
        name=row["name"],
        level=row["level"],
        province=row["province"] or None,
        city=row["city"] or None,
        county=row["county"] or None,
        code=row["code"] or None,
    )


def _lineage(place: Place) -> tuple[str, ...]:
    """The names of the place and of every unit it lies in."""
    return tuple(n for n in (place.name, place.county, place.city, place.province) if n)


def _is_local(key: str, place: Place) -> bool:
    """Whether ``key`` names ``place`` too briefly to be trusted far from the context."""
    if place.level == "township":
        return True
    # a county's full or former full name (株洲县) of three or more characters is safe anywhere
    return place.level == "county" and (len(key) <= _MIN_KEY_CHARS or not key.endswith(_COUNTY_ENDINGS))


def _near(place: Place, context: Place | None) -> bool:
    if context is None or place.province != context.province:
        return False
    return place.level != "township" or (context.city is not None and place.city == context.city)


def _is_han(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"


def _sort_key(place: Place) -> tuple[int, str, str, str, str]:
    return (LEVELS.index(place.level), place.province or "", place.city or "", place.county or "", place.name)


class _Scanner:
    """Leftmost-longest dictionary scan. Keys are bucketed by their first two characters, so
    each text position costs one slice and one dict probe; the longer keys of a bucket are
    tried only where the bucket hits. (A regex alternation of the ~45,000 keys, plain or
    trie-shaped, ran 30-140 thousand chars/s here; this scan runs millions.)"""

    def __init__(self, guards: dict[str, tuple[str, ...]], lengths: dict[str, tuple[int, ...]]) -> None:
        self._guards = guards
        self._lengths = lengths

    def scan(self, text: str) -> Iterator[tuple[int, int]]:
        sizes_of, guards = self._lengths.get, self._guards
        i, last = 0, len(text) - 1
        while i < last:
            sizes = sizes_of(text[i : i + 2])
            if sizes is None:  # most positions start no name; skipping them at once makes the scan ~30 % faster
                i += 1
                continue
            step = 1
            for size in sizes:
                end = i + size
                stops = guards.get(text[i:end])
                if stops is not None and not any(text.startswith(s, end) for s in stops):
                    yield i, end
                    step = size
                    break
            i += step


class Gazetteer:
    """Places by full name and alias, and the scanner that finds them in text."""

    def __init__(self, index: Index) -> None:
        self._lines = index["places"].split(_LINE)
        self._by_key = dict(zip(index["keys"].split(_LINE), index["numbers"]))
        self._guarded = frozenset(index["guarded"])
        self._self_references = index["self_references"]
        self._stopwords = frozenset(index["stopwords"])
        self._publishers = index["publishers"]
        self._suffixes = index["suffixes"]
        self._scanner = _Scanner(index["guards"], index["lengths"])
        self._found: dict[str, Found] = {}

    def _lookup(self, key: str) -> Found:
        """The places ``key`` names (made from their lines at its first look-up) and whether it
        names each too briefly."""
        found = self._found.get(key)
        if found is None:
            numbers = self._by_key.get(key)
            if numbers is None:
                return (), ()
            if isinstance(numbers, int):
                numbers = (numbers,)
            places = tuple(Place(*(f or None for f in self._lines[~n if n < 0 else n].split(_FIELD))) for n in numbers)
            found = self._found[key] = (places, tuple(n < 0 for n in numbers))
        return found

    def _candidates(self, key: str) -> tuple[Place, ...]:
        return self._lookup(key)[0]

    # --- look-up -------------------------------------------------------------------------

    def by_name(self, name: str) -> list[Place]:
        """Every place whose full name or alias is exactly ``name``."""
        return list(self._candidates(name))

    def resolve(self, name: str, context: Place | None = None) -> Place | None:
        """The place ``name`` means: the one inside ``context`` (same county, then city, then
        province), else the only one; None when that leaves several or none."""
        return self._choose(self._candidates(name), context)

    @staticmethod
    def _choose(candidates: tuple[Place, ...], context: Place | None) -> Place | None:
        if context is not None and len(candidates) > 1:
            home = context.name if context.level == "county" else context.county
            for unit in (home, context.city, context.province):
                inside = [p for p in candidates if unit and unit in _lineage(p)]
                if inside:
                    return inside[0] if len(inside) == 1 else None
        return candidates[0] if len(candidates) == 1 else None

    # --- running text ----------------------------------------------------------------------

    def find(self, text: str, context: Place | None = None) -> list[Span]:
        """Every place named in ``text``, left to right, longest first, never overlapping.
        A name shared by several places is kept only when ``context`` picks one."""
        return list(self._mentions(text, context, chain=False))

    def _mentions(self, text: str, context: Place | None, chain: bool) -> Iterator[Span]:
        last_end = -1
        for start, end in self._scanner.scan(text):
            key = text[start:end]
            if key in self._stopwords:
                continue
            if key in self._guarded and start != last_end and start > 0 and _is_han(text[start - 1]):
                continue
            places, brief = self._lookup(key)
            candidates = tuple(p for p, short in zip(places, brief) if not short or _near(p, context))
            place = self._choose(candidates, context)
            if place is not None:
                yield start, end, place
                last_end = end
                if chain:  # in a compound name (柳州市柳北区) each part sets the next one's context
                    context = place

    # --- self reference and publishers -------------------------------------------------------

    def from_self_reference(self, word: str, home: Place | None) -> Place | None:
        """我市/全县/全省/全国...: the home area, or its nearest ancestor, whose name ends with
        the word's level character; 全国 is the country. None for other words or no fit."""
        suffix = self._self_references.get(word)
        if suffix == "country":
            return COUNTRY
        if suffix is None or home is None:
            return None
        for place in self._ancestry(home):
            if place.name.endswith(suffix):
                return place
        return None

    def _ancestry(self, home: Place) -> Iterator[Place]:
        yield home
        for name in (home.county, home.city, home.province):
            if name and name != home.name:
                same = [p for p in self._candidates(name)
                        if p.name == name and p.province == home.province and p.level != "township"]
                if len(same) == 1:
                    yield same[0]

    def place_for_publisher(self, name: str) -> Place | None:
        """The area a publisher belongs to: 株洲日报 -> 株洲市, 醴陵市人民政府 -> 醴陵市."""
        name = name.strip()
        if name in self._publishers:
            place_name, province = self._publishers[name]
            return self._choose(self._candidates(place_name), Place(province, "province", province, None))
        stem = next((name[: -len(s)] for s in self._suffixes if name.endswith(s) and len(name) > len(s)), None)
        if not stem:
            return None
        exact = self.resolve(stem)
        if exact is not None:
            return exact
        return self._whole_compound(stem)

    def _whole_compound(self, stem: str) -> Place | None:
        """The most specific place of a stem made only of nested place names (柳州市柳北区)."""
        parts = list(self._mentions(stem, None, chain=True))
        covered = [(s, e) for s, e, _ in parts]
        if not parts or covered[0][0] != 0 or covered[-1][1] != len(stem):
            return None
        if any(prev[1] != nxt[0] for prev, nxt in zip(covered, covered[1:])):
            return None
        if any(outer.name not in _lineage(inner) for (_, _, outer), (_, _, inner) in zip(parts, parts[1:])):
            return None
        return parts[-1][2]


def build_index(
    rows: Iterable[dict[str, str]],
    stopwords: Iterable[str] = (),
    boundaries: Iterable[tuple[str, str]] = (),
    township_endings: Iterable[str] = (),
    self_references: dict[str, str] | None = None,
    publishers: dict[str, tuple[str, str]] | None = None,
    publisher_suffixes: Iterable[str] = (),
) -> Index:
    """The gazetteer's tables from its rows and word lists. Equal strings and tuples are one
    object each and every table is sorted, so the pickle of the index depends on nothing but
    its content (not on the hash seed)."""
    by_key: dict[str, set[Place]] = defaultdict(set)
    local: dict[str, set[Place]] = defaultdict(set)
    unsafe_endings = tuple(township_endings)
    guarded: set[str] = set()
    matchable: set[str] = set()
    for row in rows:
        place = _place(row)
        aliases = [a for a in row["aliases"].split("|") if a]
        for key in (place.name, *aliases):
            by_key[key].add(place)
            if _is_local(key, place):
                local[key].add(place)
        if place.level != "township" or len(place.name) >= _MIN_TOWNSHIP_CHARS:
            matchable.add(place.name)
        if place.level == "township" and place.name.endswith(unsafe_endings):
            guarded.add(place.name)
        matchable.update(aliases)
    self_references = dict(self_references or {})
    # a self-reference word (全州) is never the short form of a place (全州县)
    stops = frozenset(stopwords) | frozenset(self_references)
    boundaries = tuple(boundaries)
    guards: dict[str, tuple[str, ...]] = {word: () for word in stops}
    for key in matchable - stops:
        if len(key) >= _MIN_KEY_CHARS:
            guards[key] = tuple(sorted({follow for ends, follow in boundaries if key.endswith(ends)}))
    lengths: dict[str, set[int]] = defaultdict(set)
    for key in guards:
        lengths[key[:2]].add(len(key))

    strings: dict[str, str] = {}
    shared: dict[tuple, tuple] = {}

    def text(value: str) -> str:
        return strings.setdefault(value, value)

    def one(values: tuple, kind: str) -> tuple:
        return shared.setdefault((kind, values), values)

    def order(place: Place) -> tuple[int, str, str, str, str, str]:
        return (*_sort_key(place), place.code or "")

    def numbers(key: str) -> int | tuple[int, ...]:
        found = tuple(~number[p] if p in local.get(key, ()) else number[p] for p in sorted(by_key[key], key=order))
        return found[0] if len(found) == 1 else found

    places = sorted({p for ps in by_key.values() for p in ps}, key=order)
    number = {p: i for i, p in enumerate(places)}
    rows = [[getattr(p, f.name) or "" for f in fields(Place)] for p in places]
    keys = sorted(by_key)
    if any(_LINE in x or _FIELD in x for x in (*(x for row in rows for x in row), *keys)):
        raise ValueError("a name in the gazetteer holds a separator of its index")
    return Index(
        places=_LINE.join(map(_FIELD.join, rows)),
        keys=_LINE.join(keys),
        numbers=tuple(map(numbers, keys)),
        guards={text(k): one(tuple(map(text, v)), "guards") for k, v in sorted(guards.items())},
        lengths={text(k): one(tuple(sorted(v, reverse=True)), "lengths") for k, v in sorted(lengths.items())},
        guarded=tuple(map(text, sorted(guarded))),
        stopwords=tuple(map(text, sorted(stops))),
        self_references={text(k): text(v) for k, v in sorted(self_references.items())},
        publishers={text(k): tuple(map(text, v)) for k, v in sorted((publishers or {}).items())},
        suffixes=tuple(map(text, sorted(set(publisher_suffixes), key=lambda x: (-len(x), x)))),
    )


def index_from_data_files() -> Index:
    """The index built from the data files (what scripts/build_gazetteer_index.py writes)."""
    return build_index(
        (*load_table("gazetteer.csv", required=COLUMNS), *load_table("gazetteer_extra.csv", required=(*COLUMNS, "source"))),
        stopwords=(r["word"] for r in load_table("place_stopwords.csv", required=("word",))),
        boundaries=((r["ends"], r["followed_by"]) for r in load_table("place_boundaries.csv", required=("ends", "followed_by"))),
        township_endings=(r["ending"] for r in load_table("township_word_endings.csv", required=("ending",))),
        self_references={r["word"]: r["suffix"] for r in load_table("self_reference.csv", required=("word", "suffix"))},
        publishers={
            r["name"]: (r["place"], r["province"])
            for r in load_table("publishers.csv", required=("name", "place", "province"))
        },
        publisher_suffixes=(r["suffix"] for r in load_table("publisher_suffixes.csv", required=("suffix",))),
    )


def sources_digest() -> str:
    """A hash of everything the index is built from: the data files, this module and Place's fields."""
    digest = hashlib.sha256(f"{_INDEX_FORMAT}\0{','.join(f.name for f in fields(Place))}\0".encode())
    for path in (*map(data_path, _SOURCES), Path(__file__)):
        content = path.read_bytes()
        digest.update(f"{path.name}\0{len(content)}\0".encode() + content)
    return digest.hexdigest()


def index_bytes(index: Index) -> bytes:
    """The file ``gazetteer.index``: a header line naming the sources' digest, then the pickled index."""
    return _HEADER + sources_digest().encode() + b"\n" + pickle.dumps(index, protocol=5)


class _DataOnly(pickle.Unpickler):
    """Reads plain data (dicts, tuples, strings, numbers) and nothing that could run code."""

    def find_class(self, module: str, name: str) -> NoReturn:
        raise pickle.UnpicklingError(f"{INDEX_PATH} names {module}.{name}: an index holds data only")


def _read_index() -> Index | None:
    """The shipped index, None when it is missing or was built from other sources."""
    try:
        stream = io.BytesIO(INDEX_PATH.read_bytes())
    except FileNotFoundError:
        return None
    if stream.readline() != _HEADER + sources_digest().encode() + b"\n":
        return None
    return _DataOnly(stream).load()


@cache
def gazetteer() -> Gazetteer:
    """The gazetteer of the data files, loaded once: from the prebuilt index while it matches them."""
    index = _read_index()
    if index is None:
        warnings.warn(f"{INDEX_PATH} is missing or was built from other data files: building the gazetteer from "
                      "the files (half a second in every process); python scripts/build_gazetteer_index.py rebuilds it",
                      stacklevel=2)
        index = index_from_data_files()
    return Gazetteer(index)
