#!/usr/bin/env python3
"""Guanxi benchmark: builds the server, generates (or reuses) a data set, starts the server on
loopback, runs wrk scenarios and prints one table (scenario, requests/s, p50, p99, errors, server
RSS). Results are also written as JSON under bench/results/ so two runs can be compared.

  bench/run.sh                                   # 1M customers, 3M contacts, 10M follow-ups, SQLite, release
  bench/run.sh --customers 100000 --contacts 300000 --follow-ups 1000000
  bench/run.sh --smoke                           # 10k customers, 3 s per scenario, 2 connections, debug build (CI)
  bench/run.sh --postgres --customers 100000     # the same on PostgreSQL (a server of its own under bench/data)
  bench/run.sh --compare bench/results/A.json bench/results/B.json
"""
import argparse
import http.cookiejar
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"


def log(msg):
    print(msg, flush=True)


def ensure_wrk():
    if shutil.which("wrk"):
        return
    log("installing wrk from Debian")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, env=env, stdout=subprocess.DEVNULL)


def build(config):
    log(f"== build ({config})")
    cmd = ["swift", "build", "--product", "guanxi"] + (["-c", "release"] if config == "release" else [])
    subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    out = subprocess.run(cmd + ["--show-bin-path"], cwd=ROOT, check=True, capture_output=True, text=True).stdout.strip()
    return Path(out) / "guanxi"


# Scenarios that add rows (the timed money calls and the import too): a run with any of them starts from
# a fresh copy of the generated set, so runs measure the same data however many came before.
WRITING = ("follow-up POST (API)", "record a payment (POST)")


def work_on_copy(data, env, writes, pg_admin=None):
    """Points the server at a working copy of the generated set. A run that writes makes the copy anew
    and marks it dirty; a run that only reads reuses a clean copy (the 1M SQLite set takes ~40 s to
    copy). Sign-in sessions and tokens do go into the copy: a few rows, not a drift."""
    dirty = data / "run-dirty"
    if pg_admin:
        exists = subprocess.run(["psql", "-tAq", pg_admin, "-c", "SELECT 1 FROM pg_database WHERE datname = 'guanxi_run'"],
                                check=True, capture_output=True, text=True).stdout.strip() == "1"
        if writes or dirty.exists() or not exists:
            log("== data: a fresh working copy (guanxi_run from guanxi_bench)")
            subprocess.run(["psql", "-q", pg_admin, "-c", "DROP DATABASE IF EXISTS guanxi_run",
                            "-c", "CREATE DATABASE guanxi_run TEMPLATE guanxi_bench"], check=True,
                           env=dict(os.environ, PGOPTIONS="-c client_min_messages=warning"))
        env["GUANXI_DATABASE_URL"] = pg_admin.rsplit("/", 1)[0] + "/guanxi_run"
    else:
        work = data / "run"
        if writes or dirty.exists() or not work.exists():
            log(f"== data: a fresh working copy in {work}")
            started = time.time()
            shutil.rmtree(work, ignore_errors=True)
            shutil.copytree(data, work, ignore=lambda folder, names: [n for n in names if n in ("run", "pg", "ready", "run-dirty")])
            log(f"   copied in {time.time() - started:.0f} s")
        env["GUANXI_DATA_DIR"] = str(work)
    if writes:
        dirty.write_text(time.strftime("%Y-%m-%d %H:%M:%S"))
    else:
        dirty.unlink(missing_ok=True)


def generate(binary, env, args):
    log(f"== data: {args.customers} customers, {args.contacts} contacts, {args.follow_ups} follow-ups, "
        f"{args.opportunities if args.opportunities is not None else 'default'} opportunities, {args.reps} extra reps")
    started = time.time()
    extra = ["--opportunities", str(args.opportunities)] if args.opportunities is not None else []
    extra += ["--contracts", str(args.contracts)] if args.contracts is not None else []
    subprocess.run([str(binary), "demo", "--customers", str(args.customers), "--contacts", str(args.contacts),
                    "--follow-ups", str(args.follow_ups), "--reps", str(args.reps)] + extra, env=env, check=True)
    return time.time() - started


class Client:
    """Signs in like a browser and calls the API with a token."""

    def __init__(self, base):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def sign_in(self, account, password):
        self.opener.open(self.base + "/login").read()
        csrf = next(c.value for c in self.jar if c.name == "gx_csrf")
        body = urllib.parse.urlencode({"_csrf": csrf, "account": account, "password": password}).encode()
        self.opener.open(self.base + "/login", body).read()
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)

    def api(self, token, path, body=None, method=None):
        data = json.dumps(body, ensure_ascii=False).encode() if body is not None and not isinstance(body, bytes) else body
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        with urllib.request.urlopen(req) as res:
            raw = res.read()
            return json.loads(raw) if raw else None


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def parse_wrk(text):
    def latency(pct):
        m = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
        return round(float(m.group(1)) * UNITS[m.group(2)], 2) if m else None
    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    total = re.search(r"(\d+) requests in", text)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    errors = (int(non2xx.group(1)) if non2xx else 0) + (sum(int(x) for x in sock.groups()) if sock else 0)
    return {"rps": float(rps.group(1)) if rps else 0.0, "requests": int(total.group(1)) if total else 0,
            "p50_ms": latency(50), "p99_ms": latency(99), "errors": errors}


def lua(method="GET", headers=None, body=None, paths=None, bodies=None):
    """A wrk script: fixed headers and body; `paths` rotates over several URLs, `bodies` over several bodies (one per request)."""
    lines = [f'wrk.method = "{method}"']
    for k, v in (headers or {}).items():
        lines.append(f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}")
    if body is not None:
        lines.append(f"wrk.body = {json.dumps(body, ensure_ascii=False)}")
    if paths:
        lines.append("local paths = {" + ", ".join(json.dumps(p) for p in paths) + "}")
        lines.append("local i = 0")
        lines.append("request = function() i = i + 1; return wrk.format(nil, paths[(i % #paths) + 1]) end")
    if bodies:
        lines.append("local bodies = {" + ", ".join(json.dumps(b, ensure_ascii=False) for b in bodies) + "}")
        lines.append("local j = 0")
        lines.append("request = function() j = j + 1; return wrk.format(nil, nil, nil, bodies[(j % #bodies) + 1]) end")
    return "\n".join(lines) + "\n"


def rss_mb(pid):
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        return {k: round(int(re.search(rf"{k}:\s+(\d+)", status).group(1)) / 1024, 1) for k in ("VmRSS", "VmHWM")}
    except (OSError, AttributeError):
        return {"VmRSS": None, "VmHWM": None}


def settle(pid, limit=10.0):
    """Waits until the server is nearly idle: when wrk stops, the requests it left in flight still run
    (16 of the collection statistics take half a second each), and the next scenario's first requests
    queued behind them (the money scenario's p99 was 200 ms against a p50 of 4 ms)."""
    hz = os.sysconf("SC_CLK_TCK")

    def ticks():
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            return int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            return None

    deadline = time.time() + limit
    while time.time() < deadline:
        before = ticks()
        time.sleep(0.2)
        after = ticks()
        if before is None or after is None or (after - before) / hz < 0.2 * 0.2:
            return


def run_wrk(base, path, script, args):
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    cmd = ["wrk", "-t", str(args.threads), "-c", str(args.connections), "-d", f"{args.duration}s", "--timeout", f"{args.timeout}s",
           "--latency", "-s", f.name, base + path]
    out = subprocess.run(cmd, capture_output=True, text=True).stdout
    os.unlink(f.name)
    return parse_wrk(out), out


def timed(label, calls):
    """Sequential calls of one request: a row like wrk's from the measured seconds of each."""
    seconds, errors = [], 0
    for call in calls:
        started = time.time()
        try:
            call()
        except Exception as e:  # noqa: BLE001 - an error is counted, the run goes on
            errors += 1
            log(f"{label}: {e}")
        seconds.append(time.time() - started)
    seconds.sort()
    pick = lambda q: round(seconds[min(len(seconds) - 1, int(q * len(seconds)))] * 1000, 1) if seconds else None
    return {"scenario": label, "path": "", "rps": round(len(seconds) / sum(seconds), 1) if seconds else 0, "p50_ms": pick(0.5), "p99_ms": pick(0.99),
            "errors": errors, "requests": len(seconds)}


def time_money(base, binary, env, count):
    """#6's figures, as an administrator: activating contracts with 24 instalments (each one
    transaction with its approval check and receivables), and the aging over every instalment."""
    token = subprocess.run([str(binary), "create-token", "--account", "admin", "--name", "bench-money"], env=env,
                           capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]
    client = Client(base)
    call = lambda method, path, body=None: client.api(token, path, method=method, body=body)
    stamp = time.strftime("%H%M%S")
    product = call("POST", "/api/v1/products", {"name": f"基准测试产品{stamp}", "listPrice": 100000, "costPrice": 60000})["id"]
    customer = call("POST", "/api/v1/customers?force=true", {"name": f"基准测试客户{stamp}有限公司"})["id"]
    drafts = []
    for _ in range(count):
        quote = call("POST", "/api/v1/quotes", {"title": "基准", "customerID": customer, "lines": [{"productID": product, "quantity": 24, "taxRate": 1300}]})["id"]
        call("POST", f"/api/v1/quotes/{quote}/status", {"status": "sent"})
        call("POST", f"/api/v1/quotes/{quote}/status", {"status": "accepted"})
        contract = call("POST", "/api/v1/contracts", {"quoteID": quote})
        total, n = contract["total"], 24
        plan = [{"dueOn": f"{2027 + (m // 12)}-{m % 12 + 1:02d}-15", "amount": total // n + (1 if m < total % n else 0)} for m in range(n)]
        call("PUT", f"/api/v1/contracts/{contract['id']}/plan", plan)
        drafts.append(contract["id"])
    rows = [timed("contract activation, 24 instalments", [lambda c=c: call("POST", f"/api/v1/contracts/{c}/submit") for c in drafts]),
            timed("receivables aging, all (API, admin)", [lambda: call("GET", "/api/v1/receivables/aging") for _ in range(20)])]
    return rows


def time_import(base, rows, account="zhang.wei"):
    """Uploads a CSV of `rows` new customers, maps it, previews it and imports it, as a person would
    (the sales director: branch managers may not import)."""
    client = Client(base)
    client.sign_in(account, "guanxi123")
    stamp = time.strftime("%H%M%S")
    csv = "客户名称,电话,备注\r\n" + "".join(f"导入测试{stamp}-{i}有限公司,1390{i % 10_000_000:07d},批量导入\r\n" for i in range(rows))
    boundary = "guanxi-bench-boundary"
    csrf = next(c.value for c in client.jar if c.name == "gx_csrf")
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{csrf}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"bench.csv\"\r\nContent-Type: text/csv\r\n\r\n").encode() \
        + csv.encode() + f"\r\n--{boundary}--\r\n".encode()
    started = time.time()
    req = urllib.request.Request(client.base + "/customers/import", data=body, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    job_url = client.opener.open(req).geturl()
    uploaded = time.time()
    form = urllib.parse.urlencode({"_csrf": csrf, "col0": "name", "col1": "phone", "col2": "notes", "dup.name": "1", "mode": "skip"}).encode()
    client.opener.open(job_url + "/mapping", form).read()
    previewed = time.time()
    client.opener.open(job_url + "/commit", urllib.parse.urlencode({"_csrf": csrf}).encode()).read()
    while "<progress" in client.opener.open(job_url).read().decode():
        time.sleep(0.2)
    done = time.time()
    page = client.opener.open(job_url).read().decode()
    result = {"rows": rows, "upload_s": round(uploaded - started, 2), "preview_s": round(previewed - uploaded, 2),
              "import_s": round(done - previewed, 2), "total_s": round(done - started, 2), "failed": "failed" in page or "失败" in page}
    log(f"import of {rows} rows: upload {result['upload_s']} s, map + preview {result['preview_s']} s, import {result['import_s']} s, "
        f"total {result['total_s']} s")
    return result


def scenarios(client, token, cookie, args):
    """Each scenario: name, path, wrk script. Ids come from the data itself."""
    page = client.api(token, "/api/v1/customers?limit=50")
    first = page["items"][0]["id"]
    ids = [c["id"] for c in page["items"]]
    cursor = page.get("nextCursor")
    deep_pages = 2 if args.smoke else 200
    for _ in range(deep_pages):
        if not cursor:
            break
        page = client.api(token, "/api/v1/customers?limit=50&cursor=" + urllib.parse.quote(cursor))
        ids += [c["id"] for c in page["items"]]
        cursor = page.get("nextCursor") or cursor
    departments = client.api(token, "/api/v1/departments")
    dept = next((d["id"] for d in departments if d["name"] == "北京分公司"), departments[0]["id"])
    month_from = time.strftime("%Y-%m-01")
    today = time.strftime("%Y-%m-%d")
    web = {"Cookie": cookie}
    api = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    follow_up = json.dumps({"method": "phone", "content": "电话回访，客户确认下周到货", "result": "满意"}, ensure_ascii=False)
    q = urllib.parse.quote
    return [
        ("health (ceiling)", "/health", lua()),
        ("sign-in page", "/login", lua()),
        ("customers: first page", "/customers", lua(headers=web)),
        ("customers: deep page", f"/customers?cursor={q(cursor or '')}", lua(headers=web)),
        ("search: substring 华信科技", f"/customers?q={q('华信科技')}", lua(headers=web)),
        ("search: pinyin initials bjhx", "/customers?q=bjhx", lua(headers=web)),
        ("search: phone digits 3800", "/customers?q=13800", lua(headers=web)),
        ("contacts: list", "/contacts", lua(headers=web)),
        ("customer 360 view", f"/customers/{first}", lua(headers=web, paths=[f"/customers/{i}" for i in ids[:200]])),
        ("follow-up POST (API)", f"/api/v1/customers/{first}/follow-ups",
         lua("POST", api, follow_up, paths=[f"/api/v1/customers/{i}/follow-ups" for i in ids[:500]])),
        ("customer timeline (API)", f"/api/v1/customers/{first}/follow-ups", lua(headers=api, paths=[f"/api/v1/customers/{i}/follow-ups" for i in ids[:200]])),
        ("follow-ups due today (API)", "/api/v1/follow-ups/due", lua(headers=api)),
        ("API customer list", "/api/v1/customers?limit=50", lua(headers=api)),
        ("follow-up stats: department, month", f"/follow-ups/stats?department={dept}&from={month_from}&to={today}", lua(headers=web)),
        ("home dashboard", "/", lua(headers=web)),
        ("opportunity board: team", "/opportunities/board?view=team", lua(headers=web)),
        ("opportunity funnel: team (API)", "/api/v1/opportunities/funnel?view=team", lua(headers=api)),
        ("opportunity forecast: team (API)", "/api/v1/opportunities/forecast?view=team", lua(headers=api)),
        ("opportunity list: team", "/opportunities?view=team", lua(headers=web)),
        ("contracts: list", "/contracts", lua(headers=web)),
        ("receivables: overdue", "/receivables?overdue=1", lua(headers=web)),
        ("receivables aging (API)", "/api/v1/receivables/aging", lua(headers=api)),
        ("collection statistics: year (API)", "/api/v1/collections", lua(headers=api)),
        ("customer money (API)", f"/api/v1/customers/{first}/finance", lua(headers=api, paths=[f"/api/v1/customers/{i}/finance" for i in ids[:200]])),
        # Over the 500 customers the follow-ups go to: every run used to add its ~5,500 prepayments to the
        # first customer, whose 360 view (one of the 200 above) then summed 70,000 of them.
        ("record a payment (POST)", "/api/v1/payments",
         lua("POST", api, bodies=[json.dumps({"customerID": i, "amount": 10000, "apply": "none"}) for i in ids[:500]])),
    ]


def compare(a_path, b_path):
    a, b = json.loads(Path(a_path).read_text()), json.loads(Path(b_path).read_text())
    bs = {r["scenario"]: r for r in b["results"]}
    print(f"{'scenario':40} {'req/s A':>10} {'req/s B':>10} {'p99 A':>9} {'p99 B':>9}")
    for r in a["results"]:
        o = bs.get(r["scenario"], {})
        print(f"{r['scenario']:40} {r['rps']:>10.0f} {o.get('rps', 0):>10.0f} {r['p99_ms'] or 0:>8.1f}ms {o.get('p99_ms') or 0:>8.1f}ms")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--customers", type=int, default=1_000_000)
    p.add_argument("--contacts", type=int, default=None, help="default 3 per customer")
    p.add_argument("--follow-ups", type=int, default=None, help="default 10 per customer")
    p.add_argument("--opportunities", type=int, default=None, help="default a third of the customers (data sets made before opportunities have none)")
    p.add_argument("--contracts", type=int, default=None, help="default a quarter of the customers, one to seven instalments each")
    p.add_argument("--reps", type=int, default=200)
    p.add_argument("--duration", type=int, default=10, help="seconds per scenario")
    p.add_argument("--connections", type=int, default=16)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--timeout", type=int, default=10, help="seconds before wrk counts a request as timed out")
    p.add_argument("--build", choices=["release", "debug"], default="release")
    p.add_argument("--binary", help="run this guanxi binary instead of building one (to compare two builds on one data set)")
    p.add_argument("--data", help="data folder (default bench/data/<size>)")
    p.add_argument("--port", type=int, default=18300)
    p.add_argument("--account", default="li.na", help="who signs in (li.na sees the Beijing department tree)")
    p.add_argument("--only", help="run scenarios whose name contains this text")
    p.add_argument("--smoke", action="store_true", help="10,000 customers, 3 s per scenario on 2 connections, debug build; fails on any error")
    p.add_argument("--import-rows", type=int, default=0, help="also time a customer import of this many CSV rows through the pages (adds them to the data set)")
    p.add_argument("--postgres", action="store_true", help="run on PostgreSQL (Debian's server, started under bench/data) instead of SQLite")
    p.add_argument("--compare", nargs=2, metavar=("A.json", "B.json"))
    args = p.parse_args()
    if args.compare:
        return compare(*args.compare)
    if args.smoke:
        # A debug build is slow: two connections keep each request's wait short of the timeout.
        args.customers, args.duration, args.build, args.reps = 10_000, 3, "debug", 20
        args.connections, args.threads, args.timeout = 2, 1, 30
    args.contacts = args.contacts if args.contacts is not None else args.customers * 3
    args.follow_ups = args.follow_ups if args.follow_ups is not None else args.customers * 10

    ensure_wrk()
    binary = Path(args.binary).resolve() if args.binary else build(args.build)
    size = f"{args.customers}-{args.contacts}-{args.follow_ups}-{args.reps}" + (f"-o{args.opportunities}" if args.opportunities is not None else "") \
        + f"-c{args.contracts if args.contracts is not None else args.customers // 4}"
    data = Path(args.data) if args.data else BENCH / "data" / (size + ("-postgres" if args.postgres else ""))
    env = dict(os.environ, GUANXI_DATA_DIR=str(data), GUANXI_PORT=str(args.port), GUANXI_JOBS="0")
    env.pop("GUANXI_DATABASE_URL", None)
    pg_env = dict(os.environ, GUANXI_PG_PORT="54339", GUANXI_PG_DIR=str(data / "pg"))
    generated = None
    if not (data / "ready").exists():
        shutil.rmtree(data, ignore_errors=True)
        data.mkdir(parents=True)
    if args.postgres:
        admin = subprocess.run([str(ROOT / "scripts/pg.sh"), "start"], env=pg_env, check=True, capture_output=True, text=True).stdout.strip()
        env["GUANXI_DATABASE_URL"] = admin.rsplit("/", 1)[0] + "/guanxi_bench"
        if not (data / "ready").exists():
            subprocess.run(["psql", "-q", admin, "-c", "DROP DATABASE IF EXISTS guanxi_bench", "-c", "CREATE DATABASE guanxi_bench"], check=True)
    if not (data / "ready").exists():
        generated = generate(binary, env, args)
        (data / "ready").write_text(time.strftime("%Y-%m-%d %H:%M:%S"))
    else:
        log(f"== data: reusing {data}")
    writes = bool(args.import_rows) or not args.only or any(args.only in name for name in WRITING)
    work_on_copy(data, env, writes, admin if args.postgres else None)
    token = subprocess.run([str(binary), "create-token", "--account", args.account, "--name", "bench"], env=env,
                           capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]
    server = subprocess.Popen([str(binary), "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/health", timeout=1).read()
                break
            except OSError:
                time.sleep(0.2)
        client = Client(base)
        cookie = client.sign_in(args.account, "guanxi123")
        results = []
        log(f"== {args.duration} s per scenario, {args.connections} connections, {args.threads} wrk threads, account {args.account}")
        print(f"{'scenario':40} {'req/s':>9} {'p50':>9} {'p99':>9} {'errors':>7} {'RSS MB':>8}", flush=True)
        for name, path, script in scenarios(client, token, cookie, args):
            if args.only and args.only not in name:
                continue
            settle(server.pid)
            r, raw = run_wrk(base, path, script, args)
            r.update(scenario=name, path=path, rss_mb=rss_mb(server.pid)["VmRSS"])
            results.append(r)
            print(f"{name:40} {r['rps']:>9.0f} {r['p50_ms'] or 0:>7.1f}ms {r['p99_ms'] or 0:>7.1f}ms {r['errors']:>7} {r['rss_mb'] or 0:>8.0f}", flush=True)
            if r["requests"] == 0:
                print(raw, file=sys.stderr)
        for r in [] if args.only else time_money(base, binary, env, 5 if args.smoke else 30):
            r["rss_mb"] = rss_mb(server.pid)["VmRSS"]
            results.append(r)
            print(f"{r['scenario']:40} {r['rps']:>9.0f} {r['p50_ms'] or 0:>7.1f}ms {r['p99_ms'] or 0:>7.1f}ms {r['errors']:>7} {r['rss_mb'] or 0:>8.0f}", flush=True)
        imported = time_import(base, args.import_rows) if args.import_rows else None
        peak = rss_mb(server.pid)["VmHWM"]
    finally:
        server.terminate()
        server.wait(timeout=30)
        if args.postgres:
            subprocess.run([str(ROOT / "scripts/pg.sh"), "stop"], env=pg_env)
    cpu = next((l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines() if l.startswith("model name")), platform.machine())
    report = {
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "machine": f"{os.cpu_count()} cores, {cpu}", "database": "postgres" if args.postgres else "sqlite",
        "build": args.build, "customers": args.customers, "contacts": args.contacts, "follow_ups": args.follow_ups, "reps": args.reps,
        "opportunities": args.opportunities, "contracts": args.contracts if args.contracts is not None else args.customers // 4,
        "duration_s": args.duration, "connections": args.connections, "generation_s": round(generated, 1) if generated else None,
        "peak_rss_mb": peak, "results": results, "import": imported,
    }
    out_dir = BENCH / "results"
    out_dir.mkdir(exist_ok=True)
    out = out_dir / f"{time.strftime('%Y%m%d-%H%M%S')}-{'smoke' if args.smoke else size}{'-postgres' if args.postgres else ''}.json"
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2))
    log(f"peak server RSS {peak} MB; results in {out.relative_to(ROOT)}")
    errors = sum(r["errors"] for r in results)
    empty = [r["scenario"] for r in results if r["requests"] == 0]
    if errors or empty:
        log(f"FAILED: {errors} request errors; scenarios without requests: {empty}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main() or 0)
