#!/usr/bin/env bash
# Renders ops/k8s, the base and every overlay, with `kubectl kustomize`, and validates every
# object it renders. Prints one line per kustomization with its object count; exits non-zero if
# one fails to render or has any invalid object. No cluster is needed, nor used.
#
# What is validated (ops/k8s/validate.py):
#  - every object against the Kubernetes API's JSON schemas that kubernetes-validate bundles, in
#    strict mode (a field the API does not define is an error, not ignored), for Kubernetes 1.32
#    (the kubectl of these machines) and 1.37 (the newest bundled: an API removed since fails);
#  - the ServiceMonitor, a prometheus-operator kind those schemas do not know, against
#    ops/k8s/schemas/servicemonitor-monitoring-v1.json: written for this project from the
#    operator's API reference (spec and endpoint fields with their types, unknown fields
#    refused; TLS, credential and proxy settings checked as objects only), not the operator's
#    generated CRD schema. kubernetes-validate by itself would only warn about the unknown kind
#    and pass it, so any kind with no schema here fails;
#  - references between objects: selectors select (NetworkPolicies' too), ports and Secret and
#    ConfigMap keys exist, volumes name what exists.
#
# Secrets: each overlay generates its Secret from secrets.env, a file the operator writes and git
# ignores. So that a fresh clone renders, every kustomization is rendered from a temporary copy
# of ops/k8s in which ops/k8s/throwaway-secrets.sh writes each overlay's secrets.env afresh, with
# random values, from its secrets.env.example; an operator's own secrets.env is neither read nor
# touched. The base alone renders no Secret (its overlay generates it): Secret carstore is taken
# as given there.
# What is not: anything only a cluster decides (admission policies, quotas, whether the images
# pull, the storage class, the Ingress controller's annotations) and what carstore itself
# requires of them: tests/api/k8s.rs checks the manifests against the binary.
#
# Installs kubernetes-validate (pinned, schemas included) into a cached virtualenv,
# $K8S_VENV or /var/cache/carstore-k8s/venv, and reuses it.
set -euo pipefail
cd "$(dirname "$0")/../.."

KUBERNETES_VALIDATE_VERSION=1.37.0
KUBERNETES_VERSIONS=(1.32 1.37)
VENV=${K8S_VENV:-/var/cache/carstore-k8s/venv}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

say() { printf '== %s\n' "$*" >&2; }
. ops/pinned-venv.sh # the repository root is the working directory (above)

if ! command -v kubectl >/dev/null; then
  echo "ops/k8s/validate.sh: kubectl is not installed. Install kubectl 1.32 or newer (it" \
    "includes kustomize): https://kubernetes.io/docs/tasks/tools/ - no cluster is needed" >&2
  exit 1
fi

install_kubernetes_validate() {
  if [ -x "$VENV/bin/kubernetes-validate" ] &&
    [ "$("$VENV/bin/kubernetes-validate" --version 2>/dev/null)" = "$KUBERNETES_VALIDATE_VERSION" ]
  then
    return 0
  fi
  say "installing kubernetes-validate $KUBERNETES_VALIDATE_VERSION into $VENV"
  make_pinned_venv "$VENV" "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION"
}

install_kubernetes_validate
say "kubectl $(kubectl version --client 2>/dev/null | head -1 | sed 's/^Client Version: //')," \
  "kubernetes-validate $KUBERNETES_VALIDATE_VERSION"

# The copy, without any operator's secrets.env, and throwaway ones in their place.
cp -R ops/k8s "$WORK/k8s"
rm -f "$WORK"/k8s/overlays/*/secrets.env
bash ops/k8s/throwaway-secrets.sh "$WORK/k8s"
say "rendered with throwaway secrets.env files (random values) in a temporary copy"

status=0
for dir in ops/k8s/base ops/k8s/overlays/*/; do
  dir=${dir%/}
  name=$(basename "$dir")
  given=()
  [ "$name" = base ] && given=(--given Secret/carstore)
  if ! kubectl kustomize "$WORK/${dir#ops/}" >"$WORK/$name.yaml" 2>"$WORK/$name.err"; then
    sed "s|$WORK/k8s|ops/k8s|g; s/^/  /" "$WORK/$name.err"
    echo "k8s $name: FAILED to render ($dir)"
    status=1
    continue
  fi
  "$VENV/bin/python" ops/k8s/validate.py "${given[@]}" "$name" "$WORK/$name.yaml" \
    ops/k8s/schemas "${KUBERNETES_VERSIONS[@]}" || status=1
done
exit "$status"
