#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Start-up: how long the agent takes from exec to serving (/q/health UP) and to tracing a process given
on the command line (its target attached), and its memory then, on JDK 17, JDK 25, and JDK 25 with an
AOT cache (JEP 483/514: classes loaded and linked ahead of time, recorded by a training run of the same
command).

Run as root: bench/startup.py   (REPS=5; OUT=dir; JDK25=path of a JDK 25)
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import tbbench as tb  # noqa: E402

FIXTURE = "httpserver-go1.26"


def attached(port, proc, timeout=60.0):
    """Seconds (from now) until the command line's target shows attached."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"agent exited with {proc.returncode}")
        try:
            status, targets, _ = tb.http("GET", f"http://127.0.0.1:{port}/targets", timeout=2)
            if status == 200 and targets and targets[0]["state"] == "attached":
                return time.monotonic() - t0
        except OSError:
            pass
        time.sleep(0.005)
    raise RuntimeError("target not attached in time")


def one(java, jvm_args, log):
    """(seconds to healthy, seconds to the target attached, RSS KiB then, peak RSS KiB) for one start."""
    target, _ = tb.start_fixture(FIXTURE)
    port = tb.free_port()
    try:
        t0 = time.monotonic()
        agent = tb.start_agent(port, "--target-pid", str(target.pid), java=java, jvm_args=jvm_args, log=log)
        try:
            healthy = tb.wait_health(port, agent)
            attached(port, agent)
            ready = time.monotonic() - t0
            time.sleep(1)
            rss = tb.proc_status_kib(agent.pid, "VmRSS")
            hwm = tb.proc_status_kib(agent.pid, "VmHWM")
            return {"healthy_s": healthy, "attached_s": ready, "rss_kib": rss, "hwm_kib": hwm}
        finally:
            tb.stop(agent)
    finally:
        tb.stop(target)


def main():
    tb.require_root()
    tb.ensure_jar()
    reps = int(os.environ.get("REPS", "5"))
    out = tb.out_dir()
    java25 = os.path.join(tb.JDK25, "bin", "java")
    aot = os.path.join(out, "tracebee.aot")
    modes = [("JDK 17", "java", [])]
    note = ""
    if os.path.exists(java25):
        if os.path.exists(aot):
            os.remove(aot)
        # training run: the same start and attach, the cache written when the JVM exits
        one(java25, [f"-XX:AOTCacheOutput={aot}"], os.path.join(out, "startup-training.log"))
        modes.append(("JDK 25", java25, []))
        if os.path.exists(aot):
            modes.append(("JDK 25 + AOT cache", java25, [f"-XX:AOTCache={aot}"]))
        else:
            note = "The JDK 25 training run wrote no AOT cache (see startup-training.log)."
    else:
        note = f"No JDK 25 at {tb.JDK25}: only JDK 17 measured."
    runs = {m[0]: [] for m in modes}
    for i in range(reps):
        for name, java, args in modes:
            runs[name].append(one(java, args, os.path.join(out, f"startup-{len(runs[name])}.log")))
    size = f"{os.path.getsize(aot) / 2**20:.0f} MiB" if os.path.exists(aot) else "-"
    render({"runs": runs, "reps": reps, "aot_size": size, "note": note})


def render(data):
    """The section, from the numbers alone (bench/startup.py --render re-renders OUT/startup.json)."""
    runs, reps = data["runs"], data["reps"]
    base = tb.med([r["attached_s"] for r in runs["JDK 17"]])
    rows = []
    for name, r in runs.items():
        att = [x["attached_s"] for x in r]
        rows.append([name, tb.spread([x["healthy_s"] for x in r], 2), tb.spread(att, 2), tb.ratio(tb.med(att), base),
                     tb.spread([x["rss_kib"] / 1024 for x in r]), tb.spread([x["hwm_kib"] / 1024 for x in r])])
    md = f"""## Start-up: JVM and AOT cache

From exec of `java -jar quarkus-run.jar --target-pid PID` to the HTTP API answering `/q/health` UP, and to the
target (`{FIXTURE}`) showing `attached` in `GET /targets`: what a sidecar's start costs before its first span.
Memory one second later (VmRSS) and its peak (VmHWM). {reps} interleaved starts per mode, a fresh target process
each. The AOT cache ({data['aot_size']}) comes from one training run of the same command (`-XX:AOTCacheOutput`),
used with `-XX:AOTCache`. {data['note']}

Reproduce: `bench/startup.py` (root; `REPS`, `JDK25`).

{tb.table(["JVM", "healthy (s)", "target attached (s)", "vs JDK 17", "RSS after (MiB)", "peak RSS (MiB)"], rows)}
"""
    tb.write_part("startup", md, data)


if __name__ == "__main__":
    if sys.argv[1:] == ["--render"]:
        with open(os.path.join(tb.out_dir(), "startup.json")) as f:
            saved = json.load(f)
        saved.setdefault("reps", len(next(iter(saved["runs"].values()))))
        aot = os.path.join(tb.out_dir(), "tracebee.aot")
        saved.setdefault("aot_size", f"{os.path.getsize(aot) / 2**20:.0f} MiB" if os.path.exists(aot) else "-")
        saved.setdefault("note", "")
        render(saved)
    else:
        main()
