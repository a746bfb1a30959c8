#!/usr/bin/env bash
# verify-deb.sh: builds the .deb and checks it the way a Debian 12 user meets it.
#
#   1. cpack -G DEB in BUILD_DIR (a configured build folder; default build-release);
#   2. lintian (no errors allowed), desktop-file-validate and appstreamcli validate;
#   3. a clean Debian 12 root made with debootstrap (minbase) in WORKDIR: the package is
#      installed with apt (which pulls in its Depends), `swarmshare-cli --version`,
#      `swarmshare-tracker --version` and `swarmshare --version` run in the chroot, and the
#      package is removed again, leaving none of its files behind.
#
# Needs root (debootstrap, chroot) and the Debian mirror (MIRROR). Prints each step's time
# and a last line `verify-deb: ok in N s`. The root is made once per WORKDIR and reused.
#
# Usage: sudo installer/verify-deb.sh [BUILD_DIR]
# Knobs (env): WORKDIR=/var/tmp/swarmshare-verify-deb MIRROR=http://deb.debian.org/debian
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build-release}
WORKDIR=${WORKDIR:-/var/tmp/swarmshare-verify-deb}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
chroot_dir=$WORKDIR/bookworm
started=$(date +%s)
step() { echo "verify-deb: [$(($(date +%s) - started)) s] $*"; }

[[ $(id -u) -eq 0 ]] || { echo "verify-deb: run as root (debootstrap and chroot need it)" >&2; exit 1; }
for tool in lintian desktop-file-validate appstreamcli debootstrap; do
  command -v "$tool" >/dev/null || {
    echo "verify-deb: needs $tool (apt-get install lintian desktop-file-utils appstream debootstrap)" >&2
    exit 1
  }
done
[[ -f $build/CPackConfig.cmake ]] || { echo "verify-deb: $build is not a configured build folder" >&2; exit 1; }

step "building the binaries and the package in $build"
cmake --build "$build" -j "$(nproc)" >/dev/null
rm -f "$build"/swarmshare_*.deb
(cd "$build" && cpack -G DEB >/dev/null)
deb=$(ls "$build"/swarmshare_*.deb)
step "package: $deb ($(du -h "$deb" | cut -f1))"

step "lintian"
lintian --fail-on error "$deb"
step "desktop-file-validate and appstreamcli validate"
desktop-file-validate "$root/installer/linux/org.swarmshare.Swarmshare.desktop"
appstreamcli validate --no-net "$root/installer/linux/org.swarmshare.Swarmshare.metainfo.xml"

if [[ ! -x $chroot_dir/usr/bin/apt-get ]]; then
  step "debootstrap bookworm (minbase) into $chroot_dir"
  rm -rf "$chroot_dir"
  mkdir -p "$chroot_dir"
  debootstrap --variant=minbase bookworm "$chroot_dir" "$MIRROR" >"$WORKDIR/debootstrap.log"
fi

in_root() { chroot "$chroot_dir" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
  DEBIAN_FRONTEND=noninteractive "$@"; }
mount -t proc proc "$chroot_dir/proc"
mkdir -p "$chroot_dir/dev/pts"
mount -t devpts devpts "$chroot_dir/dev/pts" # apt's log wants a terminal
trap 'umount "$chroot_dir/dev/pts" "$chroot_dir/proc" 2>/dev/null || true' EXIT

step "installing the package with apt in the clean root"
cp "$deb" "$chroot_dir/tmp/"
in_root apt-get update -qq
in_root apt-get install -y -qq --no-install-recommends "/tmp/$(basename "$deb")" >"$WORKDIR/install.log"
for program in swarmshare-cli swarmshare-tracker swarmshare; do
  step "$program --version: $(in_root "$program" --version)"
done
[[ -f $chroot_dir/usr/share/applications/org.swarmshare.Swarmshare.desktop ]]
[[ -f $chroot_dir/usr/lib/systemd/system/swarmshare-tracker.service ]]
# The tracker's user exists (where systemd is, as here), and its service is not enabled.
in_root getent passwd swarmshare-tracker >/dev/null
if ls "$chroot_dir"/etc/systemd/system/*.wants/swarmshare-tracker.service >/dev/null 2>&1; then
  echo "verify-deb: the package enabled the tracker's service" >&2
  exit 1
fi
step "the tracker's user exists and its service is not enabled"

step "removing it"
in_root apt-get purge -y -qq swarmshare >"$WORKDIR/remove.log"
# What it pulled in goes too, so the next run starts from a clean root again.
in_root apt-get autoremove --purge -y -qq >>"$WORKDIR/remove.log"
left=$(ls "$chroot_dir"/usr/bin/swarmshare* "$chroot_dir"/usr/share/doc/swarmshare \
  "$chroot_dir"/usr/lib/systemd/system/swarmshare-tracker.service 2>/dev/null || true)
if [[ -n $left ]]; then
  echo "verify-deb: left behind after removal: $left" >&2
  exit 1
fi
if in_root dpkg -s swarmshare >/dev/null 2>&1; then
  echo "verify-deb: dpkg still knows the package" >&2
  exit 1
fi
rm -f "$chroot_dir/tmp/$(basename "$deb")"
echo "verify-deb: ok in $(($(date +%s) - started)) s"
