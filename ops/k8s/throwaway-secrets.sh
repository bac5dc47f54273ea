#!/usr/bin/env bash
# Writes throwaway secrets.env files into a COPY of ops/k8s, so every overlay renders where no
# operator has written one (a fresh clone, CI):
#
#   throwaway-secrets.sh K8S_DIR
#
# For each overlays/*/secrets.env.example under K8S_DIR, writes secrets.env beside it: the
# example's lines, where an empty value becomes a random one (64 hex digits, new every run) and
# each PASSWORD in a value a random one too, and HOST `throwaway.invalid`. Nothing of it is usable
# anywhere, nor kept: ops/k8s/validate.sh and tests/api/k8s.rs render from a temporary copy
# and delete it. It refuses to write into the checkout's own ops/k8s, where secrets.env is the
# operator's.
set -euo pipefail
dir=${1:?usage: throwaway-secrets.sh K8S_DIR (a copy of ops/k8s)}
here=$(cd "$(dirname "$0")" && pwd -P)
if [ "$(cd "$dir" && pwd -P)" = "$here" ]; then
  echo "throwaway-secrets.sh: $dir is the checkout's ops/k8s; give a copy of it" >&2
  exit 2
fi

random() { od -An -N32 -tx1 /dev/urandom | tr -d ' \n'; }

for example in "$dir"/overlays/*/secrets.env.example; do
  [ -e "$example" ] || continue
  out=${example%.example}
  if [ -e "$out" ]; then
    echo "throwaway-secrets.sh: $out exists; not overwritten" >&2
    exit 1
  fi
  while IFS= read -r line || [ -n "$line" ]; do
    case $line in
      '#'* | '') ;;
      *=) line="$line$(random)" ;;
      *=*)
        while [[ $line == *PASSWORD* ]]; do line=${line/PASSWORD/$(random)}; done
        line=${line//HOST/throwaway.invalid}
        ;;
    esac
    printf '%s\n' "$line"
  done <"$example" >"$out"
done
