#!/usr/bin/env bash
# Regenerates src/main/resources/offsets/modules.json, the struct offsets of third-party Go modules by
# module version (the standard library's, by Go release, come from generate.sh next to this script).
#
# For each library declared in src/test/offsets/modules/<name>/ (module.properties: module path and
# release range; main.go: a tiny program reaching the structs the probes read) the tool lists the
# module's releases from the Go module proxy, builds main.go against every one of them, one build at a
# time, with GOTOOLCHAIN=$TOOLCHAIN CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath, and reads the
# offsets of every member in Probes.allOffsets() that belongs to the module from the binary's DWARF.
# A release that fails to build is reported and left out. Builds are cached in
# ${TRACEBEE_OFFSETS_MODULES_CACHE:-~/.cache/tracebee/offsets-modules}: a rerun builds only releases it
# has not seen (pass --retry-failed to build failed ones again).
#
# The table is keyed by module version alone because layouts did not depend on the Go release when
# checked; every run checks it again by building the oldest and newest release in range with
# $CROSS_CHECK too and stops, writing nothing, if a member the probes read differs.
#
# Usage: src/test/offsets/generate-modules.sh [--retry-failed]
set -euo pipefail
cd "$(dirname "$0")/../../.."
TOOLCHAIN=go1.26.11   # the newest Go the fixtures use
CROSS_CHECK=go1.23.12 # the oldest Go minor tracebee supports (comma-separated list allowed)
cache=${TRACEBEE_OFFSETS_MODULES_CACHE:-$HOME/.cache/tracebee/offsets-modules}

tool=target/test-classes/io/tracebee/probe/ModuleOffsetTableTool.class
if [ ! -f "$tool" ] || [ -n "$(find src/main/java src/test/java/io/tracebee/probe -name '*.java' -newer "$tool" | head -1)" ]; then
  ./mvnw -B -q -o test-compile
fi
exec java -cp target/classes:target/test-classes io.tracebee.probe.ModuleOffsetTableTool \
  --modules src/test/offsets/modules --out src/main/resources/offsets/modules.json \
  --cache "$cache" --toolchain "$TOOLCHAIN" --cross-check "$CROSS_CHECK" "$@"
