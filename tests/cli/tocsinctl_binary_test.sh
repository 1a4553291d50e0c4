#!/usr/bin/env bash
# The real tocsinctl binary end to end: a store on disk, tampered with by the sqlite3 tool
# the way an attacker with file access would, and a flipped byte in a signed export.
# usage: tocsinctl_binary_test.sh PATH_TO_TOCSINCTL
set -euo pipefail
ctl=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
db=$work/store/tocsin.db
fail() { echo "FAIL: $*" >&2; exit 1; }

"$ctl" --db "$db" contacts add "06 12 34 56 78" --zone CENTRE >/dev/null
"$ctl" --db "$db" contacts add "+33 6 20 00 00 01" >/dev/null
printf 'I want alerts.' > "$work/text.txt"
"$ctl" --db "$db" consent text add --id alerts --purpose alerts --language en --file "$work/text.txt" >/dev/null
"$ctl" --db "$db" consent grant 0612345678 --purpose alerts --text alerts --language en --channel kiosk:K1 --method checkbox >/dev/null
"$ctl" --db "$db" consent confirm 0612345678 --purpose alerts --evidence "signed form #12" >/dev/null
"$ctl" --db "$db" consent withdraw 0612345678 --purpose alerts --method sms-keyword >/dev/null

out=$("$ctl" --db "$db" audit verify) || fail "intact store did not verify: $out"
grep -q "^audit chain intact: .* entries; 4 consent events, consent texts and suppressions match it" <<<"$out" ||
  fail "unexpected: $out"

tamper() {  # name, SQL, expected words
  rm -rf "$work/$1"; cp -r "$work/store" "$work/$1"
  sqlite3 "$work/$1/tocsin.db" "DROP TRIGGER audit_log_append_only; DROP TRIGGER audit_log_guarded_delete; $2"
  if out=$("$ctl" --db "$work/$1/tocsin.db" audit verify); then fail "$1 not detected"; fi
  grep -q -- "$3" <<<"$out" || fail "$1: expected '$3' in: $out"
  echo "ok: $1 -> $out"
}
tamper edited "UPDATE audit_log SET reason = 'nothing happened' WHERE seq = 2" "entry #2 (edited)"
tamper deleted "DELETE FROM audit_log WHERE seq = 3" "entry #3 (deleted)"
tamper inserted "INSERT INTO audit_log SELECT seq + 1, recorded_at, actor, action, object, 'x', mac, mac FROM audit_log WHERE seq = (SELECT max(seq) FROM audit_log)" "(inserted)"
tamper reordered "UPDATE audit_log SET seq = -1 WHERE seq = 1; UPDATE audit_log SET seq = 1 WHERE seq = 4; UPDATE audit_log SET seq = 4 WHERE seq = -1" "(reordered)"
tamper truncated "DELETE FROM audit_log WHERE seq >= 4" "(truncated)"

# The consent history behind the chain's back: the withdrawal deleted through the purge gate and
# a confirmation inserted (it takes the freed id 3, so row 3 no longer holds what was recorded).
# Caught, named, and no export is signed over it.
tamper consent "UPDATE purge_gate SET open = 1; DELETE FROM consent_events WHERE action = 'withdrawn';
  UPDATE purge_gate SET open = 0; INSERT INTO consent_events (contact_id, purpose, action, language, channel, method,
  evidence, recorded_at) SELECT contact_id, purpose, 'confirmed', language, channel, method, 'x', recorded_at + 9
  FROM consent_events WHERE action = 'confirmed'" "edited: consent_events/3 (contact:1 alerts confirmed"
if "$ctl" --db "$work/consent/tocsin.db" consent export --format json --out "$work/forged.json" 2>"$work/err"; then
  fail "an export was signed over a tampered consent history"
fi
grep -q "refusing to sign" "$work/err" || fail "unexpected export error: $(cat "$work/err")"
[ ! -e "$work/forged.json.sig" ] || fail "a signature was left for the refused export"
echo "ok: a tampered consent history is not exported"

"$ctl" --db "$db" consent export --format json --out "$work/export.json" >/dev/null
"$ctl" --db "$db" consent verify "$work/export.json" >/dev/null || fail "fresh export did not verify"
printf '\x01' | dd of="$work/export.json" bs=1 seek=40 conv=notrunc status=none
if "$ctl" --db "$db" consent verify "$work/export.json" >/dev/null; then fail "flipped byte not detected"; fi
echo "ok: flipped byte in export detected"
