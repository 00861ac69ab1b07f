#!/usr/bin/env bash
# Fetch the JavaScript the offline book serves itself: MathJax, require.js and the
# Jupyter widgets html-manager. They come from the npm registry by package name and
# pinned version (`npm pack` checks each tarball's integrity); nothing is fetched when
# a page is read. Output: vendor/mathjax/, vendor/widgets/, vendor/LICENSES/.
set -euo pipefail
cd "$(dirname "$0")/.."
MATHJAX=mathjax@3.2.2
MANAGER=@jupyter-widgets/html-manager@1.0.15
REQUIREJS=requirejs@2.3.8

command -v npm >/dev/null || { echo "fetch-vendor: npm is needed once, at set-up (Debian: apt-get install npm)" >&2; exit 1; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "$MATHJAX" "$MANAGER" "$REQUIREJS" >/dev/null)
for t in "$tmp"/*.tgz; do d="$tmp/$(basename "$t" .tgz)"; mkdir -p "$d"; tar -xzf "$t" -C "$d"; done
mj="$tmp/mathjax-3.2.2/package"; hm="$tmp/jupyter-widgets-html-manager-1.0.15/package"; rq="$tmp/requirejs-2.3.8/package"

rm -rf vendor/mathjax vendor/widgets/*.js vendor/widgets/*.woff* vendor/widgets/*.ttf vendor/widgets/*.eot vendor/widgets/*.svg vendor/LICENSES
mkdir -p vendor/mathjax/output/chtml/fonts vendor/widgets vendor/LICENSES
cp "$mj/es5/tex-mml-chtml.js" vendor/mathjax/
cp -r "$mj/es5/output/chtml/fonts/woff-v2" vendor/mathjax/output/chtml/fonts/
# input/tex/extensions: \require'd packages; ui, a11y: the right-click menu and assistive
# tools MathJax loads on demand. The speech engine (sre/) is left out: 4 MB it never loads here.
mkdir -p vendor/mathjax/input/tex
cp -r "$mj/es5/input/tex/extensions" vendor/mathjax/input/tex/
cp -r "$mj/es5/ui" "$mj/es5/a11y" vendor/mathjax/
cp "$hm/dist/embed-amd.js" vendor/widgets/
cp "$hm"/dist/*.woff "$hm"/dist/*.woff2 "$hm"/dist/*.ttf "$hm"/dist/*.eot "$hm"/dist/*.svg vendor/widgets/ 2>/dev/null || true
cp "$rq/require.js" vendor/widgets/require.js
# Licences: MathJax ships its LICENSE file; the other two declare theirs in package.json.
cp "$mj/LICENSE" vendor/LICENSES/mathjax-LICENSE
cp "$hm/dist/embed.js.LICENSE.txt" vendor/LICENSES/html-manager-bundled-LICENSES.txt
for pkg in "$hm" "$rq"; do
  python3 -c 'import json,sys; p=json.load(open(sys.argv[1])); print(p["name"], p["version"], "licence:", p["license"])' "$pkg/package.json"
done > vendor/LICENSES/npm-packages.txt
echo "$MATHJAX $MANAGER $REQUIREJS" > vendor/VERSIONS
echo "fetch-vendor: vendor/ ready ($(du -sh vendor | cut -f1))"
