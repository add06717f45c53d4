#!/usr/bin/env python3
"""The member database's acceptance walk-through at province scale, in headless Chromium.

    acceptance.py BASE_URL DATABASE_URL OUT_DIR [ROWS]

Against a running server on the province demo (PostgreSQL): the county cadre (zhengding) imports a
spreadsheet of ROWS rows (100,000 by default, 1% bad) for 正定县's grassroots unions through the
console, watches the progress page, downloads the error report, finds a member by ID number; the
provincial admin (hebei) then sees the new members on the dashboard. Prints what it saw with
timings; screenshots go to OUT_DIR. Exit status 1 if any check fails.
"""
import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "Tests" / "Browser"))
import console_test as ui  # noqa: E402  (the browser tests' driver and helpers)
from selenium.webdriver.common.by import By  # noqa: E402

COUNTY = "正定县总工会"


def api(base, path, token=None, body=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    return json.loads(urllib.request.urlopen(urllib.request.Request(base + path, data=data, headers=headers), timeout=60).read())


def token(base, username):
    return api(base, "/api/v1/session", body={"username": username, "password": ui.PASSWORD})["token"]


def province_active(base, hebei):
    return api(base, "/api/v1/member-dashboard", hebei)["total"]["active"]


def main():
    base, db, out = sys.argv[1], sys.argv[2], Path(sys.argv[3]).resolve()
    rows = int(sys.argv[4]) if len(sys.argv) > 4 else 100_000
    out.mkdir(parents=True, exist_ok=True)
    ui.SHOTS = out

    # The county's grassroots unions, and a spreadsheet naming them (ID numbers no earlier file used).
    unions = subprocess.run(
        ["psql", "-Atq", "-F", "\t", db, "-c",
         "SELECT u.id, u.region_code FROM organizations u, organizations c WHERE c.name = '" + COUNTY + "' "
         "AND u.path >= c.path AND u.path < substr(c.path, 1, length(c.path) - 1) || '0' "
         "AND u.level = 'grassroots' AND u.region_code IS NOT NULL"],
        check=True, capture_output=True, text=True).stdout
    (out / "unions.tsv").write_text(unions, encoding="utf-8")
    sheet = out / "正定县会员导入.csv"
    subprocess.run([sys.executable, str(ROOT / "bench" / "make_members_csv.py"), str(out / "unions.tsv"), str(rows), str(sheet),
                    "--bad", "0.01", "--seed", "7", "--skip", "2000000"], check=True)
    lines = sheet.read_text(encoding="utf-8-sig").splitlines()
    print(f"spreadsheet: {rows:,} rows for {len(unions.splitlines())} grassroots unions of {COUNTY}, "
          f"{sheet.stat().st_size / 1e6:.1f} MB")

    hebei = token(base, "hebei")
    before = province_active(base, hebei)
    print(f"province dashboard before: {before:,} active members")

    driver = ui.make_driver()
    b = ui.Browser(driver, base, [], [])
    try:
        b.login("zhengding")
        b.open("/admin/imports")
        b.find("input[type=file]").send_keys(str(sheet))
        started = time.monotonic()
        b.click(b.find("form[enctype] button[type=submit]"))
        b.wait(lambda d: "/admin/imports/" in d.current_url and d.current_url.rstrip("/").split("/")[-1].isdigit(),
               "the import's progress page", timeout=120)
        print(f"upload accepted in {time.monotonic() - started:.1f} s; progress page {b.path()}")
        # The page refreshes itself; read it as the cadre would.
        shot_mid = False
        while True:
            status = b.find("#import-status").text.strip()
            good, bad = (int(b.find(f"#import-{k}").text.replace(",", "")) for k in ("good", "bad"))
            print(f"  {time.monotonic() - started:6.1f} s  {status}  good {good:,}  bad {bad:,}")
            if not shot_mid and status == "导入中" and good > 0:
                b.screenshot("acceptance-1-progress", full_page=True)
                shot_mid = True
            if status in ("已完成", "失败"):
                break
            ui.check(time.monotonic() - started < 900, "the import did not finish in 15 minutes")
            time.sleep(3)
        elapsed = time.monotonic() - started
        ui.check(status == "已完成", f"import ended {status}")
        ui.check(good + bad == rows, f"{good} + {bad} rows reported, {rows} in the file")
        ui.check(0.008 * rows <= bad <= 0.012 * rows, f"{bad} bad rows, expected about 1%")
        print(f"import done in {elapsed:.1f} s (from upload to the page saying 已完成): {good:,} good, {bad:,} bad")
        b.screenshot("acceptance-2-done", full_page=True)

        link = b.find("a[href$='errors.csv']").get_attribute("href")
        cookies = "; ".join(f"{c['name']}={c['value']}" for c in driver.get_cookies())
        report = urllib.request.urlopen(urllib.request.Request(link, headers={"Cookie": cookies}), timeout=60).read().decode("utf-8-sig")
        report_rows = [r for r in report.splitlines()[1:] if r.strip()]
        ui.check(len(report_rows) == bad, f"error report has {len(report_rows)} rows, the page says {bad}")
        reasons = {}
        for r in report_rows:
            reason = r.split(",")[1] if "," in r else r
            reasons[reason[:12]] = reasons.get(reason[:12], 0) + 1
        print(f"error report: {len(report_rows)} rows; reasons: " + "; ".join(f"{k}… {v}" for k, v in sorted(reasons.items())))

        # A good row from the middle of the file, found by its ID number.
        bad_numbers = {int(r.split(",")[0]) for r in report_rows if r.split(",")[0].isdigit()}
        pick = next(n for n in range(len(lines) // 2, len(lines)) if n + 1 not in bad_numbers)
        name, id_number = lines[pick].split(",")[0], lines[pick].split(",")[4]
        t = time.monotonic()
        b.open("/admin/members?q=" + id_number)
        hits = b.wait(lambda d: d.find_elements(By.CSS_SELECTOR, "table.data tbody tr"), "the member found by ID number")
        print(f"find by ID number: {len(hits)} hit ({name}) in {time.monotonic() - t:.2f} s (page load)")
        ui.check(len(hits) == 1 and name in hits[0].text, f"search by ID number found {len(hits)} rows")
        ui.check(id_number not in hits[0].text, "the full ID number appears in the list")
        b.screenshot("acceptance-3-member-by-id")
        b.logout()

        # The provincial dashboard, once the rollup job has run after the import.
        t = time.monotonic()
        while province_active(base, hebei) != before + good:
            ui.check(time.monotonic() - t < 600, "the dashboard did not show the new members within 10 minutes")
            time.sleep(2)
        print(f"province dashboard shows {before + good:,} (+{good:,}) {time.monotonic() - t:.0f} s after the import finished")
        b.login("hebei")
        b.open("/admin/dashboard")
        total = int(b.find("#total-active").text.replace(",", ""))
        ui.check(total == before + good, f"dashboard page shows {total}")
        b.screenshot("acceptance-4-dashboard", full_page=True)
        print(f"screenshots: {', '.join(p.name for p in b.shots)} in {out}")
    except Exception:
        b.save_failure("acceptance")
        raise
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
