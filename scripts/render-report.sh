#!/usr/bin/env bash
# Renders an HTML report (cognitomon report --format html > report.html) to
# a PNG with headless Chromium, for the README. CI does not run this.
#
#   scripts/render-report.sh report.html [report.png] [width] [height]
#
# docs/img/report.png is the demo's page (cognitomon demo --html FILE),
# rendered with width 1000 and height 4200.
#
# Needs Debian's chromium package (apt-get install chromium). The page loads
# nothing from the network, and --disable-javascript checks that it does not
# need scripts either.
set -euo pipefail

in=${1:?usage: render-report.sh report.html [out.png] [width] [height]}
out=${2:-${in%.html}.png}
width=${3:-1200}
height=${4:-3000}

chrome=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$chrome" ]; then
	echo "render-report.sh: no chromium found; install Debian's chromium package" >&2
	exit 2
fi
[ -r "$in" ] || { echo "render-report.sh: cannot read $in" >&2; exit 2; }

profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
"$chrome" --headless --no-sandbox --disable-gpu --disable-javascript \
	--user-data-dir="$profile" --hide-scrollbars \
	--window-size="$width,$height" --screenshot="$(realpath -m "$out")" \
	"file://$(realpath "$in")" >/dev/null 2>&1
[ -s "$out" ] || { echo "render-report.sh: chromium wrote no $out" >&2; exit 1; }
# With Debian's pngquant installed, shrink the PNG (to about a third) so
# that docs/img/report.png stays small; without it the PNG is kept as is.
if command -v pngquant >/dev/null 2>&1; then
	pngquant --quality=60-90 --strip --force --output "$out" "$out"
fi
echo "$out"
