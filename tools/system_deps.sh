#!/usr/bin/env bash
# Debian packages the course needs beyond Python.
#   tools/system_deps.sh sandbox   bubblewrap only: what `make grade` and `make bench` need (a grading server)
#   tools/system_deps.sh all       also Chromium (real-browser tests) and PostgreSQL (shared-gradebook tests):
#                                  what `make test` needs on a developer's or CI machine
# Installed with apt-get when we are root; any other user gets the one line to run.
set -euo pipefail
what=${1:-all}
need=()
command -v bwrap >/dev/null 2>&1 || need+=(bubblewrap)
case "$what" in
  sandbox) ;;
  all)
    command -v chromium >/dev/null 2>&1 || need+=(chromium fonts-dejavu-core)
    ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
    ;;
  *) echo "system_deps.sh: unknown set '$what' (sandbox or all)" >&2; exit 2 ;;
esac
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "missing Debian packages: ${need[*]} (install them: sudo apt-get install ${need[*]})" >&2
  exit 0
fi
echo "== installing Debian packages: ${need[*]}"
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need[@]}"
