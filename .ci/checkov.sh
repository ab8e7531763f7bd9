#!/usr/bin/env bash
# checkov scan of the pan-cni chart as it is rendered for every platform.
#
# checkov pins versions that clash with the project's, so it lives in its own virtualenv
# (.venv-checkov, created on first use). The chart is rendered with the project's venv
# (components/cluster/chart.py runs Helm's engine offline), then checkov scans the YAML.
# Findings the CNI has to keep are suppressed in .checkov.yaml, each with its reason;
# anything else fails this script.
#
# Environment: AIRS_PYTHON (default .venv/bin/python), CHECKOV_VENV (default .venv-checkov).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
python="${AIRS_PYTHON:-$root/.venv/bin/python}"
checkov_venv="${CHECKOV_VENV:-$root/.venv-checkov}"

if [ ! -x "$checkov_venv/bin/checkov" ]; then
    echo "checkov.sh: creating $checkov_venv" >&2
    python3 -m venv "$checkov_venv"
    "$checkov_venv/bin/python" -m pip install --quiet --disable-pip-version-check "checkov>=3.2,<4"
fi
# Keep the venv out of git, ruff and the like (Python >= 3.13 venv does this itself).
[ -f "$checkov_venv/.gitignore" ] || echo '*' > "$checkov_venv/.gitignore"

rendered="$(mktemp -d)"
trap 'rm -rf "$rendered"' EXIT
"$python" -m components.cluster.chart --out "$rendered" >&2

"$checkov_venv/bin/checkov" --version >&2
# --config-file carries the suppressions (skip-check) and the framework.
"$checkov_venv/bin/checkov" \
    --config-file "$root/.checkov.yaml" \
    --directory "$rendered" \
    --framework kubernetes \
    --compact \
    --quiet
