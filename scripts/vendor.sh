#!/bin/sh
# Vendor one file of an npm package into the web UI's static folder, with the package's licence beside it:
#   sh scripts/vendor.sh PACKAGE VERSION SHA256 DEST_DIR FILE_IN_PACKAGE
# The tarball comes from the npm registry (`npm pack`) and must match SHA256, or nothing is changed.
set -eu
package=$1 version=$2 sha256=$3 dest=$4 file=$5
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "$package@$version" >/dev/null)
tarball=$(ls "$work"/*.tgz)
echo "$sha256  $tarball" | sha256sum -c --quiet -
tar -xzf "$tarball" -C "$work" "package/$file" package/LICENSE
mkdir -p "$dest"
cp "$work/package/$file" "$dest/$(basename "$file")"
cp "$work/package/LICENSE" "$dest/LICENSE"
printf '%s@%s (npm) sha256 %s\n' "$package" "$version" "$sha256" > "$dest/VERSION"
echo "vendored $package@$version into $dest"
