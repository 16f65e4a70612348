# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash
#
# What bench/uprobe-overhead.sh and bench/target-side.sh share; sourced, after they set ROOT, WORK, JAR
# and define die() and log().

# Builds the native parts (make -C src/main/c: the agent's BPF objects, uprobe_floor) and, when missing,
# the agent jar. $1: extra maven flags (e.g. -o).
bench_build_agent() {
	make -s -C "$ROOT/src/main/c" OUT="$ROOT/target" >"$WORK/make.log" 2>&1 ||
		{ cat "$WORK/make.log" >&2; die "make failed"; }
	if [[ ! -f $JAR ]]; then
		log "building the agent jar"
		# shellcheck disable=SC2086  # flags
		(cd "$ROOT" && ./mvnw -B -ntp -q ${1:-} package -DskipTests) >"$WORK/mvn.log" 2>&1 ||
			{ tail -50 "$WORK/mvn.log" >&2; die "maven failed"; }
	fi
}

# The end of a cleanup trap: restores kernel.bpf_stats_enabled to $2 (when set and not 1), keeps the
# work directory when KEEP=1 or the exit status $1 is not 0, else removes it.
bench_finish() {
	local rc=$1 stats_old=$2
	if [[ -n $stats_old && $stats_old != 1 ]]; then
		sysctl -q -w kernel.bpf_stats_enabled="$stats_old" || true
	fi
	if [[ ${KEEP:-0} == 1 || $rc != 0 ]]; then
		echo "work directory kept: $WORK" >&2
	else
		rm -rf "$WORK"
	fi
}

# utime+stime of a process in clock ticks (0 when none or gone)
cpu_ticks() {
	if [[ -n ${1:-} ]]; then awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; else echo 0; fi
}

# Writes the wrk Lua script that prints one "WRKRESULT key=value ..." line at the end of a run.
bench_wrk_report() {
	cat >"$1" <<'EOF'
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRKRESULT requests=%d duration_us=%d errors=%d mean_us=%.2f p50_us=%d p99_us=%d\n",
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    latency.mean, latency:percentile(50), latency:percentile(99)))
end
EOF
}
