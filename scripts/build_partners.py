"""Build extractors/data/zh/partners.csv (trade partners) from pycountry's zh_CN translations.

Usage:
    pip install --target /tmp/pc 'pycountry==26.2.16'     # or: pip install -e '.[vocab]'
    PYTHONPATH=/tmp/pc:. python scripts/build_partners.py [--out extractors/data/zh/partners.csv]
    PYTHONPATH=/tmp/pc:. python scripts/build_partners.py --check   # exit 1 if the file is stale

Built with pycountry 26.2.16 (PyPI), whose ISO 3166-1 data ships gettext catalogues; the
zh_CN one (``iso3166-1.mo``) is read with ``gettext.translation('iso3166-1',
pycountry.LOCALES_DIR, languages=['zh_CN'])``. pycountry is a build-time dependency only (extra
``vocab`` in pyproject.toml); the extractor reads the CSV. Provenance:
extractors/data/zh/vocabularies.SOURCE.md.

Rows (``name,kind,code,source``; sorted by kind, then name, so a rerun is byte-identical):

- kind ``country``: for every ISO 3166-1 entry, the zh_CN translation of ``name`` and of
  ``common_name`` (大韩民国 and 韩国, 老挝人民民主共和国 and 老挝), source
  ``pycountry iso3166-1 zh_CN``. ``official_name`` translations (阿富汗伊斯兰共和国) are not
  kept: trade news does not write them. Left out: a translation equal to the English (not
  translated); CN itself; HK/MO/TW, which are regions of China and are written as rows of kind
  ``bloc`` with the other regional groupings (as the vocabulary brief asks); and three
  misspellings in the catalogue (MISSPELT) whose correct forms are hand rows.
- kind ``country``, source ``hand``: the short forms mainland trade news writes where the
  catalogue differs (HAND_COUNTRIES: 刚果(金), 柬埔寨, 危地马拉, 印尼, 沙特, ...). A hand form that
  the catalogue already yields (美国, 韩国) is the catalogue's row.
- kind ``bloc``: regional groupings and regions named as trade partners (BLOCS), source ``hand``.

``code`` is the ISO 3166-1 alpha-2 code of a country (so 韩国 and 大韩民国 are one partner),
empty for a bloc. Names are written as extractors.normalize leaves them (full-width brackets
become ASCII, spaces between Han characters go), so they match cleaned text as they stand.
"""
from __future__ import annotations

import argparse
import csv
import gettext
import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "extractors" / "data" / "zh" / "partners.csv"
BUILT_WITH = "26.2.16"
COLUMNS = ("name", "kind", "code", "source")
CATALOGUE = "pycountry iso3166-1 zh_CN"

SKIP_CODES = {"CN", "HK", "MO", "TW"}
MISSPELT = {"柬埔塞", "波利维亚", "法属玻利尼西亚"}  # 柬埔寨, 玻利维亚, 法属波利尼西亚 are hand rows

# (alpha-2, short form used in mainland trade news). Entries the catalogue already has are kept
# here for the record (the brief's list) and yield no second row.
HAND_COUNTRIES = (
    ("US", "美国"), ("GB", "英国"), ("RU", "俄罗斯"), ("RU", "俄罗斯联邦"), ("KR", "韩国"),
    ("JP", "日本"), ("VN", "越南"), ("LA", "老挝"), ("KP", "朝鲜"), ("IR", "伊朗"),
    ("SY", "叙利亚"), ("VE", "委内瑞拉"), ("BO", "玻利维亚"), ("TZ", "坦桑尼亚"),
    ("CD", "刚果（金）"), ("CG", "刚果（布）"), ("KH", "柬埔寨"), ("GT", "危地马拉"),
    ("BD", "孟加拉国"), ("KG", "吉尔吉斯斯坦"), ("PF", "法属波利尼西亚"), ("SA", "沙特"),
    ("ID", "印尼"), ("MN", "蒙古国"), ("MT", "马耳他"), ("TT", "特立尼达和多巴哥"),
    ("DO", "多米尼加"), ("BA", "波黑"), ("AE", "阿拉伯联合酋长国"), ("MD", "摩尔多瓦"),
)

# Regional groupings and regions of China named as trade partners in customs and trade news.
BLOCS = (
    "东盟", "欧盟", "拉美", "拉丁美洲", "非洲", "中东", "中亚", "中亚五国", "金砖国家",
    "共建“一带一路”国家", "共建一带一路国家", "“一带一路”沿线国家", "一带一路沿线国家",
    "RCEP成员国", "上合组织国家", "上合组织成员国", "中东欧国家", "海合会",
    "港澳台", "香港", "澳门", "台湾地区", "中国香港", "中国澳门", "中国台湾",
    "北美", "北美洲", "南美洲", "东南亚", "南亚", "西亚", "大洋洲", "欧洲", "亚洲",
)
BLOC_CODES = {"香港": "HK", "中国香港": "HK", "澳门": "MO", "中国澳门": "MO", "台湾地区": "TW", "中国台湾": "TW"}


def clean(name: str) -> str:
    from extractors.normalize import normalize

    return normalize(name).text


def build_rows() -> list[tuple[str, str, str, str]]:
    import pycountry

    zh = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["zh_CN"])
    rows: dict[str, tuple[str, str, str, str]] = {}

    def add(name: str, kind: str, code: str, source: str) -> None:
        name = clean(name)
        if name in rows:
            if rows[name][2] != code:
                raise SystemExit(f"{name!r} names both {rows[name][2]} and {code}")
            return
        rows[name] = (name, kind, code, source)

    for country in sorted(pycountry.countries, key=lambda c: c.alpha_2):
        if country.alpha_2 in SKIP_CODES:
            continue
        for field in ("name", "common_name"):
            english = getattr(country, field, None)
            if not english:
                continue
            chinese = zh.gettext(english)
            if chinese != english and chinese not in MISSPELT:
                add(chinese, "country", country.alpha_2, CATALOGUE)
    for code, name in HAND_COUNTRIES:
        add(name, "country", code, "hand")
    for name in BLOCS:
        add(name, "bloc", BLOC_CODES.get(name, ""), "hand")
    return sorted(rows.values(), key=lambda r: (r[1] != "country", r[1], r[0]))


def render(rows: list[tuple[str, str, str, str]]) -> str:
    import pycountry  # noqa: F401  (version is in the header)
    from importlib import metadata

    buf = io.StringIO()
    buf.write(
        "# Trade partners: countries (ISO 3166-1; code = alpha-2) and blocs/regions. Built by\n"
        f"# scripts/build_partners.py from pycountry {metadata.version('pycountry')} (iso3166-1 zh_CN catalogue)\n"
        "# plus hand-typed mainland short forms (source hand). Do not edit by hand: edit the script\n"
        "# and rerun it. Names are in cleaned-text form (ASCII brackets), matched whole.\n"
    )
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return buf.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--check", action="store_true", help="compare with --out instead of writing; exit 1 if it differs")
    args = parser.parse_args()
    text = render(build_rows())
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.is_file() else ""
        if current != text:
            print(f"{args.out} is out of date: rerun scripts/build_partners.py", file=sys.stderr)
            return 1
        print(f"{args.out} is up to date")
        return 0
    args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
