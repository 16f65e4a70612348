#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Uprobe hits per call of a library probe (docs/BENCHMARKS.md, "Library probes"; bench/library-probes.py runs it
# over every test service):
# the kernel's per-program run counts (run_cnt, run_time_ns) before and after N requests to a test
# service, the agent attached to it by pid. One command, run as root from anywhere in the repo:
#
#   bench/probe-hits.sh                                   # gRPC: unary calls, then streams
#   FIXTURE=dbserver-go1.26 PATHS='/books' bench/probe-hits.sh
#
# Prints, per request path, every tracebee program that ran: hits per request and BPF run time per hit.
# Only this agent's programs are counted (by program id, read after attach): its uprobes, and the sk_msg
# and sock_ops programs of header injection.
#
# Environment (defaults): N=200 FIXTURE=grpcserver-go1.26 (in ~/.cache/tracebee/fixtures, built by
# src/test/build-fixtures.sh) PATHS='/call?method=Echo&value=x /stream?method=Chat&n=1&value=x'
# AGENT_PORT=18687. Needs root, bpftool, curl and the agent jar (./mvnw package). Sets
# kernel.bpf_stats_enabled=1 for the run and restores it. Leaves no process behind.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
N=${N:-200}
FIXTURE=${FIXTURE:-grpcserver-go1.26}
PATHS=${PATHS:-'/call?method=Echo&value=x /stream?method=Chat&n=1&value=x'}
AGENT_PORT=${AGENT_PORT:-18687}
BIN=$HOME/.cache/tracebee/fixtures/$FIXTURE
JAR=$ROOT/target/quarkus-app/quarkus-run.jar
[ -x "$BIN" ] || { echo "no $BIN: run src/test/build-fixtures.sh" >&2; exit 1; }
[ -f "$JAR" ] || { echo "no $JAR: run ./mvnw package -DskipTests" >&2; exit 1; }

WORK=$(mktemp -d)
STATS=$(sysctl -n kernel.bpf_stats_enabled)
TARGET= AGENT=
cleanup() {
    [ -n "$AGENT" ] && kill "$AGENT" 2>/dev/null && wait "$AGENT" 2>/dev/null || true
    [ -n "$TARGET" ] && kill "$TARGET" 2>/dev/null && wait "$TARGET" 2>/dev/null || true
    sysctl -qw kernel.bpf_stats_enabled="$STATS"
    rm -rf "$WORK"
}
trap cleanup EXIT
sysctl -qw kernel.bpf_stats_enabled=1

"$BIN" > "$WORK/target.out" 2>&1 & TARGET=$!
for _ in $(seq 50); do grep -q "listening on" "$WORK/target.out" && break; sleep 0.1; done
ADDR=$(sed -n 's/^listening on //p' "$WORK/target.out")
bpftool prog show | awk '/^[0-9]+:/ {print $1}' | tr -d : | sort > "$WORK/ids.before"
QUARKUS_HTTP_PORT=$AGENT_PORT java -jar "$JAR" --target-pid "$TARGET" > "$WORK/agent.out" 2>&1 & AGENT=$!
for _ in $(seq 60); do curl -sf "localhost:$AGENT_PORT/q/health/ready" > /dev/null && break; sleep 1; done
bpftool prog show | awk '/^[0-9]+:/ {print $1}' | tr -d : | sort > "$WORK/ids.after"
comm -13 "$WORK/ids.before" "$WORK/ids.after" > "$WORK/ids"

# "name run_cnt run_time_ns" per program of this agent's, summed by name
snap() {
    bpftool prog show | awk -v ids="$WORK/ids" '
        BEGIN { while ((getline id < ids) > 0) mine[id] = 1 }
        /^[0-9]+:/ { id = $1; sub(":", "", id); name = ""; cnt = 0; ns = 0
                     for (i = 1; i <= NF; i++) { if ($i == "name") name = $(i + 1)
                                                 if ($i == "run_time_ns") ns = $(i + 1)
                                                 if ($i == "run_cnt") cnt = $(i + 1) }
                     if ((id in mine) && name ~ /^(uprobe_|tb_skmsg|tb_sockops)/) { c[name] += cnt; t[name] += ns } }
        END { for (n in c) print n, c[n], t[n] }' | sort
}

for p in $PATHS; do curl -s "http://$ADDR$p" > /dev/null; done  # warm-up: connections, lazy set-up
for p in $PATHS; do
    snap > "$WORK/before"
    for _ in $(seq "$N"); do curl -s "http://$ADDR$p" > /dev/null; done
    snap > "$WORK/after"
    echo "== $p x $N ($FIXTURE)"
    join "$WORK/before" "$WORK/after" | awk -v n="$N" '{ d = $4 - $2; if (d > 0)
        printf "  %-42s %6.2f hits/request %6.2f us/hit\n", $1, d / n, ($5 - $3) / (d * 1000) }'
done
