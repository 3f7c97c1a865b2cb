#!/usr/bin/env bash
# Turns ninja's "[n/m] …" lines into progress people can read while the worker builds
# (several minutes): "[mediasoup-worker] building: 42% (310/738 steps, 2m05s)".
#
# Usage: ninja … 2>&1 | bash ninja-progress.sh LOG_FILE
#
# Every line read goes to LOG_FILE (the full build log, for errors). On a terminal the
# progress line is rewritten in place; otherwise (a log file, CI) a line is printed each
# time another 10 % is done, so logs stay short. PLENARY_PROGRESS_TTY=1|0 overrides the
# terminal check (tests use it).
set -uo pipefail

log_file="${1:-/dev/null}"
tty="${PLENARY_PROGRESS_TTY:-auto}"
if [[ "${tty}" == "auto" ]]; then
	if [[ -t 1 ]]; then tty=1; else tty=0; fi
fi

exec 4>"${log_file}"
start=${SECONDS}
next=10
shown=0

elapsed() {
	local s=$((SECONDS - start))
	printf '%dm%02ds' $((s / 60)) $((s % 60))
}

while IFS= read -r line || [[ -n "${line}" ]]; do
	printf '%s\n' "${line}" >&4
	[[ "${line}" =~ ^\[([0-9]+)/([0-9]+)\] ]] || continue
	n=${BASH_REMATCH[1]}
	m=${BASH_REMATCH[2]}
	((m > 0)) || continue
	pct=$((n * 100 / m))
	if ((tty)); then
		# \033[K clears what a longer earlier line left behind.
		printf '\r[mediasoup-worker] building: %3d%% (%d/%d steps, %s)\033[K' "${pct}" "${n}" "${m}" "$(elapsed)"
		shown=1
	elif ((pct >= next)); then
		printf '[mediasoup-worker] building: %d%% (%d/%d steps, %s elapsed)\n' "${pct}" "${n}" "${m}" "$(elapsed)"
		next=$(((pct / 10 + 1) * 10))
	fi
done
if ((shown)); then printf '\n'; fi
exit 0
