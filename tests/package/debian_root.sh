# Sourced by the package tests, before anything else they do:
#   package_test_setup "$@"  root or skip (77); a private mount namespace (re-runs the script in
#                            one); sets src, build, cache, work (a new temporary folder), root
#   debian_root DIR          a clean Debian 12 root (debootstrap, minbase and systemd), made once
#                            into $cache/bookworm-root.tar and unpacked afresh for each run; apt's
#                            downloads are kept in $cache/apt-archives. Needs fail().
#   start_smsc_and_configure [SIM OPTIONS]
#                            the packaged tocsin-smsc-sim on a free loopback port (its PID in
#                            pids, its log $work/smsc.log, smsc_port set), then the installer's
#                            edit of the conffile: that port, and the API on loopback
package_test_setup() {  # "$@" of the script: SOURCE_DIR BUILD_DIR
  if [[ $(id -u) -ne 0 ]]; then
    echo "SKIP: installing packages into a Debian root needs root"
    exit 77
  fi
  if [[ -z ${TOCSIN_PACKAGE_TEST_NS:-} ]]; then
    exec unshare --mount --propagation private env TOCSIN_PACKAGE_TEST_NS=1 "$0" "$@"
  fi
  src=$(cd "$1" && pwd)
  build=$(cd "$2" && pwd)
  cache=$build/package-cache
  work=$(mktemp -d "/tmp/tocsin-$(basename "$0" .sh).XXXXXX")
  root=$work/root
}

debian_root() {  # $1: where
  local root=$1 mirror=${TOCSIN_DEBIAN_MIRROR:-http://deb.debian.org/debian}
  mkdir -p "$cache/apt-archives/partial"
  if [[ ! -s $cache/bookworm-root.tar ]]; then
    echo "making the Debian 12 root with debootstrap from $mirror (cached afterwards)"
    debootstrap --variant=minbase --include=systemd bookworm "$work/seed" "$mirror" >"$work/debootstrap.log" 2>&1 ||
      { tail -n 30 "$work/debootstrap.log"; fail "debootstrap"; }
    tar -C "$work/seed" -cf "$cache/bookworm-root.tar.part" . && mv "$cache/bookworm-root.tar.part" "$cache/bookworm-root.tar"
    rm -rf "$work/seed"
  fi
  mkdir "$root"
  tar -C "$root" -xf "$cache/bookworm-root.tar"
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  mkdir -p "$root/tmp/packages"
}

start_smsc_and_configure() {
  # Started by chroot itself (not through a shell function), so that its PID is the simulator's.
  chroot "$root" /usr/bin/tocsin-smsc-sim --listen 127.0.0.1:0 --account tocsin:changeme "$@" >"$work/smsc.log" 2>&1 &
  pids+=($!)
  local i
  for ((i = 0; i < 100; i++)); do
    grep -q '"port":' "$work/smsc.log" 2>/dev/null && break
    sleep 0.1
  done
  smsc_port=$(grep -o '"port":[0-9]*' "$work/smsc.log" | head -n 1 | cut -d: -f2)
  [[ -n $smsc_port ]] || fail "tocsin-smsc-sim did not start"
  python3 - "$root/etc/tocsin/broadcaster.json" "$smsc_port" <<'PY'
import json, sys
path, port = sys.argv[1], int(sys.argv[2])
config = json.load(open(path))
config["bearers"][0]["port"] = port
config["api"]["listen"] = "127.0.0.1:0"
json.dump(config, open(path, "w"), indent=2)
PY
}
