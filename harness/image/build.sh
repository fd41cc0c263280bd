#!/usr/bin/env bash
# Builds a PostgreSQL image from Debian's packages, for machines whose Docker
# engine cannot pull from a registry. The image honours the official image's
# contract (POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB, arguments passed to
# postgres); select it with STELLAOPS_PG_IMAGE=<image>. Real users keep the
# default official image.
#
#   harness/image/build.sh [image]      default image: stellaops/postgres:17
#
# Idempotent: does nothing when the image exists and was built from this
# recipe (a label carries the recipe's hash); FORCE=1 rebuilds. Settings:
#   PG_MAJOR (17), DEBIAN_SUITE (trixie, the release that ships 17),
#   DEBIAN_MIRROR (http://deb.debian.org/debian), BUILD_DIR (/var/tmp).
# Needs root (debootstrap, chroot), a Docker engine and Debian's mirror.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
image="${1:-${STELLAOPS_PG_IMAGE:-stellaops/postgres:17}}"
pg_major="${PG_MAJOR:-17}"
suite="${DEBIAN_SUITE:-trixie}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
build_dir="${BUILD_DIR:-/var/tmp}"
started=$SECONDS

say() { printf '[build-image %4ds] %s\n' "$((SECONDS - started))" "$*"; }
die() { say "error: $*" >&2; exit 1; }

recipe="$(cat "$here/build.sh" "$here/docker-entrypoint.sh" \
  | { cat; printf '%s %s\n' "$pg_major" "$suite"; } | sha256sum | cut -c1-16)"

docker version --format '{{.Server.Version}}' >/dev/null 2>&1 \
  || die "no reachable Docker engine (is dockerd running, may this user use it?)"

if [ "${FORCE:-0}" != 1 ]; then
  present="$(docker image inspect --format '{{index .Config.Labels "org.stellaops.image.recipe"}}' \
    "$image" 2>/dev/null || true)"
  if [ "$present" = "$recipe" ]; then
    say "$image is present (recipe $recipe); nothing to do"
    exit 0
  elif [ -n "$present" ]; then
    say "$image was built from another recipe ($present, now $recipe); rebuilding"
  fi
fi

# An image this build replaces is removed once the new one is in place.
previous="$(docker image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)"

[ "$(id -u)" -eq 0 ] || die "run as root: debootstrap and chroot need it"
if ! command -v debootstrap >/dev/null 2>&1; then
  say "installing debootstrap (Debian package)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
fi

rootfs="$(mktemp -d "$build_dir/stellaops-pg-rootfs.XXXXXX")"
cleanup() { rm -rf --one-file-system "$rootfs"; }
trap cleanup EXIT

say "debootstrap $suite (minbase + postgresql-$pg_major) into $rootfs"
# debootstrap prints one line per step; show them with the elapsed time.
debootstrap --variant=minbase --include="postgresql-$pg_major" \
  "$suite" "$rootfs" "$mirror" 2>&1 | while IFS= read -r line; do say "  $line"; done
[ "${PIPESTATUS[0]}" -eq 0 ] || die "debootstrap failed (see above)"

bin="/usr/lib/postgresql/$pg_major/bin"
[ -x "$rootfs$bin/postgres" ] || die "postgres $pg_major is missing from $suite"
[ -x "$rootfs/usr/bin/setpriv" ] || die "setpriv is missing from the root filesystem"

say "trimming: the package's default cluster, docs, locales, apt caches"
rm -rf "$rootfs/var/lib/postgresql/$pg_major" "$rootfs/etc/postgresql/$pg_major" \
  "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* \
  "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* \
  "$rootfs"/var/log/*.log
find "$rootfs/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name 'locale.alias' -exec rm -rf {} +

install -m 0755 "$here/docker-entrypoint.sh" "$rootfs/usr/local/bin/docker-entrypoint.sh"
mkdir -p "$rootfs/docker-entrypoint-initdb.d" "$rootfs/var/lib/postgresql/data"
chroot "$rootfs" chown -R postgres:postgres /var/lib/postgresql

say "importing into Docker as $image ($(du -sh "$rootfs" | cut -f1))"
tar --numeric-owner -C "$rootfs" -c . | docker import \
  --change "ENV PATH=$bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
  --change "ENV PGDATA=/var/lib/postgresql/data" \
  --change "ENV LANG=C.UTF-8" \
  --change "LABEL org.stellaops.image.recipe=$recipe" \
  --change "LABEL org.stellaops.image.source=debian-$suite-postgresql-$pg_major" \
  --change "EXPOSE 5432" \
  --change 'ENTRYPOINT ["docker-entrypoint.sh"]' \
  --change 'CMD ["postgres"]' \
  - "$image" >/dev/null

version="$(docker run --rm "$image" postgres --version)" \
  || { docker rmi "$image" >/dev/null 2>&1; die "the imported image does not run postgres"; }
if [ -n "$previous" ] && [ "$previous" != "$(docker image inspect --format '{{.Id}}' "$image")" ]; then
  docker rmi "$previous" >/dev/null 2>&1 && say "removed the image it replaces (${previous#sha256:})" || true
fi
say "built $image: $version (recipe $recipe)"
