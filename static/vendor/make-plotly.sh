#!/usr/bin/env bash
# How static/vendor/plotly.min.js is made (run by hand when upgrading; needs npm's registry).
#
# The *basic* bundle (scatter, bar, pie: what the progress chart uses), not the full one,
# whose map traces fetch tiles, styles and fonts from map servers. Its remaining remote
# defaults are rewritten so that nothing in the file points at a remote host: the topojson
# folder (geo maps, not in this bundle), the Chart Studio "send data" URL, and the logo
# link (the page also turns the logo off); d3's format links in attribute descriptions
# become plain text. The URLs left in it are XML namespaces and licence comments. Plotly.js is MIT-licensed; its licence heads the file.
set -euo pipefail
VERSION=${1:-4.1.1}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "plotly.js-basic-dist-min@$VERSION" >/dev/null && tar xzf ./*.tgz)
sed -e 's#topojsonURL:{valType:"string",noBlank:!0,dflt:"[^"]*"}#topojsonURL:{valType:"string",noBlank:!0,dflt:"/static/vendor/topojson/"}#' \
    -e 's#dflt:"https://cloud.plotly.com/newchart"#dflt:""#' \
    -e 's#r.href="https://plotly.com/"#r.href="\#"#' \
    -e 's#see https://plotly.com/javascript/animations/#see the plotly.js documentation on animations#g' \
    -e 's#"https://github.com/d3/d3-format/tree/v1.4.5\#d3-format"#"the d3-format v1.4.5 documentation"#' \
    -e 's#"https://github.com/d3/d3-time-format/tree/v2.2.3\#locale_format"#"the d3-time-format v2.2.3 documentation"#' \
    "$work/package/plotly-basic.min.js" >"$here/plotly.min.js"
if grep -E -o 'https?://[^"'"'"' )]*' "$here/plotly.min.js" | grep -v -E '^http://www\.w3\.org/|^https://github\.com/voidqk/polybooljs$|^http://getify\.mit-license\.org$|^http://syntheti\.cc$' ; then
  echo "make-plotly.sh: a remote URL is left in plotly.min.js (above)" >&2
  exit 1
fi
echo "static/vendor/plotly.min.js: plotly.js basic $VERSION, $(wc -c <"$here/plotly.min.js") bytes"
