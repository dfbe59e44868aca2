#!/bin/sh
# `make install`: printrelease on a Debian 12 print server, as root. Idempotent: run it again to upgrade
# (stop the service first; it keeps the configuration, data, tokens and cards, and migrates the database).
#
# Every path can be changed through the environment (the test suite installs into a private root):
#   PREFIX=/opt/printrelease            the virtual environment (the package, without test tools)
#   PRINTRELEASE_CONFIG=/etc/printrelease/printrelease.conf
#   DATA_DIR=/var/lib/printrelease      spool, SQLite database, keys
#   SERVICE_USER=printrelease           the account the server runs as
#   CUPS_SOCKET=/run/cups/cups.sock     how the server reaches the local CUPS (see "CUPS" below)
#   BIN_DIR=/usr/local/bin  UNIT_DIR=/etc/systemd/system  PYTHON=/usr/bin/python3
set -eu
cd "$(dirname "$0")/.."
SOURCE=$(pwd)
PREFIX=${PREFIX:-/opt/printrelease}
CONFIG=${PRINTRELEASE_CONFIG:-/etc/printrelease/printrelease.conf}
DATA_DIR=${DATA_DIR:-/var/lib/printrelease}
SERVICE_USER=${SERVICE_USER:-printrelease}
CUPS_SOCKET=${CUPS_SOCKET:-/run/cups/cups.sock}
BIN_DIR=${BIN_DIR:-/usr/local/bin}
UNIT_DIR=${UNIT_DIR:-/etc/systemd/system}
# Debian's interpreter, never a pyenv shim or a copy under /root that the service user cannot enter.
PYTHON=${PYTHON:-/usr/bin/python3}

. scripts/install-common.sh
say() { echo "printrelease install: $*"; }
[ "$(id -u)" = 0 ] || { echo "run make install as root" >&2; exit 1; }

say "Debian packages"
sh scripts/install-debs.sh python3 python3-venv python3-dev gcc libcups2-dev cups cups-client cups-daemon \
    cups-filters ghostscript poppler-utils qpdf adduser

say "virtual environment $PREFIX (printrelease[server], no test tools)"
install_venv server printrelease

say "service user $SERVICE_USER"
service_user "$DATA_DIR"
# Under Debian's stock CUPS policy only members of lpadmin may resume a stopped queue, and CUPS knows
# who is calling only over its local socket: without both, printing stops for good after the first
# restart of printrelease.
adduser --quiet "$SERVICE_USER" lpadmin

say "folders"
install -d -o root -g "$SERVICE_USER" -m 750 "$(dirname "$CONFIG")"
install -d -o "$SERVICE_USER" -g "$SERVICE_USER" -m 750 "$DATA_DIR"

if [ -e "$CONFIG" ]; then
    say "keeping the configuration $CONFIG"
else
    say "writing the configuration $CONFIG (with new keys)"
    umask 027
    key() { "$PYTHON" -c 'import secrets; print(secrets.token_hex(32))'; }
    cat > "$CONFIG" <<CONF
# printrelease configuration: read by the server, the printrelease command and the backend installer.
# KEY=value lines (a systemd EnvironmentFile could read them too); a variable set in the environment
# wins over this file. 'printrelease doctor' checks what is set here.

# The account the server runs as; the printrelease command run as root acts as this user.
PRINTRELEASE_USER=$SERVICE_USER
# Spool folder, keys and (unless PRINTRELEASE_DATABASE_URL is set) the SQLite database.
PRINTRELEASE_DATA_DIR=$DATA_DIR
# SQLite in the data folder serves one server; several servers share a PostgreSQL database:
#PRINTRELEASE_DATABASE_URL=postgresql+psycopg://printrelease:PASSWORD@dbhost/printrelease
# The local CUPS through its socket: there CUPS knows the caller (peer credentials), so the service
# user, a member of lpadmin, may resume the capture queues after an outage. Not localhost:631.
PRINTRELEASE_CUPS_SERVER=$CUPS_SOCKET
# Where the CUPS backend (and the stations, through your HTTPS proxy) reach the server.
PRINTRELEASE_SERVER_URL=http://127.0.0.1:8631
# Keep both keys secret and stable: card numbers are stored only as HMACs under the card key, and the
# secret key signs web sessions. Servers that share a database need the same keys; backups keep them.
PRINTRELEASE_CARD_KEY=$(key)
PRINTRELEASE_SECRET_KEY=$(key)
# Held jobs expire after this many hours; larger documents are refused.
PRINTRELEASE_HOLD_HOURS=24
PRINTRELEASE_MAX_JOB_BYTES=1073741824
# 1 behind HTTPS (the login cookie is then sent over TLS only).
PRINTRELEASE_SECURE_COOKIES=1
# Browsers and stations come through your HTTPS reverse proxy (README), which adds the client's address
# to X-Forwarded-For: believing that one proxy counts failed logins per person and desk, not all against
# the proxy's own address (which would let anyone lock everyone out). 0 when nothing stands in front.
PRINTRELEASE_TRUSTED_PROXIES=1
# text, or json for one JSON object per log line.
PRINTRELEASE_LOG_FORMAT=text
CONF
    umask 022
fi
chown root:"$SERVICE_USER" "$CONFIG"
chmod 640 "$CONFIG"

say "database"
PRINTRELEASE_CONFIG="$CONFIG" "$PREFIX/bin/printrelease" db upgrade

say "systemd units in $UNIT_DIR"
mkdir -p "$UNIT_DIR"
sed -e "s|/opt/printrelease|$PREFIX|g" -e "s|^User=.*|User=$SERVICE_USER|" -e "s|^Group=.*|Group=$SERVICE_USER|" \
    -e "s|/var/lib/printrelease|$DATA_DIR|g" -e "s|/etc/printrelease/printrelease.conf|$CONFIG|g" \
    drivers/printrelease.service > "$UNIT_DIR/printrelease.service"
if [ -d /run/systemd/system ]; then
    systemctl daemon-reload
    systemctl enable printrelease.service
    systemctl try-restart printrelease.service
else
    say "no systemd running here: start the server with $UNIT_DIR/printrelease.service's ExecStart as $SERVICE_USER"
fi

say "checking that $SERVICE_USER can administer CUPS through $CUPS_SOCKET"
if [ -S "$CUPS_SOCKET" ] && runuser -u "$SERVICE_USER" -- lpstat -h "$CUPS_SOCKET" -r >/dev/null 2>&1; then
    say "CUPS ok"
else
    echo "printrelease install: warning: CUPS does not answer on $CUPS_SOCKET (is cups running? is 'Listen" \
         "$CUPS_SOCKET' in /etc/cups/cupsd.conf?)" >&2
fi
say "done. Next: printrelease cups install-queue, printrelease printers sync, printrelease doctor"
