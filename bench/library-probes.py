#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Uprobe hits and BPF time per request, per probed library: bench/probe-hits.sh (the kernel's per-program
run_cnt/run_time_ns around N requests, the agent attached by pid) over the test services that need nothing
outside this machine's own processes. Each hit costs one trap (see the trap floor in "Target side") plus the
program's run time.

Run as root: bench/library-probes.py   (N=200 requests per path; OUT=dir)
"""
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import tbbench as tb  # noqa: E402

SQL = "/query?sql=select%201"
CASES = [
    ("net/http server", "httpserver-go1.26", "/hello/x"),
    ("net/http server + client, from a goroutine the handler starts", "httpserver-go1.26",
     "/callasync?url=http://127.0.0.1:9/x"),
    ("database/sql query (SQLite)", "dbserver-go1.26", SQL),
    ("database/sql prepared statement, 2 executions", "dbserver-go1.26", "/prepared?sql=select%201"),
    ("gin route", "routeserver-go1.26", "/users/7"),
    ("gorilla/mux route", "routeserver-go1.26", "/mux/users/ann"),
    ("gRPC unary call (client and server in one process)", "grpcserver-go1.26", "/call?method=Echo&value=x"),
    ("gRPC stream, one message each way", "grpcserver-go1.26", "/stream?method=Chat&n=1&value=x"),
    ("OTel Auto SDK, 4 manual spans", "autosdk-go1.26", "/manual"),
    ("OTel Go SDK span", "otelsdk-go1.26", "/sdk"),
    ("OTel global API, 3 spans and 9 calls on them", "globalapi-go1.26", "/global"),
]
LINE = re.compile(r"^\s+(\S+)\s+([\d.]+) hits/request\s+([\d.]+) us/hit")


def run(fixture, paths, n):
    env = dict(os.environ, FIXTURE=fixture, PATHS=" ".join(paths), N=str(n), AGENT_PORT=str(tb.free_port()))
    out = subprocess.run([os.path.join(tb.ROOT, "bench", "probe-hits.sh")], env=env, capture_output=True,
                         text=True, timeout=900)
    if out.returncode:
        raise RuntimeError(f"probe-hits.sh {fixture}: {out.stderr[-2000:]}")
    result, current = {}, None
    for line in out.stdout.splitlines():
        if line.startswith("== "):
            current = line.split()[1]
            result[current] = {}
        m = LINE.match(line)
        if m and current:
            result[current][m.group(1)] = (float(m.group(2)), float(m.group(3)))
    return result


def main():
    tb.require_root()
    tb.ensure_jar()
    n = int(os.environ.get("N", "200"))
    by_fixture = {}
    for _, fixture, path in CASES:
        by_fixture.setdefault(fixture, []).append(path)
    measured = {f: run(f, paths, n) for f, paths in by_fixture.items()}
    render({"n": n, "cases": [{"case": what, "fixture": fixture, "path": path,
                                "programs": measured[fixture].get(path, {})} for what, fixture, path in CASES]})


def render(data):
    """The section, from the numbers alone (bench/library-probes.py --render re-renders OUT/library-probes.json)."""
    n = data["n"]
    rows = []
    for c in data["cases"]:
        progs = c["programs"]
        uprobes = {k: v for k, v in progs.items() if k.startswith("uprobe_")}
        hits = sum(h for h, _ in uprobes.values())
        bpf_us = sum(h * us for h, us in uprobes.values())
        skmsg = progs.get("tb_skmsg", (0, 0))
        detail = ", ".join(f"{k.removeprefix('uprobe_')} {h:.2f}" for k, (h, _) in sorted(uprobes.items()))
        rows.append([c["case"], f"{hits:.2f}", f"{bpf_us:.1f}", f"{skmsg[0]:.1f}" if skmsg[0] else "-", detail])
    md = f"""## Library probes: uprobe hits per request

What each probed library adds to a request of the test services, counted by the kernel: `run_cnt` and
`run_time_ns` of the agent's own programs (`kernel.bpf_stats_enabled=1`) around {n} requests per path, sent one at
a time with curl, the agent attached by pid (`bench/probe-hits.sh`). Every uprobe hit costs one trap (two exits
here: `int3` and the single-step; by the kernel source, one for a call instruction, which x86 uprobes emulate) on top of the BPF time,
so hits x the trap floor of "Target side" is the floor of what the probes can cost. Counts are of the whole
request: the HTTP server span of the test service's front door is included. `tb_skmsg` (header injection, no
trap) runs per message written on a traced connection.

Reproduce: `bench/library-probes.py` (root; `N`). One path at a time:
`FIXTURE=dbserver-go1.26 PATHS='{SQL}' bench/probe-hits.sh`.

{tb.table(["request", "uprobe hits", "BPF us", "sk_msg runs", "programs (hits per request)"], rows)}
"""
    tb.write_part("library-probes", md, data)


if __name__ == "__main__":
    if sys.argv[1:] == ["--render"]:
        with open(os.path.join(tb.out_dir(), "library-probes.json")) as f:
            render(json.load(f))
    else:
        main()
