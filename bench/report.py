#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes OUT/<part>.md and OUT/<part>.json from the raw runs of bench/read-side.sh or bench/agent-at-rate.sh.

    report.py read-side RUNS_JSONL OUT CMD CONTEXT
    report.py agent-at-rate RUNS_JSONL OUT CMD CONTEXT

Every figure in the markdown is computed here from the runs: medians with [min-max] over runs, and ratios.
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from tbbench import fmt, med, spread as mmm  # noqa: E402


def read_side(runs, cmd, context):
    by = {}
    for r in runs:
        by.setdefault(r["impl"], []).append(r)
    out = ["## Read side: ring buffer to OTLP bytes, real-format events", ""]
    out.append("What: the agent's read side on the records one traced net/http server request produces "
               "(`struct tb_http_server_event`, 1,160 bytes, 1,168-byte ring slots), written into a 16 MiB ring by "
               "`src/test/bpf/http_events_bench.bpf.c` through `BPF_PROG_TEST_RUN` (distinct trace and span ids). "
               "Read step: one drain of a full ring (14,363 records), median of 21 drains per run, C "
               "(`src/test/c/ringbuf_consumer.c`: libbpf `ring_buffer__consume`, counting; `drain-copy` copies each "
               "record as a consumer that hands events on must) against Java (`RingBufferReader.drain` counting "
               "zero-copy; `drainInto` a pooled 256 KiB `EventBatch`, what `RingBufferSource` does). End to end: "
               "`ReadSideThroughput pipeline`, one thread runs the agent's classes as its reader and pipeline threads "
               "do — drainInto, `EventDecoder`, `Correlator`, `SpanAssembler`, `OtlpEncoder.encodeBytes` to "
               "`ExportTraceServiceRequest` bytes per 512 spans (no network) — on a ring refilled by the kernel "
               "between timed drains; time and bytes allocated per event by stage (thread allocation counter). "
               "Every process pinned to one CPU (`taskset`), JDK with G1.")
    out.append("")
    out.append(f"Reproduce: `{cmd}`  ")
    out.append(f"Context: {context}; {len(by.get('pipeline', []))} runs.")
    out.append("")
    out.append("### Read step (M records/s, one drain of a full ring)")
    out.append("")
    out.append("| Path | M records/s, median [min-max] over runs | vs C count | vs C copy |")
    out.append("|---|---:|---:|---:|")
    c_count = med([r["records_per_s"] for r in by.get("c-drain", [])])
    c_copy = med([r["records_per_s"] for r in by.get("c-drain-copy", [])])
    for impl, label in [("c-drain", "C `ring_buffer__consume`, count"),
                        ("c-drain-copy", "C `ring_buffer__consume`, copy each record"),
                        ("java-count", "Java `RingBufferReader.drain`, count (zero-copy)"),
                        ("java-batch", "Java `drainInto` pooled `EventBatch` (the agent's path)")]:
        vals = [r["records_per_s"] for r in by.get(impl, [])]
        m = med(vals)
        out.append(f"| {label} | {mmm(vals, 2, 1e-6)} | {fmt(m / c_count if m and c_count else None, 2)} | "
                   f"{fmt(m / c_copy if m and c_copy else None, 2)} |")
    out.append("")
    p = by.get("pipeline", [])
    if p:
        out.append("### End to end on one core: ring to OTLP bytes")
        out.append("")
        eps = [r["events_per_s"] for r in p]
        out.append(f"Events/s (= spans/s, one span per event): **{mmm(eps)}**; goal 1,000,000: "
                   f"{fmt(med(eps) / 1e6, 2)}x of it. OTLP bytes per span: {mmm([r['otlp_bytes_per_span'] for r in p], 1)}.")
        out.append("")
        out.append("| Stage | ns per event | share of time | bytes allocated per event |")
        out.append("|---|---:|---:|---:|")
        total = med([sum(r[f"ns_per_event_{s}"] for s in STAGES) for r in p])
        for s in STAGES:
            ns = [r[f"ns_per_event_{s}"] for r in p]
            out.append(f"| {s} | {mmm(ns, 1)} | {fmt(100 * med(ns) / total, 0)} % | "
                       f"{mmm([r[f'bytes_per_event_{s}'] for r in p], 0)} |")
        out.append(f"| total | {fmt(total, 1)} | 100 % | "
                   f"{fmt(med([sum(r[f'bytes_per_event_{s}'] for s in STAGES) for r in p]), 0)} |")
        out.append("")
    src = by.get("source", [])
    if src:
        out.append("### The reader thread under a steady stream (`RingBufferSource`, as the agent runs it)")
        out.append("")
        out.append("`ReadSideThroughput source`: the producer runs every millisecond at a fixed rate with the probes' "
                   "64 KiB wake-up threshold; the agent's `RingBufferSource` (50 ms poll, 256 KiB batches) hands "
                   "batches to a subscriber that counts. The pipeline queue between reader and pipeline thread "
                   f"holds {PIPELINE_BATCHES} batches, so records per batch sets how much time it buffers.")
        out.append("")
        out.append(f"| Events/s | batches/s | records per batch | {PIPELINE_BATCHES}-batch queue holds, ms | reader CPU, ms per s | "
                   "kernel drops |")
        out.append("|---:|---:|---:|---:|---:|---:|")
        for rate in sorted({r["rate"] for r in src}):
            rs = [r for r in src if r["rate"] == rate]
            out.append(f"| {rate:,} | {mmm([r['batches_per_s'] for r in rs])} | "
                       f"{mmm([r['records_per_batch'] for r in rs], 1)} | "
                       f"{mmm([PIPELINE_BATCHES * r['records_per_batch'] / rate * 1000 for r in rs])} | "
                       f"{mmm([r['reader_cpu_ms_per_s'] for r in rs], 1)} | {sum(r['kernel_dropped'] for r in rs)} |")
        out.append("")
    jmh = [r for r in runs if r["impl"] == "jmh"]
    if jmh:
        out.append("### JMH (`-prof gc`), one operation = one event or span")
        out.append("")
        out.append("| Benchmark | ns/op, median [min-max] over runs | bytes allocated per op (gc.alloc.rate.norm) |")
        out.append("|---|---:|---:|")
        names = sorted({r["benchmark"] for r in jmh}, key=lambda n: JMH_ORDER.get(n, 99))
        for n in names:
            rs = [r for r in jmh if r["benchmark"] == n]
            out.append(f"| `{n}` | {mmm([r['ns_per_op'] for r in rs], 1)} | {mmm([r['bytes_per_op'] for r in rs], 1)} |")
        out.append("")
    return out


STAGES = ["read", "decode", "correlate", "assemble", "encode"]
JMH_ORDER = {"drain": 0, "decode": 1, "correlateAssemble": 2, "encode": 3, "encodeWithBuilders": 4}


def agent_at_rate(runs, cmd, context):
    out = ["## The agent at rate: cost per 1k spans/s, and loss", ""]
    out.append("What: the agent jar, unmodified (`java -jar quarkus-run.jar --target-pid`, default JVM flags), "
               "attached to `httpserver-go1.26` and exporting OTLP/gRPC to the real collector (`otelcol-tracebee`, "
               "`bench/otelcol-at-rate.yaml`: debug exporter, its own metrics on). Spans come from "
               "`src/test/c/inject_http_events.c`, which finds the agent's `tb_events` ring and `tb_drops` counters "
               "by map id in `/proc/<agent>/fdinfo`, reuses them (`bpf_map__reuse_fd`) and writes the net/http "
               "server probe's record for the target's pid and target id from the kernel at a paced rate (every "
               "1 ms) — real uprobes cannot reach these rates here (~9.4 us per trap, two per request). "
               "One record = one span. CPU: utime+stime of the agent process over the injection window "
               "(`/proc/<pid>/stat`), and per thread by role; RSS: VmRSS at the end of the window and VmHWM. "
               "Loss: the agent's counters on `/q/metrics` (kernel `ringbuf_full`, reader `pipeline_full`, export "
               "drops by reason) and the collector's `otelcol_receiver_accepted_spans`. After a warm-up at 10k "
               "spans/s (JIT). The agent also feeds its in-memory trace view (exporter `memory`) with every span.")
    out.append("")
    out.append(f"Reproduce: `{cmd}`  ")
    out.append(f"Context: {context}.")
    out.append("")
    idle = [r for r in runs if r["phase"] == "idle"]
    idle_cores = med([r["cpu_cores"] for r in idle]) or 0.0
    cost = [r for r in runs if r["phase"] == "cost"]
    out.append("### Cost per 1k spans/s")
    out.append("")
    out.append("| Spans/s | runs | agent CPU, % of one core | CPU per 1k spans/s, % core | above idle, per 1k spans/s | "
               "VmRSS MiB | VmHWM MiB |")
    out.append("|---:|---:|---:|---:|---:|---:|---:|")
    if idle:
        out.append(f"| 0 (idle) | {len(idle)} | {mmm([r['cpu_cores'] for r in idle], 2, 100)} | - | - | "
                   f"{mmm([r['rss_mib'] for r in idle])} | {mmm([r['hwm_mib'] for r in idle])} |")
    for rate in sorted({r["rate"] for r in cost}):
        rs = [r for r in cost if r["rate"] == rate]
        k = rate / 1000
        out.append(f"| {rate:,} | {len(rs)} | {mmm([r['cpu_cores'] for r in rs], 2, 100)} | "
                   f"{mmm([r['cpu_cores'] / k for r in rs], 3, 100)} | "
                   f"{mmm([(r['cpu_cores'] - idle_cores) / k for r in rs], 3, 100)} | "
                   f"{mmm([r['rss_mib'] for r in rs])} | {mmm([r['hwm_mib'] for r in rs])} |")
    out.append("")
    lossy = [r for r in cost if loss(r)]
    if lossy:
        out.append("Loss during the cost runs: " + "; ".join(
            f"{r['rate']:,}/s: {describe_loss(r)}" for r in lossy) + ".")
        out.append("")
    rows = [r for r in runs if r["phase"] in ("soak", "step")]
    out.append("### No loss at rate, then stepping up")
    out.append("")
    out.append("| Phase | spans/s asked | injected/s | s | injected | kernel ring full | reader dropped | "
               "otlp export dropped | exported (otlp) | collector received | lost % | memory view dropped | "
               "threads, cores: ringbuf / pipeline / export / grpc+io / gc / jit | agent CPU cores | "
               "otlp export ms, mean / max |")
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|")
    for r in rows:
        t = r["threads_cores"]
        th = " / ".join(fmt(t.get(k, 0), 2) for k in ["ringbuf", "pipeline", "export", "grpc_io", "gc", "jit"])
        lost = r["injected"] - r["collector_accepted"]
        out.append(f"| {r['phase']} | {r['rate']:,} | {fmt(r['injector_rate'])} | {fmt(r['seconds'], 0)} | "
                   f"{r['injected']:,} | {r['kernel_ringbuf_full']:,} | {r['reader_dropped']:,} | "
                   f"{r['otlp_dropped']:,} | {r['otlp_exported']:,} | {r['collector_accepted']:,} | "
                   f"{fmt(100 * lost / r['injected'] if r['injected'] else 0, 3)} | {r['memory_dropped']:,} | {th} | "
                   f"{fmt(r['cpu_cores'], 2)} | {fmt(r.get('otlp_export_ms_mean'), 1)} / "
                   f"{fmt(r.get('otlp_export_ms_max'), 0)} |")
    out.append("")
    soak = [r for r in rows if r["phase"] == "soak"]
    for r in soak:
        verdict = "zero loss" if not loss(r) and r["collector_accepted"] == r["injected"] else describe_loss(r)
        out.append(f"Soak, {r['rate']:,} spans/s for {fmt(r['seconds'])} s: **{verdict}** "
                   f"({r['collector_accepted']:,} of {r['injected']:,} spans received by the collector).")
    measured = [r for r in runs if r["phase"] != "idle"]
    first = next((r for r in sorted(measured, key=lambda r: r["rate"]) if loss(r)), None)
    if first:
        out.append(f"Loss first seen at {first['rate']:,} spans/s asked ({first['phase']} run): {describe_loss(first)}.")
    elif measured:
        out.append(f"No loss up to {max(r['rate'] for r in measured):,} spans/s asked.")
    for r in soak + [r for r in rows if r["phase"] == "step" and loss(r)][:1]:
        ring_ms = 1000 * RING_EVENTS / r["rate"]
        queue_ms = 1000 * EXPORT_QUEUE / r["rate"]
        out.append(f"At {r['rate']:,} spans/s the buffers hold: kernel ring (8 MiB, {RING_EVENTS:,} records) "
                   f"{fmt(ring_ms)} ms; export queue ({EXPORT_QUEUE:,} spans, default OTEL_BSP_MAX_QUEUE_SIZE) "
                   f"{fmt(queue_ms)} ms, while one export of up to 512 spans took {fmt(r['otlp_export_ms_mean'], 1)} ms "
                   f"on average and {fmt(r['otlp_export_ms_max'])} ms at most (exports are one at a time); "
                   f"the agent's busiest thread used {busiest(r)}, the whole agent {fmt(r['cpu_cores'], 2)} cores.")
    slow = [r for r in rows if r["injector_rate"] < 0.95 * r["rate"]]
    if slow:
        out.append("The injector fell short of the asked rate at " + ", ".join(f"{r['rate']:,}" for r in slow) +
                   " spans/s (its own CPU on this machine, shared with the agent and the collector).")
    out.append("")
    return out


def loss(r):
    return r["kernel_ringbuf_full"] or r["reader_dropped"] or r["otlp_dropped"] or r["otlp_failures"] \
        or r["collector_refused"] or r["collector_accepted"] < r["otlp_exported"]


def describe_loss(r):
    parts = [f"{r[k]:,} {label}" for k, label in [("kernel_ringbuf_full", "kernel ring full"),
                                                   ("reader_dropped", "reader dropped (pipeline queue full)"),
                                                   ("otlp_dropped", "export dropped"),
                                                   ("otlp_failures", "export failures"),
                                                   ("collector_refused", "refused by the collector")] if r[k]]
    return ", ".join(parts) if parts else "no counted loss"


# The agent's default ring (8 MiB) in 1,168-byte slots of tb_http_server_event, OTEL_BSP_MAX_QUEUE_SIZE's default
# (Knob.BSP_MAX_QUEUE_SIZE) and the reader's queue to the pipeline thread (Agent.PIPELINE_QUEUE_BATCHES).
RING_EVENTS = (8 << 20) // 1168
EXPORT_QUEUE = 16384
PIPELINE_BATCHES = 128


def busiest(r):
    t = r["threads_cores"]
    k = max((k for k in t if k != "other"), key=lambda k: t[k], default=None)
    return f"{k} at {fmt(t[k], 2)} cores" if k else "-"


def main():
    part, runs_path, out_dir, cmd, context = sys.argv[1:6]
    runs = [json.loads(line) for line in open(runs_path) if line.strip()]
    lines = read_side(runs, cmd, context) if part == "read-side" else agent_at_rate(runs, cmd, context)
    with open(f"{out_dir}/{part}.md", "w") as f:
        f.write("\n".join(lines) + "\n")
    with open(f"{out_dir}/{part}.json", "w") as f:
        json.dump({"part": part, "command": cmd, "context": context, "runs": runs}, f, indent=1)


if __name__ == "__main__":
    main()
