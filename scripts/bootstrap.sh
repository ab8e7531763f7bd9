#!/usr/bin/env bash
# Create (or refresh) the project's virtualenv in .venv with everything the program, the
# offline plan and the tests need. Sourced by scripts/airs and scripts/test; idempotent:
# it reinstalls only when pyproject.toml changed since the last install.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PYTHON="${PYTHON:-python3}"
STAMP="$VENV/.airs-installed"
want="$(sha256sum "$ROOT/pyproject.toml" | cut -d' ' -f1)"
if [ ! -x "$VENV/bin/python" ]; then
  echo "creating virtualenv $VENV" >&2
  "$PYTHON" -m venv "$VENV"
fi
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$want" ]; then
  echo "installing airs-intercept and its dependencies into $VENV (about a minute)" >&2
  "$VENV/bin/python" -m pip install --quiet --upgrade pip >&2
  "$VENV/bin/python" -m pip install --quiet -e "$ROOT[test]" >&2
  # An editable install leaves our modules uncompiled (pip compiles only what it copies);
  # with PYTHONDONTWRITEBYTECODE set, every run would compile them again.
  "$VENV/bin/python" -m compileall -q "$ROOT/components" >&2
  echo "$want" > "$STAMP"
fi
