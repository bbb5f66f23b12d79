#!/usr/bin/env bash
# The transport and rate-limiter tests against the lowest and the highest python-telegram-bot
# the dependency range (>=22.0,<23) allows: each in a throwaway venv, pip's cache reused.
# Usage: bash .ci/ptb_versions.sh [VERSION ...]   (default: 22.0 and the newest 22.x on PyPI)
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
ROOT="${PTB_VENVS:-.ci-venv-ptb}"
TESTS=(tests/test_transport.py tests/test_rate_limiter.py tests/test_ptb_rate_limiter.py)

if [ "$#" -gt 0 ]; then
  versions=("$@")
else
  newest="$("$PYTHON" -m pip index versions python-telegram-bot 2>/dev/null \
    | sed -n 's/^Available versions: //p' | tr ',' '\n' | tr -d ' ' | grep -E '^22\.' | sort -V | tail -n 1)"
  if [ -z "$newest" ]; then
    echo "ptb_versions: could not find the newest python-telegram-bot 22.x on PyPI" >&2
    exit 1
  fi
  versions=(22.0 "$newest")
fi

for version in "${versions[@]}"; do
  venv="$ROOT/$version"
  echo "== python-telegram-bot $version"
  "$PYTHON" -m venv --clear "$venv"
  # pip's (and setuptools') chatter goes to a log, shown only if the install fails.
  if ! { "$venv/bin/python" -m pip install --upgrade pip \
    && "$venv/bin/python" -m pip install -e '.[dev]' "python-telegram-bot[job-queue]==$version"
  } >"$venv/pip.log" 2>&1; then
    cat "$venv/pip.log" >&2
    echo "ptb_versions: installing python-telegram-bot $version failed" >&2
    exit 1
  fi
  installed="$("$venv/bin/python" -c 'import telegram; print(telegram.__version__)')"
  if [ "$installed" != "$version" ]; then
    echo "ptb_versions: asked for $version, got $installed" >&2
    exit 1
  fi
  "$venv/bin/python" -m pytest -q -p no:cacheprovider "${TESTS[@]}"
done
