#!/usr/bin/env python3
"""Signed-in workers who are members of a union, made through the API only:

    workers.py --base http://127.0.0.1:18085 --db postgres://… --union 434 --cadre-token … --n 20 --out tokens.txt

For each worker: POST /api/v1/worker-registrations/code (the development SMS sender writes the
code to `sms_outbox`, read back with psql), POST /api/v1/worker-registrations (a bearer token),
POST /api/v1/me/join-applications to a grassroots union with a made-up but valid ID number, the
cadre's POST /api/v1/join-applications/{id}/approve, and POST /api/v1/me/member-card (the e-card).
The server allows five SMS codes an hour per app session and address (`WorkerService.sendCode`);
the session of an app is its address, so worker i connects from its own loopback address
127.0.0.(10+i) (Linux routes all of 127/8 to lo). Writes one token a line to --out.
"""
import argparse
import datetime
import http.client
import json
import subprocess
import sys

GIVEN = "甲乙丙丁戊己庚辛壬癸"


def call(base_host, base_port, method, path, body=None, token=None, source=None):
    conn = http.client.HTTPConnection(base_host, base_port, timeout=30, source_address=(source, 0) if source else None)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    r = conn.getresponse()
    data = r.read()
    conn.close()
    try:
        parsed = json.loads(data) if data else None
    except ValueError:
        parsed = data.decode("utf-8", "replace")
    return r.status, parsed


def id_number(region, birth, seq):
    body = f"{region}{birth:%Y%m%d}{seq:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, weights)) % 11]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", required=True)
    ap.add_argument("--db", required=True)
    ap.add_argument("--union", type=int, required=True)
    ap.add_argument("--region", default="130123")
    ap.add_argument("--cadre-token", required=True)
    ap.add_argument("--n", type=int, default=20)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    if a.n > 200:
        sys.exit("at most 200 workers (one loopback address each)")
    host, port = a.base.split("//")[1].split(":")
    port = int(port)
    tokens = []
    for i in range(a.n):
        source = f"127.0.0.{10 + i}"
        phone = f"1395555{i:04d}"
        mask = f"{phone[:3]}****{phone[-4:]}"
        s, r = call(host, port, "POST", "/api/v1/worker-registrations/code", {"phone": phone}, source=source)
        if s != 202:
            sys.exit(f"worker {i}: SMS code → {s} {r}")
        code = subprocess.run(
            ["psql", "-Atq", a.db, "-c",
             f"SELECT substring(body from '[0-9]{{6}}') FROM sms_outbox WHERE phone_mask = '{mask}' ORDER BY id DESC LIMIT 1"],
            check=True, capture_output=True, text=True).stdout.strip()
        s, r = call(host, port, "POST", "/api/v1/worker-registrations",
                    {"phone": phone, "code": code, "password": "Bench@2026x"}, source=source)
        if s != 201:
            sys.exit(f"worker {i}: registration → {s} {r}")
        token = r["token"]
        birth = datetime.date(1990, 1, 1) + datetime.timedelta(days=i)
        for seq in range(951, 999, 7):  # a number the demo did not give a member already
            s, r = call(host, port, "POST", "/api/v1/me/join-applications",
                        {"name": "压测" + GIVEN[i // 10 % 10] + GIVEN[i % 10], "idNumber": id_number(a.region, birth, seq),
                         "unionId": a.union, "workplace": "压测单位"}, token=token)
            if s != 409:
                break
        if s != 201:
            sys.exit(f"worker {i}: join application → {s} {r}")
        s, r = call(host, port, "POST", f"/api/v1/join-applications/{r['id']}/approve", token=a.cadre_token)
        if s != 200:
            sys.exit(f"worker {i}: approval → {s} {r}")
        s, r = call(host, port, "POST", "/api/v1/me/member-card", token=token)
        if s not in (200, 201):
            sys.exit(f"worker {i}: e-card → {s} {r}")
        tokens.append(token)
    with open(a.out, "w") as f:
        f.write("\n".join(tokens) + "\n")
    print(f"{len(tokens)} workers registered, joined union {a.union}, approved, e-card issued")


if __name__ == "__main__":
    main()
