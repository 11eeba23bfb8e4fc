"""Build extractors/data/zh/gazetteer.csv from the administrative-division dictionary in jionlp.

Usage:
    python scripts/build_gazetteer.py PATH [--out extractors/data/zh/gazetteer.csv]

PATH is a downloaded jionlp wheel (``pip download --no-deps --only-binary=:all: jionlp``) or an
installed ``jionlp`` package directory. Only its data files are read; nothing is imported from
it, so jionlp is not a runtime dependency. Output rows are sorted, so a rerun on the same wheel
gives a byte-identical file.

What is kept: every province-, prefecture- and county-level division of China, and every
township-level unit whose name ends in 乡/镇/街道/苏木. Statistical-only zones (开发区,
示范区, ... — county code part 71..79) are left out: the spec treats zones as subjects.

Aliases are short forms that are safe to match in running text:
- the source's short form (株洲 for 株洲市, 大理 for 大理白族自治州), plus ``<short>州`` for an
  autonomous prefecture (大理州) and ``<short>县`` for an autonomous county (城步县);
- historical names from the source's change log (株洲县 for 渌口区, 襄樊 for 襄阳市);
- never one character, never a word in place_stopwords.csv, never another unit's full name;
- a short form claimed by units of different levels goes to the highest level only (湘潭 is
  湘潭市, not 湘潭县); one claimed by several units of the same level stays on all of them and
  is disambiguated by context at run time.
"""
from __future__ import annotations

import argparse
import csv
import io
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "extractors" / "data" / "zh"
LOCATION = "jionlp/dictionary/china_location.zip"
CHANGES = "jionlp/dictionary/china_location_change.txt"

LEVELS = ("province", "city", "county", "township")
RANK = {level: i for i, level in enumerate(LEVELS)}
TOWNSHIP_SUFFIXES = ("乡", "镇", "街道", "苏木")
PSEUDO_CITY = "省直辖行政区划"  # the source's holder for counties directly under a province
CITY_DIRECT = "市直辖行政区划"  # the source's holder for towns directly under a city
SAR = ("香港特别行政区", "澳门特别行政区")  # kept as province-level units, without subdivisions
COLUMNS = ("name", "level", "province", "city", "county", "code", "aliases")


@dataclass
class Unit:
    name: str
    level: str
    province: str
    city: str = ""
    county: str = ""
    code: str = ""
    short: str = ""
    aliases: set[str] = field(default_factory=set)

    def key(self) -> tuple[str, ...]:
        return (self.province, self.city, self.county, self.name, self.level)


class Source:
    """Reads the two data files from a wheel or from an installed package directory."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def read(self, member: str) -> bytes:
        if self.path.is_file():
            with zipfile.ZipFile(self.path) as wheel:
                return wheel.read(member)
        return (self.path.parent / member).read_bytes()

    def location_lines(self) -> list[str]:
        with zipfile.ZipFile(io.BytesIO(self.read(LOCATION))) as inner:
            return inner.read("china_location.txt").decode("utf-8").splitlines()

    def change_lines(self) -> list[str]:
        return self.read(CHANGES).decode("utf-8").splitlines()


ZONE_WORDS = ("开发区", "示范区", "管理区", "风景名胜区", "产业园区", "工业园区", "特殊乡镇")


def is_zone(name: str, code: str) -> bool:
    """Statistical zones (开发区, 示范区; county code part 71..79) are not divisions."""
    return (len(code) == 6 and code[4] == "7") or any(word in name for word in ZONE_WORDS)


def parse_units(lines: list[str]) -> list[Unit]:
    units: list[Unit] = []
    province = city = county = ""
    skip_county = False
    for line in lines:
        depth = len(line) - len(line.lstrip("\t"))
        cells = line.strip().split("\t")
        name, code, short = (cells + ["", ""])[:3]
        if not name or (depth > 0 and province in SAR):
            continue
        if depth == 0:
            province, city = name, ""
            units.append(Unit(name, "province", province, code=code, short=short))
        elif depth == 1:
            city = "" if name == PSEUDO_CITY else name
            if name == province:  # 直辖市: the province row already stands for the city
                units[-1].city = name
            elif city:
                units.append(Unit(name, "city", province, city, code=code, short=short))
        elif depth == 2:
            # 市直辖行政区划 holds towns directly under a city without counties (东莞市)
            county = "" if name == CITY_DIRECT else name
            skip_county = is_zone(name, code)
            if county and not skip_county:
                units.append(Unit(name, "county", province, city, code=code, short=short))
        elif depth == 3 and not skip_county and name.endswith(TOWNSHIP_SUFFIXES) and not is_zone(name, ""):
            units.append(Unit(name, "township", province, city, county))
    return units


def derived_aliases(unit: Unit) -> set[str]:
    forms = {unit.short} if unit.short and unit.short != unit.name else set()
    if unit.short and unit.name.endswith("自治州") and not unit.short.endswith("州"):
        forms.add(unit.short + "州")
    if unit.short and unit.name.endswith("自治县"):
        forms.add(unit.short + "县")
    return forms


def historical_aliases(change_lines: list[str], units: list[Unit]) -> dict[tuple[str, ...], set[str]]:
    """Old full and short names from the change log, keyed by the current unit they became."""
    by_path = {(u.province, u.city, u.name): u for u in units if u.level == "county"}
    by_path.update({(u.province, u.name, ""): u for u in units if u.level == "city"})
    found: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for line in change_lines:
        if "=>" not in line:
            continue
        old, new = line.split("=>", 1)
        old_cells, new_cells = old.split("\t")[2:], new.split("\t")
        if len(new_cells) < 2 or len(old_cells) < 4:
            continue
        # old: province, short, city, short[, county, short]; new: province, city[, county]
        new_key = (new_cells[0], new_cells[1], new_cells[2] if len(new_cells) > 2 else "")
        unit = by_path.get(new_key)
        if unit is None:
            continue
        old_full, old_short = (old_cells[4], old_cells[5]) if len(old_cells) > 5 else (old_cells[2], old_cells[3])
        found[unit.key()] |= {old_full, old_short} - {unit.name}
    return found


def load_stopwords() -> set[str]:
    with (DATA / "place_stopwords.csv").open(encoding="utf-8") as f:
        rows = csv.DictReader(line for line in f if not line.lstrip().startswith("#"))
        return {row["word"].strip() for row in rows}


def assign_aliases(units: list[Unit], history: dict[tuple[str, ...], set[str]], stop: set[str]) -> None:
    full_names = {u.name for u in units}
    current: dict[str, list[Unit]] = defaultdict(list)
    for unit in units:
        for alias in derived_aliases(unit):
            current[alias].append(unit)
    past: dict[str, list[Unit]] = defaultdict(list)
    for unit in units:
        for alias in history.get(unit.key(), set()):
            if alias not in current:  # a current short form always beats a historical one
                past[alias].append(unit)
    for alias, owners in (*current.items(), *past.items()):
        if len(alias) < 2 or alias in stop or alias in full_names:
            continue
        top = min(RANK[u.level] for u in owners)
        for unit in owners:
            if RANK[unit.level] == top:
                unit.aliases.add(alias)


def write_csv(units: list[Unit], out: Path) -> None:
    rows = sorted(
        (u.name, u.level, u.province, u.city, u.county, u.code, "|".join(sorted(u.aliases)))
        for u in units
    )
    with out.open("w", encoding="utf-8", newline="") as f:
        f.write("# Built by scripts/build_gazetteer.py from jionlp's china_location dictionary; see gazetteer.SOURCE.md. Do not edit by hand: add rows to gazetteer_extra.csv.\n")
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("source", type=Path, help="jionlp wheel or installed jionlp package directory")
    parser.add_argument("--out", type=Path, default=DATA / "gazetteer.csv")
    args = parser.parse_args()
    source = Source(args.source)
    units = parse_units(source.location_lines())
    assign_aliases(units, historical_aliases(source.change_lines(), units), load_stopwords())
    write_csv(units, args.out)


if __name__ == "__main__":
    main()
