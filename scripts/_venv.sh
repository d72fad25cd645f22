# shellcheck shell=bash
# Sourced by scripts/test and scripts/serve so both use one bootstrap: cd to the repo root and
# make sure .venv exists with the project and the example plugin installed (pip only re-runs
# when either pyproject.toml changed, keeping repeat runs fast).

cd "$(dirname "${BASH_SOURCE[0]}")/.." || return

zz_python() {
  # pyenv shims exist for versions that are not active, so run each candidate, don't just find it.
  local py
  for py in python3.13 python3.12 python3.11 python3; do
    if "$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1; then
      echo "$py"
      return 0
    fi
  done
  echo "error: Python >= 3.11 not found (tried python3.13, python3.12, python3.11, python3)" >&2
  return 1
}

if ! .venv/bin/python -c '' >/dev/null 2>&1; then
  py=$(zz_python)
  "$py" -m venv --clear .venv
fi
# The example plugin is a separate distribution installed next to the project, so every app
# built with entry points loads it and the matrices and contract test cover its routes.
if [ ! -e .venv/.installed ] || [ pyproject.toml -nt .venv/.installed ] ||
  [ examples/hello-plugin/pyproject.toml -nt .venv/.installed ]; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]' \
    -e ./examples/hello-plugin
  touch .venv/.installed
fi
