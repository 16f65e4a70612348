# SPDX-License-Identifier: Apache-2.0
"""Shared pieces of the benchmark parts (bench/*.py): the agent and fixture processes, /q/metrics,
statistics and the suite contract.

Suite contract: a part run with OUT=<dir> writes <dir>/<part>.md (a markdown section starting with
"## ", generated from the numbers, never edited by hand) and <dir>/<part>.json (the raw per-run
numbers). bench/run collects the sections into docs/BENCHMARKS.md.
"""
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
JAR = os.path.join(ROOT, "target", "quarkus-app", "quarkus-run.jar")
FIXTURES = os.environ.get("FIXTURES", os.path.expanduser("~/.cache/tracebee/fixtures"))
JDK25 = os.environ.get("JDK25", "/usr/lib/jvm/temurin-25-jdk-amd64")


def out_dir():
    out = os.environ.get("OUT") or os.path.join(ROOT, "target", "bench")
    os.makedirs(out, exist_ok=True)
    return out


def require_root():
    if os.geteuid() != 0:
        sys.exit("needs root (uprobes, BPF)")


def ensure_jar():
    if not os.path.exists(JAR):
        subprocess.run([os.path.join(ROOT, "mvnw"), "-B", "-ntp", "-q", "package", "-DskipTests"], cwd=ROOT, check=True)


def fixture(name):
    path = os.path.join(FIXTURES, name)
    if not os.path.exists(path):
        sys.exit(f"missing fixture {path}: run src/test/build-fixtures.sh {FIXTURES}")
    return path


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_fixture(name, *args, cpu=None):
    """Starts a Go fixture on a free loopback port; returns (process, port) once it listens."""
    port = free_port()
    cmd = [fixture(name), "-addr", f"127.0.0.1:{port}", *args]
    if cpu is not None:
        cmd = ["taskset", "-c", str(cpu)] + cmd
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    line = p.stdout.readline()
    if "listening on" not in line:
        p.kill()
        sys.exit(f"{name} did not start: {line.strip()}")
    return p, port


def java_cmd(java="java", jvm_args=(), app_dir=None):
    """The agent's command; with app_dir, run from that directory as `-jar quarkus-run.jar` (an AOT cache wants it)."""
    return [java, *jvm_args, "-jar", "quarkus-run.jar" if app_dir else JAR]


def start_agent(port, *args, java="java", jvm_args=(), env=None, cpu=None, log=None, app_dir=None):
    """Starts the agent jar with its API on port and spans going nowhere unless env says otherwise."""
    e = dict(os.environ)
    e.setdefault("OTEL_TRACES_EXPORTER", "none")
    e["QUARKUS_HTTP_PORT"] = str(port)
    e.update(env or {})
    cmd = java_cmd(java, jvm_args, app_dir) + list(args)
    if cpu is not None:
        cmd = ["taskset", "-c", str(cpu)] + cmd
    out = open(log, "w") if log else subprocess.DEVNULL
    return subprocess.Popen(cmd, env=e, stdout=out, stderr=subprocess.STDOUT, cwd=app_dir)


def wait_health(port, proc=None, timeout=60.0):
    """Seconds until /q/health answers UP."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"agent exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/q/health", timeout=1) as r:
                if r.status == 200:
                    return time.monotonic() - t0
        except OSError:
            pass
        time.sleep(0.005)
    raise RuntimeError("agent not healthy in time")


def stop(proc, timeout=15):
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def http(method, url, body=None, timeout=60):
    """(status, parsed JSON or text, seconds)."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"content-type": "application/json"} if data else {})
    t0 = time.monotonic()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            raw = r.read()
            status = r.status
    except urllib.error.HTTPError as err:
        raw = err.read()
        status = err.code
    took = time.monotonic() - t0
    try:
        return status, json.loads(raw), took
    except ValueError:
        return status, raw.decode(errors="replace"), took


_METRIC = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)')


def metrics(port):
    """/q/metrics as {(name, frozenset(labels)): value}."""
    req = urllib.request.Request(f"http://127.0.0.1:{port}/q/metrics", headers={"Accept": "text/plain"})
    with urllib.request.urlopen(req, timeout=10) as r:
        text = r.read().decode()
    out = {}
    for line in text.splitlines():
        m = _METRIC.match(line)
        if not m or line.startswith("#"):
            continue
        labels = frozenset(re.findall(r'(\w+)="([^"]*)"', m.group(2) or ""))
        try:
            out[(m.group(1), labels)] = float(m.group(3))
        except ValueError:
            pass
    return out


def metric_by(ms, name, label):
    """{label value: value} for one metric family split by one label."""
    return {dict(k[1]).get(label): v for k, v in ms.items() if k[0] == name}


def proc_cpu_seconds(pid):
    """utime + stime of a process, in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def proc_status_kib(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return None


# ---- statistics -------------------------------------------------------------------------------------

def med(values):
    """The median of the values that are not None; None when there are none."""
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(v, digits=0, sign=False):
    """A number with thousands separators (and its sign, if asked); '-' for None."""
    return "-" if v is None else f"{v:{'+' if sign else ''},.{digits}f}"


def spread(values, digits=0, scale=1.0, sign=False, dash="-"):
    """'median [min-max]' of the values that are not None, with thousands separators."""
    v = [x * scale for x in values if x is not None]
    if not v:
        return "-"
    if len(v) == 1:
        return fmt(v[0], digits, sign)
    return f"{fmt(med(v), digits, sign)} [{fmt(min(v), digits, sign)}{dash}{fmt(max(v), digits, sign)}]"


def ratio(a, b, digits=2):
    return "-" if a is None or not b else f"{a / b:.{digits}f}x"


# ---- machine and output -----------------------------------------------------------------------------

def _first(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=20).stdout.strip().splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return "?"


def java_version(java="java"):
    try:
        r = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=20)
        return r.stderr.strip().splitlines()[0]
    except OSError:
        return "absent"


def machine():
    """The machine, as a markdown bullet list."""
    model = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    mem = proc_meminfo_gib()
    distro = "?"
    if os.path.exists("/etc/os-release"):
        with open("/etc/os-release") as f:
            d = dict(line.rstrip().split("=", 1) for line in f if "=" in line)
        distro = d.get("PRETTY_NAME", "?").strip('"')
    lockdown = "not readable: securityfs is not mounted"
    if os.path.exists("/sys/kernel/security/lockdown"):
        with open("/sys/kernel/security/lockdown") as f:
            lockdown = re.search(r"\[(\w+)\]", f.read()).group(1)
    return "\n".join([
        f"- {os.cpu_count()} vCPUs, {model}; {mem:.0f} GiB RAM",
        f"- kernel {platform.release()} (lockdown: {lockdown}), {distro}",
        f"- {java_version()}; {java_version(os.path.join(JDK25, 'bin', 'java'))}",
        f"- {_first(['go', 'version'])}; {_first(['wrk', '--version']) if shutil.which('wrk') else 'no wrk'}",
        f"- load average before the first part: {os.getloadavg()[0]:.2f}",
    ])


def proc_meminfo_gib():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 2**20
    return 0


def write_part(name, markdown, data):
    out = out_dir()
    with open(os.path.join(out, name + ".md"), "w") as f:
        f.write(markdown.rstrip() + "\n")
    with open(os.path.join(out, name + ".json"), "w") as f:
        json.dump(data, f, indent=1)
    print(markdown)
    print(f"wrote {out}/{name}.md and .json", file=sys.stderr)


def table(header, rows):
    """A markdown table; the first column left-aligned, the others right-aligned."""
    lines = ["| " + " | ".join(header) + " |", "|---|" + "---:|" * (len(header) - 1)]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)
