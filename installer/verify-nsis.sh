#!/usr/bin/env bash
# verify-nsis.sh: checks the Windows installer's NSIS script on Linux.
#
# A Windows build cannot be made here, but CPack's NSIS generator and makensis run on
# Linux: `cpack -G NSIS` in BUILD_DIR (a configured build folder; default build-release)
# writes the installer script and compiles it around this build's (Linux) programs. That
# proves the script CPack makes from installer/CMakeLists.txt compiles, and this script then
# checks, in makensis's own listing of what it compiled, that the installer
#   - creates the Start menu shortcut to the client and one to the uninstaller,
#   - writes the uninstaller,
#   - registers the swarmshare: link scheme to the client, and the uninstaller removes it.
# The .exe it writes is thrown away: it holds Linux binaries. What runs on Windows is the
# release workflow's (.github/workflows/release.yml).
#
# Needs makensis (apt-get install nsis). Prints `verify-nsis: ok` at the end.
#
# Usage: installer/verify-nsis.sh [BUILD_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build-release}
command -v makensis >/dev/null || { echo "verify-nsis: needs makensis (apt-get install nsis)" >&2; exit 1; }
[[ -f $build/CPackConfig.cmake ]] || { echo "verify-nsis: $build is not a configured build folder" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --build "$build" -j "$(nproc)" >/dev/null
(cd "$build" && cpack -G NSIS -B "$work" >/dev/null)
script=$(find "$work" -name project.nsi | head -1)
[[ -n $script ]] || { echo "verify-nsis: cpack wrote no project.nsi" >&2; exit 1; }
(cd "$(dirname "$script")" && makensis -V4 project.nsi) > "$work/listing.txt" 2>&1

failed=0
expect() { # description, fixed string makensis must have listed
  if grep -qF -- "$2" "$work/listing.txt"; then
    echo "verify-nsis: ok: $1"
  else
    echo "verify-nsis: MISSING: $1 ($2)" >&2
    failed=1
  fi
}
expect "Start menu shortcut to the client" 'CreateShortcut: "$SMPROGRAMS\$STARTMENU_FOLDER\Swarmshare.lnk"->"$INSTDIR\bin\swarmshare.exe"'
expect "Start menu shortcut to the uninstaller" '$STARTMENU_FOLDER\Uninstall.lnk'
expect "uninstaller written" 'WriteUninstaller: "$INSTDIR\Uninstall.exe"'
expect "link scheme declared" 'WriteRegStr: HKLM\Software\Classes\swarmshare\URL Protocol='
expect "link scheme opens the client" 'WriteRegStr: HKLM\Software\Classes\swarmshare\shell\open\command\="$INSTDIR\bin\swarmshare.exe" "%1"'
expect "uninstaller removes the link scheme" 'DeleteRegKey: HKLM\Software\Classes\swarmshare'
expect "finish page offers to start the client" 'MUI_FINISHPAGE_RUN'
((failed == 0)) || exit 1
echo "verify-nsis: ok"
