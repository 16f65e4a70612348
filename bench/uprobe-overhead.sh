#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Uprobe cost: the raw trap floor vs the agent's net/http probe (docs/BENCHMARKS.md,
# "Uprobe cost: floor vs net/http probe"). One command, run as root from anywhere in the repo:
#
#   bench/uprobe-overhead.sh
#
# 1. Builds the native parts (make -C src/main/c) and the agent jar if it is missing.
# 2. Trap floor: target/native-test/uprobe_floor times a noinline C function without a probe and with
#    uprobes carrying an empty BPF program (and one ingredient each of the real probe), pinned to
#    TARGET_CPU.
# 3. net/http probe: the Go test server and wrk pinned together to TARGET_CPU (same-core loopback is
#    the most stable layout here; WRK_CPU moves wrk elsewhere), the agent (when attached) pinned to
#    AGENT_CPU, so the agent's own work stays off the target's core (AGENT_CPU=any: not pinned).
#    REPS interleaved slots of [no agent] then [agent attached with --target-pid]; each slot: WARMUP s
#    of unmeasured wrk, then `wrk -t1 -c1 -d DURATION --latency` (sequential requests: the latency
#    difference is the added cost per request) and `wrk -t2 -c32 -d DURATION` (throughput at
#    saturation). Server and agent CPU time, BPF run_time_ns/run_cnt of the agent's programs and the
#    agent's event counters are read around every wrk run.
# 4. Prints a table: medians over the REPS runs with min-max. The docs are updated by hand.
#
# Environment (defaults): REPS=5 DURATION=10 WARMUP=2 FLOOR_CALLS=100000 FLOOR_ROUNDS=5 TARGET_CPU=1
# WRK_CPU=$TARGET_CPU AGENT_CPU=0 AGENT_PORT=18686 (the next free one is taken when busy)
# FIXTURE=~/.cache/tracebee/fixtures/httpserver-go1.26 (src/test/build-fixtures.sh builds it)
# KEEP=1 keeps the work directory (raw wrk output, logs, floor.out, runs.txt).
#
# Needs root (uprobes, BPF stats), wrk, taskset, bpftool, curl, python3. Sets kernel.bpf_stats_enabled=1
# for the run and restores the previous value. Leaves no process behind.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPS=${REPS:-5}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-2}
FLOOR_CALLS=${FLOOR_CALLS:-100000}
FLOOR_ROUNDS=${FLOOR_ROUNDS:-5}
TARGET_CPU=${TARGET_CPU:-1}
WRK_CPU=${WRK_CPU:-$TARGET_CPU}
AGENT_CPU=${AGENT_CPU:-0}
AGENT_PORT=${AGENT_PORT:-18686}
FIXTURE=${FIXTURE:-${TRACEBEE_FIXTURES:-$HOME/.cache/tracebee/fixtures}/httpserver-go1.26}
JAR=$ROOT/target/quarkus-app/quarkus-run.jar
FLOOR_BIN=$ROOT/target/native-test/uprobe_floor
FLOOR_OBJ=$ROOT/target/test-classes/bpf/uprobe_floor.bpf.o

die() { echo "uprobe-overhead: $*" >&2; exit 1; }
log() { echo "[$(date +%T)] $*" >&2; }
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"

[[ $(id -u) == 0 ]] || die "run as root (uprobes and BPF stats)"
for tool in wrk taskset bpftool curl python3 java make; do
	command -v "$tool" >/dev/null || die "$tool not found"
done
[[ -x $FIXTURE ]] || die "no test server at $FIXTURE: run src/test/build-fixtures.sh"

WORK=$(mktemp -d /tmp/uprobe-overhead.XXXXXX)
SERVER_PID=
AGENT_PID=
STATS_OLD=

stop_agent() {
	[[ -n $AGENT_PID ]] || return 0
	kill -TERM "$AGENT_PID" 2>/dev/null || true
	for _ in $(seq 1 80); do
		kill -0 "$AGENT_PID" 2>/dev/null || break
		sleep 0.25
	done
	kill -KILL "$AGENT_PID" 2>/dev/null || true
	wait "$AGENT_PID" 2>/dev/null || true
	AGENT_PID=
}

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	stop_agent
	if [[ -n $SERVER_PID ]]; then
		kill -TERM "$SERVER_PID" 2>/dev/null || true
		wait "$SERVER_PID" 2>/dev/null || true
	fi
	bench_finish "$rc" "$STATS_OLD"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- build -------------------------------------------------------------------------------------------
log "building native parts"
bench_build_agent -o
[[ -x $FLOOR_BIN && -f $FLOOR_OBJ ]] || die "missing $FLOOR_BIN or $FLOOR_OBJ after make"

STATS_OLD=$(sysctl -n kernel.bpf_stats_enabled)
sysctl -q -w kernel.bpf_stats_enabled=1

# --- machine -----------------------------------------------------------------------------------------
CPU_MODEL=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
{
	echo "nproc=$(nproc)"
	echo "kernel=$(uname -r)"
	echo "cpu=$CPU_MODEL"
	echo "clocksource=$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource 2>/dev/null || echo '?')"
	echo "load_start=$(cut -d' ' -f1-3 /proc/loadavg)"
	echo "java=$(java -version 2>&1 | head -1)"
	echo "wrk=$(wrk -v 2>&1 | head -1)"
} >"$WORK/machine"

# --- 2. trap floor -----------------------------------------------------------------------------------
log "trap floor: $FLOOR_CALLS calls x $FLOOR_ROUNDS rounds on CPU $TARGET_CPU"
READER_CPU=$AGENT_CPU
[[ $AGENT_CPU == any ]] && READER_CPU=-1
taskset -c "$TARGET_CPU" "$FLOOR_BIN" "$FLOOR_OBJ" "$FLOOR_CALLS" "$FLOOR_ROUNDS" \
	empty,read_user,rb_nowakeup,rb_wakeup,rb_adaptive+reader "$READER_CPU" >"$WORK/floor.out"
grep -q '^result prog=empty ' "$WORK/floor.out" || die "uprobe_floor printed no result"

# --- 3. net/http probe -------------------------------------------------------------------------------
bench_wrk_report "$WORK/report.lua"

taskset -c "$TARGET_CPU" "$FIXTURE" -addr 127.0.0.1:0 >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
PORT=
for _ in $(seq 1 100); do
	PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$WORK/server.log")
	[[ -n $PORT ]] && break
	kill -0 "$SERVER_PID" 2>/dev/null || die "test server exited: $(cat "$WORK/server.log")"
	sleep 0.1
done
[[ -n $PORT ]] || die "test server did not print its address"
URL=http://127.0.0.1:$PORT/hello/1
[[ $(curl -s -o /dev/null -w '%{http_code}' "$URL") == 200 ]] || die "GET $URL is not 200"

while curl -s -o /dev/null "http://127.0.0.1:$AGENT_PORT/" 2>/dev/null; do
	AGENT_PORT=$((AGENT_PORT + 1))
done

metrics() { curl -s -H 'Accept: text/plain' "http://127.0.0.1:$AGENT_PORT/q/metrics"; }

# "<entry_cnt> <entry_ns> <ret_cnt> <ret_ns> <other_cnt> <other_ns>": the agent's net/http server
# programs, and all its other programs together (goroutine ancestry, client), found through its fds
bpf_stats() {
	local ids id line ec=0 en=0 rc=0 rn=0 oc=0 on=0
	ids=$(grep -h '^prog_id:' /proc/"$AGENT_PID"/fdinfo/* 2>/dev/null | awk '{ print $2 }' | sort -u)
	for id in $ids; do
		line=$(bpftool prog show id "$id" 2>/dev/null | head -1)
		local cnt ns
		cnt=$(sed -n 's/.* run_cnt \([0-9]*\).*/\1/p' <<<"$line")
		ns=$(sed -n 's/.* run_time_ns \([0-9]*\).*/\1/p' <<<"$line")
		case $line in
		*" name uprobe_server_handler_serve_http_return "*) rc=$cnt rn=$ns ;;
		*" name uprobe_server_handler_serve_http "*) ec=$cnt en=$ns ;;
		*) oc=$((oc + ${cnt:-0})) on=$((on + ${ns:-0})) ;;
		esac
	done
	echo "$ec $en $rc $rn $oc $on"
}

start_agent() {
	local pin=(taskset -c "$AGENT_CPU")
	[[ $AGENT_CPU == any ]] && pin=()
	# ActiveProcessorCount: a JVM pinned to one CPU would otherwise size itself for one (serial GC, ...)
	QUARKUS_HTTP_PORT=$AGENT_PORT OTEL_TRACES_EXPORTER=none \
		"${pin[@]}" java -XX:ActiveProcessorCount="$(nproc --all)" -jar "$JAR" --target-pid "$SERVER_PID" \
		>>"$WORK/agent.log" 2>&1 &
	AGENT_PID=$!
	for _ in $(seq 1 360); do
		kill -0 "$AGENT_PID" 2>/dev/null || { tail -20 "$WORK/agent.log" >&2; die "agent exited"; }
		if curl -sf "http://127.0.0.1:$AGENT_PORT/q/health/ready" >/dev/null 2>&1 &&
			grep -q '^tracebee_targets_attached 1' <<<"$(metrics)"; then
			grep -qs '^prog_id:' /proc/"$AGENT_PID"/fdinfo/* || die "agent attached but holds no BPF programs"
			return 0
		fi
		sleep 0.25
	done
	tail -20 "$WORK/agent.log" >&2
	die "agent not ready after 90 s"
}

# run_wrk REP AGENT(0|1) MODE(c1|c32): one measured wrk run, one row in runs.tsv
run_wrk() {
	local rep=$1 agent=$2 mode=$3 args s0 s1 a0=0 a1=0 b0="0 0 0 0" b1="0 0 0 0" m0=0 m1=0 l0=0 l1=0 res
	case $mode in
	c1) args=(-t1 -c1 --latency) ;;
	c32) args=(-t2 -c32) ;;
	esac
	s0=$(cpu_ticks "$SERVER_PID")
	if [[ $agent == 1 ]]; then
		a0=$(cpu_ticks "$AGENT_PID")
		b0=$(bpf_stats)
		m0=$(metrics | awk '/^tracebee_events_received_total/ { print $2 }')
		l0=$(metrics | awk '/^tracebee_events_lost_total/ { s += $2 } END { print s + 0 }')
	fi
	taskset -c "$WRK_CPU" wrk "${args[@]}" -d "${DURATION}s" -s "$WORK/report.lua" "$URL" \
		>"$WORK/wrk-$rep-$agent-$mode.out"
	s1=$(cpu_ticks "$SERVER_PID")
	if [[ $agent == 1 ]]; then
		a1=$(cpu_ticks "$AGENT_PID")
		b1=$(bpf_stats)
		m1=$(metrics | awk '/^tracebee_events_received_total/ { print $2 }')
		l1=$(metrics | awk '/^tracebee_events_lost_total/ { s += $2 } END { print s + 0 }')
	fi
	res=$(grep '^WRKRESULT' "$WORK/wrk-$rep-$agent-$mode.out") || die "wrk printed no result"
	echo "rep=$rep agent=$agent mode=$mode ${res#WRKRESULT } server_ticks=$((s1 - s0)) agent_ticks=$((a1 - a0))" \
		"bpf0=${b0// /,} bpf1=${b1// /,} events=$m0,$m1 lost=$l0,$l1 load=$(cut -d' ' -f1 /proc/loadavg)" \
		>>"$WORK/runs.txt"
	log "  $mode agent=$agent: ${res#WRKRESULT }"
}

warm() {
	taskset -c "$WRK_CPU" wrk -t1 -c1 -d "${WARMUP}s" "$URL" >/dev/null
}

log "test server pid $SERVER_PID on CPU $TARGET_CPU ($URL), wrk on CPU $WRK_CPU; agent port $AGENT_PORT, CPU $AGENT_CPU"
warm
for rep in $(seq 1 "$REPS"); do
	log "slot $rep/$REPS: no agent"
	warm
	run_wrk "$rep" 0 c1
	run_wrk "$rep" 0 c32
	log "slot $rep/$REPS: agent attached"
	start_agent
	warm
	run_wrk "$rep" 1 c1
	run_wrk "$rep" 1 c32
	stop_agent
done
echo "load_end=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$WORK/machine"
echo "clk_tck=$(getconf CLK_TCK)" >>"$WORK/machine"

# --- 4. table ----------------------------------------------------------------------------------------
python3 - "$WORK" "$REPS" "$DURATION" "$TARGET_CPU" "$AGENT_CPU" "$WRK_CPU" <<'EOF'
import statistics, sys

work, reps, duration, tcpu, acpu, wcpu = sys.argv[1:]
machine = dict(l.rstrip("\n").split("=", 1) for l in open(f"{work}/machine"))
tck = int(machine["clk_tck"])

def kv(line):
    return dict(f.split("=", 1) for f in line.split() if "=" in f)

floor = {}
for line in open(f"{work}/floor.out"):
    if line.startswith("result "):
        d = kv(line)
        floor[d["prog"]] = {k: float(v) for k, v in d.items() if k.endswith("_ns")}
        calls, rounds = d["calls"], d["rounds"]

runs = [kv(l) for l in open(f"{work}/runs.txt")]

def stat(vals):
    return statistics.median(vals), min(vals), max(vals)

def fmt(t, nd=1):
    m, lo, hi = t
    return f"{m:.{nd}f} [{lo:.{nd}f}-{hi:.{nd}f}]"

def col(agent, mode, fn):
    return [fn(r) for r in runs if r["agent"] == str(agent) and r["mode"] == mode]

def rps(r): return int(r["requests"]) / (int(r["duration_us"]) / 1e6)
def per_req_us(r): return int(r["duration_us"]) / int(r["requests"])
def srv_cpu_us(r): return int(r["server_ticks"]) * 1e6 / tck / int(r["requests"])
def agent_cpu_us(r): return int(r["agent_ticks"]) * 1e6 / tck / int(r["requests"])
def bpf_delta(r, i):
    a = [int(x) for x in r["bpf0"].split(",")]
    b = [int(x) for x in r["bpf1"].split(",")]
    cnt, ns = b[i] - a[i], b[i + 1] - a[i + 1]
    return ns / cnt if cnt else float("nan")
def hits_per_req(r, idx=(0, 2)):
    a = [int(x) for x in r["bpf0"].split(",")]
    b = [int(x) for x in r["bpf1"].split(",")]
    return sum(b[i] - a[i] for i in idx if i < len(a)) / int(r["requests"])
def lost(r):
    a, b = (float(x) for x in r["lost"].split(","))
    return b - a
def errors(r): return int(r["errors"])

print()
print(f"machine: nproc {machine['nproc']}, kernel {machine['kernel']}, {machine['cpu']}, "
      f"clocksource {machine['clocksource']}; load {machine['load_start']} at start, {machine['load_end']} at end")
print(f"{machine['java']}; {machine['wrk']}")
print()
print(f"1. uprobe trap floor (uprobe_floor on CPU {tcpu}, {calls} calls x {rounds} rounds; "
      f"median of rounds [min-max]; ns per call)")
names = {
    "empty": "empty BPF program (the floor)",
    "read_user": "+ 8 bpf_probe_read_user(16 B)",
    "rb_nowakeup": "+ ringbuf 64 B, BPF_RB_NO_WAKEUP",
    "rb_wakeup": "+ ringbuf 64 B, FORCE_WAKEUP",
    "rb_adaptive+reader": f"+ ringbuf 64 B, flags 0, reader on CPU {acpu}",
}
base = floor["empty"]["base_ns"]
print(f"   {'no probe':<42} {base:9.1f}")
print(f"   {'uprobe with ...':<42} {'added/call':>10} {'[min-max]':>20} {'BPF prog/hit':>13}")
for p, f in floor.items():
    print(f"   {names.get(p, p):<42} {f['trap_ns']:10.0f} {'[%.0f-%.0f]' % (f['trap_min_ns'], f['trap_max_ns']):>20}"
          f" {f['bpf_ns']:13.0f}")
trap_us = floor["empty"]["trap_ns"] / 1000

print()
print(f"2. net/http probe ({reps} interleaved runs each, {duration} s; server on CPU {tcpu}, wrk on CPU {wcpu}, "
      f"agent on CPU {acpu}; median [min-max])")
rows = [
    ("c1 mean latency (us)", "c1", lambda r: float(r["mean_us"]), 1),
    ("c1 p50 latency (us)", "c1", lambda r: float(r["p50_us"]), 0),
    ("c1 p99 latency (us)", "c1", lambda r: float(r["p99_us"]), 0),
    ("c1 wall time per request (us)", "c1", per_req_us, 1),
    ("c1 server CPU per request (us)", "c1", srv_cpu_us, 1),
    ("c32 throughput (req/s)", "c32", rps, 0),
    ("c32 server CPU per request (us)", "c32", srv_cpu_us, 1),
]
print(f"   {'':<34} {'no agent':>24} {'agent':>24} {'delta (medians)':>16}")
med = {}
for label, mode, fn, nd in rows:
    n = stat(col(0, mode, fn))
    a = stat(col(1, mode, fn))
    med[label] = (n[0], a[0])
    delta = a[0] - n[0]
    extra = f"{delta:+.{nd}f}" if "throughput" not in label else f"{100 * delta / n[0]:+.1f} %"
    print(f"   {label:<34} {fmt(n, nd):>24} {fmt(a, nd):>24} {extra:>16}")
for label, mode, fn, nd in [
    ("agent CPU per request (us)", "c1", agent_cpu_us, 1),
    ("agent CPU per request, c32 (us)", "c32", agent_cpu_us, 1),
    ("server uprobe hits per request", "c1", hits_per_req, 2),
    ("other uprobe hits per request", "c1", lambda r: hits_per_req(r, (4,)), 2),
    ("BPF entry prog per hit (ns)", "c1", lambda r: bpf_delta(r, 0), 0),
    ("BPF RET prog per hit (ns)", "c1", lambda r: bpf_delta(r, 2), 0),
    ("BPF entry prog per hit, c32 (ns)", "c32", lambda r: bpf_delta(r, 0), 0),
    ("BPF RET prog per hit, c32 (ns)", "c32", lambda r: bpf_delta(r, 2), 0),
]:
    print(f"   {label:<34} {'':>24} {fmt(stat(col(1, mode, fn)), nd):>24}")
lost_total = sum(lost(r) for r in runs if r["agent"] == "1")
err_total = sum(errors(r) for r in runs)
loads = [float(r["load"]) for r in runs]

added = med["c1 mean latency (us)"][1] - med["c1 mean latency (us)"][0]
added_wall = med["c1 wall time per request (us)"][1] - med["c1 wall time per request (us)"][0]
n_rps, a_rps = med["c32 throughput (req/s)"]
traps = stat(col(1, "c1", lambda r: hits_per_req(r, (0, 2, 4))))[0]
print()
print(f"   added per request (c1 mean latency): {added:.1f} us = {added / (2 * trap_us):.2f} x the server probe's two bare "
      f"traps (2 x {trap_us:.2f} us); by wall time per request: {added_wall:.1f} us = {added_wall / (2 * trap_us):.2f} x")
print(f"   against all {traps:.2f} traps per request (every program of the agent): "
      f"{added / (traps * trap_us):.2f} x")
print(f"   throughput loss at saturation (c32): {100 * (n_rps - a_rps) / n_rps:.1f} %")
print(f"   agent events lost during measured runs: {lost_total:.0f}; wrk errors: {err_total}; "
      f"1-min load after runs {min(loads):.2f}-{max(loads):.2f}")
EOF
