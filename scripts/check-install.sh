#!/bin/sh
# `make install` into a scratch prefix, then the installed binary run as on a machine
# without Swift: every library the loader maps is listed, and none may come from
# Swift's folder; where a mount namespace can be made (root), Swift's folder is hidden
# behind an empty one and the example site is built with nothing else in the
# environment.
set -eu
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
make --no-print-directory install PREFIX="$prefix" >/dev/null
bin="$prefix/bin/bulletin"
fail() { echo "check-install: $*" >&2; exit 1; }
[ -x "$bin" ] || fail "$bin was not installed"
for file in share/bash-completion/completions/bulletin share/zsh/site-functions/_bulletin share/fish/vendor_completions.d/bulletin.fish; do
  [ -s "$prefix/$file" ] || fail "no completion script $file"
done
bash -n "$prefix/share/bash-completion/completions/bulletin" || fail "the bash completion script does not parse"
grep -q -- '--format' "$prefix/share/bash-completion/completions/bulletin" || fail "the bash completion does not know build's options"

swift=$(command -v swift || true)
swift_root=""
[ -n "$swift" ] && swift_root=$(dirname "$(dirname "$(dirname "$(readlink -f "$swift")")")")
loaded=$(LD_DEBUG=libs "$bin" --version 2>&1 >/dev/null | grep 'calling init:' | sed 's/.*calling init: //' | sort -u)
echo "$loaded" | grep -qi swift && fail "Swift libraries loaded: $(echo "$loaded" | grep -i swift)"
[ -n "$swift_root" ] && echo "$loaded" | grep -q "^$swift_root" && fail "libraries loaded from $swift_root"

site=$(pwd)
if [ -n "$swift_root" ] && [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then
  unshare -m sh -c "mount -t tmpfs none '$swift_root' && cd / && env -i PATH=/usr/bin:/bin '$bin' build --source '$site' --output '$prefix/site' --no-cache --quiet" \
    || fail "the installed binary could not build the example site with $swift_root hidden"
  [ -s "$prefix/site/index.html" ] || fail "no index.html built with $swift_root hidden"
  echo "check-install: $bin ($(du -m "$bin" | cut -f1) MB) built the example site with $swift_root hidden; completions for bash, zsh and fish installed"
else
  env -i PATH=/usr/bin:/bin "$bin" build --source "$site" --output "$prefix/site" --no-cache --quiet || fail "the installed binary could not build the example site"
  echo "check-install: $bin built the example site with an empty environment, no Swift library loaded (no mount namespace here to hide $swift_root)"
fi
