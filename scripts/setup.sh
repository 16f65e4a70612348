#!/usr/bin/env bash
# Installs what building and running tracebee needs on Debian/Ubuntu, skipping what is present.
# Sourced by demo.sh and test.sh; safe to run repeatedly.
set -euo pipefail

tb_need_root() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "tracebee: run as root (sudo): loading BPF programs and attaching uprobes needs it" >&2
    exit 1
  fi
}

tb_apt_updated=0
tb_apt() {
  if [ "$tb_apt_updated" = 0 ]; then
    apt-get update -qq
    tb_apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

tb_setup() {
  tb_need_root
  local pkgs=()
  command -v clang >/dev/null || pkgs+=(clang)
  command -v llvm-strip >/dev/null || pkgs+=(llvm)
  command -v bpftool >/dev/null || pkgs+=(bpftool)
  command -v make >/dev/null || pkgs+=(make)
  command -v gcc >/dev/null || pkgs+=(gcc libc6-dev)
  command -v curl >/dev/null || pkgs+=(curl)
  command -v unzip >/dev/null || pkgs+=(unzip)
  [ -f /usr/include/bpf/libbpf.h ] || pkgs+=(libbpf-dev)
  [ -f /usr/include/libelf.h ] || pkgs+=(libelf-dev)
  [ -f /usr/include/zlib.h ] || pkgs+=(zlib1g-dev)
  command -v javac >/dev/null || pkgs+=(openjdk-17-jdk-headless)
  # the interop test's Python service (a venv with OpenTelemetry from PyPI, built by build-fixtures.sh)
  command -v python3 >/dev/null || pkgs+=(python3)
  python3 -c 'import ensurepip' 2>/dev/null || pkgs+=(python3-venv)
  # real protocol peers of the end-to-end tests (io.tracebee.peers): each test starts its own server
  # as an unprivileged user on a free port, so the packages' own services are never used
  compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null || pkgs+=(postgresql)
  command -v redis-server >/dev/null || pkgs+=(redis-server)
  if [ ${#pkgs[@]} -gt 0 ]; then
    echo "tracebee: installing ${pkgs[*]}"
    tb_apt "${pkgs[@]}"
    tb_stop_peer_services "${pkgs[@]}"
  fi
  tb_setup_go
  if [ ! -r /sys/kernel/btf/vmlinux ]; then
    echo "tracebee: this kernel has no BTF (/sys/kernel/btf/vmlinux); tracebee needs Linux 5.8+ with CONFIG_DEBUG_INFO_BTF" >&2
    exit 1
  fi
}

# Installing postgresql starts a cluster on 5432 and redis-server a server on 6379 (where systemd or
# invoke-rc.d may start services). The tests never use them and they do not clash with the tests' free
# ports; they only take memory, so the ones this run just installed are stopped and disabled.
tb_stop_peer_services() {
  local p
  for p in "$@"; do
    case $p in
      postgresql|redis-server)
        if [ -d /run/systemd/system ]; then
          systemctl disable --now -q "$p" 2>/dev/null || true
        else
          service "$p" stop >/dev/null 2>&1 || true
        fi
        ;;
    esac
  done
}

# Go 1.21+ is needed (it fetches the exact toolchains the fixtures use through GOTOOLCHAIN).
tb_setup_go() {
  export PATH="$PATH:/usr/local/go/bin:/usr/lib/go-1.23/bin"
  if command -v go >/dev/null; then
    local minor
    minor=$(go env GOVERSION | sed -E 's/^go1\.([0-9]+).*/\1/')
    if [ "${minor:-0}" -ge 21 ]; then
      return
    fi
  fi
  echo "tracebee: installing Go 1.23 from bookworm-backports"
  if ! grep -rqs bookworm-backports /etc/apt/sources.list /etc/apt/sources.list.d/; then
    echo "deb http://deb.debian.org/debian bookworm-backports main" > /etc/apt/sources.list.d/bookworm-backports.list
    tb_apt_updated=0
  fi
  tb_apt -t bookworm-backports golang-1.23-go
  export PATH="/usr/lib/go-1.23/bin:$PATH"
}
