#!/usr/bin/env bash
# Runs every test: unit, BPF (loads and attaches for real) and end to end against a real
# OpenTelemetry Collector. Shared fixtures (Go programs for several Go releases, the collector)
# are built once into ~/.cache/tracebee and reused.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
tb_setup
fixtures=${TRACEBEE_FIXTURES:-$HOME/.cache/tracebee/fixtures}
src/test/build-fixtures.sh "$fixtures"
exec ./mvnw -B -ntp verify -Pit -Dtracebee.fixtures="$fixtures" "$@"
