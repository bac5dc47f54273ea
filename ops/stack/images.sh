#!/usr/bin/env bash
# Builds the local stand-ins for the public images compose.yaml and ops/Dockerfile name, from
# Debian's packages, with no container registry: a Debian base made with debootstrap, then one
# small Dockerfile per stand-in under ops/stack/standins/. Each image carries the hash of its
# recipe as a label and is rebuilt only when that recipe changes.
#
#   ops/stack/images.sh          build what is missing or out of date, print each image
set -euo pipefail
cd "$(dirname "$0")/../.."

CACHE=${CARSTORE_STACK_CACHE:-/var/cache/carstore-stack}
BASE=carstore-standin/debian:bookworm-slim
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
mkdir -p "$CACHE"

say() { printf '   %s\n' "$*"; }

# The hash of everything an image is made from: its recipe folder, this script, and extras.
recipe_hash() { # dir [extra text]
  { tar -C "$1" --sort=name --mtime=@0 --owner=0 --group=0 -cf - . ; cat "$0"; printf '%s' "${2:-}"; } |
    sha256sum | cut -c1-16
}

built_from() { # image -> the recipe hash it was built from, or nothing
  docker image inspect --format '{{index .Config.Labels "org.carstore.recipe"}}' "$1" 2>/dev/null || true
}

# debian:bookworm-slim's stand-in: a minbase bootstrap without docs, man pages, locales or apt
# lists, as the slim image is made.
base_image() {
  local hash; hash=$(printf '%s\n%s' "$(sed -n '/^base_image()/,/^}/p' "$0")" "$MIRROR" | sha256sum | cut -c1-16)
  [ "$(built_from "$BASE")" = "$hash" ] && { say "$BASE (cached)"; return; }
  say "$BASE: debootstrap --variant=minbase bookworm (about a minute)"
  local root="$CACHE/rootfs"
  rm -rf "$root"
  debootstrap --variant=minbase bookworm "$root" "$MIRROR" >"$CACHE/debootstrap.log" 2>&1 ||
    { tail -20 "$CACHE/debootstrap.log" >&2; exit 1; }
  cat >"$root/etc/dpkg/dpkg.cfg.d/slim" <<'CFG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
CFG
  printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' >"$root/etc/apt/apt.conf.d/90slim"
  printf 'deb %s bookworm main\ndeb %s bookworm-updates main\n' "$MIRROR" "$MIRROR" >"$root/etc/apt/sources.list"
  find "$root/usr/share/doc" -mindepth 2 ! -name copyright -delete 2>/dev/null || true
  rm -rf "$root"/usr/share/{man,info}/* "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin \
    "$root"/var/cache/apt/archives/*.deb
  find "$root/usr/share/locale" -mindepth 1 ! -name locale.alias -delete
  tar -C "$root" -cf - . | docker import --change 'CMD ["bash"]' \
    --change "LABEL org.carstore.recipe=$hash" - "$BASE" >/dev/null
  rm -rf "$root"
}

# One stand-in from its folder; extra text joins the hash (e.g. the toolchain's version).
standin() { # name image [extra]
  local dir="ops/stack/standins/$1" image=$2 extra=${3:-}
  local hash; hash=$(recipe_hash "$dir" "$extra$(docker image inspect --format '{{.Id}}' "$BASE")")
  [ "$(built_from "$image")" = "$hash" ] && { say "$image (cached)"; return; }
  say "$image: building"
  local context="$CACHE/context-$1"
  rm -rf "$context" && mkdir -p "$context" && cp -a "$dir/." "$context/"
  [ "$1" = rust ] && rust_toolchain "$context"
  DOCKER_BUILDKIT=1 docker build -q --build-arg "BASE=$BASE" --label "org.carstore.recipe=$hash" \
    -t "$image" "$context" >/dev/null 2>"$CACHE/build-$1.log" ||
    { tail -30 "$CACHE/build-$1.log" >&2; exit 1; }
  rm -rf "$context"
}

# The rust image's stand-in carries this machine's own toolchain (rustc and cargo, no docs) and
# its CA bundle, which an intercepting proxy may need before cargo can reach crates.io.
rust_toolchain() { # context
  local sysroot; sysroot=$(rustc --print sysroot)
  mkdir -p "$1/toolchain/bin"
  cp -a "$sysroot/bin/cargo" "$sysroot/bin/rustc" "$sysroot/bin/rustdoc" "$1/toolchain/bin/"
  cp -a "$sysroot/lib" "$1/toolchain/lib"
  cp /etc/ssl/certs/ca-certificates.crt "$1/ca-certificates.crt"
}

base_image
standin rust carstore-standin/rust:bookworm "$(rustc --version)$(sha256sum /etc/ssl/certs/ca-certificates.crt)"
standin postgres carstore-standin/postgres:15
standin redis carstore-standin/redis:7
standin rabbitmq carstore-standin/rabbitmq:3-management
standin prometheus carstore-standin/prometheus:2
standin haproxy carstore-standin/haproxy:2
