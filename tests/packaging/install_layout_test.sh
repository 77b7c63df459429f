#!/usr/bin/env bash
# The install layout and the .deb, as an operator gets them: installs the build
# into a temporary DESTDIR with the /usr prefix (and /usr/local) and checks
# where everything lands and what the unit runs; where dpkg-deb and cpack are
# available, builds the .deb and checks its files, conffiles, control fields
# and maintainer scripts; where systemd-analyze is, the unit's exposure score.
# Usage: install_layout_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
source=$(cd "$2" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
check() {  # check DESCRIPTION COMMAND...: runs the command, reports a failure without stopping
  local what=$1; shift
  if "$@" > "$tmp/last.out" 2>&1; then
    echo "ok   $what"
  else
    echo "FAIL $what"; sed 's/^/     /' "$tmp/last.out"
    failures=$((failures + 1))
  fi
}
has_line() { grep -qxF -- "$2" "$1"; }
same_text() { cmp -s "$1" "$2"; }
depends_on() { tr ',' '\n' <<< "$depends" | sed 's/^ *//; s/ .*//' | grep -qxF -- "$1"; }

# --- cmake --install, prefix /usr --------------------------------------------
root=$tmp/usr-prefix
DESTDIR=$root cmake --install "$build" --prefix /usr > "$tmp/install.log"
unit=$root/lib/systemd/system/ballastd.service
check "ballastd in usr/bin" test -x "$root/usr/bin/ballastd"
check "ballast in usr/bin" test -x "$root/usr/bin/ballast"
check "the configuration in etc/ballast (not usr/etc)" test -f "$root/etc/ballast/ballast.toml" -a ! -e "$root/usr/etc"
check "the configuration is the example" same_text "$root/etc/ballast/ballast.toml" "$source/examples/ballast.toml"
check "the configuration is mode 0640" test "$(stat -c %a "$root/etc/ballast/ballast.toml")" = 640
check "the unit in lib/systemd/system" test -f "$unit"
check "the copyright file is the LICENSE" same_text "$root/usr/share/doc/ballast/copyright" "$source/LICENSE"
check "the chart library's licence in usr/share/doc/ballast/licenses" \
  same_text "$root/usr/share/doc/ballast/licenses/chart.js.txt" "$source/packaging/licenses/chart.js.txt"
check "the Grafana dashboard in usr/share/ballast/grafana" \
  same_text "$root/usr/share/ballast/grafana/ballast.json" "$source/packaging/grafana/ballast.json"
for f in alerts.yml alerts_test.yml; do
  check "the Prometheus $f in usr/share/ballast/prometheus" \
    same_text "$root/usr/share/ballast/prometheus/$f" "$source/packaging/prometheus/$f"
done
check "ExecStart runs /usr/bin/ballastd on /etc/ballast/ballast.toml" \
  has_line "$unit" "ExecStart=/usr/bin/ballastd --config /etc/ballast/ballast.toml"
check "ExecReload checks /etc/ballast/ballast.toml" \
  has_line "$unit" "ExecReload=/usr/bin/ballastd --config /etc/ballast/ballast.toml --check-config"
check "no placeholder left in the unit" bash -c "! grep -qE '@[A-Z_]+@' '$unit'"
check "the installed example configuration is valid" "$root/usr/bin/ballastd" --config "$root/etc/ballast/ballast.toml" --check-config

version=$(sed -n 's/^project(ballast VERSION \([0-9.]*\).*/\1/p' "$source/CMakeLists.txt")
check "ballastd --version is the project's version" test "$("$root/usr/bin/ballastd" --version)" = "ballastd $version"
check "ballast --version is the project's version" test "$("$root/usr/bin/ballast" --version)" = "ballast $version"

echo "# edited by the operator" >> "$root/etc/ballast/ballast.toml"
DESTDIR=$root cmake --install "$build" --prefix /usr > "$tmp/install.log"
check "installing again keeps an edited configuration" grep -q "edited by the operator" "$root/etc/ballast/ballast.toml"

# --- cmake --install, prefix /usr/local -----------------------------------------
local_root=$tmp/local-prefix
DESTDIR=$local_root cmake --install "$build" --prefix /usr/local > "$tmp/install.log"
check "/usr/local: the configuration in usr/local/etc/ballast" test -f "$local_root/usr/local/etc/ballast/ballast.toml"
check "/usr/local: the unit in usr/local/lib/systemd/system runs /usr/local/bin/ballastd" \
  has_line "$local_root/usr/local/lib/systemd/system/ballastd.service" \
  "ExecStart=/usr/local/bin/ballastd --config /usr/local/etc/ballast/ballast.toml"

# --- the unit's sandbox -----------------------------------------------------------
if command -v systemd-analyze > /dev/null; then
  # --threshold is in tenths of the 0-10 exposure scale: 20 is 2.0.
  check "systemd-analyze security: exposure at most 2.0" \
    systemd-analyze security --offline=true --threshold=20 --no-pager "$unit"
else
  echo "skip systemd-analyze is not installed"
fi

# --- the .deb ---------------------------------------------------------------------
if command -v dpkg-deb > /dev/null && command -v cpack > /dev/null; then
  (cd "$tmp" && cpack -G DEB --config "$build/CPackConfig.cmake" -B "$tmp/deb" > "$tmp/cpack.log" 2>&1) ||
    { cat "$tmp/cpack.log"; exit 1; }
  deb=$(ls "$tmp"/deb/*.deb)
  dpkg-deb -c "$deb" | awk '{print $6}' > "$tmp/contents"
  for f in ./usr/bin/ballastd ./usr/bin/ballast ./lib/systemd/system/ballastd.service ./etc/ballast/ballast.toml \
           ./usr/share/doc/ballast/copyright ./usr/share/doc/ballast/licenses/chart.js.txt \
           ./usr/share/ballast/grafana/ballast.json ./usr/share/ballast/prometheus/alerts.yml \
           ./usr/share/ballast/prometheus/alerts_test.yml; do
    check ".deb holds $f" has_line "$tmp/contents" "$f"
  done
  check ".deb has nothing under usr/etc or usr/local" bash -c "! grep -qE '^\./usr/(etc|local)/' '$tmp/contents'"
  check ".deb: the configuration is root's, mode 0640" \
    bash -c "dpkg-deb -c '$deb' | grep -qE '^-rw-r----- root/root .* \./etc/ballast/ballast\.toml$'"
  check ".deb: package ballast" test "$(dpkg-deb -f "$deb" Package)" = ballast
  check ".deb: version $version" test "$(dpkg-deb -f "$deb" Version)" = "$version"
  depends=$(dpkg-deb -f "$deb" Depends)
  for d in adduser libc6 libstdc++6 libzmq5 libsqlite3-0 libsystemd0; do
    check ".deb depends on $d" depends_on "$d"
  done
  dpkg-deb -I "$deb" conffiles > "$tmp/conffiles"
  check ".deb conffiles: /etc/ballast/ballast.toml, nothing else" \
    test "$(cat "$tmp/conffiles")" = /etc/ballast/ballast.toml
  check ".deb postinst creates the system user ballast" bash -c "dpkg-deb -I '$deb' postinst | grep -q 'adduser --system'"
  for script in postinst prerm postrm; do
    check ".deb $script is a valid shell script" bash -c "dpkg-deb -I '$deb' $script | sh -n"
  done
  dpkg-deb -x "$deb" "$tmp/unpacked"
  check ".deb: the unit runs /usr/bin/ballastd on /etc/ballast/ballast.toml as ballast" bash -c "
    grep -qxF 'ExecStart=/usr/bin/ballastd --config /etc/ballast/ballast.toml' '$tmp/unpacked/lib/systemd/system/ballastd.service' &&
    grep -qxF 'User=ballast' '$tmp/unpacked/lib/systemd/system/ballastd.service'"
  check ".deb: ballastd --version is $version" test "$("$tmp/unpacked/usr/bin/ballastd" --version)" = "ballastd $version"
else
  echo "skip dpkg-deb or cpack is not installed: no .deb checks"
fi

if ((failures)); then
  echo "$failures check(s) failed"
  exit 1
fi
echo "all checks passed"
