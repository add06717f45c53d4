"""Screenshots of the pages issue notes compare (home on a phone, workbench, handling panel, two
charts) from any build: `python Tests/Browser/page_shots.py BINARY OUTDIR`. Build an older commit in
a worktree for the "before" (`git worktree add /tmp/before REV && cd /tmp/before && swift build`)."""
import sys, tempfile, time
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parent))
import console_test as ct
from selenium.webdriver.common.by import By

binary, out = Path(sys.argv[1]), Path(sys.argv[2])
ct.BINARY = binary
out.mkdir(parents=True, exist_ok=True)
tmp = Path(tempfile.mkdtemp(prefix="wh-ba-"))
port = ct.free_port()
ct.load_demo(tmp, port)
server = ct.start_server(tmp, port, tmp / "server.log")
base = f"http://127.0.0.1:{port}"
shots = []
phone = ct.Browser(ct.make_driver(mobile=True), base, shots, [])
desk_driver = ct.make_driver()
desk_driver.set_window_size(1440, 900)
desk = ct.Browser(desk_driver, base, shots, [])
ct.SHOTS = out
try:
    phone.open("/"); time.sleep(1); phone.screenshot("home-phone", full_page=True)
    desk.login("zhengdingzhen"); desk.open("/admin"); time.sleep(1); desk.screenshot("workbench", full_page=True)
    desk.open("/admin/work-orders?queue=subtree&status=accepted")
    link = desk.d.find_elements(By.CSS_SELECTOR, "table a[href^='/admin/work-orders/']")
    if link:
        desk.open(link[0].get_attribute("href")[len(base):]); time.sleep(1); desk.screenshot("handling-panel", full_page=True)
    desk.logout(); desk.login("zhengding")
    desk.open("/admin/work-order-stats"); time.sleep(1); desk.screenshot("chart-work-order-stats", full_page=True)
    desk.open("/admin/dashboard"); time.sleep(1); desk.screenshot("chart-member-dashboard", full_page=True)
finally:
    for b in (phone, desk):
        b.d.quit()
    ct.stop_server(server)
    import shutil
    shutil.rmtree(tmp, ignore_errors=True)
print("\n".join(str(p) for p in shots))
