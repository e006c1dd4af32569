#!/usr/bin/env bash
# Install leadpack from this repository's own files, on a fresh machine or again (idempotent).
#
#   scripts/setup.sh          pip install -e .            (the leadpack command)
#   scripts/setup.sh --test   also the test stack:
#                             - Debian's chromium (/usr/bin/chromium) and fonts, via apt
#                             - pip install -e '.[test]'  (pytest, playwright, hypothesis, ralph-malph[cli,lrs], ...)
#                             - npm ci                    (scorm-again, axe-core, xapi-validation -> node_modules/)
#
# Never runs `playwright install`: browser downloads can't work here, and the tests drive the
# system Chromium through executable_path="/usr/bin/chromium" (tests/support/browser.py).
# Environment: PYTHON (default python3) picks the interpreter / virtualenv to install into.
set -euo pipefail

usage() { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; }

WITH_TEST=0
for arg in "$@"; do
  case "$arg" in
    --test) WITH_TEST=1 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "setup.sh: unknown argument: $arg" >&2; usage >&2; exit 2 ;;
  esac
done

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3}"

log() { printf '==> %s\n' "$*"; }

# Debian packages for the browser tests. fonts-liberation/dejavu give Chromium real fonts for
# layout, screenshots and axe-core's colour-contrast checks on a minimal machine.
APT_PACKAGES=(chromium fonts-liberation fonts-dejavu-core)

apt_install() {
  local missing=() pkg
  for pkg in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$pkg")
    fi
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    log "apt: already installed: $*"
    return 0
  fi
  local SUDO=()
  if [ "$(id -u)" -ne 0 ]; then SUDO=(sudo); fi
  # Refresh the package lists only when apt doesn't know a candidate for a missing package
  # (a fresh machine has empty lists; `apt-cache policy` prints "Candidate: (none)" or nothing).
  local need_update=0
  for pkg in "${missing[@]}"; do
    if ! apt-cache policy "$pkg" 2>/dev/null | grep -q 'Candidate: [^(]'; then
      need_update=1
    fi
  done
  if [ "$need_update" -eq 1 ]; then
    log "apt-get update"
    "${SUDO[@]}" apt-get update -q
  fi
  log "apt-get install ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -q "${missing[@]}"
}

if [ "$WITH_TEST" -eq 1 ]; then
  apt_install "${APT_PACKAGES[@]}"
  test -x /usr/bin/chromium || { echo "setup.sh: /usr/bin/chromium missing after apt-get install" >&2; exit 1; }

  log "pip install -e '.[test]'"
  "$PYTHON" -m pip install -q --disable-pip-version-check -e '.[test]'

  command -v npm >/dev/null || { echo "setup.sh: npm not found (Node.js 20 is needed for npm ci)" >&2; exit 1; }
  log "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
else
  log "pip install -e ."
  "$PYTHON" -m pip install -q --disable-pip-version-check -e .
fi

# pyenv puts new console scripts (leadpack) on the PATH only after a rehash.
if command -v pyenv >/dev/null 2>&1; then pyenv rehash || true; fi

log "done"
