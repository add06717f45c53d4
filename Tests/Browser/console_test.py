#!/usr/bin/env python3
"""Real-browser test of WorkersHome (网上职工之家) in headless Chromium.

Run from the repository root, after `swift build`:

    python3 -m venv .build/venv && .build/venv/bin/pip install -r Tests/Browser/requirements.txt
    .build/venv/bin/python Tests/Browser/console_test.py

It loads the Hebei demo data into a throw-away SQLite database, starts
`.build/debug/workershome serve` on a free port and drives Debian's Chromium:

  A  provincial admin (hebei): login, lazy-loaded org tree down to a grassroots union, its detail page
  B  the same admin moves that union under a township of another county (flash + history timeline)
  C  county cadre (zhengding): sees only 正定县总工会, gets 404 for the city union, no 审计日志 in the nav
  D  member site on a phone (390×844): home page, search 正定, open a result
  E  a worker registers by SMS code and joins on a phone; her e-card page explains the wait; the county
     approves; she is told (message and SMS) and sees her e-card
  F  the county imports members with bad rows; progress, error report, find by ID, dashboard
  G  the member files a wage-arrears request on the phone; the county accepts and transfers it, the
     township resolves it with 11.5万; she is told of each step and rates it
  H  a system administrator binds an authenticator, creates, uses and revokes a partner key
  I  the member's own home page on the phone; the township workstation's workbench
  J  the 12351 operator finds the caller by number and files an order with nothing retyped
  K  every form's error path keeps what was typed (form_errors.py)
  L  普惠: on her phone the member of E shows her e-card's code (QR, 10 digits) and claims 正定影城's
     10-yuan ticket; the cashier verifies the code on his phone (masked name, union, 已抢到券) and
     redeems 40 → 10; the same code is refused as used; the county confirms the month's statement

Screenshots go to Tests/Browser/screenshots/ (page source too when a scenario fails).
Prints one line per scenario and ends with "N passed, M failed"; exit status 1 on any failure.
Environment: WH_BROWSER_ONLY=E,K runs those scenarios only; WH_BROWSER_STRICT=1 turns page-hygiene warnings (a literal "nil" on the page,
href="nil", JavaScript console errors, horizontal scrolling on the phone) into failures.
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.request
from pathlib import Path

from selenium import webdriver
from selenium.common.exceptions import TimeoutException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

sys.path.insert(0, str(Path(__file__).resolve().parent))
import form_errors  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
BINARY = ROOT / ".build" / "debug" / "workershome"
SHOTS = ROOT / "Tests" / "Browser" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
PASSWORD = "Demo@2026"
WAIT = 15            # seconds for any single page condition
STARTUP_WAIT = 60    # seconds for GET /health
STRICT = os.environ.get("WH_BROWSER_STRICT") == "1"
MOBILE_UA = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
             "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1")

# Demo data (seed 2026) — names come from Sources/Organizations/Data/regions.tsv.
PROVINCE = "河北省总工会"
CITY = "石家庄市总工会"
COUNTY = "正定县总工会"
MOVE_QUERY = "新华路街道"              # several in Hebei; we take the one in 石家庄市新华区
MOVE_TARGET = "新华路街道总工会"
MOVE_TARGET_CODE = "130105003000"      # 石家庄市新华区新华路街道 (not in 正定县 130123)
MOVE_NOTE = "浏览器测试：按属地原则调整隶属关系"


class CheckFailed(Exception):
    pass


def check(condition, message):
    if not condition:
        raise CheckFailed(message)


# ---------------------------------------------------------------- server


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(tmp):
    env = {k: v for k, v in os.environ.items() if not k.startswith("WH_") and k != "DATABASE_URL"}
    env["TMPDIR"] = str(tmp)
    return env


def load_demo(tmp, port):
    result = subprocess.run(
        [str(BINARY), "demo", "--data-dir", str(tmp), "--port", str(port)],
        cwd=ROOT, env=server_env(tmp), capture_output=True, text=True, timeout=300)
    if result.returncode != 0 or "hebei" not in result.stdout:
        raise RuntimeError(f"workershome demo failed (exit {result.returncode}):\n"
                           f"{result.stdout[-2000:]}\n{result.stderr[-2000:]}")


def start_server(tmp, port, log_path):
    log = open(log_path, "wb")
    proc = subprocess.Popen(
        [str(BINARY), "serve", "--data-dir", str(tmp), "--port", str(port)],
        cwd=ROOT, env=server_env(tmp), stdout=log, stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL, start_new_session=True)
    log.close()
    deadline = time.monotonic() + STARTUP_WAIT
    url = f"http://127.0.0.1:{port}/health"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with status {proc.returncode} before /health answered")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return proc
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        time.sleep(0.2)
    stop_server(proc)
    raise RuntimeError(f"GET {url} did not return 200 within {STARTUP_WAIT} s")


def stop_server(proc):
    """SIGTERM the server's process group; SIGKILL it if it has not exited after a few seconds."""
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    except ProcessLookupError:
        pass


# ---------------------------------------------------------------- browser


def make_driver(mobile=False):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--lang=zh-CN",
                "--hide-scrollbars", "--force-color-profile=srgb"):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {"intl.accept_languages": "zh-CN,zh"})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    if mobile:
        options.add_argument("--window-size=390,844")
        options.add_experimental_option("mobileEmulation", {
            "deviceMetrics": {"width": 390, "height": 844, "pixelRatio": 2, "touch": True},
            "userAgent": MOBILE_UA,
        })
    else:
        options.add_argument("--window-size=1366,900")
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    driver.set_page_load_timeout(30)
    return driver


class Browser:
    """A driver plus the helpers every scenario uses."""

    def __init__(self, driver, base, shots, warnings):
        self.d = driver
        self.base = base
        self.shots = shots          # list of saved screenshot paths
        self.warnings = warnings    # list of hygiene warnings for the current scenario

    def wait(self, condition, message, timeout=WAIT):
        try:
            return WebDriverWait(self.d, timeout).until(condition)
        except TimeoutException:
            raise CheckFailed(f"timed out after {timeout} s waiting for {message} (at {self.d.current_url})")

    def open(self, path):
        self.d.get(self.base + path)

    def path(self):
        url = self.d.current_url
        return url[len(self.base):] if url.startswith(self.base) else url

    def find(self, css, message=None):
        return self.wait(EC.presence_of_element_located((By.CSS_SELECTOR, css)), message or css)

    def visible(self, css, message=None):
        return self.wait(EC.visibility_of_element_located((By.CSS_SELECTOR, css)), message or css)

    def text_in(self, css, text, message=None):
        self.wait(EC.text_to_be_present_in_element((By.CSS_SELECTOR, css), text),
                  message or f"“{text}” in {css}")

    def click(self, element):
        self.d.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
        element.click()

    def screenshot(self, name, full_page=False):
        path = SHOTS / f"{name}.png"
        main = self.d.find_elements(By.CSS_SELECTOR, "body.console main.main, body.console .main")
        if full_page and main:
            # The console scrolls its main pane, not the document: make the window as tall as the pane's content.
            size = self.d.get_window_size()
            extra = self.d.execute_script("return arguments[0].scrollHeight - arguments[0].clientHeight;", main[0])
            if extra > 0:
                self.d.set_window_size(size["width"], size["height"] + extra)
            self.d.save_screenshot(str(path))
            self.d.set_window_size(size["width"], size["height"])
        elif full_page:
            # Whole document, not just the viewport (the member site scrolls the body).
            import base64
            metrics = self.d.execute_cdp_cmd("Page.getLayoutMetrics", {})
            size = metrics.get("cssContentSize") or metrics["contentSize"]
            shot = self.d.execute_cdp_cmd("Page.captureScreenshot", {
                "format": "png", "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1},
            })
            path.write_bytes(base64.b64decode(shot["data"]))
        else:
            self.d.save_screenshot(str(path))
        self.shots.append(path)
        return path

    def save_failure(self, name):
        """Screenshot and page source of the page where a scenario failed (both listed in self.shots)."""
        try:
            self.screenshot(f"{name}-FAILED")
            source = SHOTS / f"{name}-FAILED.html"
            source.write_text(self.d.page_source, encoding="utf-8")
            self.shots.append(source)
        except WebDriverException:
            pass

    def hygiene(self, label, mobile=False):
        """Problems worth a warning on any page: template leaks and JavaScript errors."""
        body = self.d.find_element(By.TAG_NAME, "body").text
        if re.search(r"(?<![A-Za-z])nil(?![A-Za-z])", body):
            lines = [line.strip() for line in body.splitlines() if re.search(r"(?<![A-Za-z])nil(?![A-Za-z])", line)]
            self.warnings.append(f"{label} ({self.path()}): page text shows “nil”: {'; '.join(lines[:3])}")
        nil_links = self.d.find_elements(By.CSS_SELECTOR, "a[href='nil']")
        if nil_links:
            texts = sorted({a.get_attribute("textContent").strip() for a in nil_links})
            self.warnings.append(f"{label} ({self.path()}): {len(nil_links)} link(s) with href=\"nil\": {', '.join(texts)}")
        try:
            for entry in self.d.get_log("browser"):
                message = entry.get("message", "")
                # An error page's own 4xx status is logged as a failed load: that one is expected.
                if message.startswith(self.d.current_url + " - Failed to load resource"):
                    continue
                if entry.get("level") == "SEVERE":
                    self.warnings.append(f"{label} ({self.path()}): browser console: {message}")
        except WebDriverException:
            pass
        if mobile:
            overflow = self.d.execute_script(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth;")
            if overflow > 0:
                self.warnings.append(f"{label} ({self.path()}): page scrolls sideways by {overflow}px on the phone")

    # -- console helpers

    def login(self, username):
        if "/admin/login" not in self.d.current_url:
            self.open("/admin/login")
        if self.d.find_elements(By.CSS_SELECTOR, "header.topbar"):  # still signed in from an earlier scenario
            self.logout()
        self.visible("form.form input#username", "the login form")
        user = self.d.find_element(By.ID, "username")
        user.clear()
        user.send_keys(username)
        self.d.find_element(By.ID, "password").send_keys(PASSWORD)
        self.d.find_element(By.CSS_SELECTOR, "form.form button[type=submit]").click()
        self.wait(lambda d: "/admin/login" not in d.current_url, f"{username} to be logged in")
        check("/admin/totp" not in self.d.current_url, f"{username} was asked for a TOTP code")
        self.find("body.console header.topbar", "the console layout after login")

    def logout(self):
        button = self.find("header.topbar form[action='/admin/logout'] button", "the 退出登录 button")
        check("退出登录" in button.text, f"logout button reads “{button.text}”")
        self.click(button)
        self.wait(lambda d: "/admin/login" in d.current_url, "the login page after logout")
        self.visible("input#username", "the login form after logout")

    def nav_labels(self):
        return [e.text.strip() for e in self.d.find_elements(By.CSS_SELECTOR, "nav.sidenav .nav-label")]

    def tree_item(self, scope, name):
        """The <li> in `scope` whose own a.name reads `name` (any depth)."""
        items = scope.find_elements(
            By.XPATH, f".//li[div[contains(@class,'node')]/a[contains(@class,'name') and normalize-space(.)='{name}']]")
        check(items, f"no tree node named {name}")
        return items[0]

    def expand(self, li, name):
        """Click the ▸ of `li` and wait for its lazily fetched <ul class=tree> of children."""
        toggle = li.find_element(By.CSS_SELECTOR, ":scope > div.node > button.toggle")
        check(toggle.get_attribute("data-children-url"), f"{name}: toggle has no data-children-url")
        self.click(toggle)

        def loaded(_):
            if li.find_elements(By.CSS_SELECTOR, ":scope > .tree-error"):
                raise CheckFailed(f"{name}: the tree shows “{li.find_element(By.CSS_SELECTOR, ':scope > .tree-error').text}”")
            children = li.find_elements(By.CSS_SELECTOR, ":scope > ul.tree > li")
            return children if ("open" in li.get_attribute("class").split()
                                and toggle.get_attribute("aria-expanded") == "true" and children) else False

        children = self.wait(loaded, f"the children of {name} to load")
        check(li.find_element(By.CSS_SELECTOR, ":scope > ul.tree").is_displayed(),
              f"{name}: children loaded but not shown")
        return children


def node_name(li):
    return li.find_element(By.CSS_SELECTOR, ":scope > div.node > a.name").text.strip()


def node_meta(li):
    metas = li.find_elements(By.CSS_SELECTOR, ":scope > div.node > span.meta")
    return metas[0].text.strip() if metas else ""


# ---------------------------------------------------------------- scenarios


def scenario_a(b, state):
    """Provincial admin: login, tree down to a grassroots union, detail page."""
    b.open("/admin")
    b.wait(lambda d: "/admin/login" in d.current_url, "/admin to redirect to the login page")
    b.text_in("main h1", "工作人员登录")
    b.screenshot("a1-login")
    b.hygiene("login page")

    b.login("hebei")
    check(b.path().split("?")[0] in ("/admin", "/admin/"), f"after login landed on {b.path()}, expected /admin")
    topbar_bg = b.d.execute_script(
        "return getComputedStyle(document.querySelector('header.topbar')).backgroundColor;")
    check(topbar_bg == "rgb(200, 22, 29)", f"app.css not applied: top bar background is {topbar_bg}")

    nav = b.find("nav.sidenav a[href='/admin/orgs']", "组织架构 in the left nav")
    check("组织架构" in nav.text, f"left nav link to /admin/orgs reads “{nav.text}”")
    b.click(nav)
    tree = b.visible("ul#org-tree", "the org tree")
    b.text_in("main h1", "组织架构")
    active = b.d.find_elements(By.CSS_SELECTOR, "nav.sidenav a.active[aria-current=page]")
    check(active and "组织架构" in active[0].text, "组织架构 is not marked active in the left nav")

    roots = tree.find_elements(By.CSS_SELECTOR, ":scope > li")
    check([node_name(li) for li in roots] == [PROVINCE], f"tree roots are {[node_name(li) for li in roots]}")
    province = roots[0]
    b.expand(province, PROVINCE)
    city = b.tree_item(province, CITY)
    state["city_href"] = city.find_element(By.CSS_SELECTOR, ":scope > div.node > a.name").get_attribute("href")
    b.expand(city, CITY)
    county = b.tree_item(city, COUNTY)
    state["county_href"] = county.find_element(By.CSS_SELECTOR, ":scope > div.node > a.name").get_attribute("href")
    county_children = b.expand(county, COUNTY)
    townships = [li for li in county_children if "乡镇（街道）" in node_meta(li)
                 and li.find_elements(By.CSS_SELECTOR, ":scope > div.node > button.toggle")]
    check(townships, f"{COUNTY} has no expandable 乡镇（街道） child")
    township = townships[0]
    state["township"] = node_name(township)
    grassroots = [li for li in b.expand(township, state["township"]) if node_meta(li).startswith("基层")]
    check(grassroots, f"{state['township']} has no 基层 child")
    union = grassroots[0]
    state["union"] = node_name(union)
    b.d.execute_script("arguments[0].scrollIntoView({block: 'center'});", township)
    b.screenshot("a2-tree-expanded")
    b.hygiene("org tree")

    link = union.find_element(By.CSS_SELECTOR, ":scope > div.node > a.name")
    state["union_href"] = link.get_attribute("href")
    b.click(link)
    b.wait(lambda d: d.current_url == state["union_href"], f"the detail page of {state['union']}")
    h1 = b.visible("main h1", "the detail page heading")
    check(h1.text.startswith(state["union"]), f"detail h1 is “{h1.text}”, expected {state['union']}")
    crumbs = b.d.find_element(By.CSS_SELECTOR, "ol.breadcrumb").text
    for name in (PROVINCE, CITY, COUNTY, state["township"]):
        check(name in crumbs, f"breadcrumb “{crumbs}” lacks {name}")
    b.screenshot("a3-union-detail")
    b.hygiene("union detail")
    return f"hebei: tree {PROVINCE} › {CITY} › {COUNTY} › {state['township']} › {state['union']}"


def scenario_b(b, state):
    """Move the grassroots union under a township of another county."""
    check("union_href" in state, "needs the grassroots union from scenario A")
    if b.d.current_url != state["union_href"]:
        b.d.get(state["union_href"])
    move = b.find("a[href$='/move']", "the 划转到其他上级 link")
    check("划转到其他上级" in move.text, f"move link reads “{move.text}”")
    b.click(move)
    b.text_in("main h1", "划转到其他上级")
    search = b.visible("form.toolbar input#q", "the target search box")
    search.send_keys(MOVE_QUERY)
    b.click(b.d.find_element(By.CSS_SELECTOR, "form.toolbar button[type=submit]"))
    b.find("input[name=target]", f"candidates for “{MOVE_QUERY}”")
    labels = b.d.find_elements(By.XPATH, "//label[input[@name='target']]")
    wanted = [label for label in labels if MOVE_TARGET in label.text and MOVE_TARGET_CODE in label.text]
    check(wanted, f"no candidate {MOVE_TARGET} · {MOVE_TARGET_CODE}; got {[l.text for l in labels]}")
    radio = wanted[0].find_element(By.CSS_SELECTOR, "input[name=target]")
    b.click(radio)
    check(radio.is_selected(), "the target radio did not get selected")
    b.d.find_element(By.ID, "note").send_keys(MOVE_NOTE)
    b.screenshot("b1-move-form")
    b.hygiene("move form")

    b.click(b.d.find_element(By.XPATH, "//form[@method='post']//button[contains(., '确认划转')]"))
    b.wait(lambda d: d.current_url == state["union_href"], "the redirect back to the union detail page")
    b.text_in("main .alert-ok", "已完成划转", "the flash message 已完成划转")
    latest = b.visible("ol.timeline > li", "the history timeline")
    check("划转" in latest.find_element(By.CSS_SELECTOR, ".what").text, f"latest history entry is “{latest.text}”")
    check(MOVE_TARGET in latest.text, f"latest history entry “{latest.text}” lacks the new parent {MOVE_TARGET}")
    check(state["township"] in latest.text, f"latest history entry “{latest.text}” lacks the old parent")
    check(MOVE_NOTE in latest.text, f"latest history entry “{latest.text}” lacks the note")
    crumbs = b.d.find_element(By.CSS_SELECTOR, "ol.breadcrumb").text
    check(MOVE_TARGET in crumbs and "新华区总工会" in crumbs and COUNTY not in crumbs,
          f"breadcrumb after the move is “{crumbs}”")
    b.d.execute_script("document.querySelector('main.main').scrollTo(0, 0);")
    b.screenshot("b2-moved-flash")
    b.d.execute_script("arguments[0].scrollIntoView({block: 'center'});",
                       b.d.find_element(By.CSS_SELECTOR, "ol.timeline"))
    b.screenshot("b3-moved-history")
    b.hygiene("detail after move")
    return f"moved {state['union']} from {state['township']} to {MOVE_TARGET} ({MOVE_TARGET_CODE})"


def scenario_c(b, state):
    """County cadre sees only his county; the city union is a 404; no audit log."""
    b.logout()
    # The auditor does see 审计日志, so its absence for zhengding below means something.
    b.login("auditor")
    check("审计日志" in b.nav_labels(), f"auditor's nav lacks 审计日志: {b.nav_labels()}")
    b.logout()

    b.login("zhengding")
    user = b.d.find_element(By.CSS_SELECTOR, "header.topbar .user").text
    b.click(b.find("nav.sidenav a[href='/admin/orgs']", "组织架构 in the left nav"))
    tree = b.visible("ul#org-tree", "the org tree")
    roots = [node_name(li) for li in tree.find_elements(By.CSS_SELECTOR, ":scope > li")]
    check(roots == [COUNTY], f"zhengding's tree roots are {roots}, expected only {COUNTY}")
    check(not b.d.find_elements(By.XPATH, f"//a[normalize-space(.)='{CITY}']"), f"{CITY} is shown to zhengding")
    children = b.expand(tree.find_element(By.CSS_SELECTOR, ":scope > li"), COUNTY)
    check(any(node_name(li) == state.get("township") for li in children) or "township" not in state,
          f"{state.get('township')} missing under {COUNTY}")
    nav = b.nav_labels()
    check("审计日志" not in nav, f"zhengding's nav shows 审计日志: {nav}")
    check(not b.d.find_elements(By.CSS_SELECTOR, "nav.sidenav a[href^='/admin/audit']"), "a nav link to /admin/audit")
    b.screenshot("c1-zhengding-tree")
    b.hygiene("county tree")

    check("city_href" in state, "needs the URL of 石家庄市总工会 from scenario A")
    b.d.get(state["city_href"])
    page = b.visible(".error-page", f"the error page at {state['city_href']}")
    check("页面不存在" in page.text, f"error page reads “{page.text}”")
    check(b.d.find_element(By.CSS_SELECTOR, ".error-status").text.strip() == "404",
          f"error status is “{b.d.find_element(By.CSS_SELECTOR, '.error-status').text}”")
    check(CITY not in b.d.find_element(By.TAG_NAME, "body").text, f"the 404 page reveals the name {CITY}")
    b.screenshot("c2-city-404")
    b.hygiene("404 page")
    return f"zhengding ({user.splitlines()[0] if user else '?'}): only {COUNTY}, {b.path()} → 404, no 审计日志"


def scenario_d(b, state):
    """Member site on a phone."""
    b.open("/")
    form = b.visible("form.search-big", "the big search form")
    width = b.d.execute_script("return window.innerWidth;")
    check(width == 390, f"phone viewport is {width}px wide, expected 390 (meta viewport missing?)")
    b.text_in(".hero h1", "网上职工之家")
    b.screenshot("d1-phone-home")
    b.hygiene("home", mobile=True)

    field = form.find_element(By.CSS_SELECTOR, "input[name=q]")
    field.send_keys("正定")
    b.click(form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    b.wait(lambda d: "/unions" in d.current_url, "the search results page")
    results = b.wait(lambda d: d.find_elements(By.CSS_SELECTOR, ".result-title"), "search results (.result-title)")
    titles = [r.text.strip() for r in results]
    check(any("正定" in t for t in titles), f"no result mentions 正定: {titles[:5]}")
    check(b.d.find_element(By.CSS_SELECTOR, "form.search-big input[name=q]").get_attribute("value") == "正定",
          "the search box does not keep the query")
    b.screenshot("d2-phone-search")
    b.screenshot("d3-phone-search-full", full_page=True)
    b.hygiene("search results", mobile=True)

    first = results[0]
    name = first.text.strip()
    b.click(first)
    h1 = b.visible("main h1", f"the page of {name}")
    check(h1.text.strip() == name, f"union page h1 is “{h1.text}”, expected {name}")
    check(b.d.find_elements(By.CSS_SELECTOR, "dl.kv"), "union page has no details (dl.kv)")
    b.screenshot("d4-phone-union")
    b.hygiene("union page", mobile=True)
    return f"phone: {len(titles)} results for 正定, opened {name}"


WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def id_number(region, yyyymmdd, seq):
    """A valid GB 11643 number (MOD 11-2 check digit)."""
    body = f"{region}{yyyymmdd}{seq:03d}"
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, WEIGHTS)) % 11]


def scenario_e(b, state):
    """A worker registers and joins on a phone; the county cadre approves; she sees her e-card."""
    phone_no = "13931100777"
    b.open("/me/register")
    b.find("input[name=phone]").send_keys(phone_no)
    b.click(b.find("button[value=code]"))
    b.text_in(".alert-ok", "验证码已发送")
    # The development SMS sender writes the message to the server log.
    log = state["log"].read_text(encoding="utf-8", errors="replace")
    codes = re.findall(r"验证码是 (\d{6})", log)
    check(codes, "no SMS code in the server log")
    b.find("input[name=code]").send_keys(codes[-1])
    b.find("input[name=password]").send_keys("Worker@2026")
    b.click(b.find("button[value=register]"))
    b.wait(lambda d: "/me/join" in d.current_url, "the joining form after registering")
    search = b.find("input[name=unionq]")
    search.send_keys("正定")
    b.click(b.find("form.search-big button"))
    b.wait(lambda d: len(d.find_elements(By.CSS_SELECTOR, "select[name=unionId] option")) > 1, "unions to choose from")
    options = b.d.find_elements(By.CSS_SELECTOR, "select[name=unionId] option")
    union = next((o for o in options if o.text.startswith("正定") and "工会委员会" in o.text), options[1])
    union_name = union.text.split("（")[0]
    state["union_name"] = union_name
    b.click(union)
    b.find("input[name=workplace]").send_keys(union_name.replace("工会委员会", "").replace("工会", ""))
    b.find("input[name=name]").send_keys("刘春燕")
    b.find("input[name=idNumber]").send_keys(id_number("130123", "19920315", 124))
    b.screenshot("e1-phone-join-form", full_page=True)
    b.hygiene("join form", mobile=True)
    b.click(b.find("form.form button[type=submit]"))
    b.wait(lambda d: d.current_url.rstrip("/").endswith("/me"), "my page after applying")
    b.text_in("#application", "待审核")
    b.screenshot("e2-phone-pending", full_page=True)
    b.open("/me/card")
    waiting = b.visible("#no-card", "the e-card page before approval").text
    check("正在由" in waiting and "审核" in waiting and "通知您" in waiting, f"the card page before approval reads “{waiting}”")
    b.screenshot("e2b-phone-card-waiting", full_page=True)

    # The county cadre approves in the console (another browser).
    console = state["console"]
    console.login("zhengding")
    console.open("/admin/applications")
    row = console.wait(lambda d: [r for r in d.find_elements(By.CSS_SELECTOR, "table.data tbody tr") if "刘春燕" in r.text],
                       "the application in the list")[0]
    check("130123********" in row.text, "the ID number is not masked in the list")
    console.click(row.find_element(By.CSS_SELECTOR, "form[action$=approve] button"))
    console.text_in(".alert-ok", "已批准入会")
    console.screenshot("e3-console-approved")
    console.logout()

    b.open("/me/requests")
    b.text_in(".result-list", "申请已通过", "the approval among her messages")
    sms = state["log"].read_text(encoding="utf-8", errors="replace")
    check("申请已通过" in sms, "no text message of the approval in the server log")
    b.open("/me")
    member_no = b.find("#member-no").text.strip()
    check(member_no.startswith("13"), f"member number “{member_no}”")
    b.open("/me/card")
    card = b.visible("#e-card", "the e-card")
    check("刘春燕" in card.text and member_no in card.text, "the e-card lacks the name or number")
    b.click(b.find("#apply-card", "申领电子会员卡 on the e-card page"))
    b.text_in(".alert-ok", "电子会员卡已开通")
    card_no = b.visible("#card-no", "the card number on the e-card").text.strip()
    check(len(card_no) == 17 and card_no.startswith("88130123"), f"card number “{card_no}”")
    b.screenshot("e4-phone-card", full_page=True)
    b.hygiene("e-card", mobile=True)
    return f"registered {phone_no}, applied to {union_name}, approved, member {member_no}, e-card {card_no}"


def scenario_f(b, state):
    """The county cadre imports a spreadsheet with bad rows, watches it, reads the errors, finds a member."""
    b.login("zhengding")
    # Grassroots unions of the county, from the API with the same account.
    token = json.loads(urllib.request.urlopen(urllib.request.Request(
        b.base + "/api/v1/session", data=json.dumps({"username": "zhengding", "password": PASSWORD}).encode(),
        headers={"Content-Type": "application/json"}), timeout=10).read())["token"]
    found = json.loads(urllib.request.urlopen(urllib.request.Request(
        b.base + "/api/v1/orgs?q=%E5%B7%A5%E4%BC%9A%E5%A7%94%E5%91%98%E4%BC%9A&limit=50",
        headers={"Authorization": f"Bearer {token}"}), timeout=10).read())["items"]
    unions = [o["id"] for o in found if o["level"] == "grassroots"]
    check(len(unions) >= 3, f"only {len(unions)} grassroots unions found")
    rows = ["姓名,性别,出生日期,民族,身份证号,手机号,学历,政治面貌,工会组织编号,工作岗位,是否农民工,入会日期"]
    good_id = None
    for n in range(300):
        ident = id_number("130123", f"1958{1 + n % 12:02d}{1 + n % 28:02d}", n)
        if n == 10:
            good_id = ident
        if n % 100 == 50:
            ident = ident[:-1] + ("1" if ident[-1] != "1" else "2")   # wrong check digit
        if n % 100 == 75:
            ident = "1.30123E+17"                                      # what Excel does to long numbers
        rows.append(f"员工{n},,,汉族,{ident},139{n:08d},高中,群众,{unions[n % len(unions)]},操作工,否,")
    path = state["tmp"] / "会员导入.csv"
    path.write_text("\ufeff" + "\r\n".join(rows) + "\r\n", encoding="utf-8")

    b.open("/admin/imports")
    b.find("input[type=file]").send_keys(str(path))
    b.screenshot("f1-import-form")
    b.click(b.find("form[enctype] button[type=submit]"))
    b.wait(lambda d: re.search(r"/admin/imports/\d+$", d.current_url), "the import's progress page")
    b.wait(lambda d: "已完成" in d.find_element(By.ID, "import-status").text, "the import to finish (page refreshes itself)", timeout=60)
    good = int(b.find("#import-good").text.replace(",", ""))
    bad = int(b.find("#import-bad").text.replace(",", ""))
    check((good, bad) == (294, 6), f"imported {good} good, {bad} bad; expected 294 and 6")
    errors_link = b.find("a[href$='errors.csv']")
    b.screenshot("f2-import-done", full_page=True)
    b.hygiene("import progress")
    cookies = "; ".join(f"{c['name']}={c['value']}" for c in b.d.get_cookies())
    report = urllib.request.urlopen(urllib.request.Request(errors_link.get_attribute("href"), headers={"Cookie": cookies}),
                                    timeout=10).read().decode("utf-8-sig")
    check(report.count("\n") == 7 and "科学计数法" in report and "校验位" in report, f"error report:\n{report[:400]}")

    b.open("/admin/members?q=" + good_id)
    hits = b.wait(lambda d: d.find_elements(By.CSS_SELECTOR, "table.data tbody tr"), "the member found by ID number")
    check(len(hits) == 1 and "员工10" in hits[0].text, f"search by ID number found {len(hits)} rows")
    check(good_id not in hits[0].text, "the full ID number appears in the list")
    b.screenshot("f3-member-by-id")
    # Reveal the full number with a reason; the page then stands at its GET address, so a refresh
    # shows the plain record instead of posting the reveal again.
    b.click(hits[0].find_element(By.CSS_SELECTOR, "a"))
    b.find("input#reason", "the reveal form").send_keys("核对导入结果")
    b.click(b.find("form[action$='/reveal'] button", "the 查看 button"))
    shown = b.visible("#revealed-value", "the revealed ID number").text.strip()
    check(shown == good_id, f"revealed {shown}, expected {good_id}")
    check(not b.path().endswith("/reveal"), f"the revealed page stays at {b.path()}")
    b.d.refresh()
    b.find("input#reason", "the member page after a refresh")
    check(not b.d.find_elements(By.ID, "revealed-value"), "a refresh shows the number again (posted again)")
    b.open("/admin/dashboard")
    total = int(b.find("#total-active").get_attribute("title").replace(",", ""))  # the tile reads 2.44万; its title every digit
    check(total >= 294, f"dashboard total {total}")
    charts = b.d.find_elements(By.CSS_SELECTOR, "section.card svg.chart")
    check(len(charts) == 4, f"{len(charts)} charts on the dashboard, expected 4 (joins by month, composition, members, coverage)")
    for chart in charts:  # each fills its card
        card = chart.find_element(By.XPATH, "./ancestor::section[1]")
        check(chart.size["width"] >= card.size["width"] * 0.85, f"a chart {chart.size['width']}px wide in a {card.size['width']}px card")
    check(b.d.find_elements(By.CSS_SELECTOR, "section.card svg.chart title"), "no values on hover (<title>) in the charts")
    b.screenshot("f4-dashboard", full_page=True)
    b.hygiene("dashboard")
    b.logout()
    return f"imported {good} good and {bad} bad rows, error report of {bad} lines, found by ID number, dashboard {total}"


# ---------------------------------------------------------------- main


def scenario_g(b, state):
    """The member from E files a wage-arrears request on her phone; the county handles it in the console; she rates it."""
    b.open("/me/requests/new")
    b.wait(lambda d: "/me/requests/new" in d.current_url, "the request form (still signed in from E)")
    b.text_in("form.form", "受理工会")
    b.find("select[name=typeCode] option[value=assistance]").click()
    b.find("select[name=categoryCode] option[value=wage_arrears]").click()
    b.find("input[name=title]").send_keys("公司拖欠 13 人三个月工资")
    b.find("textarea[name=description]").send_keys("2026 年 8 月至 10 月工资共 11.5 万元，多次讨要未果。")
    b.screenshot("g1-phone-request-form", full_page=True)
    b.hygiene("request form", mobile=True)
    b.click(b.find("form.form button[type=submit]"))
    b.wait(lambda d: re.search(r"/me/requests/\d+$", d.current_url), "the request page after filing")
    number = b.find("#request-number").text.strip()
    b.text_in("#request-status", "待受理")
    b.screenshot("g2-phone-request-filed", full_page=True)
    b.hygiene("request page", mobile=True)

    console = state["console"]
    console.login("zhengding")
    console.open(f"/admin/work-orders?queue=subtree&q={number}")
    link = console.find(f"#queue-table a[href^='/admin/work-orders/']", "the order in the county's list")
    check(number in console.find("#queue-table").text, f"{number} not in the queue")
    console.screenshot("g3-console-queue")
    console.click(link)
    console.click(console.find("#accept", "the 受理 button"))
    console.text_in(".alert-ok", "已受理")
    console.text_in("#order-remaining", "个工作日")
    actions = [e.text for e in console.d.find_elements(By.CSS_SELECTOR, ".action-panel .action h3")]
    check([a.split(" ")[0].split("（")[0] for a in actions] == ["转办", "请求协办", "请职工补充", "办理记录", "附件"],
          f"the handling panel's actions read {actions}")
    check(console.find(".file-pick label").text == "选择文件", "the file button is not in the page's words")
    console.screenshot("g3b-console-handling", full_page=True)
    order_path = console.path()
    console.find("#targetq").send_keys("正定镇")
    console.click(console.find("#targetq + button"))
    target = console.wait(lambda d: [o for o in d.find_elements(By.CSS_SELECTOR, "#transfer-target option") if o.text.startswith("正定镇总工会")],
                          "正定镇总工会 among the transfer targets")[0]
    console.click(target)
    console.find("#transfer-form input[name=note]").send_keys("企业在正定镇，请镇工作站约谈")
    console.click(console.find("#transfer-form input[name=tellWorker]"))
    console.click(console.find("#transfer-form button[type=submit]"))
    console.text_in(".alert-ok", "已转办")
    console.logout()
    console.login("zhengdingzhen")
    console.open(order_path)
    console.click(console.find("#accept", "the township's 受理 button"))
    console.text_in(".alert-ok", "已受理")
    console.find("#outcome").send_keys("协调劳动监察部门约谈企业，工资已全部发放。")
    console.find("#amountRecovered").send_keys("11.5万")
    console.find("#peopleHelped").send_keys("13")
    console.click(console.find("#resolve-form button[type=submit]"))
    console.text_in(".alert-ok", "已办结")
    console.text_in("#order-amount", "11.5万元")
    console.screenshot("g4-console-resolved", full_page=True)

    console.logout()
    b.open("/me/requests")
    messages = b.find(".result-list").get_attribute("textContent")
    for told in ("受理", "已转至正定镇总工会办理", "企业在正定镇", "已由正定镇总工会受理", "已办结"):
        check(told in messages, f"her messages lack “{told}”: {messages[:300]}")
    b.screenshot("g4b-phone-messages", full_page=True)
    mine = b.d.find_elements(By.XPATH, f"//ul[@id='my-requests']/li[.//span[normalize-space(.)='{number}']]/a")
    check(mine, f"{number} is not in her list of requests")
    b.click(mine[0])
    b.text_in("#request-status", "已办结")
    b.click(b.find("label[for=star5]"))
    b.find("#comment").send_keys("感谢工会！")
    b.click(b.find("#rate-form button[type=submit]"))
    b.text_in(".alert-ok", "感谢您的评价")
    b.text_in("#request-status", "已关闭")
    b.screenshot("g5-phone-rated", full_page=True)

    console.login("zhengding")
    console.open("/admin/work-order-stats")
    console.visible("svg.chart", "a chart on the stats page")
    satisfaction = console.find("#stat-satisfaction").text
    check(satisfaction == "100.0%", f"satisfaction reads {satisfaction}")
    console.screenshot("g6-console-stats", full_page=True)
    console.logout()
    return f"filed {number}, accepted by the county, transferred to 正定镇, resolved with 11.5万, rated 5, county satisfaction {satisfaction}"


def scenario_i(b, state):
    """The member from E opens the home page on her phone: her card, requests and messages first; the
    township workstation opens its workbench at a desk: each to-do with its count, linking to its list."""
    b.open("/")
    tiles = b.visible(".home-tiles", "the worker's own tiles on the home page")
    check("我的会员卡" in tiles.text and "我的诉求" in tiles.text and "消息" in tiles.text, f"home tiles read “{tiles.text}”")
    check(b.find(".site-nav a[href='/me']").text == "我的", "the header offers 我的 to a signed-in worker")
    icons = b.d.find_elements(By.CSS_SELECTOR, ".service-grid img.tile-icon")
    check(len(icons) == 8 and all(b.d.execute_script("return arguments[0].naturalWidth", i) > 0 for i in icons),
          "eight service icons, each loaded")
    b.screenshot("i1-phone-home-signed-in", full_page=True)
    b.hygiene("home signed in", mobile=True)

    console = state["console"]
    console.login("zhengdingzhen")
    console.open("/admin")
    todos = console.visible(".todo-grid", "the workbench's to-dos")
    labels = [e.text for e in console.d.find_elements(By.CSS_SELECTOR, ".todo-label")]
    check("待受理工单" in labels and "即将超期" in labels and "已超期" in labels, f"to-dos {labels}")
    first = console.d.find_elements(By.CSS_SELECTOR, "a.todo")[0]
    count = int(first.find_element(By.CSS_SELECTOR, ".todo-count").text.replace(",", ""))
    console.screenshot("i2-console-workbench")
    console.click(first)
    console.wait(lambda d: "/admin/work-orders?queue=" in d.current_url, "the queue behind the first to-do")
    rows = console.d.find_elements(By.CSS_SELECTOR, "#queue-table tbody tr")
    check(count == len([r for r in rows if r.find_elements(By.CSS_SELECTOR, "a")]) or count > 20,
          f"the to-do counts {count}, its list holds {len(rows)} rows")
    console.logout()
    return f"home tiles: {tiles.text.replace(chr(10), ' / ')}; workbench: {', '.join(labels)}"


def scenario_j(b, state):
    """The county's 12351 operator takes a call from the member of E: the number finds her, and the
    intake form opens with her name, number and union filled in; looking up another union keeps what
    was typed; the order is filed on the hotline channel without retyping anything."""
    b.login("rexian")
    b.open("/admin")
    shortcut = b.find("a[href='/admin/hotline']", "the 12351 热线 shortcut on the workbench")
    b.click(shortcut)
    b.find("#phone").send_keys("13931100777")
    b.click(b.find("form[action='/admin/hotline'] button"))
    caller = b.visible("#caller", "the caller found by number").text
    check("刘春燕" in caller, f"the caller panel reads “{caller}”")
    check("公司拖欠" in b.d.page_source, "her earlier request is not listed with the number")
    b.screenshot("j1-hotline-caller")
    b.click(b.find("#quick-intake"))
    b.wait(lambda d: "/admin/work-orders/new" in d.current_url, "the intake form")
    check(b.find("#callerName").get_attribute("value") == "刘春燕", "the caller's name is not filled in")
    check(b.find("#callerPhone").get_attribute("value") == "13931100777", "the caller's number is not filled in")
    union = b.find("#unionId option:checked").text
    check(union.startswith(state.get("union_name", "正定")), f"受理工会 starts as “{union}”")
    check(b.find("#channel option:checked").get_attribute("value") == "hotline", "the channel is not 12351")
    b.find("select#typeCode option[value=assistance]").click()
    b.find("select#categoryCode option[value=wage_arrears]").click()
    b.find("#title").send_keys("来电：补发工资后仍欠加班费")
    b.find("#description").send_keys("来电人称 11 月加班费 3,200 元未发放。")
    # Looking up another union during the call keeps everything typed.
    b.find("#unionq").send_keys("正定镇")
    b.click(b.find("button[value=search]"))
    b.wait(lambda d: d.find_element(By.ID, "unionq").get_attribute("value") == "正定镇", "the search's answer")
    for field, value in (("callerName", "刘春燕"), ("title", "来电：补发工资后仍欠加班费"), ("description", "来电人称 11 月加班费 3,200 元未发放。")):
        check(b.find("#" + field).get_attribute("value") == value, f"the lookup lost {field}")
    check(b.find("#unionId option:checked").text == union, "the lookup changed the chosen union")
    b.screenshot("j2-hotline-intake-kept", full_page=True)
    b.click(b.find("button[value=file]"))
    b.text_in(".alert-ok", "已登记")
    page = b.find("main").text
    check("刘春燕" in page and "12351" in page, "the filed order lacks the caller or the channel")
    b.screenshot("j3-hotline-filed", full_page=True)
    b.hygiene("hotline order")
    b.logout()
    return f"caller found by number, filed at {union} on 12351 with nothing retyped"


# 普惠's forms for K: the county's page of a merchant (cashier and offer forms), the member's offers
# (抢券 has nothing to type: listed as skipped) and the public merchant application.
BENEFITS_MEMBER = ["/me/offers"]
BENEFITS_SIGNED_OUT = ["/merchants/apply"]


def benefits_console_paths(b):
    b.open("/admin/merchants")
    merchant = b.find("#merchants a[href^='/admin/merchants/']", "a merchant in the county's list").get_attribute("href")
    return [merchant[len(b.base):]]


def scenario_k(b, state):
    """Every form's error path keeps what was typed: the county cadre's console forms, the member's own
    forms on the phone, then the signed-out ones (register, login, password reset)."""
    console = state["console"]
    console.login("zhengding")
    checked, skipped = form_errors.check_forms(console, form_errors.console_paths(console) + benefits_console_paths(console), check)
    console.logout()
    more, skipped_more = form_errors.check_forms(b, form_errors.SITE_MEMBER + BENEFITS_MEMBER, check)
    checked += more
    skipped += skipped_more
    b.open("/me")
    b.click(b.find("form[action='/me/logout'] button", "the member site's 退出"))
    b.find(".site-nav a[href='/me/login']", "登录 in the header after signing out")
    more, skipped_more = form_errors.check_forms(b, form_errors.SITE_SIGNED_OUT + BENEFITS_SIGNED_OUT, check)
    checked += more
    skipped += skipped_more
    b.screenshot("k1-phone-reset-error-kept", full_page=True)
    for line in checked:
        print(f"  # kept: {line}")
    for line in skipped:
        print(f"  # skipped: {line}")
    check(len(checked) >= 14, f"only {len(checked)} forms had an error path to check")
    return f"{len(checked)} forms kept every value on error, {len(skipped)} without a required field to leave empty"


def totp(secret, at=None):
    """RFC 6238 code (SHA-1, 30 s, 6 digits) of a base32 secret, as an authenticator app shows it."""
    import base64, hashlib, hmac, struct
    secret = re.sub(r"[^A-Za-z2-7]", "", secret)  # the page groups it in fours
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int((at or time.time()) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return "%06d" % ((struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1000000)


def scenario_h(b, state):
    """A system administrator binds an authenticator, creates a partner key, sees it once, revokes it."""
    if b.d.find_elements(By.CSS_SELECTOR, "header.topbar"):
        b.logout()
    result = subprocess.run(
        [str(BINARY), "admin", "create", "--username", "sysadmin", "--password", PASSWORD, "--data-dir", str(state["tmp"])],
        cwd=ROOT, env=server_env(state["tmp"]), capture_output=True, text=True, timeout=60)
    check(result.returncode == 0, f"admin create failed: {result.stderr[-500:]}")
    b.open("/admin/login")
    b.visible("input#username", "the login form")
    b.d.find_element(By.ID, "username").send_keys("sysadmin")
    b.d.find_element(By.ID, "password").send_keys(PASSWORD)
    b.d.find_element(By.CSS_SELECTOR, "form.form button[type=submit]").click()
    b.wait(lambda d: "/admin/totp" in d.current_url, "the two-factor enrolment for a system administrator")
    start = b.d.find_elements(By.CSS_SELECTOR, "form[action='/admin/totp/enrol/start'] button")
    if start:
        b.click(start[0])
    secret = b.visible("#totp-secret", "the TOTP secret on the enrolment page").text.strip()
    b.d.find_element(By.ID, "code").send_keys(totp(secret))
    b.d.find_element(By.CSS_SELECTOR, "form[action='/admin/totp/enrol'] button[type=submit]").click()
    b.wait(lambda d: "recovery-codes" in d.page_source or "/admin/totp/enrol" not in d.current_url, "enrolment to finish")
    b.open("/admin/partner-keys")
    check("合作方密钥" in b.nav_labels(), f"the system administrator's nav lacks 合作方密钥: {b.nav_labels()}")
    b.find("#kname", "the new-key form").send_keys("石家庄市职工服务 App")
    org = b.d.find_element(By.ID, "korg")
    org.send_keys("29")
    b.d.find_element(By.CSS_SELECTOR, "input[name='permissions[]'][value='workorder.intake']").click()
    b.d.find_element(By.CSS_SELECTOR, "input[name='permissions[]'][value='workorder.read']").click()
    b.d.find_element(By.XPATH, "//button[normalize-space(.)='创建密钥']").click()
    shown = b.visible("#new-secret", "the new key's secret").text
    key = re.search(r"pk\.[A-Za-z0-9_-]+", shown)
    check(key, f"no secret in “{shown}”")
    b.screenshot("h1-partner-key-created")
    b.hygiene("partner keys")
    request = urllib.request.Request(b.base + "/api/v1/work-order-types", headers={"Authorization": "Bearer " + key.group(0)})
    with urllib.request.urlopen(request, timeout=10) as response:
        check(response.status == 200, f"the key got {response.status}")
    b.open("/admin/partner-keys")
    check(key.group(0) not in b.d.page_source, "the secret is shown again")
    b.click(b.find("form[action$='/revoke'] button", "the 吊销 button"))
    b.text_in(".alert", "已吊销", "the revocation notice")
    b.screenshot("h2-partner-key-revoked")
    try:
        urllib.request.urlopen(request, timeout=10)
        check(False, "the revoked key still works")
    except urllib.error.HTTPError as error:
        check(error.code == 401, f"the revoked key got {error.code}")
    b.logout()
    return "enrolled, created a key for 石家庄市 (work orders), used it once, revoked it (401 after)"


CASHIER = "yingcheng"           # 正定影城's cashier in the demo (Sources/Benefits/Demo/BenefitsDemo.swift)
CINEMA = "正定影城"
CINEMA_OFFER = "会员10元观影"    # member price 10 yuan, list 40, 200 a day, one per member per day, paid 100% by the county
RESTAURANT = "正定古城饺子馆"     # 88折, no quota: no voucher to claim


def masked(name):
    """How the desk and the statements write a member's name: 刘春燕 → 刘*燕."""
    return name if len(name) < 2 else name[0] + "*" if len(name) == 2 else name[0] + "*" * (len(name) - 2) + name[-1]


def member_signed_in(b, phone_no="13931100777", password="Worker@2026"):
    """The member of E on her phone, signing in again if an earlier scenario (K) signed her out."""
    b.open("/me/card")
    if "/me/login" in b.d.current_url:
        b.find("#phone").send_keys(phone_no)
        b.find("#password").send_keys(password)
        b.click(b.find("form.form button[value=login]"))
        b.wait(lambda d: "/me/login" not in d.current_url, "the member to be signed in")


def card_code(b):
    """The e-card's current code: the fragment ecard.js fetched from /me/card/code (QR and 10 digits)."""
    b.open("/me/card")
    digits = b.visible("#card-code-digits", "the e-card's code (fetched by ecard.js)")
    code = digits.get_attribute("data-code")
    check(re.fullmatch(r"\d{10}", code or ""), f"the code's data-code is “{code}”")
    check(digits.text.replace(" ", "") == code, f"the digits read “{digits.text}”, data-code {code}")
    qr = b.d.find_elements(By.CSS_SELECTOR, "#card-code .e-card-qr svg")
    check(qr and qr[0].size["width"] >= 120, "no QR code (svg) of a usable size above the digits")
    return code


def desk_login(desk, problems):
    """The cashier signs in like staff (the console's login form) and opens the desk. Where a signed-out
    /merchant sends him, and where signing in lands, are noted in `problems` when they miss the desk."""
    desk.open("/merchant")
    landed = desk.path()
    if not landed.startswith("/admin/login"):
        problems.append(f"signed out, /merchant sends the cashier to {landed} (the members' login), not /admin/login")
        desk.open("/admin/login?next=%2Fmerchant")
    desk.visible("form.form input#username", "the staff login form")
    desk.find("#username").send_keys(CASHIER)
    desk.find("#password").send_keys(PASSWORD)
    desk.click(desk.find("form.form button[type=submit]"))
    desk.wait(lambda d: "/admin/login" not in d.current_url, f"{CASHIER} to be signed in")
    if not desk.path().startswith("/merchant"):
        problems.append(f"after signing in from /admin/login?next=/merchant the cashier lands on {desk.path()}, not the desk")
        desk.open("/merchant")
    desk.visible("#verify-form input#code", "the desk's code field")


def drain_console(browser):
    """Forgets the browser's console so far: a refused form's own 4xx answer is expected, not a page error."""
    try:
        browser.d.get_log("browser")
    except WebDriverException:
        pass


def verify_code(desk, typed):
    field = desk.find("#code")
    field.clear()
    field.send_keys(typed)
    desk.click(desk.find("#verify-form button[type=submit]"))


def ticket_form(desk):
    forms = [f for f in desk.d.find_elements(By.CSS_SELECTOR, "#verified form.offer-redeem") if CINEMA_OFFER in f.text]
    check(forms, f"no line for {CINEMA_OFFER} after 核验")
    return forms[0]


def redeem(desk, amount):
    form = ticket_form(desk)
    field = form.find_element(By.CSS_SELECTOR, "input[name=amountBefore]")
    field.clear()
    field.send_keys(amount)
    desk.click(form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    desk.wait(lambda d: d.find_elements(By.CSS_SELECTOR, "#desk-flash, #verified .error, #code-error"), "the answer to 确认核销")


def scenario_l(b, state):
    """普惠: the member of E shows her e-card's code on her phone and claims the cinema's 10-yuan ticket;
    the cinema's cashier verifies the code on a phone (masked name, union, 已抢到券) and redeems 40 → 10;
    the same code is refused; the county confirms the month's statement, which lists the redemption.
    Problems that do not stop the story are collected and fail the scenario at its end."""
    check("union_name" in state, "needs the member of scenario E")
    union = state["union_name"]
    name = "刘春燕"
    problems = []
    drain_console(b)                  # K's refused forms (their 4xx answers) are not this scenario's
    drain_console(state["console"])
    member_signed_in(b)

    # Her e-card: QR and ten digits, fetched by ecard.js.
    card_code(b)
    card_no = b.find("#card-no").text.strip()
    b.screenshot("l1-phone-card-code", full_page=True)
    b.hygiene("e-card code", mobile=True)

    # 会员优惠: both of 正定县's merchants; only the limited one has a voucher to claim.
    b.click(b.find("#to-offers", "查看会员优惠 on the e-card page"))
    b.wait(lambda d: "/me/offers" in d.current_url, "the offers page")

    def offer_card(title):
        cards = b.d.find_elements(By.CSS_SELECTOR, ".card.offer")
        found = [c for c in cards if c.find_element(By.TAG_NAME, "h2").text.strip() == title]
        check(found, f"no offer “{title}” among {[c.find_element(By.TAG_NAME, 'h2').text for c in cards]}")
        return found[0]

    cinema = offer_card(CINEMA_OFFER)
    check(CINEMA in cinema.text and "每天限量200份" in cinema.text, f"the cinema's offer reads “{cinema.text}”")
    claim = cinema.find_elements(By.CSS_SELECTOR, "button.claim")
    check(claim and "抢券" in claim[0].text and "200" in claim[0].text, f"the claim button reads “{claim[0].text if claim else ''}”")
    dumplings = [c for c in b.d.find_elements(By.CSS_SELECTOR, ".card.offer") if RESTAURANT in c.text]
    check(dumplings and not dumplings[0].find_elements(By.CSS_SELECTOR, "button.claim"),
          f"{RESTAURANT} is missing or asks to claim a voucher")
    b.screenshot("l2-phone-offers", full_page=True)
    b.hygiene("offers", mobile=True)
    b.click(claim[0])
    b.text_in("#offers-flash.alert-ok", "抢到了", "the 抢到了 message")
    check(CINEMA_OFFER in b.find("#offers-flash").text, f"the message reads “{b.find('#offers-flash').text}”")
    cinema = offer_card(CINEMA_OFFER)
    check(not cinema.find_elements(By.CSS_SELECTOR, "button.claim"), "the 抢券 button is still there after claiming")
    badge = cinema.find_elements(By.CSS_SELECTOR, ".badge")
    check(badge and badge[0].text.startswith("已抢到") and "前到店使用" in badge[0].text,
          f"the claimed offer reads “{badge[0].text if badge else cinema.text}”")
    b.screenshot("l3-phone-offer-claimed", full_page=True)
    b.hygiene("offer claimed", mobile=True)

    # The cashier, on a phone of his own, signs in and keeps the desk open.
    desk = Browser(make_driver(mobile=True), b.base, b.shots, b.warnings)
    try:
        desk_login(desk, problems)
        subtitle = desk.find(".bare-sub").text
        check(CINEMA in subtitle, f"the desk's heading reads “{subtitle}”")
        desk.screenshot("l4-desk-empty", full_page=True)
        desk.hygiene("desk", mobile=True)

        # She shows her card; he types what he sees, grouped as printed under the QR. (A code works
        # until the end of the next 30 s step: read it just before.)
        code = card_code(b)
        printed = b.find("#card-code-digits").text.strip()
        b.screenshot("l5-phone-card-shown", full_page=True)
        verify_code(desk, printed)
        verified = desk.visible("#verified", "the member after 核验")
        check(masked(name) in verified.text and name not in verified.text, f"the member is not shown masked: “{verified.text}”")
        check(union in verified.text, f"her union {union} is not shown: “{verified.text}”")
        check(card_no in verified.text, f"her card number {card_no} is not shown")
        check("已抢到券" in ticket_form(desk).text, f"the ticket's line reads “{ticket_form(desk).text}”")
        desk.screenshot("l6-desk-verified", full_page=True)
        desk.hygiene("desk verified", mobile=True)

        # A typo in the amount comes back with the code and the amount kept.
        redeem(desk, "四十")
        error = desk.d.find_elements(By.CSS_SELECTOR, "#verified .error")
        check(error and "金额" in error[0].text, f"the bad amount is answered with “{error[0].text if error else desk.find('main').text}”")
        amount = ticket_form(desk).find_element(By.CSS_SELECTOR, "input[name=amountBefore]")
        check(amount.get_attribute("value") == "四十", f"the amount typed is not kept: “{amount.get_attribute('value')}”")
        check(desk.find("#code").get_attribute("value") == printed, "the code is not kept after a bad amount")
        desk.screenshot("l7-desk-amount-error", full_page=True)
        drain_console(desk)

        # 40 yuan for the ticket.
        redeem(desk, "40")
        refused = desk.d.find_elements(By.ID, "code-error")
        if refused:
            problems.append(f"the code typed as printed (“{printed}”) passes 核验 but 确认核销 is refused: “{refused[0].text}”")
            desk.screenshot("l7b-desk-printed-code-refused", full_page=True)
            drain_console(desk)
            verify_code(desk, code)           # the digits alone, to go on with the story
            desk.visible("#verified", "the member after 核验 of the bare digits")
            redeem(desk, "40")
        desk.text_in("#desk-flash.alert-ok", "核销成功", "核销成功 on the desk")
        flash = desk.find("#desk-flash").text
        check(masked(name) in flash and "40.00" in flash and "10.00" in flash, f"the desk's message reads “{flash}”")
        check(not desk.d.find_elements(By.ID, "verified") and desk.find("#code").get_attribute("value") == "",
              "the desk is not empty again after 核销")
        desk.screenshot("l8-desk-redeemed", full_page=True)
        desk.hygiene("desk redeemed", mobile=True)

        # The same code again: refused, and said why.
        verify_code(desk, code)
        error = desk.visible("#code-error", "the refusal of a used code").text
        check("已使用" in error, f"a used code is refused with “{error}”")
        check(not desk.d.find_elements(By.ID, "verified"), "a used code still shows the member")
        desk.screenshot("l9-desk-code-used", full_page=True)
        drain_console(desk)

        # The county confirms the month's statement for the cinema.
        console = state["console"]
        console.login("zhengding")
        console.open("/admin/merchants")
        link = console.wait(lambda d: [a for a in d.find_elements(By.CSS_SELECTOR, "#merchants a") if a.text.strip() == CINEMA],
                            f"{CINEMA} among the county's merchants")[0]
        console.click(link)
        console.text_in("main h1", CINEMA)
        page = console.find("main").text
        check(CINEMA_OFFER in console.find("#offers").text and "影城收银员" in page, f"{CINEMA}'s page lacks its offer or its cashier")
        console.screenshot("l10-console-merchant", full_page=True)
        console.hygiene("merchant")
        console.open("/admin/benefits/settlement")
        console.visible("#settlement", "the month's merchants")

        def settlement_row(merchant):
            rows = [r for r in console.d.find_elements(By.CSS_SELECTOR, "#settlement tbody tr")
                    if r.find_element(By.TAG_NAME, "td").text.strip() == merchant]
            check(rows, f"{merchant} is not in the settlement: “{console.find('#settlement').text}”")
            return rows[0]

        row = settlement_row(CINEMA)
        cells = [td.text.strip() for td in row.find_elements(By.TAG_NAME, "td")]
        check(cells[1:5] == ["1", "30.00", "30.00", "1"], f"{CINEMA}'s row reads {cells}")
        idle = settlement_row(RESTAURANT)
        idle_cells = [td.text.strip() for td in idle.find_elements(By.TAG_NAME, "td")]
        if idle_cells[1] == "0" and (idle_cells[4] != "0" or idle.find_elements(By.TAG_NAME, "button")):
            problems.append(f"{RESTAURANT} has no redemption this month but its row reads 待结算 {idle_cells[4]} with a 确认结算单 button")
        month = console.find("#month option:checked").get_attribute("value")
        console.screenshot("l11-console-settlement", full_page=True)
        console.hygiene("settlement")
        console.click(row.find_element(By.XPATH, ".//button[normalize-space(.)='确认结算单']"))
        dialog = console.wait(EC.alert_is_present(), "the 确认结算单 confirmation")
        check("不可更改" in dialog.text, f"the confirmation reads “{dialog.text}”")
        dialog.accept()
        console.wait(lambda d: re.search(r"/admin/benefits/settlement/statements/\d+$", d.current_url), "the statement after confirming")
        console.text_in(".alert-ok", "结算单已确认")
        heading = console.find("main h1").text
        check(CINEMA in heading and month in heading, f"the statement is headed “{heading}”")
        lines = console.find("#statement-lines").find_elements(By.CSS_SELECTOR, "tbody tr")
        check(len(lines) == 1, f"the statement lists {len(lines)} redemptions")
        line = [td.text.strip() for td in lines[0].find_elements(By.TAG_NAME, "td")]
        check(line[1:6] == [masked(name), "40.00", "10.00", "30.00", "30.00"] and line[6] == "影城收银员", f"the statement's line reads {line}")
        check(console.d.find_elements(By.ID, "statement-xlsx"), "no Excel download on the statement")
        console.screenshot("l12-console-statement", full_page=True)
        console.hygiene("statement")
        console.open("/admin/benefits/settlement?month=" + month)
        row = settlement_row(CINEMA)
        check(not row.find_elements(By.TAG_NAME, "button"), "the cinema can be settled again with nothing new")
        console.logout()

        # The cashier sees the redemption settled and the statement, then signs out.
        desk.open("/merchant/redemptions")
        desk.text_in("#redemptions", "已结算")
        check(masked(name) in desk.find("#redemptions").text, "the redemption is not on the cashier's list")
        check(desk.d.find_elements(By.CSS_SELECTOR, "a[href^='/merchant/statements/']"), "no statement on the cashier's list")
        desk.screenshot("l13-desk-redemptions", full_page=True)
        desk.hygiene("desk redemptions", mobile=True)
        desk.open("/merchant")
        desk.click(desk.find(".desk-links button", "退出 on the desk"))
        desk.wait(lambda d: "/admin/login" in d.current_url, "the login page after the cashier's 退出")
    except Exception:
        desk.save_failure("l-desk")
        state["console"].save_failure("l-console")
        raise
    finally:
        desk.d.quit()
    check(not problems, f"{len(problems)} problem(s): " + "; ".join(problems))
    return (f"claimed {CINEMA_OFFER}; {CASHIER} verified {masked(name)} of {union} and redeemed 40.00 → 10.00; "
            f"the used code refused; statement {month} of {CINEMA}: 1 redemption, subsidy 30.00")


def main():
    if not BINARY.exists():
        print(f"FAIL - setup : {BINARY.relative_to(ROOT)} not found; run `swift build` first")
        print("0 passed, 12 failed")
        return 1
    SHOTS.mkdir(parents=True, exist_ok=True)
    for old in list(SHOTS.glob("*.png")) + list(SHOTS.glob("*.html")) + list(SHOTS.glob("*.log")):
        old.unlink()

    tmp = Path(tempfile.mkdtemp(prefix="wh-browser-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server, console, phone = None, None, None
    passed, failed = 0, 0
    shots, state = [], {}
    scenarios = [
        ("A", "provincial admin: login, lazy org tree, grassroots detail", scenario_a, "console"),
        ("B", "move a grassroots union to a township of another county", scenario_b, "console"),
        ("C", "county cadre scope: one root, 404 for the city, no 审计日志", scenario_c, "console"),
        ("D", "member site on a phone: home, search 正定, open a result", scenario_d, "phone"),
        ("E", "a worker registers by SMS and joins on a phone; the county approves; she is told and sees her e-card", scenario_e, "phone"),
        ("F", "county import with bad rows: progress, error report, find by ID, dashboard", scenario_f, "console"),
        ("G", "a member asks for help on a phone; the county transfers it, the township resolves it with 11.5万; she is told and rates it", scenario_g, "phone"),
        ("H", "a system administrator binds an authenticator and creates, uses and revokes a partner key", scenario_h, "console"),
        ("I", "the worker's own home page on a phone, and the township workstation's workbench", scenario_i, "phone"),
        ("J", "the 12351 operator finds the caller by number and files with nothing retyped", scenario_j, "console"),
        ("K", "every form's error path keeps what was typed (console, member site, signed out)", scenario_k, "phone"),
        ("L", "普惠: the member claims the 10-yuan ticket; the cashier verifies her code and redeems it; the county confirms the statement", scenario_l, "phone"),
    ]
    try:
        try:
            load_demo(tmp, port)
            server = start_server(tmp, port, tmp / "server.log")
            console = make_driver()
            phone = make_driver(mobile=True)
            state["log"] = tmp / "server.log"
            state["tmp"] = tmp
        except Exception as error:  # setup failed: every scenario fails
            print(f"FAIL - setup : {error}")
            print(f"0 passed, {len(scenarios)} failed")
            return 1

        only = os.environ.get("WH_BROWSER_ONLY")  # e.g. "E,K" while working on K (later ones may need earlier ones)
        if only:
            scenarios = [s for s in scenarios if s[0] in only.split(",")]
        for key, title, run, which in scenarios:
            warnings = []
            browser = Browser(console if which == "console" else phone, base, shots, warnings)
            state["console"] = Browser(console, base, shots, warnings)
            first_shot = len(shots)
            try:
                summary = run(browser, state)
                if STRICT and warnings:
                    raise CheckFailed(f"{len(warnings)} page warning(s), first: {warnings[0]}")
                passed += 1
                print(f"ok - {key} {title} — {summary}")
            except Exception as error:
                failed += 1
                reason = str(error) if isinstance(error, CheckFailed) else \
                    f"{type(error).__name__}: {error}".strip()
                print(f"FAIL - {key} {title} : {reason}")
                if not isinstance(error, CheckFailed):
                    traceback.print_exc(file=sys.stdout)
                browser.save_failure(f"{key.lower()}-{run.__name__}")
            for warning in warnings:
                print(f"  # warning: {warning}")
            for path in shots[first_shot:]:
                print(f"  # screenshot: {path.relative_to(ROOT)}")
    finally:
        for driver in (console, phone):
            if driver is not None:
                try:
                    driver.quit()
                except Exception:
                    pass
        stop_server(server)
        log = tmp / "server.log"
        if failed and log.exists():
            shutil.copy(log, SHOTS / "server.log")
            print(f"  # server log: {(SHOTS / 'server.log').relative_to(ROOT)}")
        shutil.rmtree(tmp, ignore_errors=True)

    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
