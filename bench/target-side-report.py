# SPDX-License-Identifier: Apache-2.0
"""Turns bench/target-side.sh's raw runs into $OUT/target-side.md and $OUT/target-side.json.

Run by the script (python3 - ARGS < this file); every figure in the markdown is computed here from the
runs, nothing is edited by hand.
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from tbbench import med, spread  # noqa: E402

(machine_f, floor_f, runs_f, out, t0, t1, t2, reps, wrk_duration, rate_duration, warmup, rate_warmup, tcpu,
 acpu, quick, load_end) = sys.argv[1:]
machine = json.load(open(machine_f))
tck = machine["clk_tck"]
lines = [json.loads(l) for l in open(runs_f)]
runs = [r for r in lines if r["kind"] != "agent_metrics"]


def c1_wall(r): return r["result"]["duration_us"] / r["result"]["requests"]


def median_c1_runs(runs):
    """The -c1 runs of a slot (rep, configuration, path; "rate" numbers them) become one: the median run by time
    per request, with every run's time per request kept in "c1_runs". One run's figures stay together."""
    slots, out = {}, []
    for r in runs:
        if r["kind"] == "c1":
            slots.setdefault((r["rep"], r["config"], r["path"]), []).append(r)
        else:
            out.append(r)
    for rs in slots.values():
        rs.sort(key=c1_wall)
        m = dict(rs[(len(rs) - 1) // 2], rate=0.0, c1_runs=[c1_wall(r) for r in rs])
        out.append(m)
    return out


runs = median_c1_runs(runs)
C1_RUNS = max([len(r["c1_runs"]) for r in runs if r["kind"] == "c1"] or [1])
agent_metrics = [r for r in lines if r["kind"] == "agent_metrics"]
CONFIGS = [c for c in ("none", "empty", "tracebee", "go-auto", "otelhttp") if any(r["config"] == c for r in runs)]
AGENTS = [c for c in CONFIGS if c in ("empty", "tracebee", "go-auto")]
PEERS = [c for c in AGENTS if c != "empty"]  # what the floor in place is set against
PATHS = ["plain", "work"]
REPS = sorted({r["rep"] for r in runs})


def kv(line):
    return dict(f.split("=", 1) for f in line.split() if "=" in f)


floor = next(kv(l) for l in open(floor_f) if l.startswith("result prog=empty "))
floor_us = float(floor["trap_ns"]) / 1000


def run(rep, cfg, path, kind, rate=0.0):
    for r in runs:
        if (r["rep"], r["config"], r["path"], r["kind"]) == (rep, cfg, path, kind) and r.get("rate", 0) == rate:
            return r
    return None


def requests(r):
    res = r["result"]
    if r["kind"] == "rate":
        return res["completed"]
    return res["requests"]


def rates(path):
    return sorted({r["rate"] for r in runs if r["path"] == path and r["kind"] == "rate"})


# --- per-run metrics -------------------------------------------------------------------------------------
def sat_rps(r): return r["result"]["requests"] / r["result"]["duration_us"] * 1e6
def c1_mean(r): return r["result"]["mean_us"]
def server_cpu(r): return r["server_ticks"] * 1e6 / tck / requests(r)
def agent_cpu(r): return r["agent_ticks"] * 1e6 / tck / requests(r)
def hits(r):
    """Uprobe hits (programs of type kprobe): one trap each. sk_msg, sock_ops and tracepoints are not traps."""
    return sum(c for n, (c, _) in r["bpf"].items() if n.startswith("kprobe/")) / requests(r)
def other_runs(r): return sum(c for n, (c, _) in r["bpf"].items() if not n.startswith("kprobe/")) / requests(r)
def bpf_us(r): return sum(ns for _, ns in r["bpf"].values()) / 1000 / requests(r)
def p50(r): return r["result"]["p50_us"]
def p99(r): return r["result"]["p99_us"]
def achieved(r): return r["result"]["achieved_rps"]


def spans_per_request(rep, cfg, path, window):
    """Spans counted at the collector per request sent: window "wrk" (warm-up, -c1, -c32) or "rates"."""
    s = run(rep, cfg, path, "spans")
    if s is None:
        return None
    n = 0
    for r in runs:
        if (r["rep"], r["config"], r["path"]) == (rep, cfg, path) and (r["kind"] == "rate") == (window == "rates"):
            if r["kind"] != "spans":
                n += requests(r) + (r["result"].get("warmup_sent", 0) if r["kind"] == "rate" else 0)
    return s[window] / n if n else None


def series(cfg, path, kind, fn, rate=0.0):
    out = []
    for rep in REPS:
        r = run(rep, cfg, path, kind, rate)
        if r is not None:
            out.append(fn(r))
    return out


def added(cfg, path, kind, fn, rate=0.0):
    """Per round: the configuration's value minus no agent's in the same round."""
    out = []
    for rep in REPS:
        a, b = run(rep, cfg, path, kind, rate), run(rep, "none", path, kind, rate)
        if a is not None and b is not None:
            out.append(fn(a) - fn(b))
    return out


def fmt(vals, nd=1, sign=False):
    return spread(vals, nd, sign=sign, dash="–")


LABEL = {"none": "no agent", "empty": "empty probes at tracebee's sites", "tracebee": "tracebee", "go-auto": "Go Auto",
         "otelhttp": "OTel SDK + otelhttp"}

# --- summary numbers (also in the JSON) ------------------------------------------------------------------
summary = {"floor_us": floor_us, "paths": {}}
for path in PATHS:
    p = summary["paths"][path] = {}
    for cfg in CONFIGS:
        c = p[cfg] = {
            "saturation_rps": series(cfg, path, "c32", sat_rps),
            "c1_wall_us": series(cfg, path, "c1", c1_wall),
            "c1_mean_us": series(cfg, path, "c1", c1_mean),
            "c1_p50_us": series(cfg, path, "c1", p50),
            "c1_p99_us": series(cfg, path, "c1", p99),
            "c32_server_cpu_us": series(cfg, path, "c32", server_cpu),
            "c1_server_cpu_us": series(cfg, path, "c1", server_cpu),
            "spans_per_request_wrk": [spans_per_request(rep, cfg, path, "wrk") for rep in REPS],
            "spans_per_request_rates": [spans_per_request(rep, cfg, path, "rates") for rep in REPS],
            "dispatch_late_p50_us": [r["result"]["dispatch_late_p50_us"] for r in runs
                                     if (r["config"], r["path"], r["kind"]) == (cfg, path, "rate")],
            "rates": {str(int(rt)): {"p50_us": series(cfg, path, "rate", p50, rt),
                                      "p99_us": series(cfg, path, "rate", p99, rt),
                                      "achieved_rps": series(cfg, path, "rate", achieved, rt)} for rt in rates(path)},
        }
        if cfg != "none":
            c["added_c1_us"] = added(cfg, path, "c1", c1_wall)
            c["added_c1_mean_us"] = added(cfg, path, "c1", c1_mean)
            c["added_c1_p50_us"] = added(cfg, path, "c1", p50)
            c["added_c32_server_cpu_us"] = added(cfg, path, "c32", server_cpu)
            c["added_c1_server_cpu_us"] = added(cfg, path, "c1", server_cpu)
        if cfg in AGENTS:
            h = series(cfg, path, "c1", hits)
            c["hits_per_request"] = h
            c["floor_us_per_request"] = [x * floor_us for x in h]
            c["ratio"] = [a / (x * floor_us) if x else None for a, x in zip(c["added_c1_us"], h)]
            c["ratio_cpu"] = [a / (x * floor_us) if x else None for a, x in zip(c["added_c1_server_cpu_us"], h)]
            c["other_bpf_runs_per_request"] = series(cfg, path, "c1", other_runs)
            c["agent_cpu_us_c1"] = series(cfg, path, "c1", agent_cpu)
            c["bpf_us_per_request"] = series(cfg, path, "c1", bpf_us)

# the floor in place: what an empty program on tracebee's sites adds, per hit, in the same round
for path in PATHS:
    p = summary["paths"][path]
    if "empty" not in p or "none" not in p:
        continue
    e = p["empty"]
    e["in_place_us_per_hit"] = [a / h if h else None for a, h in zip(e["added_c1_us"], e["hits_per_request"])]
    for cfg in PEERS:
        c = p[cfg]
        c["floor_in_place_us_per_request"] = [f * h if f else None
                                              for f, h in zip(e["in_place_us_per_hit"], c["hits_per_request"])]
        c["ratio_in_place"] = [a / f if f else None for a, f in zip(c["added_c1_us"], c["floor_in_place_us_per_request"])]

json.dump({"machine": machine, "floor": floor, "summary": summary, "runs": lines,
           "settings": {"reps": int(reps), "wrk_duration_s": float(wrk_duration), "rate_duration_s": float(rate_duration),
                        "warmup_s": float(warmup), "rate_warmup_s": float(rate_warmup),
                        "target_cpu": tcpu, "agent_cpu": acpu, "quick": quick == "1",
                        "seconds_total": int(t2) - int(t0), "seconds_runs": int(t2) - int(t1)},
           }, open(f"{out}/target-side.json", "w"), indent=1)

# --- markdown --------------------------------------------------------------------------------------------
md = []
w = md.append
w("## Target side: what tracing costs a Go net/http service — tracebee, Go Auto, OTel SDK + otelhttp")
w("")
w("The same Go server measured with no agent, with tracebee attached by pid, with OpenTelemetry Go Auto "
  "attached by pid, and built with the OpenTelemetry Go SDK + `otelhttp` (what a user would write instead); "
  "the added time per request is set against the probe hits per request times the raw uprobe trap cost "
  "measured in the same run. Goal (#7): added cost ≤ 1.25x that floor, and below Go Auto's.")
w("")
w("### How")
w("")
w(f"- **Server** (`bench/go/server`, {machine['go_server']}, pgx {machine['pgx']}): `/plain` answers `ok`; "
  "`/work` makes one PostgreSQL query through `database/sql` (a primary-key lookup) and one HTTP GET to a "
  "second local Go service (`bench/go/downstream`, never instrumented), then answers. The otelhttp build "
  f"(`-tags otel`: OTel SDK {machine['otel_sdk']}, otelhttp {machine['otelhttp']}) wraps the handler and the "
  "client transport in `otelhttp` and the query in a manual client span: 3 spans per `/work` request, as "
  "the agents make. Its batch span processor exports in-process over OTLP gRPC.")
w(f"- **Layout**: the server, PostgreSQL {machine['postgres']} (fsync off), the downstream service and the "
  f"load generators share CPU {tcpu} (the request path on one core; the Go runtime runs with GOMAXPROCS 1); "
  f"the agents (tracebee's JVM, `-XX:ActiveProcessorCount=2`; Go Auto) and the OpenTelemetry Collector "
  f"(OTLP gRPC in, debug exporter counting spans) on CPU {acpu}. Every sender exports to that collector with "
  "`OTEL_BSP_SCHEDULE_DELAY=500`; spans counted at the collector after each path show the instrumentation "
  "worked (spans per request).")
w(f"- **Go Auto** {machine['go_auto']}: built by `bench/build-go-auto.sh` from the Go module proxy (its BPF "
  "objects generated with bpf2go from the module's C sources; never committed), attached with "
  "`OTEL_GO_AUTO_TARGET_PID`. The kernel is in lockdown=integrity, but securityfs is not mounted on this "
  "machine, so Go Auto would read no lockdown and fail loading its `bpf_probe_write_user` program; it runs "
  "with securityfs mounted in a private mount namespace, sees `[integrity]` and leaves outgoing header "
  "propagation out (as tracebee also does without writes).")
w(f"- **Runs**: {len(REPS)} round{'s' if len(REPS) > 1 else ''}; each runs every configuration once, in an order rotated by round. Per "
  f"configuration and path: `wrk -c1` warm-up ({warmup} s before `/plain`, the first path, 1 s before `/work`), `wrk -t1 -c1 -d{wrk_duration}s` {C1_RUNS} times back to back (one request at "
  f"a time: its time per request — run time / requests — minus no agent's in the same round is the **added "
  f"time per request**; the round's figures are those of its median run by time per request, so one disturbed "
  f"run does not make a round; wrk's own mean latency is shown too, but it is not always consistent with the run time), "
  f"`wrk -t2 -c32 -d{wrk_duration}s` (throughput at saturation) and `bench/go/loadgen` at each fixed rate "
  f"({rate_warmup} s unrecorded, then {rate_duration} s; open loop: latency from each request's intended send time, so "
  "no coordinated omission; log-linear histogram, < 1 % bucket error; requests dispatched by a thread "
  "sleeping in `nanosleep`, since Go's timers round sub-millisecond sleeps up to ~1 ms here, and its own "
  "lateness is reported). Around every run: server and agent "
  "CPU time (`/proc/PID/stat`), and `run_cnt`/`run_time_ns` of every BPF program the agent process holds "
  "(found through its fds, `kernel.bpf_stats_enabled=1`) — the **probe hits per request**, goroutine "
  "ancestry (`runtime.newproc1`) included; only uprobes trap, so only they count as hits. Spans are "
  "counted at the collector after the wrk runs and after the fixed-rate runs of each path (1 s later).")
w(f"- **Floor (C loop)**: `target/native-test/uprobe_floor`, an empty BPF program on a uprobe of a `noinline` C "
  f"function, {floor['calls']} calls x {floor['rounds']} rounds on CPU {tcpu}: **{float(floor['trap_ns']):,.0f} ns** "
  f"per hit [{float(floor['trap_min_ns']):,.0f}–{float(floor['trap_max_ns']):,.0f}] in this run: a hot loop, "
  "caches warm for the trap path.")
if "empty" in CONFIGS:
    w("- **Floor in place** (configuration *empty probes at tracebee's sites*): before the rounds tracebee attaches "
      "once and its uprobe sites in the server are read from its uprobe_multi links (`/proc/PID/fdinfo`); in each "
      "round `uprobe_floor hold` puts an empty BPF program on exactly those sites (same instructions, one "
      "uprobe_multi link per binary, the server's pid only) and the server is measured like every configuration. "
      "What it adds per request, divided by its hits, is a hit's cost in this server under this load, nothing "
      "done in it; tracebee's added time over hits x that is the ratio in place.")
w(f"- Machine: {machine['nproc']} vCPUs, {machine['cpu']}, kernel {machine['kernel']}; {machine['java']}; "
  f"{machine['wrk']}; tracebee {machine['tracebee']}. Load average {machine['load_start']} at start, "
  f"{load_end} at end. Whole script {int(t2) - int(t0)} s ({int(t2) - int(t1)} s of runs)"
  + ("; **QUICK mode: a smoke run, not figures to quote**." if quick == "1" else "."))
w("")
w("Reproduce (root): `OUT=/tmp/ts bench/target-side.sh` (knobs in the script header; `QUICK=1` for a smoke run).")
w("")
w(f"### Results (medians over {len(REPS)} round{'s' if len(REPS) > 1 else ''}, [min–max])")
for path in PATHS:
    w("")
    w(f"`/{path}`" + (" (one query + one downstream GET)" if path == "work" else " (tiny response)") + ":")
    w("")
    w("| | " + " | ".join(LABEL[c] for c in CONFIGS) + " |")
    w("|---|" + "---:|" * len(CONFIGS))
    P = summary["paths"][path]

    def row(label, key, nd=1, sub=None):
        cells = []
        for c in CONFIGS:
            v = P[c].get(key) if sub is None else P[c]["rates"][sub][key]
            cells.append(fmt(v, nd) if v else "-")
        w(f"| {label} | " + " | ".join(cells) + " |")

    row("throughput at saturation, `-c32` (req/s)", "saturation_rps", 0)
    row("`-c1` time per request (µs)", "c1_wall_us")
    row("`-c1` wrk mean latency (µs)", "c1_mean_us")
    w("| `-c1` wrk p50 / p99 latency (µs) | " + " | ".join(
        f"{fmt(P[c]['c1_p50_us'], 0)} / {fmt(P[c]['c1_p99_us'], 0)}" for c in CONFIGS) + " |")
    for rt in rates(path):
        k = str(int(rt))
        row(f"p50 at {int(rt):,} req/s (µs)", "p50_us", 0, k)
        row(f"p99 at {int(rt):,} req/s (µs)", "p99_us", 0, k)
        lows = [c for c in CONFIGS if any(a < 0.98 * rt for a in P[c]["rates"][k]["achieved_rps"])]
        if lows:
            row(f"achieved at {int(rt):,} req/s (fell behind)", "achieved_rps", 0, k)
    row("server CPU per request, `-c32` (µs)", "c32_server_cpu_us")
    row("`-c1` server CPU per request (µs)", "c1_server_cpu_us")
    row("spans per request at the collector, fixed rates", "spans_per_request_rates", 2)
    row("spans per request at the collector, wrk runs (incl. `-c32`)", "spans_per_request_wrk", 2)
    row("load generator's dispatch lateness p50, all rates (µs)", "dispatch_late_p50_us", 0)
    if "none" not in CONFIGS:
        continue
    w("")
    w("| added vs no agent | " + " | ".join(LABEL[c] for c in CONFIGS if c != "none") + " |")
    w("|---|" + "---:|" * (len(CONFIGS) - 1))

    def arow(label, fn):
        w(f"| {label} | " + " | ".join(fn(c) for c in CONFIGS if c != "none") + " |")

    arow("**added per request** (`-c1` time per request, µs)", lambda c: "**" + fmt(P[c]["added_c1_us"], 1, True) + "**")
    arow("added `-c1` wrk mean / p50 latency (µs)", lambda c: fmt(P[c]["added_c1_mean_us"], 1, True) + " / "
         + fmt(P[c]["added_c1_p50_us"], 0, True))
    arow("added server CPU per request (`-c1`, µs)", lambda c: fmt(P[c]["added_c1_server_cpu_us"], 1, True))
    arow("added server CPU per request (`-c32`, µs)", lambda c: fmt(P[c]["added_c32_server_cpu_us"], 1, True))
    arow("throughput at saturation", lambda c: fmt([100 * (a / b - 1) for a, b in zip(
        P[c]["saturation_rps"], P["none"]["saturation_rps"])], 1, True) + " %")
    arow("uprobe hits per request (traps)", lambda c: fmt(P[c]["hits_per_request"], 2) if c in AGENTS else "-")
    arow("other BPF program runs per request (no trap)", lambda c: fmt(P[c]["other_bpf_runs_per_request"], 2) if c in AGENTS else "-")
    arow(f"floor (C loop): hits x {floor_us:.2f} µs", lambda c: fmt(P[c]["floor_us_per_request"], 1) if c in AGENTS else "-")
    arow("**ratio** added / floor (C loop) (goal ≤ 1.25)", lambda c: "**" + fmt(P[c]["ratio"], 2) + "x**" if c in AGENTS else "-")
    arow("ratio added server CPU (`-c1`) / floor (C loop)", lambda c: fmt(P[c]["ratio_cpu"], 2) + "x" if c in AGENTS else "-")
    if "empty" in P:
        arow("floor in place: added per empty-probe hit (µs)",
             lambda c: fmt([x for x in P[c]["in_place_us_per_hit"] if x], 1) if c == "empty" else "-")
        arow("floor in place: hits x added per empty-probe hit (µs)",
             lambda c: fmt([x for x in P[c]["floor_in_place_us_per_request"] if x], 1) if c in PEERS else "-")
        arow("**ratio** added / floor in place (goal ≤ 1.25)",
             lambda c: "**" + fmt([x for x in P[c]["ratio_in_place"] if x], 2) + "x**" if c in PEERS else "-")
    arow("BPF program time per request (µs)", lambda c: fmt(P[c]["bpf_us_per_request"], 1) if c in AGENTS else "-")
    arow("agent CPU per request, `-c1`, other core (µs)", lambda c: fmt(P[c]["agent_cpu_us_c1"], 1) if c in AGENTS else "-")

w("")
w("BPF programs per request (`-c1` runs, medians): runs, and BPF run time per run (ns). Uprobes trap; "
  "tracebee's `sk_msg`/`sock_ops` programs (header injection, socket tracking) and tracepoints do not.")
w("")
w("| path | agent | program (type) | runs per request | ns per run |")
w("|---|---|---|---:|---:|")
for path in PATHS:
    for cfg in AGENTS:
        names = sorted({n for r in runs if r["config"] == cfg and r["path"] == path and r["kind"] == "c1"
                        for n in r["bpf"]})
        for n in names:
            h = series(cfg, path, "c1", lambda r: r["bpf"].get(n, [0, 0])[0] / requests(r))
            t = series(cfg, path, "c1", lambda r: r["bpf"][n][1] / r["bpf"][n][0] if r["bpf"].get(n, [0])[0] else None)
            typ, name = n.split("/", 1)
            w(f"| `/{path}` | {LABEL[cfg]} | `{name}` ({'uprobe' if typ == 'kprobe' else typ}) | {med(h):.2f} | "
              f"{fmt([x for x in t if x is not None], 0)} |")

am = agent_metrics
if am:
    w("")
    w("tracebee's own counters over each round (all paths and runs, warm-ups included): "
      + "; ".join(f"round {r['rep']}: " + ", ".join(
          f"{k.split('{')[0].removeprefix('tracebee_')}"
          + (f"{{{k.split('{', 1)[1]}" if "{" in k else "") + f" {v:,.0f}"
          for k, v in sorted(r["metrics"].items()) if v) for r in am) + " (counters at 0 left out).")

w("")
w("Against the goal:")
w("")
for path in PATHS:
    P = summary["paths"][path]
    if "tracebee" not in P or "none" not in P:
        continue
    tb = P["tracebee"]
    line = (f"- `/{path}`: tracebee adds {med(tb['added_c1_us']):.1f} µs per request, "
            f"{med(tb['ratio']):.2f}x its floor ({med(tb['hits_per_request']):.2f} hits x {floor_us:.2f} µs): "
            + ("**met**" if med(tb["ratio"]) <= 1.25 else "**not met**")
            + f" (≤ 1.25x); by added server CPU {med(tb['added_c1_server_cpu_us']):.1f} µs, "
            + f"{med(tb['ratio_cpu']):.2f}x: " + ("**met**" if med(tb["ratio_cpu"]) <= 1.25 else "**not met**"))
    if "go-auto" in P:
        ga = P["go-auto"]
        line += (f"; Go Auto adds {med(ga['added_c1_us']):.1f} µs ({med(ga['ratio']):.2f}x its "
                 f"{med(ga['hits_per_request']):.2f} hits): tracebee is "
                 + ("**below**" if med(tb["added_c1_us"]) < med(ga["added_c1_us"]) else "**not below**")
                 + " Go Auto")
    if "otelhttp" in P:
        line += f"; the OTel SDK + otelhttp adds {med(P['otelhttp']['added_c1_us']):.1f} µs in-process"
    if "ratio_in_place" in tb and any(tb["ratio_in_place"]):
        rip = med([x for x in tb["ratio_in_place"] if x])
        line += (f". In place: empty programs on tracebee's sites add "
                 f"{med([x for x in P['empty']['in_place_us_per_hit'] if x]):.2f} µs per hit in the same rounds; "
                 f"tracebee's {med(tb['added_c1_us']):.1f} µs is {rip:.2f}x that floor: "
                 + ("**met**" if rip <= 1.25 else "**not met**"))
    w(line + ".")
w("")
open(f"{out}/target-side.md", "w").write("\n".join(md))
print("\n".join(md))
