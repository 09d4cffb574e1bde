#!/usr/bin/env bash
# Everything the test suite needs on a fresh Debian machine: system packages, the project with
# its development extras, and resemblyzer (installed without its declared dependencies, which
# would pull the obsolete `typing` backport; the ones it uses are in the `eval` extra).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system-deps.sh
python -m pip install -q -e ".[dev]"
python -m pip install -q --no-deps "resemblyzer==0.1.4"
