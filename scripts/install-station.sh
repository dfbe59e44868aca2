#!/bin/sh
# `make install-station`: the card agent on the small computer beside a printer (Debian 12, as root).
# Idempotent; run it again to upgrade. Give the server's address and the station's token file (made on
# the server with `printrelease stations add NAME --printer P --token-file FILE` and copied here):
#   make install-station SERVER_URL=https://print.example.go.kr TOKEN=/root/dept-3f-reader.token
# Optional: READER (part of the reader's name), and PREFIX, PRINTRELEASE_CONFIG, SERVICE_USER, UNIT_DIR,
# BIN_DIR, PYTHON as for make install.
set -eu
cd "$(dirname "$0")/.."
SOURCE=$(pwd)
PREFIX=${PREFIX:-/opt/printrelease}
CONFIG=${PRINTRELEASE_CONFIG:-/etc/printrelease/printrelease.conf}
SERVICE_USER=${SERVICE_USER:-printrelease}
BIN_DIR=${BIN_DIR:-/usr/local/bin}
UNIT_DIR=${UNIT_DIR:-/etc/systemd/system}
PYTHON=${PYTHON:-/usr/bin/python3}
TOKEN_FILE=$(dirname "$CONFIG")/station.token

. scripts/install-common.sh
say() { echo "printrelease station install: $*"; }
[ "$(id -u)" = 0 ] || { echo "run make install-station as root" >&2; exit 1; }

say "Debian packages"
sh scripts/install-debs.sh python3 python3-venv python3-dev gcc swig libpcsclite-dev pcscd adduser

say "virtual environment $PREFIX (printrelease[station]: no web server, no database, no CUPS)"
install_venv station printrelease-station

say "service user $SERVICE_USER"
service_user /nonexistent
install -d -o root -g "$SERVICE_USER" -m 750 "$(dirname "$CONFIG")"

if [ -n "${TOKEN:-}" ]; then
    say "token $TOKEN_FILE (readable by $SERVICE_USER only)"
    install -o "$SERVICE_USER" -g "$SERVICE_USER" -m 600 "$TOKEN" "$TOKEN_FILE"
fi
if [ -e "$CONFIG" ] && [ -z "${SERVER_URL:-}" ]; then
    say "keeping the configuration $CONFIG"
else
    [ -n "${SERVER_URL:-}" ] || { echo "give SERVER_URL=https://your-print-server" >&2; exit 1; }
    say "writing the configuration $CONFIG"
    umask 027
    cat > "$CONFIG" <<CONF
# printrelease card station: the agent (printrelease-station run) reads this file.
PRINTRELEASE_USER=$SERVICE_USER
# The print server, as the station reaches it (through the HTTPS proxy).
PRINTRELEASE_SERVER_URL=$SERVER_URL
# The station's token, readable by $SERVICE_USER only (printrelease stations add ... --token-file).
PRINTRELEASE_STATION_TOKEN_FILE=$TOKEN_FILE
# Part of the card reader's name, when the computer has several readers.
${READER:+PRINTRELEASE_STATION_READER=$READER}
PRINTRELEASE_LOG_FORMAT=text
CONF
    umask 022
fi
chown root:"$SERVICE_USER" "$CONFIG"
chmod 640 "$CONFIG"

say "systemd unit in $UNIT_DIR"
mkdir -p "$UNIT_DIR"
sed -e "s|/opt/printrelease|$PREFIX|g" -e "s|^User=.*|User=$SERVICE_USER|" -e "s|^Group=.*|Group=$SERVICE_USER|" \
    -e "s|/etc/printrelease/printrelease.conf|$CONFIG|g" \
    drivers/printrelease-station.service > "$UNIT_DIR/printrelease-station.service"

say "checking the token and the server"
PRINTRELEASE_CONFIG="$CONFIG" "$PREFIX/bin/printrelease-station" check || \
    echo "printrelease station install: warning: the check failed (above); the agent will not work until it passes" >&2
if [ -d /run/systemd/system ]; then
    systemctl daemon-reload
    systemctl enable pcscd.socket 2>/dev/null || true
    systemctl enable printrelease-station.service
    systemctl restart printrelease-station.service
else
    say "no systemd running here: start $UNIT_DIR/printrelease-station.service's ExecStart as $SERVICE_USER"
fi
say "done"
