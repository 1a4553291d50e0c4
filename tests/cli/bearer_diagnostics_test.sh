#!/usr/bin/env bash
# The installer's diagnostics end to end with the real binaries: tocsinctl smpp send against
# tocsin-smsc-sim, tocsinctl modem status / modem send against tocsin-modem-sim. Exit codes
# must tell the truth: 0 only when every message was accepted (and, with --dlr, delivered).
# usage: bearer_diagnostics_test.sh BIN_DIR
set -euo pipefail
bin=$1
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
wait_for() {  # file, pattern
  for _ in $(seq 100); do grep -q -- "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  fail "no '$2' in $1"
}

# --- SMPP ---
"$bin/tocsin-smsc-sim" --listen 127.0.0.1:0 --account installer:secret --report none --dlr-delay-ms 20 \
  </dev/null >"$work/smsc.out" 2>"$work/smsc.err" &
pids+=($!)
wait_for "$work/smsc.out" listening
port=$(sed -n 's/.*"port":\([0-9]*\).*/\1/p' "$work/smsc.out" | head -1)

out=$("$bin/tocsinctl" smpp send --host 127.0.0.1 --port "$port" --system-id installer --password secret \
  --to +33612345678 --text "Test of the carrier account" --count 200 --window 20 --dlr) || fail "smpp send: $out"
grep -q "200 accepted, 0 failed" <<<"$out" || fail "smpp send counts: $out"
grep -q "receipts 200 of 200: 200 delivered" <<<"$out" || fail "smpp send receipts: $out"
echo "ok: smpp send -> $(tr '\n' ' ' <<<"$out")"

if out=$("$bin/tocsinctl" smpp send --host 127.0.0.1 --port "$port" --system-id installer --password wrong \
  --to +33612345678 --text x 2>&1); then fail "a wrong password passed: $out"; fi
grep -qi "bind" <<<"$out" || fail "wrong password not explained: $out"
echo "ok: wrong password -> $out"

# --- modem ---
mkfifo "$work/modem.in"
exec 3<>"$work/modem.in"
"$bin/tocsin-modem-sim" --link "$work/ttyGSM0" --delay-ms 300 --report-delay-ms 200 \
  <"$work/modem.in" >"$work/modem.out" 2>"$work/modem.err" &
pids+=($!)
wait_for "$work/modem.out" '"ready"'

out=$("$bin/tocsinctl" modem status --device "$work/ttyGSM0") || fail "modem status: $out"
grep -q "ready     yes" <<<"$out" || fail "modem status: $out"
grep -q "signal    -71 dBm" <<<"$out" || fail "modem status signal: $out"
echo "ok: modem status"

out=$("$bin/tocsinctl" modem send --device "$work/ttyGSM0" --to +33612345678 --text "Siren test at noon" --dlr) \
  || fail "modem send: $out"
grep -q "1 accepted, 0 failed" <<<"$out" || fail "modem send: $out"
grep -q "status reports 1 of 1: 1 delivered" <<<"$out" || fail "modem send receipts: $out"
wait_for "$work/modem.out" '"text":"Siren test at noon"'
echo "ok: modem send -> $(tr '\n' ' ' <<<"$out")"

echo "error 21 1" >&3   # short message transfer rejected
wait_for "$work/modem.out" '"event":"error"'
if out=$("$bin/tocsinctl" modem send --device "$work/ttyGSM0" --to +33612345678 --text "refused"); then
  fail "a refused send passed: $out"
fi
grep -q "+CMS ERROR: 21" <<<"$out" || fail "refusal not explained: $out"
echo "ok: refused send -> exit 1"

echo "creg 2" >&3       # searching for a network
wait_for "$work/modem.out" '"event":"creg"'
if out=$("$bin/tocsinctl" modem status --device "$work/ttyGSM0"); then fail "unregistered modem passed: $out"; fi
grep -q "not registered" <<<"$out" || fail "registration problem not shown: $out"
echo "ok: unregistered modem -> exit 1"

if out=$("$bin/tocsinctl" modem status --device "$work/none" 2>&1); then fail "missing device passed"; fi
grep -q "No such file or directory" <<<"$out" || fail "missing device not explained: $out"
echo "ok: missing device -> exit 1"
