#!/usr/bin/env python3
"""One real workflow through the Python client generated from /api/v1/openapi.json.

Run by bench/client/run.sh, which starts a server on the small demo, generates and installs the
client (package `workers_home_api_client`) and then calls:

    python workflow.py --base http://127.0.0.1:PORT --server-log serve.log [--seed N]

Steps, each one line: a worker registers (SMS code), finds a grassroots union of 正定县 and applies
to join; the county cadre `zhengding` approves; the worker asks to transfer to another grassroots
union of the county, the cadre releases and accepts, and the worker's `GET /me` shows the new union;
the cadre finds the member through the API with the ID number masked; last, the member export
(`GET /members/export`, CSV) lists the member with the masked ID number.

Only the generated client talks to the API. Raw HTTP is used once, for what the client cannot do:
reading the SMS code from the server's log (the development sender writes it there).

Exit status 0 when every step passed, 1 on the first failure (the seed and phone are printed so a
run can be repeated with --seed).
"""

import argparse
import csv
import io
import random
import re
import sys
import time
import urllib.request
from pathlib import Path

from workers_home_api_client import AuthenticatedClient, Client
from workers_home_api_client.api.会员 import (
    get_join_applications,
    get_members,
    get_members_export,
    get_transfers,
    post_join_applications_by_id_approve,
    post_transfers_by_id_accept,
    post_transfers_by_id_release,
)
from workers_home_api_client.api.会话 import post_session
from workers_home_api_client.api.工会组织 import get_orgs_by_id
from workers_home_api_client.api.职工 import (
    get_joinable_unions,
    get_me,
    post_me_join_applications,
    post_me_transfers,
    post_worker_registrations,
    post_worker_registrations_code,
)
from workers_home_api_client.models import (
    JoinApplication,
    JoinApplicationPage,
    JoinRequest,
    Member,
    MemberPage,
    MembershipTransfer,
    MembershipTransferPage,
    MyMembership,
    Org,
    PostMeTransfersBody,
    PostSessionBody,
    PostWorkerRegistrationsBody,
    PostWorkerRegistrationsCodeBody,
    Problem,
    Session,
    WorkerToken,
)
from workers_home_api_client.models.join_application_status import JoinApplicationStatus
from workers_home_api_client.models.member_status import MemberStatus
from workers_home_api_client.models.membership_transfer_status import MembershipTransferStatus

STAFF = "zhengding"                # 正定县总工会 组织管理员 (demo)
STAFF_PASSWORD = "Demo@2026"
WORKER_PASSWORD = "Worker@2026"
REGION = "130123"                  # 正定县 (GB/T 2260)
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
SURNAMES = "王李张刘陈杨赵黄周吴"
GIVEN = "春燕建国秀英志强丽娜海涛晓明"


class StepFailed(Exception):
    pass


def check(condition, message):
    if not condition:
        raise StepFailed(message)


def ok(result, expected_type, what):
    """The parsed body of a call, or a failure naming the problem (application/problem+json) it got."""
    if isinstance(result, expected_type):
        return result
    if isinstance(result, Problem):
        raise StepFailed(f"{what}: {result.status} {result.title}: {result.detail} ({result.code})")
    raise StepFailed(f"{what}: expected {expected_type.__name__}, got {type(result).__name__}: {result!r}")


def id_number(birth, seq):
    """A valid GB 11643 number in 正定县: region, birth date, sequence, MOD 11-2 check digit."""
    body = f"{REGION}{birth}{seq:03d}"
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, WEIGHTS)) % 11]


def masked_id(number):
    return number[:6] + "*" * 8 + number[-4:]


def sms_code(log_path, phone, after_bytes, timeout=10.0):
    """The code the development SMS sender wrote to the server log for this phone (masked there)."""
    masked = phone[:3] + "****" + phone[-4:]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with open(log_path, "rb") as f:
            f.seek(after_bytes)
            text = f.read().decode("utf-8", errors="replace")
        codes = [m.group(1) for line in text.splitlines() if masked in line
                 for m in [re.search(r"验证码是 (\d{6})", line)] if m]
        if codes:
            return codes[-1]
        time.sleep(0.1)
    raise StepFailed(f"no line with 验证码是 for {masked} in {log_path} within {timeout} s")


def is_grassroots(u):
    return (not u.is_local_federation and u.name.startswith("正定") and not u.name.endswith("总工会")
            and (u.name.endswith("工会委员会") or u.name.endswith("工会")))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", required=True, help="http://127.0.0.1:PORT")
    parser.add_argument("--server-log", required=True, type=Path, help="the server's log (SMS codes)")
    parser.add_argument("--seed", type=int, default=None, help="repeat a run (default: random)")
    args = parser.parse_args()

    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1, 10**6)
    rng = random.Random(seed)
    phone = "166" + f"{rng.randrange(10**8):08d}"   # 166…: a prefix the demo's phones never use
    birth = f"{rng.randrange(1970, 2004)}{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}"
    idn = id_number(birth, rng.randrange(500, 1000))  # demo sequences are small: no clash
    name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
    print(f"seed {seed}, phone {phone}, ID {masked_id(idn)}, name {name}", flush=True)

    api = f"{args.base}/api/v1"
    anon = Client(base_url=api, raise_on_unexpected_status=True, timeout=30)
    state = {}
    t0 = time.monotonic()

    def step_register():
        log_size = args.server_log.stat().st_size
        r = post_worker_registrations_code.sync_detailed(client=anon, body=PostWorkerRegistrationsCodeBody(phone=phone))
        if r.status_code != 202:
            ok(r.parsed, type(None), "POST /worker-registrations/code")
        code = sms_code(args.server_log, phone, log_size)
        token = ok(post_worker_registrations.sync(client=anon, body=PostWorkerRegistrationsBody(
            phone=phone, code=code, password=WORKER_PASSWORD)), WorkerToken, "POST /worker-registrations")
        check(token.token.startswith("w."), f"worker token does not begin with w.: {token.token[:4]}…")
        state["worker"] = AuthenticatedClient(base_url=api, token=token.token, raise_on_unexpected_status=True, timeout=30)
        return f"SMS code {code} from the log, worker {token.worker_id}, token w.…"

    def step_apply():
        worker = state["worker"]
        found = ok(get_joinable_unions.sync(client=worker, q="正定"), list, "GET /joinable-unions?q=正定")
        grassroots = [u for u in found if is_grassroots(u)]
        check(len(grassroots) >= 2, f"{len(found)} unions for 正定, {len(grassroots)} grassroots: need two")
        union = grassroots[seed % len(grassroots)]
        app = ok(post_me_join_applications.sync(client=worker, body=JoinRequest(
            name=name, id_number=idn, union_id=union.id, workplace=union.name.removesuffix("工会委员会").removesuffix("工会"))),
            JoinApplication, "POST /me/join-applications")
        check(app.status == JoinApplicationStatus.PENDING, f"application status {app.status}")
        state.update(union=union, candidates=grassroots, application=app)
        return f"{len(found)} unions for 正定, {len(grassroots)} grassroots; applied to {union.name} (#{union.id}), application {app.id}"

    def step_approve():
        session = ok(post_session.sync(client=anon, body=PostSessionBody(username=STAFF, password=STAFF_PASSWORD)),
                     Session, "POST /session")
        staff = AuthenticatedClient(base_url=api, token=session.token, raise_on_unexpected_status=True, timeout=30)
        state["staff"] = staff
        page = ok(get_join_applications.sync(client=staff, status="pending", limit=200), JoinApplicationPage,
                  "GET /join-applications?status=pending")
        mine = [a for a in page.items if a.id == state["application"].id]
        check(mine, f"application {state['application'].id} not among {len(page.items)} pending ones")
        check(mine[0].id_number == masked_id(idn), f"the list shows ID {mine[0].id_number}, expected it masked")
        member = ok(post_join_applications_by_id_approve.sync(id=mine[0].id, client=staff), Member,
                    "POST /join-applications/{id}/approve")
        check(member.union_id == state["union"].id and member.status == MemberStatus.ACTIVE,
              f"approved member in union {member.union_id}, status {member.status}")
        state["member"] = member
        return f"{STAFF} signed in, {len(page.items)} pending, approved {mine[0].id}: member {member.member_no} (#{member.id})"

    def step_transfer():
        worker, staff = state["worker"], state["staff"]
        # Another grassroots union the county cadre can see (GET /orgs/{id} is scoped).
        target = next((u for u in state["candidates"] if u.id != state["union"].id
                       and isinstance(get_orgs_by_id.sync(id=u.id, client=staff), Org)), None)
        check(target, "no second grassroots union of 正定县 among the search results")
        asked = ok(post_me_transfers.sync(client=worker, body=PostMeTransfersBody(union_id=target.id)),
                   MembershipTransfer, "POST /me/transfers")
        check(asked.status == MembershipTransferStatus.PENDING, f"new transfer status {asked.status}")
        pending = ok(get_transfers.sync(client=staff, status="pending", limit=200), MembershipTransferPage, "GET /transfers")
        check(any(t.id == asked.id for t in pending.items), f"transfer {asked.id} not in the cadre's pending list")
        released = ok(post_transfers_by_id_release.sync(id=asked.id, client=staff), MembershipTransfer,
                      "POST /transfers/{id}/release")
        done = ok(post_transfers_by_id_accept.sync(id=asked.id, client=staff), MembershipTransfer,
                  "POST /transfers/{id}/accept")
        check(done.status == MembershipTransferStatus.COMPLETED, f"after release ({released.status}) and accept: {done.status}")
        me = ok(get_me.sync(client=worker), MyMembership, "GET /me")
        check(me.is_member and me.union is not None and me.union.id == target.id,
              f"GET /me: isMember {me.is_member}, union {me.union.id if me.union else None}, expected {target.id}")
        check(me.member is not None and me.member.union_id == target.id, "GET /me: member.unionId is not the new union")
        state["target"] = target
        return f"transfer {asked.id} {state['union'].name} → {target.name}: released, accepted, completed; GET /me shows {me.union.name}"

    def step_find():
        staff, member, target = state["staff"], state["member"], state["target"]
        page = ok(get_members.sync(client=staff, q=idn, union_id=target.id), MemberPage, "GET /members?q=<ID>&unionId=")
        mine = [m for m in page.items if m.id == member.id]
        check(len(mine) == 1, f"member {member.id} not found by ID number in union {target.id} ({len(page.items)} found)")
        check(mine[0].id_number == masked_id(idn), f"API shows ID {mine[0].id_number}, expected {masked_id(idn)}")
        check(mine[0].union_id == target.id and mine[0].status == MemberStatus.ACTIVE, "member not active in the new union")
        return f"GET /members finds {mine[0].member_no} in #{target.id}, ID {mine[0].id_number}"

    def step_export():
        r = get_members_export.sync_detailed(client=state["staff"], q=idn, format_="csv")
        check(r.status_code == 200, f"GET /members/export answered {r.status_code}")
        size = len(r.content)
        rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
        check(rows and rows[0][:2] == ["会员编号", "姓名"], f"export header {rows[:1]}")
        header = rows[0]
        body = [dict(zip(header, r)) for r in rows[1:]]
        mine = [r for r in body if r.get("会员编号") == state["member"].member_no]
        check(len(mine) == 1, f"member {state['member'].member_no} not in the export ({len(body)} rows)")
        row = mine[0]
        check(row["身份证号"] == masked_id(idn), f"export shows ID {row['身份证号']}, expected it masked")
        check(row["姓名"] == name and row["所在工会"] == state["target"].name,
              f"export row: {row['姓名']} in {row['所在工会']}")
        check(idn not in "".join(",".join(r) for r in rows), "the full ID number is in the export")
        return (f"GET /members/export CSV ({size} bytes, {len(body)} row): {row['会员编号']} {row['姓名']} "
                f"{row['身份证号']} {row['所在工会']}")

    steps = [
        ("1 register", step_register),
        ("2 apply", step_apply),
        ("3 approve", step_approve),
        ("4 transfer", step_transfer),
        ("5 find (API)", step_find),
        ("6 export (API)", step_export),
    ]
    for label, step in steps:
        t = time.monotonic()
        try:
            detail = step()
        except Exception as e:  # noqa: BLE001 — any failure ends the run with its step named
            kind = "" if isinstance(e, StepFailed) else f"{type(e).__name__}: "
            print(f"FAIL {label}: {kind}{e}", flush=True)
            print(f"failed with seed {seed}, phone {phone} (repeat: --seed {seed})", flush=True)
            return 1
        print(f"ok   {label} ({time.monotonic() - t:.2f} s): {detail}", flush=True)
    print(f"passed: {len(steps)} steps in {time.monotonic() - t0:.2f} s (seed {seed}, phone {phone})", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
