#!/bin/sh
# Entrypoint of the StellaOps test image of PostgreSQL (built by build.sh).
#
# It honours the contract of the official postgres image, so the harness and
# testcontainers' Postgres module treat both alike:
#   POSTGRES_PASSWORD   required unless POSTGRES_HOST_AUTH_METHOD=trust
#   POSTGRES_USER       superuser created by initdb (default: postgres)
#   POSTGRES_DB         database created at first start (default: $POSTGRES_USER)
#   POSTGRES_INITDB_ARGS, POSTGRES_HOST_AUTH_METHOD (default: scram-sha-256)
#   PGDATA              data directory (default: /var/lib/postgresql/data)
#   /docker-entrypoint-initdb.d/*.sql and *.sh run once, on a fresh data directory
# Arguments starting with '-' are passed to postgres ("-c fsync=off" works).
#
# Like the official image, first-start work runs on a temporary server that
# listens on the Unix socket only and logs to stdout; the final server logs to
# stderr. Clients that wait for "database system is ready to accept
# connections" on both streams therefore see the real server, not the
# temporary one, and must still connect to prove readiness.
set -eu

if [ "${1#-}" != "$1" ]; then
  set -- postgres "$@"
fi

# Anything but the server, and the server's own --help/--version, runs as given.
if [ "$1" != "postgres" ]; then
  exec "$@"
fi
for arg in "$@"; do
  case "$arg" in
    -'?'|--help|--describe-config|-V|--version|-C*) exec "$@" ;;
  esac
done

: "${PGDATA:=/var/lib/postgresql/data}"
export PGDATA

# Root prepares the directories, then runs this script again as postgres.
if [ "$(id -u)" = "0" ]; then
  mkdir -p "$PGDATA" /var/run/postgresql
  chmod 0700 "$PGDATA"
  chmod 2775 /var/run/postgresql
  chown -R postgres:postgres "$PGDATA" /var/run/postgresql
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi

log() { printf 'stellaops-postgres-entrypoint: %s\n' "$*"; }

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  user="${POSTGRES_USER:-postgres}"
  db="${POSTGRES_DB:-$user}"
  auth="${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}"
  if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "$auth" != "trust" ]; then
    log "error: POSTGRES_PASSWORD is not set (set it, or POSTGRES_HOST_AUTH_METHOD=trust)" >&2
    exit 1
  fi

  log "initializing $PGDATA (superuser $user, database $db)"
  pwfile="$(mktemp)"
  printf '%s\n' "${POSTGRES_PASSWORD:-}" > "$pwfile"
  # shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is a word list by contract
  initdb --username="$user" --pwfile="$pwfile" --auth-local=trust --auth-host="$auth" \
    --encoding=UTF8 --locale=C.UTF-8 ${POSTGRES_INITDB_ARGS:-} >/dev/null
  rm -f "$pwfile"
  {
    echo "listen_addresses = '*'"
  } >> "$PGDATA/postgresql.conf"
  {
    echo "host all all all $auth"
  } >> "$PGDATA/pg_hba.conf"

  log "starting a socket-only server for first-start work"
  pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -p 5432" -w -t 60 start
  if [ "$db" != "postgres" ]; then
    # A psql variable quotes the name; -c would not interpolate it.
    echo 'CREATE DATABASE :"db";' \
      | psql -v ON_ERROR_STOP=1 --no-psqlrc -q -U "$user" -d postgres --set db="$db"
  fi
  for f in /docker-entrypoint-initdb.d/*; do
    case "$f" in
      *.sql) log "running $f"; psql -v ON_ERROR_STOP=1 --no-psqlrc -U "$user" -d "$db" -f "$f" ;;
      *.sh) log "running $f"; . "$f" ;;
      *) ;;
    esac
  done
  pg_ctl -D "$PGDATA" -m fast -w -t 60 stop
  log "first-start work done; starting the server"
fi

# The final server logs to stderr (the official image does the same).
exec "$@" 1>&2
