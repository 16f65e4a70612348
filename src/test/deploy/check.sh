#!/usr/bin/env bash
# check.sh [REPO_ROOT] - validate tracebee's deployment files offline.
#
# Builds deploycheck (this directory's Go module) once into
#   ${TRACEBEE_FIXTURES:-$HOME/.cache/tracebee/fixtures}/.tools/deploycheck
# and rebuilds it only when the sha256 of the module's *.go, go.mod and go.sum
# (or the Go toolchain) changed; the hash is kept in deploycheck.stamp next to
# the binary. Then, from REPO_ROOT (default: the repository holding this
# script), it checks whichever of these exist:
#   docker/Dockerfile*          deploycheck --context . dockerfile ...
#   docker/compose*.yaml        deploycheck compose ...
#   deploy/kubernetes/*.yaml    deploycheck kubernetes ...
# and exits 1 if any check failed.
#
# Module versions: see README.md (buildkit is pinned to v0.34.1 because
# v0.34.2 needs a github.com/tonistiigi/fsutil version the Go module proxy
# does not serve).
set -euo pipefail

export GOTOOLCHAIN=go1.26.11 GOFLAGS=-buildvcs=false GOWORK=off CGO_ENABLED=0

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "${1:-$here/../../..}" && pwd)
tools="${TRACEBEE_FIXTURES:-$HOME/.cache/tracebee/fixtures}/.tools"
bin="$tools/deploycheck"
stamp="$tools/deploycheck.stamp"

# Hash of the sources that make the binary, plus the toolchain asked for.
source_hash() {
    (
        cd "$here"
        {
            echo "toolchain $GOTOOLCHAIN"
            find . -name '*.go' -not -path './testdata/*' -print0 | LC_ALL=C sort -z | xargs -0 sha256sum
            sha256sum go.mod go.sum
        } | sha256sum | cut -d' ' -f1
    )
}

want=$(source_hash)
if [[ -x "$bin" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    echo "deploycheck: up to date ($bin)"
else
    echo "deploycheck: building $bin"
    mkdir -p "$tools"
    start=$SECONDS
    tmp="$bin.tmp.$$"
    trap 'rm -f "$tmp"' EXIT
    (cd "$here" && go build -trimpath -o "$tmp" .)
    mv -f "$tmp" "$bin"
    echo "$want" >"$stamp"
    echo "deploycheck: built in $((SECONDS - start))s"
fi

cd "$root"
shopt -s nullglob
status=0
checked=0

run_check() { # LABEL ARGS...
    local label=$1
    shift
    echo "== $label"
    if "$bin" "$@"; then
        :
    else
        status=1
    fi
    checked=$((checked + 1))
}

dockerfiles=()
for f in docker/Dockerfile*; do
    [[ -f "$f" && "$f" != *.dockerignore ]] && dockerfiles+=("$f")
done
if ((${#dockerfiles[@]})); then
    echo "checking Dockerfiles: ${dockerfiles[*]}"
    # InvalidDefinitionDescription is experimental and off in `docker build --check`: it wants every comment
    # above an ARG or FROM to begin with that name, which would turn our explanatory headers into noise
    run_check dockerfile --context . --skip-rules InvalidDefinitionDescription dockerfile "${dockerfiles[@]}"
fi

composefiles=(docker/compose*.yaml)
if ((${#composefiles[@]})); then
    echo "checking compose files: ${composefiles[*]}"
    # variables a compose file requires (${VAR:?...}) get a stand-in, as a user would give them
    TRACEBEE_API_TOKEN=${TRACEBEE_API_TOKEN:-stand-in} run_check compose compose "${composefiles[@]}"
fi

manifests=(deploy/kubernetes/*.yaml)
if ((${#manifests[@]})); then
    echo "checking Kubernetes manifests: ${manifests[*]}"
    run_check kubernetes kubernetes "${manifests[@]}"
fi

if ((checked == 0)); then
    echo "deploycheck: nothing to check in $root (no docker/Dockerfile*, docker/compose*.yaml or deploy/kubernetes/*.yaml)"
elif ((status != 0)); then
    echo "deploycheck: FAILED"
else
    echo "deploycheck: all deployment files OK"
fi
exit "$status"
