#!/usr/bin/env python3
"""Steady mixed load and its accounting for bench/failover.sh (standard library only).

    failover_load.py load --base URL --token T --org ID --union ID --seconds 30 --rate 120 \
        --tag fo1 --events OUT.jsonl [--timeout 15] [--threads 16]
    failover_load.py balancer EVENTS.jsonl NGINX_ACCESS.log     # client vs nginx, per request id
    failover_load.py outage EVENTS.jsonl                        # failures during a database restart
    failover_load.py titles EVENTS.jsonl TITLES.txt             # acknowledged writes vs rows in the table

`load` sends requests at a fixed rate (each of --threads keeps its own schedule, so a slow answer
delays only its thread): 7 in 10 `GET /api/v1/orgs/{org}`, 2 in 10 `POST /api/v1/work-orders` (a
title unique per request: `故障演练 <request id>`, so a duplicate is visible in the table), 1 in 10
`GET /api/v1/work-orders?queue=org&limit=20`. Each request carries `X-Request-Id: <tag>-<n>`, which
nginx logs and the server echoes. One JSON line per request: id, kind, start and end (Unix seconds),
status (0 when no answer), content type, error (`timeout`, or the connection error).
"""
import argparse
import http.client
import json
import sys
import threading
import time
import urllib.parse

MIX = ["read"] * 7 + ["write"] * 2 + ["list"]


def load(a):
    url = urllib.parse.urlsplit(a.base)
    host, port = url.hostname, url.port or 80
    events, lock = [], threading.Lock()
    start = time.time() + 0.2
    stop = start + a.seconds
    interval = a.threads / a.rate

    def worker(k):
        conn = None
        n = k
        due = start + k * interval / a.threads
        while due < stop and time.time() < stop:  # a thread held up by a hung request stops on time too
            delay = due - time.time()
            if delay > 0:
                time.sleep(delay)
            rid = f"{a.tag}-{n:06d}"
            kind = MIX[n % len(MIX)]
            headers = {"Authorization": f"Bearer {a.token}", "X-Request-Id": rid}
            body = None
            if kind == "read":
                method, path = "GET", f"/api/v1/orgs/{a.org}"
            elif kind == "list":
                method, path = "GET", "/api/v1/work-orders?queue=org&limit=20"
            else:
                method, path = "POST", "/api/v1/work-orders"
                headers["Content-Type"] = "application/json"
                body = json.dumps({
                    "type": "assistance", "category": "wage_arrears", "title": f"故障演练 {rid}",
                    "description": "工资拖欠，故障演练中提交", "unionId": a.union, "callerName": "张三",
                    "callerPhone": "13800138000", "channel": "hotline"}, ensure_ascii=False).encode()
            t0 = time.time()
            status, ctype, error = 0, "", None
            try:
                if conn is None:
                    conn = http.client.HTTPConnection(host, port, timeout=a.timeout)
                conn.request(method, path, body=body, headers=headers)
                resp = conn.getresponse()
                resp.read()
                status, ctype = resp.status, resp.getheader("Content-Type", "")
                if resp.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = None
            except TimeoutError:
                error = "timeout"
            except (OSError, http.client.HTTPException) as e:
                error = f"{type(e).__name__}: {e}"[:120]
            if error and conn is not None:
                conn.close()
                conn = None
            t1 = time.time()
            with lock:
                events.append({"id": rid, "kind": kind, "t0": round(t0, 4), "t1": round(t1, 4), "status": status,
                               "ctype": ctype, "error": error})
            n += a.threads
            due += interval
        if conn is not None:
            conn.close()

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(a.threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    events.sort(key=lambda e: e["t0"])
    with open(a.events, "w") as f:
        for e in events:
            f.write(json.dumps(e, ensure_ascii=False) + "\n")
    ok = sum(1 for e in events if 200 <= e["status"] < 300)
    print(f"sent {len(events)} in {a.seconds:g} s ({len(events) / a.seconds:.0f}/s), 2xx {ok}, "
          f"other {len(events) - ok}")


def read_events(path):
    return [json.loads(line) for line in open(path) if line.strip()]


def failed(e):
    return not (200 <= e["status"] < 300)


def balancer(a):
    """Per request id: what the client saw, and what nginx logged (every upstream attempt)."""
    events = read_events(a.events)
    log = {}
    for line in open(a.nginx_log):
        # msec|request_id|method|uri|status|upstream_addr|upstream_status|request_time; a retried
        # request lists each attempt's address and status, comma separated
        parts = line.rstrip("\n").split("|")
        if len(parts) >= 8 and parts[1] != "-":
            log[parts[1]] = {"status": int(parts[4]), "addrs": parts[5], "upstream": parts[6], "time": parts[7]}
    sent = len(events)
    client_failed = [e for e in events if failed(e)]
    retried = [e for e in events if "," in log.get(e["id"], {}).get("addrs", "")]
    attempts_failed = [e for e in events if any(
        s in ("502", "503", "504") for s in log.get(e["id"], {}).get("upstream", "").replace(",", " ").split())]
    rescued = [e for e in retried if not failed(e)]
    missing = [e for e in events if e["id"] not in log]
    nginx_failed = [e for e in events if e["id"] in log and log[e["id"]]["status"] >= 300]
    by_kind = {}
    for e in client_failed:
        key = f"{e['kind']} {e['status'] or e['error']}"
        by_kind[key] = by_kind.get(key, 0) + 1
    summary = {
        "sent": sent, "client_failed": len(client_failed), "client_timeouts": sum(1 for e in events if e["error"] == "timeout"),
        "nginx_failed": len(nginx_failed), "not_in_nginx_log": len(missing),
        "upstream_attempt_failed": len(attempts_failed), "retried_on_other_node": len(retried),
        "rescued_by_retry": len(rescued), "failed_after_retry": len(client_failed),
        "failures_by_kind": by_kind,
        "failed_ids": [e["id"] for e in client_failed][:20],
    }
    print(json.dumps(summary, ensure_ascii=False))


def outage(a):
    """The window in which requests failed, and whether every failure was a clean 503 problem."""
    events = read_events(a.events)
    bad = [e for e in events if failed(e)]
    clean = [e for e in bad if e["status"] == 503 and e["ctype"].startswith("application/problem+json")]
    summary = {
        "sent": len(events), "failed": len(bad), "clean_503": len(clean),
        "other_status": sorted({e["status"] for e in bad if e["status"] and e not in clean}),
        "timeouts": sum(1 for e in bad if e["error"] == "timeout"),
        "connection_errors": sum(1 for e in bad if e["error"] and e["error"] != "timeout"),
        "first_failure": bad[0]["t0"] if bad else None,
        "last_failure": max(e["t1"] for e in bad) if bad else None,
        "window_s": round(max(e["t1"] for e in bad) - bad[0]["t0"], 2) if bad else 0.0,
        "slowest_s": round(max((e["t1"] - e["t0"] for e in events), default=0), 2),
        "slowest_failure_s": round(max((e["t1"] - e["t0"] for e in bad), default=0), 2),
    }
    print(json.dumps(summary, ensure_ascii=False))


def titles(a):
    """Acknowledged work-order writes (201) against the titles found in the table."""
    events = read_events(a.events)
    rows = [line.strip() for line in open(a.titles, encoding="utf-8") if line.strip()]
    counts = {}
    for t in rows:
        counts[t] = counts.get(t, 0) + 1
    acked = {f"故障演练 {e['id']}" for e in events if e["kind"] == "write" and e["status"] == 201}
    unacked = {f"故障演练 {e['id']}" for e in events if e["kind"] == "write" and e["status"] != 201}
    summary = {
        "writes_sent": sum(1 for e in events if e["kind"] == "write"), "acknowledged": len(acked),
        "acknowledged_missing": len(acked - set(counts)), "duplicated": sum(1 for c in counts.values() if c > 1),
        "unacknowledged_but_written": len(unacked & set(counts)),
    }
    print(json.dumps(summary, ensure_ascii=False))


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    l = sub.add_parser("load")
    l.add_argument("--base", required=True)
    l.add_argument("--token", required=True)
    l.add_argument("--org", required=True)
    l.add_argument("--union", type=int, required=True)
    l.add_argument("--seconds", type=float, default=30)
    l.add_argument("--rate", type=float, default=120)
    l.add_argument("--threads", type=int, default=16)
    l.add_argument("--timeout", type=float, default=15)
    l.add_argument("--tag", default="fo")
    l.add_argument("--events", required=True)
    b = sub.add_parser("balancer")
    b.add_argument("events")
    b.add_argument("nginx_log")
    o = sub.add_parser("outage")
    o.add_argument("events")
    t = sub.add_parser("titles")
    t.add_argument("events")
    t.add_argument("titles")
    a = p.parse_args()
    {"load": load, "balancer": balancer, "outage": outage, "titles": titles}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
