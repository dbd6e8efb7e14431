#!/usr/bin/env bash
# Installs the Debian packages the full test suite needs: Chromium (real-browser tests),
# PostgreSQL (shared gradebook tests) and bubblewrap (grading sandbox). Root only; others get a clear line.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v bwrap >/dev/null 2>&1 || need+=(bubblewrap)
command -v npm >/dev/null 2>&1 || need+=(npm)   # fetches the course website's pinned scripts once
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "missing Debian packages: ${need[*]} (install them: sudo apt-get install ${need[*]})" >&2
  exit 0
fi
echo "installing Debian packages: ${need[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" fonts-dejavu-core >/dev/null
