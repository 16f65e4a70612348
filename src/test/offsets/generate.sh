#!/usr/bin/env bash
# Regenerates src/main/resources/offsets/go-stdlib.json: builds the test HTTP server and the database/sql
# test service (PostgreSQL drivers only, their oldest supported releases: any Go from 1.23 builds it)
# with each Go release below (toolchains come from the Go module proxy via GOTOOLCHAIN) and reads the
# struct offsets from each binary's DWARF. A release between two listed ones of the same minor is covered
# only when both agree on a field (see OffsetTable), so list the first and last patch of each minor
# and every patch where a field moved.
set -euo pipefail
cd "$(dirname "$0")/../../.."
RELEASES=(go1.23.0 go1.23.12 go1.24.0 go1.24.13 go1.25.0 go1.25.14 go1.26.0 go1.26.10 go1.26.11)
out=${TRACEBEE_OFFSETS_BUILD:-$HOME/.cache/tracebee/offsets}
mkdir -p "$out"
bins=()
for v in "${RELEASES[@]}"; do
  bin="$out/httpserver-$v"
  if [ ! -x "$bin" ] || [ src/test/go/httpserver/main.go -nt "$bin" ]; then
    (cd src/test/go && GOTOOLCHAIN=$v CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -o "$bin.tmp" ./httpserver && mv "$bin.tmp" "$bin")
    echo "built $bin" >&2
  fi
  bins+=("$bin")
  db="$out/dbserver-$v"
  if [ ! -x "$db" ] || [ -n "$(find src/test/go/dbserver -newer "$db" | head -1)" ]; then
    (cd src/test/go/dbserver && GOTOOLCHAIN=$v CGO_ENABLED=0 go build -trimpath -tags=pgonly -modfile=go.oldest.mod -o "$db.tmp" . && mv "$db.tmp" "$db")
    echo "built $db" >&2
  fi
  bins+=("$db")
done
[ -d target/test-classes/io/tracebee/probe ] || ./mvnw -B -q -o test-compile
java -cp target/classes:target/test-classes io.tracebee.probe.OffsetTableTool "${bins[@]}" \
  > src/main/resources/offsets/go-stdlib.json
echo "wrote src/main/resources/offsets/go-stdlib.json for ${RELEASES[*]}" >&2
