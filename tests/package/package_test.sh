#!/usr/bin/env bash
# The packages as an installer meets them, on a clean Debian 12 root made by debootstrap:
#   1. scripts/package builds tocsin and tocsin-kiosk from the build tree; dpkg-deb shows their
#      metadata (computed dependencies, conffiles, maintainer scripts) and contents;
#   2. apt installs tocsin_*.deb into the root (its dependencies from Debian); the tocsin user,
#      /var/lib/tocsin (0700), the configuration's owner and the enabled unit are checked, and
#      systemd-analyze verifies the unit inside the root;
#   3. the daemon is started as the unit starts it (ExecStart=, User=, no capabilities, no new
#      privileges, a notify socket and a watchdog), against tocsin-smsc-sim from the package;
#      /health and `tocsinctl status` name the version; a test alert reaches the SMSC;
#   4. a backup is taken while it runs; the package is upgraded to a rebuilt, newer revision
#      with the edited configuration and the data kept; the store is restored from the backup
#      with its audit chain verified and its counts matching;
#   5. a store made by a newer Tocsin makes the older package refuse to install and the daemon
#      refuse to start, each saying why.
# The root lives in a private mount namespace; every process started is stopped by its PID.
#
#   package_test.sh SOURCE_DIR BUILD_DIR
# Needs root (apt and chroot). The Debian root and downloaded packages are cached in
# BUILD_DIR/package-cache; the mirror is TOCSIN_DEBIAN_MIRROR (default deb.debian.org).
set -euo pipefail

# shellcheck source=tests/package/debian_root.sh
. "$(dirname "$0")/debian_root.sh"
package_test_setup "$@"
pids=()
step() { echo; echo "== $*"; }
fail() {
  echo "FAIL: $*" >&2
  local log
  for log in "$work"/daemon*.log "$work"/smsc.log; do
    [[ -s $log ]] && { echo "--- last lines of $log:" >&2; tail -n 15 "$log" >&2; }
  done
  exit 1
}
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  umount -R "$root/proc" "$root/dev" "$root/var/cache/apt/archives" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
in_root() { chroot "$root" "$@"; }
as_tocsin() { chroot "$root" runuser -u tocsin -- "$@"; }
# Waits up to $2 seconds for file $1 to contain the extended regex $3.
wait_for() {
  local file=$1 seconds=$2 pattern=$3 i
  for ((i = 0; i < seconds * 10; i++)); do
    grep -qE "$pattern" "$file" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "--- $file:" >&2
  tail -n 20 "$file" >&2 || true
  fail "no '$pattern' in $file after $seconds s"
}
field() { dpkg-deb -f "$1" "$2"; }

step "1. packages from the build tree"
"$src/scripts/package" --no-build --build "$build" --revision 1 --out "$work/v1" >/dev/null
deb=$(ls "$work"/v1/tocsin_*-1_*.deb)
kiosk_deb=$(ls "$work"/v1/tocsin-kiosk_*-1_*.deb)
version=$("$build/bin/tocsinctl" --version | awk '{print $2}')
[[ $(field "$deb" Package) == tocsin ]] || fail "package name"
[[ $(field "$deb" Version) == "$version-1" ]] || fail "version $(field "$deb" Version), expected $version-1"
depends=$(field "$deb" Depends)
echo "Depends: $depends"
for lib in adduser libc6 libpocofoundation80 libpoconetssl80 libsqlite3-0 libssl3 libphonenumber8 libsystemd0 libicu72; do
  [[ $depends == *"$lib"* ]] || fail "tocsin does not depend on $lib"
done
[[ $(field "$kiosk_deb" Package) == tocsin-kiosk ]] || fail "kiosk package name"
[[ $(field "$kiosk_deb" Depends) == *libglfw3* ]] || fail "tocsin-kiosk does not depend on libglfw3"
dpkg-deb -I "$deb" >"$work/info.txt"
for script in preinst postinst prerm postrm conffiles; do
  grep -qE "^ +[0-9]+ bytes, +[0-9]+ lines +(\*  )?$script" "$work/info.txt" || fail "no $script in the control archive"
done
mkdir "$work/control"
dpkg-deb -e "$deb" "$work/control"
grep -qx /etc/tocsin/broadcaster.json "$work/control/conffiles" || fail "the configuration is not a conffile"
for script in preinst postinst prerm postrm; do sh -n "$work/control/$script" || fail "$script is not valid sh"; done
grep -q "supported=[1-9]" "$work/control/preinst" || fail "the preinst does not know the schema version"
dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|' >"$work/contents.txt"
for f in /usr/bin/tocsin-broadcaster /usr/bin/tocsinctl /usr/bin/tocsin-smsc-sim /usr/bin/tocsin-modem-sim \
         /lib/systemd/system/tocsin-broadcaster.service /usr/lib/tmpfiles.d/tocsin.conf \
         /usr/lib/sysusers.d/tocsin.conf /etc/tocsin/broadcaster.json /usr/share/doc/tocsin/README.md; do
  grep -qx "$f" "$work/contents.txt" || fail "$f is not in the package"
done
if grep -E '_tests$|tocsin-bench|tocsin-demo|tocsin-kiosk' "$work/contents.txt"; then fail "test, demo or kiosk binaries in tocsin"; fi
dpkg-deb -c "$kiosk_deb" | grep '/usr/bin/tocsin-kiosk$' >/dev/null || fail "no tocsin-kiosk binary in tocsin-kiosk"
dpkg-deb -x "$kiosk_deb" "$work/kiosk"
sh -n "$work/kiosk/usr/bin/tocsin-kiosk-session" || fail "tocsin-kiosk-session is not valid sh"
grep -qx /etc/tocsin/kiosk.env <(dpkg-deb --ctrl-tarfile "$kiosk_deb" | tar -xO ./conffiles) || fail "kiosk.env is not a conffile"
echo "ok: $(basename "$deb") and $(basename "$kiosk_deb"), $(wc -l <"$work/contents.txt") paths"

step "2. a clean Debian 12 root, and apt install ./tocsin_*.deb"
debian_root "$root"
mount -t proc proc "$root/proc"
mount --rbind /dev "$root/dev"
mount --bind "$cache/apt-archives" "$root/var/cache/apt/archives"
cp "$deb" "$root/tmp/packages/"
apt_get() { in_root env DEBIAN_FRONTEND=noninteractive apt-get -q -y -o Dpkg::Options::=--force-confold "$@"; }
apt_get update >"$work/apt.log" 2>&1 || { tail -n 20 "$work/apt.log"; fail "apt-get update in the root"; }
apt_get install --no-install-recommends "/tmp/packages/$(basename "$deb")" >"$work/install.log" 2>&1 ||
  { tail -n 30 "$work/install.log"; fail "apt install of $(basename "$deb")"; }
grep -E "tocsin: " "$work/install.log" || true
[[ $(in_root dpkg-query -W -f='${Version}' tocsin) == "$version-1" ]] || fail "tocsin is not installed"
passwd_line=$(in_root getent passwd tocsin) || fail "no tocsin user"
echo "tocsin user: $passwd_line"
[[ $passwd_line == *:/var/lib/tocsin:/usr/sbin/nologin ]] || fail "tocsin is not a system user without a shell"
uid=$(cut -d: -f3 <<<"$passwd_line")
((uid < 1000)) || fail "tocsin's uid $uid is not a system uid"
[[ $(stat -c '%a %U' "$root/var/lib/tocsin") == "700 $uid" || $(in_root stat -c '%a %U' /var/lib/tocsin) == "700 tocsin" ]] ||
  fail "/var/lib/tocsin is $(in_root stat -c '%a %U' /var/lib/tocsin)"
[[ $(in_root stat -c '%a %U %G' /etc/tocsin/broadcaster.json) == "640 root tocsin" ]] ||
  fail "/etc/tocsin/broadcaster.json is $(in_root stat -c '%a %U %G' /etc/tocsin/broadcaster.json)"
[[ -L $root/etc/systemd/system/multi-user.target.wants/tocsin-broadcaster.service ]] || fail "the unit is not enabled"
in_root systemd-analyze verify /lib/systemd/system/tocsin-broadcaster.service || fail "systemd-analyze verify"
echo "ok: installed, user and directories in place, unit enabled and verified"

step "3. the daemon as the unit runs it, against tocsin-smsc-sim"
unit=$root/lib/systemd/system/tocsin-broadcaster.service
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
[[ $(sed -n 's/^User=//p' "$unit") == tocsin ]] || fail "the unit does not run as tocsin"
for hardening in "Type=notify" "Restart=on-failure" "WatchdogSec=" "ProtectSystem=strict" "ReadWritePaths=/var/lib/tocsin" \
                 "NoNewPrivileges=yes" "PrivateTmp=yes" "CapabilityBoundingSet=$"; do
  grep -qE "^$hardening" "$unit" || fail "the unit lacks $hardening"
done
start_smsc_and_configure --latency-ms 20 --dlr-delay-ms 50 --report jsonl
start_daemon() {  # $1: its log
  rm -f "$root/run/notify.sock"
  socat -u UNIX-RECV:"$root/run/notify.sock" OPEN:"$1.notify",creat,append &
  pids+=($!)
  for _ in $(seq 50); do [[ -S $root/run/notify.sock ]] && break; sleep 0.1; done
  chmod 666 "$root/run/notify.sock"
  # Its standard error stands for the journal's stream (systemd names it in JOURNAL_STREAM).
  : >"$1"
  local stream
  stream=$(stat -c '%d:%i' "$1")
  # shellcheck disable=SC2086
  chroot "$root" setpriv --reuid=tocsin --regid=tocsin --init-groups --no-new-privs --bounding-set=-all --inh-caps=-all \
    -- env NOTIFY_SOCKET=/run/notify.sock WATCHDOG_USEC=4000000 JOURNAL_STREAM="$stream" $exec_start >>"$1" 2>&1 &
  daemon_pid=$!
  pids+=("$daemon_pid")
}
stop_daemon() {  # $1: its log
  kill -TERM "$daemon_pid"
  local status=0
  wait "$daemon_pid" || status=$?
  ((status == 0)) || { tail -n 20 "$1"; fail "the daemon exited $status on SIGTERM"; }
  wait_for "$1.notify" 5 "STOPPING=1"
}
start_daemon "$work/daemon1.log"
wait_for "$work/daemon1.log.notify" 30 "READY=1"
wait_for "$work/daemon1.log.notify" 10 "WATCHDOG=1"
grep -q "STATUS=.*version $version" "$work/daemon1.log.notify" || fail "the ready status does not name the version"
grep -q '^<6>{"ts":.*"event":"broadcaster.start"' "$work/daemon1.log" || fail "the journal's lines do not carry their priority"
[[ $(ps -o uid= -p "$daemon_pid" | tr -d " ") == "$uid" ]] || fail "the daemon does not run as tocsin (uid $uid)"
grep -q '^CapEff:[[:space:]]*0*$' "/proc/$daemon_pid/status" || fail "the daemon holds capabilities"
grep -q '^NoNewPrivs:[[:space:]]*1' "/proc/$daemon_pid/status" || fail "the daemon may gain privileges"
api_port=$(grep -o '"event":"api.listen".*' "$work/daemon1.log" | grep -o '"port":"[0-9]*"' | grep -o '[0-9]*')
health=$(curl -sS --cacert "$root/var/lib/tocsin/keys/api-certificate.pem" "https://127.0.0.1:$api_port/health")
echo "/health: $health"
[[ $health == *"\"version\":\"$version\""* && $health == *'"status":"ok"'* ]] || fail "/health does not name the version"
as_tocsin tocsinctl status >"$work/status.txt"
head -n 3 "$work/status.txt"
grep -q "running (version $version" "$work/status.txt" || fail "tocsinctl status does not name the running version"
if in_root tocsinctl status >"$work/as-root.txt" 2>&1; then fail "root worked on the tocsin user's store"; fi
grep -q "run tocsinctl as that user (runuser -u tocsin" "$work/as-root.txt" || fail "root's refusal does not say whom to run as"
printf 'phone,name,zone,language\n+33612340001,Anne,centre,fr\n+33612340002,Bruno,centre,fr\n+33612340003,Chloe,centre,fr\n' \
  >"$root/tmp/residents.csv"
echo "Je veux recevoir les alertes de la commune par SMS." >"$root/tmp/alerts-fr.txt"
as_tocsin tocsinctl contacts import /tmp/residents.csv
as_tocsin tocsinctl consent text add --id alerts-v1 --language fr --purpose alerts --file /tmp/alerts-fr.txt >/dev/null
for n in 1 2 3; do
  as_tocsin tocsinctl consent grant "+3361234000$n" --purpose alerts --text alerts-v1 --language fr --channel cli:installer \
    --method written >/dev/null
  as_tocsin tocsinctl consent confirm "+3361234000$n" --purpose alerts --method written --evidence "form $n" >/dev/null
done
send_alert() {  # $1: title; prints the job id
  as_tocsin tocsinctl alert send --title "$1" --text "fr:EXERCICE $1: ceci est un test." --zone centre --class test \
    --mode test | sed -n 's/^alert \([0-9]*\) drafted.*/\1/p'
}
wait_delivered() {  # $1: job id, $2: how many
  local i
  for ((i = 0; i < 300; i++)); do
    as_tocsin tocsinctl status --job "$1" >"$work/job.txt" 2>&1 || true
    grep -q "delivered $2 " "$work/job.txt" && return 0
    sleep 0.1
  done
  cat "$work/job.txt"
  fail "job $1 did not deliver $2 messages"
}
job=$(send_alert "Crue")
wait_delivered "$job" 3
for n in 1 2 3; do grep -q "3361234000$n" "$work/smsc.log" || fail "the SMSC did not receive the alert for +3361234000$n"; done
echo "ok: alert $job delivered to 3 residents through the SMSC"

step "4. a backup while it runs, an upgrade keeping data and configuration, a restore"
echo "correct horse battery staple" >"$root/tmp/passphrase"
chmod 644 "$root/tmp/passphrase"
as_tocsin tocsinctl store backup --out /var/lib/tocsin/backups/before-upgrade.db \
  --passphrase-file /tmp/passphrase | tee "$work/backup.txt"
backup_counts=$(sed -n 's/^  \(schema version.*\)$/\1/p' "$work/backup.txt")
[[ -n $backup_counts ]] || fail "the backup printed no counts"
stop_daemon "$work/daemon1.log"
"$src/scripts/package" --no-build --build "$build" --revision 2 --out "$work/v2" >/dev/null
deb2=$(ls "$work"/v2/tocsin_*-2_*.deb)
cp "$deb2" "$root/tmp/packages/"
apt_get install --no-install-recommends "/tmp/packages/$(basename "$deb2")" >"$work/upgrade.log" 2>&1 ||
  { tail -n 30 "$work/upgrade.log"; fail "the upgrade"; }
[[ $(in_root dpkg-query -W -f='${Version}' tocsin) == "$version-2" ]] || fail "tocsin was not upgraded"
grep -q "\"port\": $smsc_port" "$root/etc/tocsin/broadcaster.json" || fail "the upgrade did not keep the edited configuration"
[[ ! -e $root/etc/tocsin/broadcaster.json.dpkg-dist ]] || true
start_daemon "$work/daemon2.log"
wait_for "$work/daemon2.log.notify" 30 "READY=1"
as_tocsin tocsinctl store info >"$work/info2.txt"
grep -q "contacts:       3" "$work/info2.txt" || fail "the contacts did not survive the upgrade"
job2=$(send_alert "Orage")
wait_delivered "$job2" 3
echo "ok: upgraded to $version-2, configuration and data kept, alert $job2 delivered"
stop_daemon "$work/daemon2.log"
as_tocsin tocsinctl store restore /var/lib/tocsin/backups/before-upgrade.db \
  --keys /var/lib/tocsin/backups/before-upgrade.db.keys --passphrase-file /tmp/passphrase | tee "$work/restore.txt"
restore_counts=$(sed -n 's/^  \(schema version.*\)$/\1/p' "$work/restore.txt")
[[ $restore_counts == "$backup_counts" ]] || fail "the restored counts ($restore_counts) differ from the backup's ($backup_counts)"
grep -q "audit chain verified" "$work/restore.txt" || fail "the restore did not verify the chain"
as_tocsin tocsinctl audit verify >"$work/verify.txt"
head -n 1 "$work/verify.txt"
grep -q "audit chain intact" "$work/verify.txt" || fail "the restored store's chain does not verify"
as_tocsin tocsinctl status --job "$job2" >/dev/null 2>&1 && fail "job $job2, made after the backup, survived the restore"
echo "ok: restored; counts match the backup's ($backup_counts)"

step "5. a downgrade is refused"
python3 -c "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('PRAGMA user_version = 99'); c.commit(); c.close()" \
  "$root/var/lib/tocsin/tocsin.db"
cp "$deb" "$root/tmp/packages/"
if in_root dpkg -i "/tmp/packages/$(basename "$deb")" >"$work/downgrade.log" 2>&1; then fail "the older package installed over a newer store"; fi
grep "tocsin: " "$work/downgrade.log" || true
grep -q "refusing to install Tocsin" "$work/downgrade.log" || fail "the downgrade's refusal does not say why"
[[ $(in_root dpkg-query -W -f='${Version}' tocsin) == "$version-2" ]] || fail "the refused downgrade changed the package"
if as_tocsin /usr/bin/tocsin-broadcaster --config /etc/tocsin/broadcaster.json >"$work/daemon3.log" 2>&1; then
  fail "the daemon started on a store made by a newer Tocsin"
fi
grep -q "a downgrade is not supported" "$work/daemon3.log" || fail "the daemon's refusal does not say why"
echo "ok: the older package and the daemon both refuse a newer store"
echo
echo "PASS"
