#!/usr/bin/env bash
# The tocsin package under a real systemd: a clean Debian 12 root (debootstrap) where the package
# is installed, then booted with systemd as PID 1 of its own PID and mount namespaces. It checks
# that systemd takes the daemon as ready (Type=notify) and gets its watchdog pings; that the
# daemon runs as tocsin with no capabilities, no new privileges, a read-only system but for
# /var/lib/tocsin, and a private /tmp; that its lines reach the journal with their priority; that
# it is restarted after SIGKILL (Restart=on-failure); that an upgrade inside the running system
# restarts it on the new package with the store kept; and that it stops cleanly.
#
#   systemd_test.sh SOURCE_DIR BUILD_DIR
# Needs root. Exits 77 (skipped) when systemd cannot boot in a namespace on this machine.
set -euo pipefail

# shellcheck source=tests/package/debian_root.sh
. "$(dirname "$0")/debian_root.sh"
package_test_setup "$@"
pids=()
init=
step() { echo; echo "== $*"; }
fail() {
  echo "FAIL: $*" >&2
  if [[ -n $init ]]; then
    echo "--- the unit, and what systemd said of it:" >&2
    in_system systemctl status tocsin-broadcaster --no-pager -n 20 >&2 || true
    grep -iE "tocsin|namespac" "$work/systemd.log" | tail -n 20 >&2 || true
  fi
  exit 1
}
cleanup() {
  local pid
  [[ -n $init ]] && kill -KILL "$init" 2>/dev/null || true
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  umount -R "$root/proc" "$root/dev" "$root/var/cache/apt/archives" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
# A command inside the booted system: its PID and mount namespaces and its root.
in_system() { nsenter -t "$init" -m -p -r -w "$@"; }
show() { in_system systemctl show -p "$1" --value tocsin-broadcaster; }
wait_until() {  # $1: seconds, then a command that must succeed
  local seconds=$1 i
  shift
  for ((i = 0; i < seconds * 10; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  return 1
}

step "1. the packages, installed into a clean Debian 12 root"
"$src/scripts/package" --no-build --build "$build" --revision 1 --out "$work/v1" >/dev/null
"$src/scripts/package" --no-build --build "$build" --revision 2 --out "$work/v2" >/dev/null
deb=$(ls "$work"/v1/tocsin_*-1_*.deb)
deb2=$(ls "$work"/v2/tocsin_*-2_*.deb)
debian_root "$root"
# Not in /tmp: systemd-tmpfiles empties it at boot.
mkdir -p "$root/root/packages"
cp "$deb" "$deb2" "$root/root/packages/"
mount -t proc proc "$root/proc"
mount --rbind /dev "$root/dev"
mount --bind "$cache/apt-archives" "$root/var/cache/apt/archives"
apt_get() { chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get -q -y -o Dpkg::Options::=--force-confold "$@"; }
apt_get update >"$work/apt.log" 2>&1 || { tail -n 20 "$work/apt.log"; fail "apt-get update"; }
apt_get install --no-install-recommends "/root/packages/$(basename "$deb")" >"$work/install.log" 2>&1 ||
  { tail -n 30 "$work/install.log"; fail "apt install"; }
# The carrier: the packaged simulator; the installer's edit of the conffile.
start_smsc_and_configure --report none
# No consoles in a namespace: the gettys would wait for devices forever.
chroot "$root" systemctl mask serial-getty@ttyS0.service getty.target console-getty.service >/dev/null 2>&1
umount -R "$root/proc" "$root/dev"
echo "ok: installed $(basename "$deb"); the unit is enabled"

step "2. systemd boots the root"
cat >"$work/boot.sh" <<BOOT
#!/bin/sh
set -e
# The root must be a mount point: systemd builds each service's mount namespace from it.
mount --bind "$root" "$root"
mount -t proc proc "$root/proc"
mount --rbind /sys "$root/sys"
mount --rbind /dev "$root/dev"
mount -t tmpfs tmpfs "$root/run"
exec chroot "$root" /lib/systemd/systemd --system --log-target=console --log-level=notice
BOOT
chmod +x "$work/boot.sh"
unshare --pid --fork --mount --propagation private "$work/boot.sh" >"$work/systemd.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  init=$(pgrep -P "${pids[-1]}" || true)
  [[ -n $init ]] && break
  sleep 0.1
done
[[ -n $init ]] || fail "systemd did not start"
state=
for _ in $(seq 600); do
  state=$(in_system systemctl is-system-running 2>/dev/null || true)
  [[ $state == running || $state == degraded ]] && break
  sleep 0.1
done
if [[ $state != running && $state != degraded ]]; then
  echo "SKIP: systemd does not finish booting in a namespace on this machine (state: ${state:-none})"
  in_system systemctl list-jobs --no-pager || true
  in_system systemctl status tocsin-broadcaster --no-pager || true
  in_system journalctl -b --no-pager -n 30 || true
  exit 77
fi
echo "ok: the system is $state"

step "3. the service, as systemd runs it"
wait_until 60 sh -c "[ \"\$(nsenter -t $init -m -p -r -w systemctl is-active tocsin-broadcaster)\" = active ]" ||
  fail "tocsin-broadcaster is not active"
[[ $(show Type) == notify ]] || fail "the unit is not Type=notify"
[[ $(show User) == tocsin ]] || fail "the unit does not run as tocsin"
status_text=$(show StatusText)
echo "status: $status_text"
[[ $status_text == *"version "* || $status_text == sending:* ]] || fail "no status line from the daemon"
wait_until 15 sh -c "[ -n \"\$(nsenter -t $init -m -p -r -w systemctl show -p WatchdogTimestampMonotonic --value tocsin-broadcaster | grep -v '^0$')\" ]" ||
  fail "systemd got no watchdog ping"
pid=$(show MainPID)
proc_status=$(in_system cat "/proc/$pid/status")
grep -q '^CapEff:[[:space:]]*0*$' <<<"$proc_status" || fail "the service holds capabilities"
grep -q '^CapBnd:[[:space:]]*0*$' <<<"$proc_status" || fail "the service's bounding set is not empty"
grep -q '^NoNewPrivs:[[:space:]]*1' <<<"$proc_status" || fail "the service may gain privileges"
uid=$(in_system id -u tocsin)
grep -qE "^Uid:[[:space:]]+$uid[[:space:]]" <<<"$proc_status" || fail "the service does not run as tocsin"
# Inside the service's own mount namespace, as its user.
gid=$(in_system id -g tocsin)
as_service() { in_system nsenter -t "$pid" -m -r -- setpriv --reuid="$uid" --regid="$gid" --clear-groups "$@"; }
if as_service touch /etc/tocsin/written 2>/dev/null; then fail "the service can write to /etc"; fi
if as_service touch /usr/written 2>/dev/null; then fail "the service can write to /usr"; fi
as_service touch /var/lib/tocsin/written || fail "the service cannot write to /var/lib/tocsin"
as_service rm /var/lib/tocsin/written
in_system touch /tmp/the-system-tmp
as_service test -e /tmp/the-system-tmp && fail "the service sees the system's /tmp"
echo "ok: pid $pid as tocsin (uid $uid): no capabilities, no new privileges, read-only system, own /tmp"
in_system journalctl -u tocsin-broadcaster -o json --no-pager >"$work/journal.json"
python3 - "$work/journal.json" <<'PY'
import json, sys
entries = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
start = [e for e in entries if '"event":"broadcaster.start"' in e.get("MESSAGE", "")]
assert start, "no broadcaster.start in the journal"
assert start[0]["PRIORITY"] == "6", "broadcaster.start has priority " + start[0]["PRIORITY"]
assert start[0]["MESSAGE"].startswith('{"ts":'), "the priority prefix was not taken off: " + start[0]["MESSAGE"][:20]
print("journal: broadcaster.start at priority 6:", start[0]["MESSAGE"][:100])
PY
api_port=$(in_system journalctl -u tocsin-broadcaster -o cat --no-pager | grep -o '"event":"api.listen".*' | tail -n 1 |
  grep -o '"port":"[0-9]*"' | grep -o '[0-9]*')
health=$(curl -sS --cacert "$root/var/lib/tocsin/keys/api-certificate.pem" "https://127.0.0.1:$api_port/health")
echo "/health: $health"
[[ $health == *'"status":"ok"'* ]] || fail "/health is not ok"

step "4. killed, it is restarted"
in_system systemctl kill -s SIGKILL tocsin-broadcaster
wait_until 30 sh -c "[ \"\$(nsenter -t $init -m -p -r -w systemctl show -p NRestarts --value tocsin-broadcaster)\" = 1 ] &&
  [ \"\$(nsenter -t $init -m -p -r -w systemctl is-active tocsin-broadcaster)\" = active ]" ||
  fail "tocsin-broadcaster was not restarted after SIGKILL"
[[ $(show MainPID) != "$pid" ]] || fail "the same process?"
echo "ok: restarted as pid $(show MainPID) (NRestarts=1)"

step "5. an upgrade inside the running system restarts it on the new package"
entries_before=$(in_system runuser -u tocsin -- tocsinctl store info | sed -n 's/^audit entries: *//p')
pid=$(show MainPID)
in_system env DEBIAN_FRONTEND=noninteractive apt-get -q -y -o Dpkg::Options::=--force-confold install \
  "/root/packages/$(basename "$deb2")" >"$work/upgrade.log" 2>&1 || { tail -n 30 "$work/upgrade.log"; fail "the upgrade"; }
[[ $(in_system dpkg-query -W -f='${Version}' tocsin) == *-2 ]] || fail "not upgraded"
wait_until 30 sh -c "[ \"\$(nsenter -t $init -m -p -r -w systemctl is-active tocsin-broadcaster)\" = active ]" ||
  fail "not active after the upgrade"
[[ $(show MainPID) != "$pid" ]] || fail "the upgrade did not restart the daemon"
entries_after=$(in_system runuser -u tocsin -- tocsinctl store info | sed -n 's/^audit entries: *//p')
((entries_after >= entries_before)) || fail "the store lost audit entries in the upgrade ($entries_before -> $entries_after)"
echo "ok: $(in_system dpkg-query -W -f='${Version}' tocsin) runs as pid $(show MainPID); $entries_after audit entries kept"

step "6. it stops cleanly"
in_system systemctl stop tocsin-broadcaster
[[ $(in_system systemctl is-active tocsin-broadcaster || true) == inactive ]] || fail "not stopped"
[[ $(show ExecMainStatus) == 0 ]] || fail "exit status $(show ExecMainStatus)"
in_system journalctl -u tocsin-broadcaster -o cat --no-pager | grep -q '"event":"broadcaster.stop"' || fail "no broadcaster.stop logged"
echo "ok: stopped with status 0"
echo
echo "PASS"
