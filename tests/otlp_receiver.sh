# SPDX-License-Identifier: MIT
# otlp_receiver.sh: what the OTLP export tests share, sourced after
# tests/integration/lib.sh.  The stand-in collector (tests/otlp_receiver.py)
# on port $R storing what it gets under $T/rx, and otlp_check.py over it:
#   start_receiver, stop_receiver   start it (waits until it listens), stop it
#   CHK WHAT [ARG]                  tests/otlp_check.py over $T/rx
#   wait_for WHAT CMD...            until CMD succeeds (30 s), else fail
RECV="$ROOT/tests/otlp_receiver.py"
CHK() { python3 "$ROOT/tests/otlp_check.py" "$T/rx" "$@"; }
mkdir -p "$T/rx"
R=$(free_port)
start_receiver() {
	rm -f "$T/rx/ready"
	python3 "$RECV" "$R" "$T/rx" 2>>"$T/rx.log" &
	RPID=$!
	PIDS+=("$RPID")
	for _ in $(seq 100); do [ -f "$T/rx/ready" ] && return; sleep 0.1; done
	fail "receiver did not start"
}
stop_receiver() { kill "$RPID"; wait "$RPID" 2>/dev/null || true; }
wait_for() {
	local what=$1
	shift
	for _ in $(seq 300); do "$@" && return 0; sleep 0.1; done
	fail "never: $what"
}
