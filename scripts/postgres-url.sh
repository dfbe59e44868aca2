# Sourced by `make test`: finds a PostgreSQL server for the tests, or starts a private one, and exports
# PRINTRELEASE_TEST_POSTGRES_URL. Order: the variable if already set; a server on 127.0.0.1:5432 that
# takes the postgres user without a password; else a private cluster in /var/tmp/printrelease-postgres on
# port 55432 (outside the checkout: the postgres user may not be able to enter a folder under /root).
if [ -z "${PRINTRELEASE_TEST_POSTGRES_URL:-}" ]; then
    if command -v pg_isready >/dev/null && pg_isready -q -h 127.0.0.1 -p 5432 \
        && psql -h 127.0.0.1 -U postgres -d postgres -Atc 'select 1' >/dev/null 2>&1; then
        PRINTRELEASE_TEST_POSTGRES_URL="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    else
        bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
        if [ -z "$bindir" ]; then
            apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql
            bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
        fi
        pgdata=/var/tmp/printrelease-postgres
        mkdir -p "$pgdata" && chown postgres "$pgdata" && chmod 700 "$pgdata"
        [ -f "$pgdata/PG_VERSION" ] || su postgres -c "$bindir/initdb -A trust -U postgres -D '$pgdata'" >/dev/null
        pg_isready -q -h 127.0.0.1 -p 55432 \
            || su postgres -c "$bindir/pg_ctl -D '$pgdata' -l '$pgdata/log' -o '-p 55432 -k /tmp -c listen_addresses=127.0.0.1' -w start" >/dev/null
        PRINTRELEASE_TEST_POSTGRES_URL="postgresql+psycopg://postgres@127.0.0.1:55432/postgres"
    fi
fi
export PRINTRELEASE_TEST_POSTGRES_URL
