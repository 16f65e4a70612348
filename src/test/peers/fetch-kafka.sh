#!/usr/bin/env bash
# Fetches the jars of the single-node Apache Kafka broker that the peer tests start
# (io.tracebee.peers.KafkaBroker) into OUTDIR, flat, for `java -cp 'OUTDIR/*' kafka.Kafka ...`.
#
# The list is src/test/peers/kafka-pom.xml (the broker, the command-line tools, a log binding); the
# repo's Maven wrapper resolves it with the dependency plugin (~/.m2 first, then Maven Central).
# Skipped when OUTDIR/.stamp holds the hash of that pom; the new set of jars replaces the old one
# only once it is complete. Prints one line in build-fixtures.sh's format: cached or built.
# Usage: fetch-kafka.sh OUTDIR
set -euo pipefail

# Bump to force a new fetch after changing how the jars are fetched.
FETCH_REV=1
DEPENDENCY_PLUGIN=org.apache.maven.plugins:maven-dependency-plugin:3.7.0

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
POM=$HERE/kafka-pom.xml
OUT=${1:?usage: fetch-kafka.sh OUTDIR}

report() { printf '%-8s %-30s %s\n' "$1" "$2" "$3"; }

h=$({ printf 'rev=%s\n' "$FETCH_REV"; cat "$POM"; } | sha256sum | cut -d' ' -f1)
if [[ -f $OUT/.stamp && "$(cat "$OUT/.stamp")" == "$h" ]]; then
  report cached kafka ""
  exit 0
fi

start=$SECONDS
parent=$(dirname "$OUT")
mkdir -p "$parent"
# named like build-fixtures.sh's temp dirs, so a killed run's leftovers are swept with theirs
tmp=$(mktemp -d "$parent/.tmp.kafka.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

if ! "$ROOT/mvnw" -B -q -ntp -f "$POM" "$DEPENDENCY_PLUGIN:copy-dependencies" \
    -DincludeScope=runtime -DoutputDirectory="$tmp/jars" > "$tmp/mvn.log" 2>&1; then
  tail -30 "$tmp/mvn.log" >&2
  echo "fetch-kafka: resolving $POM failed (is Maven Central reachable?)" >&2
  exit 1
fi
if ! compgen -G "$tmp/jars/kafka_2.13-*.jar" > /dev/null; then
  echo "fetch-kafka: $POM resolved without kafka_2.13" >&2
  exit 1
fi
printf '%s\n' "$h" > "$tmp/jars/.stamp"

rm -rf "$OUT.old"
if [[ -e $OUT ]]; then mv "$OUT" "$OUT.old"; fi
mv "$tmp/jars" "$OUT"
rm -rf "$OUT.old"
report built kafka "($((SECONDS - start))s)"
