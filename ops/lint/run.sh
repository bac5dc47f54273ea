#!/usr/bin/env bash
# Lints the browser modules in web/js with the ESLint pinned in ops/lint/package-lock.json and
# the rules of ops/lint/eslint.config.js. Installs the pinned packages into ops/lint/node_modules
# (npm ci) the first time, and again whenever package-lock.json changes; otherwise installs
# nothing. Exits non-zero on any problem, with one summary line on success. Runs from any
# directory.
set -euo pipefail
lint_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$lint_dir/../.." && pwd)
target=web/js

for tool in node npm; do
  if ! command -v "$tool" >/dev/null; then
    echo "ops/lint/run.sh: $tool is not installed; install Node.js (18.18 or newer) and npm" \
      "(on Debian, as root: apt-get install -y nodejs npm)" >&2
    exit 1
  fi
done

# The stamp holds the hash of the lock that node_modules was installed from.
stamp=$lint_dir/.installed-lock.sha256
want=$(sha256sum "$lint_dir/package-lock.json" | cut -d' ' -f1)
if [ ! -x "$lint_dir/node_modules/.bin/eslint" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "ops/lint/run.sh: installing the pinned ESLint (npm ci)"
  rm -f "$stamp"
  (cd "$lint_dir" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$want" >"$stamp"
fi

cd "$root"
eslint=$lint_dir/node_modules/.bin/eslint
# --max-warnings 0: a warning fails the run as an error does.
"$eslint" --config ops/lint/eslint.config.js --max-warnings 0 "$target"
files=$(find "$target" -name '*.js' -type f | wc -l)
echo "lint: $files files in $target, no problems (eslint $("$eslint" --version | tr -d v))"
