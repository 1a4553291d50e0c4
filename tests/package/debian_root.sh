# Sourced by the package tests, before anything else they do:
#   package_test_setup "$@"  root or skip (77); a private mount namespace (re-runs the script in
#                            one); sets src, build, cache, work (a new temporary folder), root
#   debian_root DIR          a clean Debian 12 root (debootstrap, minbase and systemd), made once
#                            into $cache/bookworm-root.tar and unpacked afresh for each run; apt's
#                            downloads are kept in $cache/apt-archives. Needs fail().
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
