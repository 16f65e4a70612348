#!/usr/bin/env bash
# Builds everything, starts the bundled demo Go service with generated traffic, and runs tracebee
# against it. Spans print to this console as trace trees; open http://127.0.0.1:8686/ for the
# built-in trace view. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
tb_setup

work=target/demo
mkdir -p "$work"
echo "tracebee: building the agent"
./mvnw -B -ntp -q -DskipTests package
echo "tracebee: building the demo service"
(cd src/demo && CGO_ENABLED=0 go build -trimpath -o "../../$work/bookshop" . && CGO_ENABLED=0 go build -trimpath -o "../../$work/loadgen" ./loadgen)

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM

"$work/bookshop" -addr 127.0.0.1:8080 > "$work/bookshop.log" 2>&1 &
pids+=($!)
"$work/loadgen" -target http://127.0.0.1:8080 -rate 2 > "$work/loadgen.log" 2>&1 &
pids+=($!)

echo "tracebee: tracing the demo bookshop; trace view at http://127.0.0.1:8686/"
OTEL_SERVICE_NAME=bookshop java -jar target/quarkus-app/quarkus-run.jar --target-exe "$PWD/$work/bookshop" "$@" &
pids+=($!)
wait "${pids[-1]}"
