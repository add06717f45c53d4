#!/usr/bin/env python3
"""N requests at once, one per connection (standard library asyncio, HTTP/1.1).

    burst.py --base http://127.0.0.1:18085 --path /api/v1/me/offers/3/claims --method POST \
             --tokens tokens.txt --n 1000 [--success 201] [--json out.json]

All N connections are opened first (in groups, so the listen backlog does not drop any); when
every one is established the N requests are written back to back and the answers read. Each
request's latency runs from its own write to the end of its answer. Prints the count per status,
one body per status, the latency percentiles, when the k-th success arrived (k = --quota: the
moment a flash sale sold out, measured at the client) and when the last answer arrived, all from
the moment the first request was written. Tokens (one a line) are used round-robin as bearer
tokens. Nothing but the standard library, so it runs with Debian's python3.
"""
import argparse
import asyncio
import json
import sys
import time
from urllib.parse import urlsplit


async def read_response(reader):
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
    if "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        body = b""
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip().split(b";")[0], 16)
            chunk = await reader.readexactly(size + 2)
            if size == 0:
                break
            body += chunk[:-2]
    else:
        body = await reader.read()
    return status, body


def pct(sorted_values, p):
    if not sorted_values:
        return float("nan")
    k = min(len(sorted_values) - 1, max(0, int(round(p / 100 * len(sorted_values) + 0.5)) - 1))
    return sorted_values[k]


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", required=True)
    ap.add_argument("--path", required=True)
    ap.add_argument("--method", default="GET")
    ap.add_argument("--tokens", help="file of bearer tokens, one a line, used round-robin")
    ap.add_argument("--body", default=None)
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--success", type=int, default=200, help="the status that counts as a success")
    ap.add_argument("--quota", type=int, default=0, help="report when this many successes had arrived")
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--label", default="burst")
    ap.add_argument("--json", help="write the figures here too")
    a = ap.parse_args()

    url = urlsplit(a.base)
    host, port = url.hostname, url.port or 80
    tokens = [t.strip() for t in open(a.tokens)] if a.tokens else [None]
    tokens = [t for t in tokens if t != ""] or [None]

    conns = []
    for start in range(0, a.n, 100):
        conns += await asyncio.gather(*[asyncio.open_connection(host, port) for _ in range(start, min(a.n, start + 100))])
    await asyncio.sleep(0.2)

    def request(i):
        body = (a.body or "").encode()
        h = [f"{a.method} {a.path} HTTP/1.1", f"Host: {host}:{port}", "Connection: close", f"Content-Length: {len(body)}"]
        if a.body is not None:
            h.append("Content-Type: application/json")
        tok = tokens[i % len(tokens)]
        if tok:
            h.append(f"Authorization: Bearer {tok}")
        return ("\r\n".join(h) + "\r\n\r\n").encode() + body

    payloads = [request(i) for i in range(a.n)]
    sent = [0.0] * a.n
    results = [None] * a.n

    async def one(i, reader):
        try:
            status, body = await asyncio.wait_for(read_response(reader), a.timeout)
            results[i] = (status, time.perf_counter(), body)
        except Exception as e:  # a timeout or a closed connection
            results[i] = (0, time.perf_counter(), repr(e).encode())

    t0 = time.perf_counter()
    tasks = []
    for i, (reader, writer) in enumerate(conns):
        sent[i] = time.perf_counter()
        writer.write(payloads[i])
        tasks.append(asyncio.ensure_future(one(i, reader)))
    written = time.perf_counter() - t0
    await asyncio.gather(*tasks)
    for _, writer in conns:
        writer.close()

    by_status = {}
    samples = {}
    for status, _, body in results:
        by_status[status] = by_status.get(status, 0) + 1
        samples.setdefault(status, body[:200].decode("utf-8", "replace"))
    lat = sorted((results[i][1] - sent[i]) * 1000 for i in range(a.n))
    done_at = sorted(r[1] - t0 for r in results)
    ok_at = sorted(r[1] - t0 for r in results if r[0] == a.success)
    fig = {
        "label": a.label,
        "n": a.n,
        "statuses": {str(k): v for k, v in sorted(by_status.items())},
        "written_ms": round(written * 1000, 1),
        "p50_ms": round(pct(lat, 50), 1),
        "p90_ms": round(pct(lat, 90), 1),
        "p99_ms": round(pct(lat, 99), 1),
        "max_ms": round(lat[-1], 1),
        "all_answered_s": round(done_at[-1], 3),
        "successes": len(ok_at),
    }
    if a.quota:
        fig["quota_reached_s"] = round(ok_at[a.quota - 1], 3) if len(ok_at) >= a.quota else None
        fig["last_success_s"] = round(ok_at[-1], 3) if ok_at else None
    print(f"{a.label}: {a.n} requests on {a.n} connections, written in {fig['written_ms']} ms")
    print(f"  statuses: " + ", ".join(f"{k}: {v}" for k, v in fig["statuses"].items()))
    for k, v in sorted(samples.items()):
        print(f"  a {k} answer: {v}")
    print(f"  latency p50 {fig['p50_ms']} ms, p90 {fig['p90_ms']} ms, p99 {fig['p99_ms']} ms, max {fig['max_ms']} ms")
    print(f"  all {a.n} answered after {fig['all_answered_s']} s")
    if a.quota:
        print(f"  {a.quota}th success after {fig['quota_reached_s']} s (last success after {fig['last_success_s']} s)")
    if a.json:
        json.dump(fig, open(a.json, "w"))


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
