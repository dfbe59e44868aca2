# Shared by install-server.sh and install-station.sh (sourced): the package into its own virtual
# environment, and the system user.

# install_venv EXTRA COMMAND: printrelease[EXTRA] into $PREFIX, COMMAND linked into $BIN_DIR.
install_venv() {
    [ -x "$PREFIX/bin/python" ] || "$PYTHON" -m venv "$PREFIX"
    # Built from a copy, so the checkout is left as it was (setuptools writes build/ beside the sources).
    build=$(mktemp -d)
    tar -C "$SOURCE" --exclude=./.venv --exclude=./var --exclude=./build --exclude=./.git -cf - . | tar -C "$build" -xf -
    "$PREFIX/bin/python" -m pip install -q --disable-pip-version-check --upgrade "$build[$1]"
    # The same version number may carry new code (an upgrade from a newer checkout): always replace it.
    "$PREFIX/bin/python" -m pip install -q --disable-pip-version-check --force-reinstall --no-deps "$build"
    rm -rf "$build"
    chmod -R go-w "$PREFIX"
    mkdir -p "$BIN_DIR"
    ln -sf "$PREFIX/bin/$2" "$BIN_DIR/$2"
}

# service_user HOME: the system user and group $SERVICE_USER, made once.
service_user() {
    getent group "$SERVICE_USER" >/dev/null || addgroup --system --quiet "$SERVICE_USER"
    id -u "$SERVICE_USER" >/dev/null 2>&1 || adduser --system --quiet --ingroup "$SERVICE_USER" --home "$1" \
        --no-create-home --shell /usr/sbin/nologin "$SERVICE_USER"
}
