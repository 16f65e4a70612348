#!/usr/bin/env bash
# Runs every test: unit, BPF (loads and attaches for real) and end to end against a real
# OpenTelemetry Collector; checks the deployment files and the native-image sources. Shared fixtures
# (Go programs for several Go releases, the collector, the deployment checker) are built once into
# ~/.cache/tracebee and reused.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
tb_setup
fixtures=${TRACEBEE_FIXTURES:-$HOME/.cache/tracebee/fixtures}
src/test/build-fixtures.sh "$fixtures"
# the Dockerfiles, the compose file and the Kubernetes manifests, read by Docker's and Kubernetes' own parsers
# (there is no engine or cluster to run them on here: README, "Containers and Kubernetes")
TRACEBEE_FIXTURES="$fixtures" src/test/deploy/check.sh
# the Quarkus native sources (GraalVM's native-image cannot run here): NativeImageConfigTest checks that the
# arguments and registrations native-image would get there cover the JNI surface
./mvnw -B -ntp -q package -Pnative -Dquarkus.native.sources-only=true -DskipTests
# the aot-jar layout docker/Dockerfile.jvm builds, for JvmImageIT (which trains and uses its AOT cache on JDK 25)
./mvnw -B -ntp -q package -DskipTests -Dquarkus.package.jar.type=aot-jar -Dquarkus.package.output-directory=quarkus-app-aot
exec ./mvnw -B -ntp verify -Pit -Dtracebee.fixtures="$fixtures" "$@"
