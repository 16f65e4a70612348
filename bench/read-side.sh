#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# The agent's read side on real-format events (issue #7, part 2): ring-buffer read step against libbpf's C
# consumer, end to end to OTLP bytes on one core, and JMH (-prof gc) of the hot paths. Events are the records
# one traced net/http server request produces, written by src/test/bpf/http_events_bench.bpf.c in the kernel.
#
#   bench/read-side.sh                 # ~5 min
#   QUICK=1 bench/read-side.sh         # ~1 min smoke
#   OUT=dir bench/read-side.sh         # writes dir/read-side.md and dir/read-side.json
#
# RUNS interleaved runs of: C drain and drain-copy (ringbuf_consumer), Java drain (ReadSideThroughput drain),
# Java end to end (ReadSideThroughput pipeline, SECS s after warm-up), the agent's RingBufferSource under a paced
# producer (ReadSideThroughput source, SOURCE_RATES events/s for SOURCE_SECS s, unpinned); then JMH_RUNS forks of
# src/bench/java ReadSideBenchmarks with -prof gc. Each process pinned to CPU $CPU (default: the last).
# Environment: QUICK, OUT, RUNS, SECS, SOURCE_RATES, SOURCE_SECS, JMH_RUNS, CPU, JAVA_OPTS (default -XX:+UseG1GC, the agent's collector on
# this machine; taskset alone would make the JVM pick Serial). Builds the bench profile's test classes
# (./mvnw -Pbench test-compile) when they are missing. Root (BPF_PROG_TEST_RUN, ring-buffer maps).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-$ROOT/target/bench}
QUICK=${QUICK:-0}
if [ "$QUICK" = 1 ]; then
    RUNS=${RUNS:-2} SECS=${SECS:-2} JMH_RUNS=${JMH_RUNS:-1} ITER=${ITER:-11}
    JMH_ARGS=${JMH_ARGS:-"-f 1 -wi 1 -w 1s -i 2 -r 1s"}
else
    RUNS=${RUNS:-5} SECS=${SECS:-5} JMH_RUNS=${JMH_RUNS:-3} ITER=${ITER:-21}
    JMH_ARGS=${JMH_ARGS:-"-f 1 -wi 3 -w 1s -i 5 -r 1s"}
fi
CPU=${CPU:-$(($(nproc) - 1))}
SOURCE_RATES=${SOURCE_RATES:-"10000 50000"}
SOURCE_SECS=${SOURCE_SECS:-$SECS}
JAVA_OPTS=${JAVA_OPTS:-"-XX:+UseG1GC"}
cd "$ROOT"
if [ ! -f target/test-classes/META-INF/BenchmarkList ] || [ ! -f target/bench-classpath.txt ] \
    || [ ! -x target/native-test/ringbuf_consumer ]; then
    ./mvnw -B -ntp -q -Pbench test-compile dependency:build-classpath -Dmdep.includeScope=test \
        -Dmdep.outputFile=target/bench-classpath.txt > /dev/null
fi
CP=target/classes:target/test-classes:$(cat target/bench-classpath.txt)
OBJ=target/test-classes/bpf/http_events_bench.bpf.o
C=target/native-test/ringbuf_consumer
mkdir -p "$OUT"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
RUNS_FILE=$WORK/runs.jsonl
: > "$RUNS_FILE"

# "result k=v ..." lines to JSON lines with impl and run
tojson() {
    python3 -c '
import json, sys
run = int(sys.argv[1])
for line in sys.stdin:
    if not line.startswith("result "):
        continue
    d = {"run": run}
    for kv in line.split()[1:]:
        k, v = kv.split("=", 1)
        try:
            d[k] = float(v) if "." in v else int(v)
        except ValueError:
            d[k] = v
    impl = d["impl"]
    if impl == "c":
        d["impl"] = "c-" + d["mode"]
    elif d.get("mode") in ("pipeline", "source"):
        d["impl"] = d["mode"]
    if "median_records_per_s" in d:
        d["records_per_s"] = d["median_records_per_s"]
    print(json.dumps(d))' "$1"
}

# shellcheck disable=SC2086
for run in $(seq "$RUNS"); do
    echo "read-side run $run/$RUNS" >&2
    taskset -c "$CPU" "$C" "$OBJ" drain 16 "$ITER" | tojson "$run" >> "$RUNS_FILE"
    taskset -c "$CPU" "$C" "$OBJ" drain-copy 16 "$ITER" | tojson "$run" >> "$RUNS_FILE"
    taskset -c "$CPU" java $JAVA_OPTS -cp "$CP" io.tracebee.ringbuf.ReadSideThroughput drain "$ITER" 16 \
        | tojson "$run" >> "$RUNS_FILE"
    taskset -c "$CPU" java $JAVA_OPTS -cp "$CP" io.tracebee.ringbuf.ReadSideThroughput pipeline "$SECS" 16 \
        | tojson "$run" >> "$RUNS_FILE"
    for rate in $SOURCE_RATES; do
        java $JAVA_OPTS -cp "$CP" io.tracebee.ringbuf.ReadSideThroughput source "$SOURCE_SECS" 8 "$rate" \
            | tojson "$run" >> "$RUNS_FILE"
    done
done
# shellcheck disable=SC2086
for run in $(seq "$JMH_RUNS"); do
    echo "JMH run $run/$JMH_RUNS" >&2
    taskset -c "$CPU" java $JAVA_OPTS -cp "$CP" org.openjdk.jmh.Main 'io.tracebee.ringbuf.ReadSideBenchmarks' \
        $JMH_ARGS -jvmArgsAppend "$JAVA_OPTS" -prof gc -rf json -rff "$WORK/jmh-$run.json" > "$WORK/jmh-$run.out"
    python3 - "$WORK/jmh-$run.json" "$run" >> "$RUNS_FILE" <<'EOF'
import json, sys
for b in json.load(open(sys.argv[1])):
    print(json.dumps({"impl": "jmh", "run": int(sys.argv[2]), "benchmark": b["benchmark"].rsplit(".", 1)[1],
                      "ns_per_op": b["primaryMetric"]["score"],
                      "bytes_per_op": b["secondaryMetrics"].get("gc.alloc.rate.norm", {}).get("score")}))
EOF
done

CMD="bench/read-side.sh"
[ "$QUICK" = 1 ] && CMD="QUICK=1 $CMD"
python3 bench/report.py read-side "$RUNS_FILE" "$OUT" "$CMD" \
    "CPU $CPU of $(nproc) ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), kernel $(uname -r), $(java -version 2>&1 | head -1 | tr -d '"'), JAVA_OPTS=$JAVA_OPTS, libbpf $(dpkg-query -W -f '${Version}' libbpf-dev 2>/dev/null || echo '?')"
echo "wrote $OUT/read-side.md and .json" >&2
