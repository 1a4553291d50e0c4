# Sourced by the package tests: a clean Debian 12 root (debootstrap, minbase and systemd), made
# once into $cache/bookworm-root.tar and unpacked afresh for each run; apt's downloads are kept
# in $cache/apt-archives. Needs $cache, $work and fail().
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
