#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Start-up and first attach: how long the agent takes from exec to serving (/q/health UP), then how long its
first POST /targets takes (the first attach in a fresh JVM: ELF and DWARF reading, BPF loading, all cold), and its
memory then, on JDK 17 and JDK 25 (the fast-jar), and on JDK 25 with an AOT cache (JEP 483/514): the `aot` Maven
profile's build (Quarkus's aot-jar layout, app.aot written by starting the app once at build time, as
docker/Dockerfile.jvm writes the same kind of cache in its runtime stage), and the same layout with a cache trained on a start plus an attach.

Run as root: bench/startup.py   (REPS=5; OUT=dir; JDK25=path of a JDK 25)
"""
import json
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import tbbench as tb  # noqa: E402

FIXTURE = "httpserver-go1.26"
FAST_JAR_DIR = os.path.dirname(tb.JAR)


def one(java, app_dir, jvm_args, log):
    """Seconds to healthy, seconds of the first attach, RSS KiB one second later, peak RSS KiB."""
    target, _ = tb.start_fixture(FIXTURE)
    port = tb.free_port()
    try:
        t0 = time.monotonic()
        # no targets; from its directory, as the AOT cache wants it
        agent = tb.start_agent(port, java=java, jvm_args=jvm_args, log=log, app_dir=app_dir)
        try:
            tb.wait_health(port, agent)
            healthy = time.monotonic() - t0
            status, body, took = tb.http("POST", f"http://127.0.0.1:{port}/targets", {"pid": target.pid})
            if status != 201 or body.get("state") != "attached":
                raise RuntimeError(f"attach answered {status}: {body}")
            time.sleep(1)
            return {"healthy_s": healthy, "attach_s": took, "ready_s": healthy + took,
                    "rss_kib": tb.proc_status_kib(agent.pid, "VmRSS"), "hwm_kib": tb.proc_status_kib(agent.pid, "VmHWM")}
        finally:
            tb.stop(agent)
    finally:
        tb.stop(target)


def build_aot_app(out):
    """target/quarkus-app of `-Paot` (built on JDK 25), copied to OUT/quarkus-app-aot; then the fast-jar again."""
    dest = os.path.join(out, "quarkus-app-aot")
    mvn = [os.path.join(tb.ROOT, "mvnw"), "-B", "-ntp", "-q", "package", "-DskipTests"]
    env = dict(os.environ, JAVA_HOME=tb.JDK25)
    t0 = time.monotonic()
    subprocess.run(mvn + ["-Paot"], cwd=tb.ROOT, env=env, check=True)
    took = time.monotonic() - t0
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(FAST_JAR_DIR, dest, symlinks=True)
    subprocess.run(mvn, cwd=tb.ROOT, check=True)
    return dest, took


def main():
    tb.require_root()
    tb.ensure_jar()
    reps = int(os.environ.get("REPS", "5"))
    out = tb.out_dir()
    java25 = os.path.join(tb.JDK25, "bin", "java")
    modes = [("JDK 17", "java", FAST_JAR_DIR, [])]
    note = ""
    sizes = {}
    if os.path.exists(java25):
        modes.append(("JDK 25", java25, FAST_JAR_DIR, []))
        aot_dir, build_s = build_aot_app(out)
        sizes["build"] = os.path.getsize(os.path.join(aot_dir, "app.aot"))
        modes.append(("JDK 25 + AOT cache from the build (-Paot)", java25, aot_dir, ["-XX:AOTCache=app.aot"]))
        trained = os.path.join(aot_dir, "trained.aot")
        if os.path.exists(trained):
            os.remove(trained)
        # training run: a start and a first attach, the cache written when the JVM exits
        one(java25, aot_dir, [f"-XX:AOTCacheOutput={trained}"], os.path.join(out, "startup-training.log"))
        if os.path.exists(trained):
            sizes["trained"] = os.path.getsize(trained)
            modes.append(("JDK 25 + AOT cache trained on a start and an attach", java25, aot_dir,
                          ["-XX:AOTCache=trained.aot"]))
        else:
            note = "The training run wrote no AOT cache (see startup-training.log)."
        note += f" Building `-Paot` took {build_s:.0f} s."
    else:
        note = f"No JDK 25 at {tb.JDK25}: only JDK 17 measured."
    runs = {m[0]: [] for m in modes}
    for _ in range(reps):
        for name, java, app_dir, args in modes:
            runs[name].append(one(java, app_dir, args, os.path.join(out, f"startup-{len(runs[name])}.log")))
    render({"runs": runs, "reps": reps, "sizes": {k: f"{v / 2**20:.0f} MiB" for k, v in sizes.items()},
            "note": note.strip()})


def render(data):
    """The section, from the numbers alone (bench/startup.py --render re-renders OUT/startup.json)."""
    runs, reps = data["runs"], data["reps"]
    base = tb.med([r["ready_s"] for r in runs["JDK 17"]])
    rows = []
    for name, r in runs.items():
        rows.append([name, tb.spread([x["healthy_s"] for x in r], 2), tb.spread([x["attach_s"] * 1000 for x in r]),
                     tb.spread([x["ready_s"] for x in r], 2), tb.ratio(tb.med([x["ready_s"] for x in r]), base),
                     tb.spread([x["rss_kib"] / 1024 for x in r]), tb.spread([x["hwm_kib"] / 1024 for x in r])])
    sizes = data.get("sizes", {})
    md = f"""## Start-up and first attach: JVM and AOT cache

From exec of `java -jar quarkus-run.jar` to the HTTP API answering `/q/health` UP ("healthy"); then the agent's first
`POST /targets` for a running `{FIXTURE}` until it answers 201 attached ("first attach": a fresh JVM reading ELF and
DWARF and loading BPF, all code cold); "ready" is their sum, what a sidecar's start costs before its first span.
Memory one second later (VmRSS) and its peak (VmHWM). {reps} interleaved starts per mode, a fresh target process each,
each JVM run from its app directory as the AOT cache requires.

- **JDK 25 + AOT cache from the build**: `JAVA_HOME=<JDK 25> ./mvnw package -Paot` — Quarkus's aot-jar layout and an
  `app.aot` ({sizes.get('build', '-')}) written while Quarkus starts the app once at build time (Quarkus, CDI, REST, the
  HTTP server; no BPF, so it works in an unprivileged `docker build`); `docker/Dockerfile.jvm` writes the same
  kind of cache in its runtime stage, from the image's own JVM and files.
- **trained on a start and an attach**: the same layout with a cache ({sizes.get('trained', '-')}) from one
  `-XX:AOTCacheOutput` run of exactly the measured work, attach included.

{data.get('note', '')}

Reproduce: `bench/startup.py` (root; `REPS`, `JDK25`).

{tb.table(["JVM", "healthy (s)", "first attach (ms)", "ready (s)", "ready vs JDK 17", "RSS after (MiB)", "peak RSS (MiB)"], rows)}
"""
    tb.write_part("startup", md, data)


if __name__ == "__main__":
    if sys.argv[1:] == ["--render"]:
        with open(os.path.join(tb.out_dir(), "startup.json")) as f:
            saved = json.load(f)
        saved.setdefault("reps", len(next(iter(saved["runs"].values()))))
        render(saved)
    else:
        main()
