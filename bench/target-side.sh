#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Target side (issue #7, part 3): what tracing costs the traced Go service, for four configurations of
# the same server — no agent, tracebee, OpenTelemetry Go Auto, and manual instrumentation with the OTel
# Go SDK + otelhttp — against the raw uprobe trap floor measured in the same run. Run as root:
#
#   OUT=/tmp/target-side bench/target-side.sh          # ~17 min; QUICK=1: ~2 min smoke run
#
# Writes $OUT/target-side.md (a "## Target side" section: method, versions, tables generated from the
# numbers) and $OUT/target-side.json (every run's raw numbers). Replaces bench/uprobe-overhead.sh for #7.
#
# 1. Builds what is missing: native parts (uprobe_floor), the agent jar, the bench Go programs of
#    bench/go (server, server-otelhttp, downstream, loadgen; GOTOOLCHAIN=go$BENCH_GO) into
#    ~/.cache/tracebee/bench, Go Auto with bench/build-go-auto.sh (never in the repository).
# 2. Trap floor: target/native-test/uprobe_floor, an empty BPF program on a uprobe, on TARGET_CPU.
# 3. Peers: a throwaway PostgreSQL (Debian's, as the ITs start it: initdb as user postgres, fsync off,
#    trust on 127.0.0.1), the downstream HTTP service, both pinned to TARGET_CPU with the server and
#    the load generators (the request path on one core, GOMAXPROCS 1); the OpenTelemetry Collector
#    (fixtures' otelcol-tracebee, OTLP gRPC in, debug exporter counting spans) and the agents on
#    AGENT_CPU. Both servers (the plain build and the otelhttp build) run for the whole run.
# 4. REPS rounds; each runs every configuration once (the order rotates by round). A configuration:
#    start its agent (tracebee: --target-pid; Go Auto: OTEL_GO_AUTO_TARGET_PID; "empty": uprobe_floor hold,
#    an empty BPF program on every site tracebee probes in this server, read once from a tracebee attach
#    before the rounds: the trap floor in place, on the same instructions, under the same load), then for /plain and
#    /work: WARMUP s of wrk -c1; C1_RUNS x wrk -t1 -c1 -d WRK_DURATION (one request at a time: the added time per
#    request, from the round's median run); wrk -t2 -c32 -d WRK_DURATION (throughput at saturation); bench/go/loadgen at
#    each fixed rate (open loop, latency from the intended send time: p50/p99). Around every run:
#    server and agent CPU time, run_cnt/run_time_ns of every BPF program the agent holds (found through
#    its fds; kernel.bpf_stats_enabled=1). After each path: spans counted at the collector.
#
# Environment (defaults): REPS=5 WRK_DURATION=2 (s per wrk run) C1_RUNS=3 (wrk -c1 runs per path and round)
# RATE_DURATION=2 (s per fixed-rate run)
# WARMUP=2 (s of wrk -c1 before the first path of a configuration, 1 s before the second: the agents
# warm up, e.g. the JIT) RATE_WARMUP=0.5 (s, unrecorded, before each fixed-rate run)
# PLAIN_RATES="1000 3000" WORK_RATES="300 1000" (req/s: what all four sustain here)
# (req/s) CONFIGS="none empty tracebee go-auto otelhttp" TARGET_CPU=1 AGENT_CPU=0 FLOOR_CALLS=100000
# FLOOR_ROUNDS=5 BENCH_GO=1.26.11 AGENT_PORT=18690 OUT=target/bench KEEP=1 (keep the work directory).
# QUICK=1: REPS=1, C1_RUNS=1, 1 s runs, one rate per path (2000 and 500 req/s), a shorter floor.
#
# Needs root, wrk, taskset, bpftool, curl, python3, java, make, go, clang, setpriv, Debian's
# postgresql, and the collector fixture (src/test/build-fixtures.sh). Sets kernel.bpf_stats_enabled=1
# for the run and restores it. Leaves no process behind.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [[ ${QUICK:-0} == 1 ]]; then
	: "${REPS:=1}" "${WRK_DURATION:=1}" "${RATE_DURATION:=1}" "${RATE_WARMUP:=0.2}" "${PLAIN_RATES:=2000}"
	: "${WORK_RATES:=500}" "${FLOOR_CALLS:=50000}" "${FLOOR_ROUNDS:=3}" "${C1_RUNS:=1}"
fi
REPS=${REPS:-5}
WRK_DURATION=${WRK_DURATION:-2}
C1_RUNS=${C1_RUNS:-3}
RATE_DURATION=${RATE_DURATION:-2}
WARMUP=${WARMUP:-2}
RATE_WARMUP=${RATE_WARMUP:-0.5}
PLAIN_RATES=${PLAIN_RATES:-1000 3000}
WORK_RATES=${WORK_RATES:-300 1000}
CONFIGS=${CONFIGS:-none empty tracebee go-auto otelhttp}
TARGET_CPU=${TARGET_CPU:-1}
AGENT_CPU=${AGENT_CPU:-0}
FLOOR_CALLS=${FLOOR_CALLS:-100000}
FLOOR_ROUNDS=${FLOOR_ROUNDS:-5}
BENCH_GO=${BENCH_GO:-1.26.11}
AGENT_PORT=${AGENT_PORT:-18690}
OUT=${OUT:-$ROOT/target/bench}
FIXTURES=${TRACEBEE_FIXTURES:-$HOME/.cache/tracebee/fixtures}
BENCH=$HOME/.cache/tracebee/bench
COLLECTOR=$FIXTURES/otelcol-tracebee
JAR=$ROOT/target/quarkus-app/quarkus-run.jar
FLOOR_BIN=$ROOT/target/native-test/uprobe_floor
FLOOR_OBJ=$ROOT/target/test-classes/bpf/uprobe_floor.bpf.o
SPAN_WAIT=1 # s after a path's last request: the senders' batch delay (OTEL_BSP_SCHEDULE_DELAY=500) and more
export PATH=$PATH:/usr/local/go/bin

die() { echo "target-side: $*" >&2; exit 1; }
log() { echo "[$(date +%T)] $*" >&2; }
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"

[[ $(id -u) == 0 ]] || die "run as root (uprobes, BPF stats, Go Auto)"
for tool in wrk taskset bpftool curl python3 java make go clang setpriv unshare; do
	command -v "$tool" >/dev/null || die "$tool not found"
done
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[[ -x $PG_BIN/initdb ]] || die "no PostgreSQL in /usr/lib/postgresql (apt-get install postgresql)"
[[ -x $COLLECTOR ]] || die "no collector at $COLLECTOR: run src/test/build-fixtures.sh"
id postgres >/dev/null 2>&1 || die "no user postgres (Debian's postgresql package creates it)"
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

WORK=$(mktemp -d /tmp/target-side.XXXXXX)
chmod 755 "$WORK"
PIDS=()        # peers and servers, stopped last
AGENT_PID=
STATS_OLD=

stop_pid() { # pid [seconds]
	local pid=$1 i
	[[ -n $pid ]] || return 0
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < ${2:-10} * 4; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.25
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

cleanup() {
	local rc=$? i
	trap - EXIT INT TERM
	stop_pid "$AGENT_PID" 20
	for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do stop_pid "${PIDS[i]}"; done
	bench_finish "$rc" "$STATS_OLD"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- 1. build -----------------------------------------------------------------------------------------
T0=$(date +%s)
log "building native parts, agent jar (if missing), bench programs, Go Auto"
bench_build_agent
[[ -x $FLOOR_BIN && -f $FLOOR_OBJ ]] || die "missing $FLOOR_BIN or $FLOOR_OBJ after make"
mkdir -p "$BENCH"
(
	cd "$ROOT/bench/go"
	export GOWORK=off CGO_ENABLED=0 GOFLAGS=-buildvcs=false GOTOOLCHAIN=go$BENCH_GO
	go build -o "$BENCH/server" ./server
	go build -tags otel -o "$BENCH/server-otelhttp" ./server
	go build -o "$BENCH/downstream" ./downstream
	go build -o "$BENCH/loadgen" ./loadgen
) >"$WORK/go-build.log" 2>&1 || { cat "$WORK/go-build.log" >&2; die "go build of bench/go failed"; }
GOAUTO=$BENCH/go-auto/otel-go-instrumentation
if [[ " $CONFIGS " == *" go-auto "* ]]; then
	"$ROOT/bench/build-go-auto.sh" "$BENCH/go-auto" >"$WORK/go-auto-build.log" 2>&1 ||
		{ tail -30 "$WORK/go-auto-build.log" >&2; die "bench/build-go-auto.sh failed"; }
fi

STATS_OLD=$(sysctl -n kernel.bpf_stats_enabled)
sysctl -q -w kernel.bpf_stats_enabled=1

# --- machine and versions -------------------------------------------------------------------------------
gomod() { awk -v m="$1" '$1 == m { print $2; exit }' "$ROOT/bench/go/go.mod"; }
PYTHONDONTWRITEBYTECODE=1 python3 - "$WORK/machine.json" <<EOF
import json, sys
json.dump({
    "nproc": "$(nproc)", "kernel": "$(uname -r)",
    "cpu": "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)",
    "load_start": "$(cut -d' ' -f1-3 /proc/loadavg)",
    "java": "$(java -version 2>&1 | head -1 | tr -d '"')",
    "wrk": "$(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)",
    "go_server": "go$BENCH_GO", "postgres": "$("$PG_BIN/postgres" --version | awk '{ print $3 }')",
    "go_auto": "$(cat "$BENCH/go-auto/VERSION" 2>/dev/null || echo none)",
    "otel_sdk": "$(gomod go.opentelemetry.io/otel/sdk)",
    "otelhttp": "$(gomod go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp)",
    "pgx": "$(gomod github.com/jackc/pgx/v5)",
    "tracebee": "$(cd "$ROOT" && git rev-parse --short HEAD)$(cd "$ROOT" && git diff --quiet HEAD -- src/main || echo +dirty)",
    "clk_tck": $(getconf CLK_TCK),
}, open(sys.argv[1], "w"))
EOF

# --- 2. trap floor ---------------------------------------------------------------------------------------
log "trap floor: $FLOOR_CALLS calls x $FLOOR_ROUNDS rounds on CPU $TARGET_CPU"
taskset -c "$TARGET_CPU" "$FLOOR_BIN" "$FLOOR_OBJ" "$FLOOR_CALLS" "$FLOOR_ROUNDS" empty "$AGENT_CPU" >"$WORK/floor.out"
grep -q '^result prog=empty ' "$WORK/floor.out" || die "uprobe_floor printed no result"

# --- 3. peers and servers --------------------------------------------------------------------------------
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# start NAME CPU CMD...: runs CMD pinned to CPU, logging to $WORK/NAME.log; sets STARTED
start() {
	local name=$1 cpu=$2
	shift 2
	taskset -c "$cpu" "$@" >"$WORK/$name.log" 2>&1 &
	STARTED=$!
	PIDS+=("$STARTED")
}

# await_line NAME PID REGEX: waits for a log line, dies when the process exits first
await_line() {
	local i
	for ((i = 0; i < 600; i++)); do
		grep -qE "$3" "$WORK/$1.log" && return 0
		kill -0 "$2" 2>/dev/null || { tail -20 "$WORK/$1.log" >&2; die "$1 exited"; }
		sleep 0.1
	done
	tail -20 "$WORK/$1.log" >&2
	die "$1: no '$3' after 60 s"
}

listening_port() { sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$WORK/$1.log"; }

log "peers: PostgreSQL $PG_BIN, downstream, collector"
PGDIR=$WORK/pg
mkdir -p "$PGDIR"
chown postgres: "$PGDIR"
PG_PORT=$(free_port)
setpriv --reuid=postgres --regid=postgres --init-groups -- "$PG_BIN/initdb" -D "$PGDIR/data" -U bench \
	--auth-host=trust --auth-local=trust -E UTF8 --no-locale --no-sync >"$WORK/initdb.log" 2>&1 ||
	{ cat "$WORK/initdb.log" >&2; die "initdb failed"; }
start postgres "$TARGET_CPU" setpriv --reuid=postgres --regid=postgres --init-groups -- "$PG_BIN/postgres" \
	-D "$PGDIR/data" -p "$PG_PORT" -c listen_addresses=127.0.0.1 -c unix_socket_directories="$PGDIR" \
	-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200
await_line postgres "$STARTED" 'ready to accept connections'
setpriv --reuid=postgres --regid=postgres --init-groups -- "$PG_BIN/psql" -X -q -h "$PGDIR" -p "$PG_PORT" \
	-U bench -d postgres -c 'create database bench' >"$WORK/psql.log" 2>&1 || { cat "$WORK/psql.log" >&2; die "psql failed"; }
DSN="postgres://bench@127.0.0.1:$PG_PORT/bench?sslmode=disable"

start downstream "$TARGET_CPU" "$BENCH/downstream"
await_line downstream "$STARTED" '^listening on '
DOWNSTREAM=http://127.0.0.1:$(listening_port downstream)/

COL_PORT=$(free_port)
cat >"$WORK/collector.yaml" <<'EOF'
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:${env:OTLP_GRPC_PORT}
exporters:
  debug:
    verbosity: basic
service:
  telemetry:
    metrics:
      level: none
    logs:
      # the spans are counted from the debug exporter's lines: keep every one
      sampling:
        enabled: false
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [debug]
EOF
OTLP_GRPC_PORT=$COL_PORT start collector "$AGENT_CPU" "$COLLECTOR" --config "$WORK/collector.yaml"
await_line collector "$STARTED" 'Everything is ready'
ENDPOINT=http://127.0.0.1:$COL_PORT
# every sender: OTLP gRPC to the collector, batches sent at the latest every 500 ms
export OTEL_EXPORTER_OTLP_ENDPOINT=$ENDPOINT OTEL_EXPORTER_OTLP_PROTOCOL=grpc OTEL_BSP_SCHEDULE_DELAY=500
spans_total() {
	sed -n 's/.*"otelcol.signal": "traces".*"spans": \([0-9]*\).*/\1/p' "$WORK/collector.log" | awk '{ s += $1 } END { print s + 0 }'
}

declare -A SERVER_PID SERVER_PORT
for build in server server-otelhttp; do
	OTEL_SERVICE_NAME=bench-$build start "$build" "$TARGET_CPU" "$BENCH/$build" -dsn "$DSN" -downstream "$DOWNSTREAM"
	await_line "$build" "$STARTED" '^listening on '
	SERVER_PID[$build]=$STARTED
	SERVER_PORT[$build]=$(listening_port "$build")
	for path in plain work; do
		code=$(curl -s -o "$WORK/check.out" -w '%{http_code}' "http://127.0.0.1:${SERVER_PORT[$build]}/$path")
		[[ $code == 200 ]] || die "GET /$path on $build: $code $(cat "$WORK/check.out")"
	done
done

while curl -s -o /dev/null "http://127.0.0.1:$AGENT_PORT/" 2>/dev/null; do AGENT_PORT=$((AGENT_PORT + 1)); done

# --- 4. runs ---------------------------------------------------------------------------------------------
bench_wrk_report "$WORK/report.lua"

# "name:type:run_cnt:run_time_ns ..." for every BPF program the process holds an fd of (programs that never
# ran print no counts and are left out)
bpf_progs() {
	[[ -n $1 ]] || return 0
	local ids
	ids=$(grep -h '^prog_id:' /proc/"$1"/fdinfo/* 2>/dev/null | awk '{ print $2 }' | sort -u | tr '\n' ' ')
	bpftool prog show 2>/dev/null | awk -v ids="$ids" '
		BEGIN { n = split(ids, a, " "); for (i = 1; i <= n; i++) mine[a[i] ":"] = 1 }
		($1 in mine) && / run_cnt / {
			for (i = 1; i <= NF; i++) { if ($i == "name") name = $(i + 1); if ($i == "run_time_ns") ns = $(i + 1); if ($i == "run_cnt") cnt = $(i + 1) }
			printf "%s:%s:%s:%s ", name, $2, cnt, ns }'
}

start_agent() { # config server-pid
	local i
	case $1 in
	tracebee)
		QUARKUS_HTTP_PORT=$AGENT_PORT OTEL_SERVICE_NAME=bench-tracebee \
			start agent "$AGENT_CPU" java -XX:ActiveProcessorCount="$(nproc --all)" -jar "$JAR" --target-pid "$2"
		AGENT_PID=$STARTED
		for ((i = 0; i < 360; i++)); do
			kill -0 "$AGENT_PID" 2>/dev/null || { tail -20 "$WORK/agent.log" >&2; die "agent exited"; }
			curl -s -H 'Accept: text/plain' "http://127.0.0.1:$AGENT_PORT/q/metrics" 2>/dev/null |
				grep -q '^tracebee_targets_attached 1' && break
			sleep 0.25
		done
		;;
	empty)
		start agent "$AGENT_CPU" "$FLOOR_BIN" "$FLOOR_OBJ" hold "$WORK/sites" "$2"
		AGENT_PID=$STARTED
		await_line agent "$AGENT_PID" '^holding '
		;;
	go-auto)
		# Go Auto reads lockdown from /sys/kernel/security/lockdown; securityfs is not mounted here, so
		# it would assume none and fail loading its bpf_probe_write_user program: mount securityfs
		# in a mount namespace of its own, and it sees [integrity] and leaves context propagation out.
		OTEL_GO_AUTO_TARGET_PID=$2 OTEL_SERVICE_NAME=bench-go-auto start agent "$AGENT_CPU" \
			unshare -m sh -c 'mount -t securityfs securityfs /sys/kernel/security && exec "$0"' "$GOAUTO"
		AGENT_PID=$STARTED
		await_line agent "$AGENT_PID" 'instrumentation loaded successfully'
		;;
	esac
	[[ -z $AGENT_PID ]] || grep -qs '^prog_id:' /proc/"$AGENT_PID"/fdinfo/* || die "$1 holds no BPF program"
}

# tracebee's own loss counters at the end of a configuration, one JSON line: what it lost or dropped
agent_metrics() { # rep config
	[[ $2 == tracebee ]] || return 0
	curl -s -H 'Accept: text/plain' "http://127.0.0.1:$AGENT_PORT/q/metrics" |
		grep -E '^tracebee_(events_lost|events_received|spans_dropped|spans_exported|spans_assembled)' |
		python3 -c 'import json, sys
m = {}
for l in sys.stdin:
    k, v = l.rsplit(" ", 1)
    m[k] = m.get(k, 0) + float(v)
print(json.dumps({"rep": int(sys.argv[1]), "config": sys.argv[2], "kind": "agent_metrics", "metrics": m}))' "$1" "$2" \
		>>"$WORK/runs.jsonl"
}

stop_agent() {
	local p keep=()
	stop_pid "$AGENT_PID" 20
	for p in "${PIDS[@]}"; do [[ $p == "$AGENT_PID" ]] || keep+=("$p"); done
	PIDS=("${keep[@]}")
	AGENT_PID=
	if [[ -f $WORK/agent.log ]]; then
		cat "$WORK/agent.log" >>"$WORK/agent-all.log"
		rm -f "$WORK/agent.log"
	fi
}

# measure REP CONFIG PATH KIND ARG: one measured run, one JSON line in runs.jsonl
measure() {
	local rep=$1 cfg=$2 path=$3 kind=$4 arg=$5 build=server spid s0 s1 a0 a1 b0 b1 out res
	[[ $cfg == otelhttp ]] && build=server-otelhttp
	spid=${SERVER_PID[$build]}
	local url=http://127.0.0.1:${SERVER_PORT[$build]}/$path
	out=$WORK/run-$rep-$cfg-$path-$kind-$arg.out
	s0=$(cpu_ticks "$spid") a0=$(cpu_ticks "$AGENT_PID") b0=$(bpf_progs "$AGENT_PID")
	case $kind in
	warm) taskset -c "$TARGET_CPU" wrk -t1 -c1 -d "${arg}s" -s "$WORK/report.lua" "$url" >"$out" ;;
	c1) taskset -c "$TARGET_CPU" wrk -t1 -c1 -d "${WRK_DURATION}s" -s "$WORK/report.lua" "$url" >"$out" ;;
	c32) taskset -c "$TARGET_CPU" wrk -t2 -c32 -d "${WRK_DURATION}s" -s "$WORK/report.lua" "$url" >"$out" ;;
	rate) taskset -c "$TARGET_CPU" "$BENCH/loadgen" -url "$url" -rate "$arg" -duration "${RATE_DURATION}s" \
		-warmup "${RATE_WARMUP}s" >"$out" ;;
	esac
	s1=$(cpu_ticks "$spid") a1=$(cpu_ticks "$AGENT_PID") b1=$(bpf_progs "$AGENT_PID")
	if [[ $kind == rate ]]; then
		res=$(cat "$out")
	else
		res=$(grep '^WRKRESULT' "$out" | python3 -c 'import json, sys
print(json.dumps({k: float(v) for k, v in (f.split("=") for f in sys.stdin.read().split()[1:])}))') ||
			die "wrk printed no result ($out)"
	fi
	python3 - "$rep" "$cfg" "$path" "$kind" "$arg" "$res" "$((s1 - s0))" "$((a1 - a0))" "$b0" "$b1" \
		"$(cut -d' ' -f1 /proc/loadavg)" >>"$WORK/runs.jsonl" <<'EOF'
import json, sys
rep, cfg, path, kind, arg, res, sticks, aticks, b0, b1, load = sys.argv[1:]
def progs(s):
    d = {}
    for f in s.split():
        name, typ, cnt, ns = f.rsplit(":", 3)
        c = d.setdefault(f"{typ}/{name}", [0, 0])
        c[0] += int(cnt); c[1] += int(ns)
    return d
p0, p1 = progs(b0), progs(b1)
bpf = {n: [v[0] - p0.get(n, [0, 0])[0], v[1] - p0.get(n, [0, 0])[1]] for n, v in p1.items()}
print(json.dumps({"rep": int(rep), "config": cfg, "path": path, "kind": kind, "rate": float(arg),
                  "result": json.loads(res), "server_ticks": int(sticks), "agent_ticks": int(aticks),
                  "bpf": {n: v for n, v in bpf.items() if v[0]}, "load1": float(load)}))
EOF
	case $kind in
	rate) log "    $path rate $arg: $(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print("achieved %(achieved_rps).0f/s p50 %(p50_us).0f us p99 %(p99_us).0f us errors %(errors)d" % d)' "$res")" ;;
	warm) ;;
	*) log "    $path $kind: $(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print("%.0f req/s, mean %.1f us" % (d["requests"] / d["duration_us"] * 1e6, d["mean_us"]))' "$res")" ;;
	esac
}

# "path offset" of every uprobe the process holds through uprobe_multi links (their fdinfo lists them)
uprobe_sites() {
	local f
	for f in /proc/"$1"/fdinfo/*; do
		awk '/^link_type:/ { multi = ($2 == "uprobe_multi") } /^path:/ { path = $2 }
			multi && table && NF >= 2 { print path, $2 } /^cookie/ { table = 1 }' "$f" 2>/dev/null
	done
}

if [[ " $CONFIGS " == *" empty "* ]]; then
	# the sites of the "empty" configuration: where tracebee puts its uprobes in this server
	log "reading tracebee's uprobe sites in the server"
	start_agent tracebee "${SERVER_PID[server]}"
	uprobe_sites "$AGENT_PID" >"$WORK/sites"
	stop_agent
	[[ -s $WORK/sites ]] || die "tracebee holds no uprobe_multi link (the empty configuration needs Linux 6.6+)"
	log "  $(wc -l <"$WORK/sites") sites"
fi

read -r -a CFG <<<"$CONFIGS"
read -r -a PRATES <<<"$PLAIN_RATES"
read -r -a WRATES <<<"$WORK_RATES"
T1=$(date +%s)
: >"$WORK/runs.jsonl"
for ((rep = 1; rep <= REPS; rep++)); do
	for ((k = 0; k < ${#CFG[@]}; k++)); do
		cfg=${CFG[(k + rep - 1) % ${#CFG[@]}]}
		log "round $rep/$REPS: $cfg"
		spid=${SERVER_PID[server]}
		[[ $cfg == otelhttp ]] && spid=${SERVER_PID[server-otelhttp]}
		start_agent "$cfg" "$spid"
		for path in plain work; do
			rates=("${PRATES[@]}")
			[[ $path == work ]] && rates=("${WRATES[@]}")
			# spans that reached the collector during the wrk runs, then during the fixed-rate runs
			n0=$(spans_total)
			measure "$rep" "$cfg" "$path" warm "$([[ $path == plain ]] && echo "$WARMUP" || echo 1)"
			for ((i = 1; i <= C1_RUNS; i++)); do measure "$rep" "$cfg" "$path" c1 "$i"; done
			measure "$rep" "$cfg" "$path" c32 0
			sleep "$SPAN_WAIT"
			n1=$(spans_total)
			for r in "${rates[@]}"; do measure "$rep" "$cfg" "$path" rate "$r"; done
			sleep "$SPAN_WAIT"
			n2=$(spans_total)
			echo "{\"rep\": $rep, \"config\": \"$cfg\", \"path\": \"$path\", \"kind\": \"spans\", \"wrk\": $((n1 - n0)), \"rates\": $((n2 - n1))}" >>"$WORK/runs.jsonl"
		done
		agent_metrics "$rep" "$cfg"
		stop_agent
	done
done
T2=$(date +%s)

PYTHONDONTWRITEBYTECODE=1 python3 "$ROOT/bench/target-side-report.py" "$WORK/machine.json" "$WORK/floor.out" "$WORK/runs.jsonl" "$OUT" "$T0" "$T1" "$T2" \
	"$REPS" "$WRK_DURATION" "$RATE_DURATION" "$WARMUP" "$RATE_WARMUP" "$TARGET_CPU" "$AGENT_CPU" "${QUICK:-0}" "$(cut -d' ' -f1-3 /proc/loadavg)"
log "wrote $OUT/target-side.md and $OUT/target-side.json ($(((T2 - T0) / 60)) min $(((T2 - T0) % 60)) s)"
