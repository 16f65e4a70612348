#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Builds OpenTelemetry Go Auto-Instrumentation (go.opentelemetry.io/auto) for bench/target-side.sh,
# outside the repository: nothing of it is ever committed.
#
#   bench/build-go-auto.sh [outdir]        # default ~/.cache/tracebee/bench/go-auto
#
# The module zip on the Go module proxy has the probes' C sources, their headers (internal/include) and
# the bpf2go-generated Go files, but not the BPF objects those files embed (//go:embed bpf_x86_bpfel.o).
# So: download the module from the proxy, copy it to a writable tree, regenerate each probe's objects
# with github.com/cilium/ebpf/cmd/bpf2go at the cilium/ebpf version auto's go.mod requires (amd64 only,
# the flags of auto's Makefile), and build its cli. Output: OUTDIR/otel-go-instrumentation and
# OUTDIR/VERSION ("auto=<v> ebpf=<v> go=<v> clang=<v>"). Rebuilt only when VERSION differs.
#
# Environment: AUTO_VERSION=v0.24.0 (the newest on the proxy, 2026-11), GOTOOLCHAIN (default: the
# local go). Needs go, clang and llvm-strip.
set -euo pipefail

AUTO_VERSION=${AUTO_VERSION:-v0.24.0}
OUT=${1:-$HOME/.cache/tracebee/bench/go-auto}
export PATH=$PATH:/usr/local/go/bin
export GOFLAGS=-mod=mod GOWORK=off CGO_ENABLED=0

die() { echo "build-go-auto: $*" >&2; exit 1; }
for tool in go clang llvm-strip; do command -v "$tool" >/dev/null || die "$tool not found"; done

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
dir=$(go mod download -json "go.opentelemetry.io/auto@$AUTO_VERSION" |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')
[[ -d $dir ]] || die "go mod download gave no directory for go.opentelemetry.io/auto@$AUTO_VERSION"
ebpf=$(awk '$1 == "github.com/cilium/ebpf" { print $2; exit }' "$dir/go.mod")
[[ -n $ebpf ]] || die "no github.com/cilium/ebpf in $dir/go.mod"
stamp="auto=$AUTO_VERSION ebpf=$ebpf go=$(go env GOVERSION) clang=$(clang -dumpversion)"
if [[ -x $OUT/otel-go-instrumentation && $(cat "$OUT/VERSION" 2>/dev/null) == "$stamp" ]]; then
	echo "build-go-auto: up to date ($stamp)" >&2
	exit 0
fi

SRC=$OUT/src
rm -rf "$SRC"
cp -r "$dir" "$SRC"
chmod -R u+w "$SRC"
cd "$SRC"

# What auto's Makefile exports for bpf2go: its vendored libbpf headers and its own.
export BPF2GO_CFLAGS="-I$SRC/internal/include/libbpf -I$SRC/internal/include"
export BPF2GO_CC=clang BPF2GO_STRIP=llvm-strip
n=0
while IFS= read -r gofile; do
	pkg=$(dirname "$gofile")
	# each //go:generate line of bpf2go, amd64 only (the arm64 objects are behind a build tag)
	while IFS= read -r line; do
		args=${line#*bpf2go }
		args=${args/-target amd64,arm64/-target amd64}
		echo "build-go-auto: $pkg: bpf2go $args" >&2
		# shellcheck disable=SC2086  # the generate line's own words
		(cd "$pkg" && GOPACKAGE=$(sed -n 's/^package //p' "$(basename "$gofile")") go run "github.com/cilium/ebpf/cmd/bpf2go@$ebpf" $args) >"$OUT/bpf2go.log" 2>&1 ||
			{ cat "$OUT/bpf2go.log" >&2; die "bpf2go failed in $pkg"; }
		n=$((n + 1))
	done < <(grep '^//go:generate go run github.com/cilium/ebpf/cmd/bpf2go ' "$gofile")
done < <(grep -rl --include=probe.go '^//go:generate go run github.com/cilium/ebpf/cmd/bpf2go' internal)
[[ $n -gt 0 ]] || die "no bpf2go generate line found"
missing=$(grep -rho --include='*_x86_bpfel.go' '//go:embed .*' internal | wc -l)
echo "build-go-auto: $n objects generated, $missing embedded by the amd64 files" >&2

# auto's go.mod replaces go.opentelemetry.io/auto/sdk with ./sdk, a nested module the zip leaves out:
# use the version it requires, from the proxy
go mod edit -dropreplace=go.opentelemetry.io/auto/sdk
go build -trimpath -o "$OUT/otel-go-instrumentation.tmp" ./cli
mv "$OUT/otel-go-instrumentation.tmp" "$OUT/otel-go-instrumentation"
echo "$stamp" >"$OUT/VERSION"
echo "build-go-auto: built $OUT/otel-go-instrumentation ($stamp)" >&2
