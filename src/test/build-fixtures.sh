#!/usr/bin/env bash
# Builds tracebee's test fixtures into OUTDIR (default ${TRACEBEE_FIXTURES:-$HOME/.cache/tracebee/fixtures}):
#
#   httpserver-go1.2x            test HTTP server (src/test/go/httpserver), one per Go minor, with symbols
#   httpserver-go1.2x-stripped   the same built with -ldflags='-s -w' (no .symtab, no DWARF)
#   routeserver-go1.2x           gin + gorilla/mux service (src/test/go/routeserver), newest releases (go 1.25+)
#   routeserver-go1.2x-oldest    the same with the oldest supported releases (go.oldest.mod)
#   routeserver-go1.26-stripped  newest releases, -ldflags='-s -w'
#   otlpsend                     sends one span over OTLP/gRPC (src/test/go/otlpsend)
#   dbserver-go1.26              database/sql service: SQLite, pgx, lib/pq (src/test/go/dbserver)
#   dbserver-sqlite-stripped     the same with SQLite alone, -ldflags='-s -w'
#   dbserver-go1.2x-oldest       PostgreSQL alone, oldest supported pgx and lib/pq (go 1.23 to 1.25)
#   redisserver-go1.26           go-redis v9 service, newest release (src/test/go/redisserver)
#   redisserver-go1.23-oldest    the same with the oldest supported go-redis (go.oldest.mod)
#   kafkaapp-go1.2x              kafka-go producer and consumers (src/test/go/kafkaapp), newest kafka-go (go 1.23, 1.26)
#   kafkaapp-go1.2x-oldest       the same with the oldest supported kafka-go (go.oldest.mod)
#   kafkaapp-go1.26-stripped     newest kafka-go, -ldflags='-s -w'
#   grpcserver-go1.26            gRPC server + HTTP front door making gRPC calls, newest grpc (src/test/go/grpcserver)
#   grpcserver-go1.26-stripped   the same, -ldflags='-s -w'
#   grpcserver-go1.25-mid        grpc v1.76.0, the last ServerStream-pointer layout (go.mid.mod)
#   grpcserver-go1.2x-oldest     grpc v1.68.1, the oldest the tests cover (go.oldest.mod; go 1.23 and 1.26)
#   autosdk-go1.26               HTTP service making spans by hand with the OTel Go Auto SDK, newest (src/test/go/autosdk)
#   autosdk-go1.23-oldest        the same with auto/sdk v1.1.0 and otel v1.32.0 (go.oldest.mod)
#   otelsdk-go1.26               HTTP service with its own registered OTel Go SDK, newest (src/test/go/otelsdk)
#   otelsdk-go1.23-oldest        the same with otel/sdk v1.25.0 (go.oldest.mod)
#   otelsdk-go1.26-nodwarf       newest, -ldflags=-w (symbols kept, no DWARF: offsets from the tables)
#   globalapi-go1.26             HTTP service making spans through the OTel global API, no SDK (src/test/go/globalapi)
#   globalapi-go1.23-oldest      the same with otel v1.25.0, before newSpan (go.oldest.mod)
#   globalapi-go1.26-stripped    newest, -ldflags='-s -w'
#   globalapi-go1.26-nodwarf     newest, -ldflags=-w (symbols kept, no DWARF: offsets from the tables)
#   otelcol-tracebee             OpenTelemetry Collector (otlp receiver, file + debug + otlp exporters, the deployment examples' processors)
#   python-venv                  the interop test's Python service (OpenTelemetry, Flask from PyPI)
#   kafka/                       Apache Kafka's jars from Maven Central (src/test/peers/fetch-kafka.sh)
#   MANIFEST                     "name go-version path" per artifact
#
# Needs only `go` (any version >= 1.21) and the Go module proxy: each artifact is built by a pinned
# toolchain fetched through GOTOOLCHAIN. An artifact is rebuilt only when the hash of its inputs
# (sources, toolchain, flags) differs from its stamp in OUTDIR/.stamps; outputs are moved into place
# atomically. Usage: build-fixtures.sh [outdir]
set -euo pipefail

# Newest patch release of each minor that the module proxy serves (checked 2026-11).
GO_VERSIONS=(1.23.12 1.24.13 1.25.14 1.26.11)
# Toolchain for otlpsend and the collector.
HOST_GO=1.26.11
# Collector builder (ocb) and component versions: keep in step with src/test/collector/builder-config.yaml.
# v0.162.0+ cannot be built from the proxy here (missing module zips), v0.161.0 resolves completely.
OCB_VERSION=v0.161.0
# Bump to force a rebuild of everything after changing how artifacts are built.
BUILD_REV=1

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=${1:-${TRACEBEE_FIXTURES:-$HOME/.cache/tracebee/fixtures}}
mkdir -p "$OUT/.stamps" "$OUT/.tools"
OUT=$(cd "$OUT" && pwd)

export CGO_ENABLED=0
export GOFLAGS=-buildvcs=false
export GOWORK=off
unset GOOS GOARCH GOAMD64 GOEXPERIMENT

# Leftovers of runs that were killed; a concurrent run's fresh temp dir is left alone.
find "$OUT" -maxdepth 1 -name '.tmp.*' -mmin +120 -exec rm -rf {} + 2>/dev/null || true

TMP=$(mktemp -d "$OUT/.tmp.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

# hash_inputs ITEM... : sha256 over strings ("s:text") and file contents ("f:path").
hash_inputs() {
  local a
  for a in "$@"; do
    case $a in
      f:*) printf 'file %s\n' "${a#f:$HERE/}"; cat -- "${a#f:}"; printf '\n' ;;
      s:*) printf 'str %s\n' "${a#s:}" ;;
      *) echo "hash_inputs: bad item $a" >&2; return 2 ;;
    esac
  done | sha256sum | cut -d' ' -f1
}

# go_files DIR : f: items for go.mod/go.sum (and alternate go.*.mod/go.*.sum) and all .go files directly in DIR, sorted.
go_files() {
  local f
  while IFS= read -r f; do printf 'f:%s\n' "$f"; done < <(find "$1" -maxdepth 1 -type f \( -name '*.go' -o -name 'go*.mod' -o -name 'go*.sum' \) | LC_ALL=C sort)
}

is_cached() { # NAME HASH
  [[ -x "$OUT/$1" && -f "$OUT/.stamps/$1" && "$(cat "$OUT/.stamps/$1")" == "$2" ]]
}

install_artifact() { # NAME HASH BUILT_FILE
  mv -f "$3" "$OUT/$1"
  printf '%s\n' "$2" > "$TMP/$1.stamp"
  mv -f "$TMP/$1.stamp" "$OUT/.stamps/$1"
}

report() { printf '%-8s %-30s %s\n' "$1" "$2" "$3"; }

MANIFEST=()

# --- httpserver, one per Go version, with and without symbols ---
mapfile -t HTTPSERVER_INPUTS < <(printf 'f:%s\n' "$HERE/go/go.mod"; [[ -f $HERE/go/go.sum ]] && printf 'f:%s\n' "$HERE/go/go.sum"; go_files "$HERE/go/httpserver")
for v in "${GO_VERSIONS[@]}"; do
  minor=${v%.*}
  for variant in "" -stripped; do
    name=httpserver-go$minor$variant
    ldflags=""
    [[ -n $variant ]] && ldflags="-s -w"
    h=$(hash_inputs "s:rev=$BUILD_REV" "s:go=$v" "s:ldflags=$ldflags" "s:flags=-trimpath" "${HTTPSERVER_INPUTS[@]}")
    MANIFEST+=("$name go$v $OUT/$name")
    if is_cached "$name" "$h"; then report cached "$name" ""; continue; fi
    start=$SECONDS
    (cd "$HERE/go" && GOTOOLCHAIN=go$v go build -trimpath -ldflags="$ldflags" -o "$TMP/$name" ./httpserver)
    install_artifact "$name" "$h" "$TMP/$name"
    report built "$name" "($((SECONDS - start))s)"
  done
done

# build_module NAME GO_VERSION DIR [GO_BUILD_FLAG...]: a fixture that is a Go module of its own (static,
# -trimpath), e.g. with -tags or -ldflags
build_module() {
  local name=$1 go=$2 dir=$3 h start inputs
  shift 3
  mapfile -t inputs < <(go_files "$dir")
  h=$(hash_inputs "s:rev=$BUILD_REV" "s:go=$go" "s:flags=-trimpath $*" "${inputs[@]}")
  MANIFEST+=("$name go$go $OUT/$name")
  if is_cached "$name" "$h"; then
    report cached "$name" ""
    return
  fi
  start=$SECONDS
  (cd "$dir" && GOTOOLCHAIN=go$go CGO_ENABLED=0 go build -trimpath "$@" -o "$TMP/$name" .)
  install_artifact "$name" "$h" "$TMP/$name"
  report built "$name" "($((SECONDS - start))s)"
}

# otlpsend needs the OTel SDK and a newer Go. dbserver is database/sql on SQLite and PostgreSQL
# (pgx, lib/pq); modernc.org/sqlite needs Go 1.26. Its stripped variant links SQLite alone: no
# symbols, no DWARF, one driver.
build_module otlpsend "$HOST_GO" "$HERE/go/otlpsend"
build_module dbserver-go1.26 "${GO_VERSIONS[-1]}" "$HERE/go/dbserver"
build_module dbserver-sqlite-stripped "${GO_VERSIONS[-1]}" "$HERE/go/dbserver" -tags=sqliteonly "-ldflags=-s -w"
# go-redis v9: the newest release (Go 1.26) and the oldest supported one (go.oldest.mod, Go 1.23)
build_module redisserver-go1.26 "${GO_VERSIONS[-1]}" "$HERE/go/redisserver"
build_module redisserver-go1.23-oldest "${GO_VERSIONS[0]}" "$HERE/go/redisserver" -modfile=go.oldest.mod
# gRPC: the newest release (Go 1.26), v1.76.0 (stream layout of v1.69-v1.76) and v1.68.1 (the oldest the
# tests cover: *transport.Stream, WriteStatus, originateStream) on the oldest and newest Go
build_module grpcserver-go1.26 "${GO_VERSIONS[-1]}" "$HERE/go/grpcserver"
build_module grpcserver-go1.26-stripped "${GO_VERSIONS[-1]}" "$HERE/go/grpcserver" "-ldflags=-s -w"
build_module grpcserver-go1.25-mid "${GO_VERSIONS[2]}" "$HERE/go/grpcserver" -modfile=go.mid.mod
build_module grpcserver-go1.23-oldest "${GO_VERSIONS[0]}" "$HERE/go/grpcserver" -modfile=go.oldest.mod
build_module grpcserver-go1.26-oldest "${GO_VERSIONS[-1]}" "$HERE/go/grpcserver" -modfile=go.oldest.mod
# manual spans through the OpenTelemetry Go Auto SDK: newest and oldest release
build_module autosdk-go1.26 "${GO_VERSIONS[-1]}" "$HERE/go/autosdk"
build_module autosdk-go1.23-oldest "${GO_VERSIONS[0]}" "$HERE/go/autosdk" -modfile=go.oldest.mod
# the application's own OpenTelemetry Go SDK
build_module otelsdk-go1.26 "${GO_VERSIONS[-1]}" "$HERE/go/otelsdk"
build_module otelsdk-go1.23-oldest "${GO_VERSIONS[0]}" "$HERE/go/otelsdk" -modfile=go.oldest.mod
build_module otelsdk-go1.26-nodwarf "${GO_VERSIONS[-1]}" "$HERE/go/otelsdk" -ldflags=-w
# the OpenTelemetry global API with no SDK registered
build_module globalapi-go1.26 "${GO_VERSIONS[-1]}" "$HERE/go/globalapi"
build_module globalapi-go1.23-oldest "${GO_VERSIONS[0]}" "$HERE/go/globalapi" -modfile=go.oldest.mod
build_module globalapi-go1.26-stripped "${GO_VERSIONS[-1]}" "$HERE/go/globalapi" "-ldflags=-s -w"
build_module globalapi-go1.26-nodwarf "${GO_VERSIONS[-1]}" "$HERE/go/globalapi" -ldflags=-w
# the version matrix: PostgreSQL drivers at their oldest supported releases (go.oldest.mod) on older Go
for v in "${GO_VERSIONS[@]:0:3}"; do
  build_module "dbserver-go${v%.*}-oldest" "$v" "$HERE/go/dbserver" -tags=pgonly -modfile=go.oldest.mod
done

# --- OpenTelemetry Collector via the official builder ---
name=otelcol-tracebee
h=$(hash_inputs "s:rev=$BUILD_REV" "s:go=$HOST_GO" "s:ocb=$OCB_VERSION" "f:$HERE/collector/builder-config.yaml")
MANIFEST+=("$name go$HOST_GO $OUT/$name")
if is_cached "$name" "$h"; then
  report cached "$name" ""
else
  start=$SECONDS
  ocb=$OUT/.tools/ocb-$OCB_VERSION
  if [[ ! -x $ocb ]]; then
    GOTOOLCHAIN=go$HOST_GO GOBIN="$TMP/ocb-bin" go install "go.opentelemetry.io/collector/cmd/builder@$OCB_VERSION"
    mv -f "$TMP/ocb-bin/builder" "$ocb"
  fi
  sed "s|^\([[:space:]]*output_path:\).*|\1 $TMP/otelcol-src|" "$HERE/collector/builder-config.yaml" > "$TMP/builder-config.yaml"
  # ocb runs `go` from PATH with this environment: GOTOOLCHAIN pins the compiler.
  if ! (cd "$TMP" && GOTOOLCHAIN=go$HOST_GO "$ocb" --config "$TMP/builder-config.yaml" > "$TMP/ocb.log" 2>&1); then
    grep -v '^go: downloading' "$TMP/ocb.log" | tail -30 >&2
    echo "build-fixtures: collector build failed" >&2
    exit 1
  fi
  install_artifact "$name" "$h" "$TMP/otelcol-src/$name"
  report built "$name" "($((SECONDS - start))s)"
fi

# --- http.route: gin + gorilla/mux, newest releases where their go.mod allows (go 1.25), the oldest
# supported ones (gin v1.5.0, mux v1.6.2: go.oldest.mod) on every Go release ---
for v in "${GO_VERSIONS[@]}"; do
  build_module "routeserver-go${v%.*}-oldest" "$v" "$HERE/go/routeserver" -modfile=go.oldest.mod
done
for v in "${GO_VERSIONS[@]:2}"; do
  build_module "routeserver-go${v%.*}" "$v" "$HERE/go/routeserver"
done
build_module routeserver-go1.26-stripped "${GO_VERSIONS[-1]}" "$HERE/go/routeserver" "-ldflags=-s -w"

# --- kafka-go: newest (v0.4.51) and oldest supported (v0.4.47, go.oldest.mod) on the oldest and newest Go ---
for v in "${GO_VERSIONS[0]}" "${GO_VERSIONS[-1]}"; do
  build_module "kafkaapp-go${v%.*}" "$v" "$HERE/go/kafkaapp"
  build_module "kafkaapp-go${v%.*}-oldest" "$v" "$HERE/go/kafkaapp" -modfile=go.oldest.mod
done
build_module kafkaapp-go1.26-stripped "${GO_VERSIONS[-1]}" "$HERE/go/kafkaapp" "-ldflags=-s -w"

# --- the interop test's Python service: a venv with OpenTelemetry and Flask from PyPI ---
name=python-venv
h=$(hash_inputs "s:rev=$BUILD_REV" "s:python=$(python3 --version 2>&1)" "f:$HERE/python/requirements.txt")
MANIFEST+=("$name $(python3 --version 2>&1 | tr ' ' '-') $OUT/$name")
if [[ -x $OUT/$name/bin/opentelemetry-instrument && -f $OUT/.stamps/$name && "$(cat "$OUT/.stamps/$name")" == "$h" ]]; then
  report cached "$name" ""
else
  start=$SECONDS
  # a venv records its own path, so it is built in place; the stamp is written only once it is complete
  rm -rf "$OUT/$name" "$OUT/.stamps/$name"
  python3 -m venv "$OUT/$name"
  "$OUT/$name/bin/pip" install -q --disable-pip-version-check -r "$HERE/python/requirements.txt"
  printf '%s\n' "$h" > "$OUT/.stamps/$name"
  report built "$name" "($((SECONDS - start))s)"
fi

"$HERE/peers/fetch-kafka.sh" "$OUT/kafka"  # jars of the Kafka broker the peer tests start (io.tracebee.peers)

printf '%s\n' "${MANIFEST[@]}" > "$TMP/MANIFEST"
mv -f "$TMP/MANIFEST" "$OUT/MANIFEST"
echo "fixtures in $OUT"
