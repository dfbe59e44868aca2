#!/bin/sh
# Installs the Debian packages named as arguments that are not installed yet; does nothing otherwise.
missing=""
for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $package"
done
[ -z "$missing" ] && exit 0
echo "installing Debian packages:$missing"
# slapd is for the tests' and the demo's private directories only: no system directory is set up.
case " $missing " in *" slapd "*) echo 'slapd slapd/no_configuration boolean true' | debconf-set-selections ;; esac
apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
