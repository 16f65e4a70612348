#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Attach and detach latency: how long POST /targets and DELETE /targets/{id} take for Go binaries of
8 to 22 MB, and where the attach time goes (BPF object loading, verification included, vs creating
the uprobes), from the agent's own tracebee_probe_load/attach_seconds timers.

One agent (JDK 17, spans going nowhere) for the whole run; every repetition starts a fresh process
of each binary, attaches by pid (the REST call returns once the probes are in), detaches, and stops
the process. The first attach of the run, in a fresh JVM, is reported on its own.

Run as root: bench/attach.py   (REPS=5; BINARIES=comma-separated fixture names; OUT=dir)
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import tbbench as tb  # noqa: E402

GOAL_MS = 500
DEFAULT = "httpserver-go1.26,globalapi-go1.26,grpcserver-go1.26,dbserver-go1.26"


def timers(port):
    """Per library: (load seconds, attach seconds) so far."""
    ms = tb.metrics(port)
    load = tb.metric_by(ms, "tracebee_probe_load_seconds_sum", "library")
    attach = tb.metric_by(ms, "tracebee_probe_attach_seconds_sum", "library")
    return load, attach


def one(port, name):
    proc, _ = tb.start_fixture(name)
    try:
        load0, att0 = timers(port)
        status, view, took = tb.http("POST", f"http://127.0.0.1:{port}/targets", {"pid": proc.pid})
        if status != 201:
            raise RuntimeError(f"attach {name}: {status} {view}")
        load1, att1 = timers(port)
        uprobes = sum(p.get("uprobes") or 0 for p in view["probes"] if p["state"] == "attached")
        libs = {k: v - load0.get(k, 0) for k, v in load1.items() if v - load0.get(k, 0) > 0}
        status, _, dtook = tb.http("DELETE", f"http://127.0.0.1:{port}/targets/{view['id']}")
        if status != 204:
            raise RuntimeError(f"detach {name}: {status}")
        return {
            "attach_ms": took * 1e3,
            "load_ms": sum(libs.values()) * 1e3,
            "uprobe_ms": sum(v - att0.get(k, 0) for k, v in att1.items()) * 1e3,
            "detach_ms": dtook * 1e3,
            "uprobes": uprobes,
            "load_ms_by_library": {k: v * 1e3 for k, v in libs.items()},
        }
    finally:
        tb.stop(proc)


def main():
    tb.require_root()
    tb.ensure_jar()
    reps = int(os.environ.get("REPS", "5"))
    names = os.environ.get("BINARIES", DEFAULT).split(",")
    port = tb.free_port()
    agent = tb.start_agent(port, log=os.path.join(tb.out_dir(), "attach-agent.log"))
    runs = {n: [] for n in names}
    try:
        tb.wait_health(port, agent)
        first = one(port, names[0])
        for _ in range(reps):
            for n in names:
                runs[n].append(one(port, n))
    finally:
        tb.stop(agent)

    rows = []
    for n in names:
        r = runs[n]
        mb = os.path.getsize(tb.fixture(n)) / 1e6
        att = [x["attach_ms"] for x in r]
        rows.append([f"`{n}`", f"{mb:.1f}", r[0]["uprobes"], tb.spread(att), tb.spread([x["load_ms"] for x in r]),
                     tb.spread([x["uprobe_ms"] for x in r]), tb.spread([x["detach_ms"] for x in r]),
                     tb.ratio(tb.med(att), GOAL_MS)])
    libs = {}
    for n in names:
        for x in runs[n]:
            for lib, ms in x["load_ms_by_library"].items():
                libs.setdefault(lib, []).append(ms)
    lib_rows = [[lib, tb.spread(v), len(v)] for lib, v in sorted(libs.items(), key=lambda kv: -tb.med(kv[1]))]
    md = f"""## Attach and detach latency

What a `POST /targets` (by pid) and a `DELETE /targets/{{id}}` take, both synchronous: the call returns once the
probes are in or out. One agent (JDK 17) for the run, spans going nowhere; {reps} repetitions, each with a fresh
process of every binary. "Loading" is libbpf's object load (map creation, relocation and the kernel's verifier) and
"uprobes" the creation of the uprobe links, both from the agent's `tracebee_probe_load_seconds` /
`tracebee_probe_attach_seconds` timers; the rest of an attach is reading the binary (ELF, Go version, DWARF
offsets, return sites) and the REST call. Goal: an attach of a ~20 MB Go binary in at most {GOAL_MS} ms.

Reproduce: `bench/attach.py` (root; `REPS`, `BINARIES`).

{tb.table(["binary", "MB", "uprobes", "attach (ms)", "of which loading", "of which uprobes", "detach (ms)", "attach / goal"], rows)}

First attach of the run, in a JVM that had not attached before (`{names[0]}`): {first['attach_ms']:,.0f} ms
(loading {first['load_ms']:,.0f} ms).

Loading per probe library (ms, median [min-max] over every attach that loaded it):

{tb.table(["library", "loading (ms)", "attaches"], lib_rows)}
"""
    tb.write_part("attach", md, {"first": first, "runs": runs})


if __name__ == "__main__":
    main()
