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

# pip into $PYTHON. Debian's own python3 may come without pip (python3-pip), and is "externally managed"
# (PEP 668: /usr/lib/python3.*/EXTERNALLY-MANAGED), so pip refuses to install into it unless told to: on such a
# machine, which exists to build or test the course, leadpack goes beside Debian's packages. A virtualenv or a
# pyenv Python (PYTHON=...) is never externally managed, and is used as it is.
pip_install() {
  if ! "$PYTHON" -m pip --version >/dev/null 2>&1; then apt_install python3-pip; fi
  local managed=()
  if "$PYTHON" - <<'PY'
import os, sys, sysconfig
marker = os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED")
sys.exit(0 if os.path.exists(marker) and sys.prefix == sys.base_prefix else 1)
PY
  then
    managed=(--break-system-packages)
  fi
  "$PYTHON" -m pip install -q --disable-pip-version-check "${managed[@]}" "$@"
}

if [ "$WITH_TEST" -eq 1 ]; then
  apt_install "${APT_PACKAGES[@]}"
  test -x /usr/bin/chromium || { echo "setup.sh: /usr/bin/chromium missing after apt-get install" >&2; exit 1; }

  log "pip install -e '.[test]'"
  pip_install -e '.[test]'

  command -v npm >/dev/null || apt_install nodejs npm  # Debian's Node.js, where the machine has none
  command -v npm >/dev/null || { echo "setup.sh: npm not found (Node.js 18 or later is needed for npm ci)" >&2; exit 1; }
  log "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
else
  log "pip install -e ."
  pip_install -e .
fi

# pyenv puts new console scripts (leadpack) on the PATH only after a rehash.
if command -v pyenv >/dev/null 2>&1; then pyenv rehash || true; fi

log "done"
