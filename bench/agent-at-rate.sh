#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# The agent at a span rate (issue #7, parts 4 and 5): the unmodified agent jar, attached by pid to
# httpserver-go1.26 and exporting OTLP/gRPC to the real collector (otelcol-tracebee, bench/otelcol-at-rate.yaml),
# fed net/http server events at a fixed rate by src/test/c/inject_http_events.c, which writes the probe's own
# record format into the agent's ring buffer from the kernel (BPF_PROG_TEST_RUN of
# src/test/bpf/http_events_bench.bpf.c, the agent's tb_events and tb_drops maps reused). Real uprobes cannot
# make 50k spans/s on this machine (one trap ~9.4 us, two per request).
#
#   bench/agent-at-rate.sh                 # ~6 min
#   QUICK=1 bench/agent-at-rate.sh         # ~1.5 min smoke
#   OUT=dir bench/agent-at-rate.sh         # writes dir/agent-at-rate.md and dir/agent-at-rate.json
#
# Phases, one agent for all (after a warm-up at 10k spans/s):
#   cost:  RATES (1k 10k 50k spans/s) x REPS runs of SECS s, interleaved: agent CPU (utime+stime of the whole
#          process, /proc/<pid>/stat, over the injection window) and RSS (VmRSS at the end, VmHWM), per 1k spans/s
#   soak:  SOAK_RATE for SOAK_SECS: kernel drops, reader drops, export drops, spans exported, collector received
#   step:  STEP_RATES, STEP_SECS each: where loss starts, and which stage loses first
# Environment: QUICK, OUT, REPS, SECS, RATES, SOAK_RATE, SOAK_SECS, STEP_RATES, STEP_SECS, AGENT_ENV (extra
# VAR=value pairs for the agent, e.g. AGENT_ENV='OTEL_BSP_MAX_QUEUE_SIZE=8192'), COL_PORT, COL_METRICS_PORT,
# AGENT_PORT, JAR (another build of the agent, e.g. for a before/after). Needs root, curl, python3, the agent jar (./mvnw package) and the test natives
# (target/native-test, target/test-classes/bpf: built by the same package). Leaves no process behind.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-$ROOT/target/bench}
QUICK=${QUICK:-0}
if [ "$QUICK" = 1 ]; then
    REPS=${REPS:-1} SECS=${SECS:-5} SOAK_SECS=${SOAK_SECS:-10} STEP_RATES=${STEP_RATES:-"100000 200000"}
    STEP_SECS=${STEP_SECS:-5} WARM_SECS=${WARM_SECS:-5}
else
    REPS=${REPS:-3} SECS=${SECS:-12} SOAK_SECS=${SOAK_SECS:-60} STEP_RATES=${STEP_RATES:-"75000 100000 150000 200000"}
    STEP_SECS=${STEP_SECS:-12} WARM_SECS=${WARM_SECS:-10}
fi
RATES=${RATES:-"1000 10000 50000"}
SOAK_RATE=${SOAK_RATE:-50000}
COL_PORT=${COL_PORT:-24317}
COL_METRICS_PORT=${COL_METRICS_PORT:-28888}
AGENT_PORT=${AGENT_PORT:-28687}
AGENT_ENV=${AGENT_ENV:-}
FIXTURES=$HOME/.cache/tracebee/fixtures
JAR=${JAR:-$ROOT/target/quarkus-app/quarkus-run.jar}
INJECT=$ROOT/target/native-test/inject_http_events
OBJ=$ROOT/target/test-classes/bpf/http_events_bench.bpf.o
for f in "$JAR" "$INJECT" "$OBJ" "$FIXTURES/otelcol-tracebee" "$FIXTURES/httpserver-go1.26"; do
    [ -e "$f" ] || { echo "missing $f (./mvnw package -DskipTests; src/test/build-fixtures.sh)" >&2; exit 1; }
done
mkdir -p "$OUT"
WORK=$(mktemp -d)
COL= TARGET= AGENT=
cleanup() {
    [ -n "$AGENT" ] && kill "$AGENT" 2>/dev/null && wait "$AGENT" 2>/dev/null || true
    [ -n "$TARGET" ] && kill "$TARGET" 2>/dev/null && wait "$TARGET" 2>/dev/null || true
    [ -n "$COL" ] && kill "$COL" 2>/dev/null && wait "$COL" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

OTLP_GRPC_PORT=$COL_PORT OTELCOL_METRICS_PORT=$COL_METRICS_PORT "$FIXTURES/otelcol-tracebee" \
    --config "$ROOT/bench/otelcol-at-rate.yaml" > "$WORK/collector.out" 2>&1 & COL=$!
"$FIXTURES/httpserver-go1.26" > "$WORK/target.out" 2>&1 & TARGET=$!
for _ in $(seq 50); do grep -q "listening on" "$WORK/target.out" && curl -sf "127.0.0.1:$COL_METRICS_PORT/metrics" > /dev/null && break; sleep 0.2; done
# shellcheck disable=SC2086
env QUARKUS_HTTP_PORT="$AGENT_PORT" OTEL_TRACES_EXPORTER=otlp OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$COL_PORT" \
    $AGENT_ENV java -jar "$JAR" --target-pid "$TARGET" > "$WORK/agent.out" 2>&1 & AGENT=$!
for _ in $(seq 90); do curl -sf "localhost:$AGENT_PORT/q/health/ready" > /dev/null && break; sleep 1; done
curl -sf "localhost:$AGENT_PORT/q/health/ready" > /dev/null || { cat "$WORK/agent.out" >&2; echo "agent not ready" >&2; exit 1; }

# Counters as key=value lines: the agent's (/q/metrics), the collector's own, and the agent process's /proc.
snapshot() {
    curl -s -H 'Accept: text/plain' "localhost:$AGENT_PORT/q/metrics" | awk '
        /^tracebee_events_lost_total/ && /stage="kernel"/ && /ringbuf_full/ { print "kernel_ringbuf_full=" $NF }
        /^tracebee_events_lost_total/ && /stage="reader"/ { print "reader_dropped=" $NF }
        /^tracebee_events_lost_total/ && /reason="detached"/ { print "correlate_detached=" $NF }
        /^tracebee_events_received_total / { print "received=" $NF }
        /^tracebee_spans_assembled_total / { print "assembled=" $NF }
        /^tracebee_spans_exported_total/ && /exporter="otlp"/ { print "otlp_exported=" $NF }
        /^tracebee_spans_exported_total/ && /exporter="memory"/ { print "memory_exported=" $NF }
        /^tracebee_spans_dropped_total/ && /exporter="otlp"/ { o += $NF } END { print "otlp_dropped=" o + 0 }
        /^tracebee_spans_dropped_total/ && /exporter="memory"/ { m += $NF } END { print "memory_dropped=" m + 0 }
        /^tracebee_export_failures_total/ && /exporter="otlp"/ { print "otlp_failures=" $NF }
        /^tracebee_export_duration_seconds_sum/ && /exporter="otlp"/ { print "otlp_export_seconds=" $NF }
        /^tracebee_export_duration_seconds_count/ && /exporter="otlp"/ { print "otlp_exports=" $NF }
        /^tracebee_export_duration_seconds_max/ && /exporter="otlp"/ { print "otlp_export_max_s=" $NF }'
    curl -s "127.0.0.1:$COL_METRICS_PORT/metrics" | awk '
        /^otelcol_receiver_accepted_spans/ { a += $NF } /^otelcol_receiver_refused_spans/ { r += $NF }
        END { print "collector_accepted=" a + 0; print "collector_refused=" r + 0 }'
    proc_cpu
}

# CPU ticks of the agent process and of its threads by role; VmRSS and VmHWM in KiB.
proc_cpu() {
    awk '{ print "cpu_ticks=" $14 + $15 }' "/proc/$AGENT/stat"
    for t in /proc/"$AGENT"/task/*; do
        [ -r "$t/stat" ] || continue
        printf '%s\t%s\n' "$(cat "$t/comm" 2>/dev/null)" "$(sed 's/.*) //' "$t/stat" 2>/dev/null | awk '{ print $12 + $13 }')"
    done | awk -F '\t' '
        { role = "other" }
        $1 ~ /^tracebee-ringbu/ { role = "ringbuf" } $1 ~ /^tracebee-pipeli/ { role = "pipeline" }
        $1 ~ /^tracebee-export/ { role = "export" } $1 ~ /^grpc|^vert\.x/ { role = "grpc_io" }
        $1 ~ /^G1|^GC /  { role = "gc" } $1 ~ /^C[12] Compiler/ { role = "jit" }
        { t[role] += $2 } END { for (r in t) print "ticks_" r "=" t[r] }'
    awk '/^VmRSS/ { print "rss_kib=" $2 } /^VmHWM/ { print "hwm_kib=" $2 }' "/proc/$AGENT/status"
}

# Finds the agent's id for the target (the uprobes' cookie): 50 events per candidate; the right one is assembled.
TARGET_ID=
for id in 2 1 3 4 5 6 7 8; do
    before=$(snapshot | sed -n 's/^assembled=//p')
    "$INJECT" "$OBJ" "$AGENT" "$TARGET" "$id" 1000 0.05 > /dev/null
    sleep 0.3
    after=$(snapshot | sed -n 's/^assembled=//p')
    if python3 -c "import sys; sys.exit(0 if float('$after') > float('$before') else 1)"; then TARGET_ID=$id; break; fi
done
[ -n "$TARGET_ID" ] || { echo "no target id of the agent's made spans" >&2; exit 1; }

HZ=$(getconf CLK_TCK)
# phase NAME RATE SECONDS: one injection; appends a JSON line of before/after snapshots to runs.jsonl
phase() {
    local name=$1 rate=$2 secs=$3
    snapshot > "$WORK/before"
    "$INJECT" "$OBJ" "$AGENT" "$TARGET" "$TARGET_ID" "$rate" "$secs" > "$WORK/inject" &
    local inj=$!
    wait "$inj"
    proc_cpu > "$WORK/cpu_end"
    sleep 3 # the batch processor's 1 s schedule delay and the export in flight
    snapshot > "$WORK/after"
    python3 - "$name" "$rate" "$secs" "$HZ" "$WORK" >> "$WORK/runs.jsonl" <<'EOF'
import json, sys
name, rate, secs, hz, work = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
def kv(path):
    d = {}
    for line in open(path):
        if '=' in line:
            k, v = line.strip().split('=', 1)
            d[k] = float(v) if v else 0.0
    return d
b, a, c = kv(work + '/before'), kv(work + '/after'), kv(work + '/cpu_end')
inj = dict(x.split('=', 1) for x in open(work + '/inject').read().split()[1:])
run = {'phase': name, 'rate': rate, 'seconds': float(inj['seconds']),
       'injected': int(inj['produced']) + int(inj['ring_full']), 'injector_rate': float(inj['rate'])}
for k in ['kernel_ringbuf_full', 'reader_dropped', 'correlate_detached', 'received', 'assembled', 'otlp_exported',
          'otlp_dropped', 'otlp_failures', 'otlp_exports', 'memory_exported', 'memory_dropped', 'collector_accepted', 'collector_refused']:
    run[k] = int(a.get(k, 0) - b.get(k, 0))
run['otlp_export_ms_mean'] = 1000 * (a.get('otlp_export_seconds', 0) - b.get('otlp_export_seconds', 0)) / max(1, run['otlp_exports'])
run['otlp_export_ms_max'] = 1000 * a.get('otlp_export_max_s', 0)
run['cpu_seconds'] = (c['cpu_ticks'] - b['cpu_ticks']) / hz
run['cpu_cores'] = run['cpu_seconds'] / run['seconds']
run['threads_cores'] = {k[6:]: round((c.get(k, 0) - b.get(k, 0)) / hz / run['seconds'], 4)
                        for k in c if k.startswith('ticks_')}
run['rss_mib'] = c['rss_kib'] / 1024
run['hwm_mib'] = c['hwm_kib'] / 1024
print(json.dumps(run))
EOF
    tail -1 "$WORK/runs.jsonl" | python3 -c "import json,sys; r=json.load(sys.stdin); print('%-5s %7d/s: cpu %.3f cores, rss %.0f MiB, kernel %d reader %d otlp-dropped %d exported %d collector %d' % (r['phase'], r['rate'], r['cpu_cores'], r['rss_mib'], r['kernel_ringbuf_full'], r['reader_dropped'], r['otlp_dropped'], r['otlp_exported'], r['collector_accepted']))" >&2
}

: > "$WORK/runs.jsonl"
"$INJECT" "$OBJ" "$AGENT" "$TARGET" "$TARGET_ID" 10000 "$WARM_SECS" > /dev/null # JIT warm-up, not reported
sleep 2
phase idle 0 "$SECS"
for _ in $(seq "$REPS"); do
    for rate in $RATES; do phase cost "$rate" "$SECS"; done
done
phase soak "$SOAK_RATE" "$SOAK_SECS"
for rate in $STEP_RATES; do phase step "$rate" "$STEP_SECS"; done

CMD="${QUICK:+QUICK=$QUICK }bench/agent-at-rate.sh"
[ "$QUICK" = 1 ] || CMD="bench/agent-at-rate.sh"
python3 "$ROOT/bench/report.py" agent-at-rate "$WORK/runs.jsonl" "$OUT" "$CMD" \
    "agent_env=${AGENT_ENV:-default} target_id=$TARGET_ID nproc=$(nproc) kernel=$(uname -r) java=$(java -version 2>&1 | head -1 | tr -d '"')"
echo "wrote $OUT/agent-at-rate.md and .json" >&2
