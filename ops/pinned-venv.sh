# Sourced by the tiers that run a Python tool from PyPI (ops/contract/schemathesis.sh,
# ops/k8s/validate.sh): one pinned package in a virtualenv of its own, made afresh.
#
#   make_pinned_venv VENV PACKAGE==VERSION
make_pinned_venv() {
  local venv=$1 pinned=$2
  if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
  fi
  rm -rf "$venv"
  mkdir -p "$(dirname "$venv")"
  python3 -m venv "$venv"
  # pip trusts the system's CA bundle, so a machine whose registry traffic goes through a proxy
  # with its own certificate (installed there) works too.
  local cert=()
  [ -z "${PIP_CERT:-}" ] && [ -f /etc/ssl/certs/ca-certificates.crt ] &&
    cert=(--cert /etc/ssl/certs/ca-certificates.crt)
  "$venv/bin/pip" install --quiet --disable-pip-version-check "${cert[@]}" "$pinned"
}
