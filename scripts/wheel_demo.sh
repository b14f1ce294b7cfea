#!/usr/bin/env bash
# The package as people install it: build a wheel from a clean copy of the sources, install it
# into a fresh virtual environment outside the checkout, and run the demo on a script there.
# Fails if the installed bot needs anything from the checkout or the current directory.
#   scripts/wheel_demo.sh [PYTHON]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
python=${1:-${PYTHON:-python3}}
work=$(mktemp -d "${TMPDIR:-/tmp}/forum-bot-wheel.XXXXXX")
trap 'rm -rf "$work"' EXIT

# The files git would ship (tracked and new, not ignored): no build/ left over, no .mo files.
mkdir "$work/src"
(cd "$root" && git ls-files -z --cached --others --exclude-standard) |
  (cd "$root" && xargs -0 tar -cf - --) | tar -xf - -C "$work/src"
"$python" -m pip wheel -q --disable-pip-version-check --no-deps -w "$work/dist" "$work/src"
wheel=$(ls "$work"/dist/forum_bot-*.whl)

"$python" -m venv "$work/venv"
"$work/venv/bin/python" -m pip install -q --disable-pip-version-check "$wheel"
touch "$work/installed"

mkdir "$work/run"
cat > "$work/run/chat.txt" <<'CHAT'
/help
/language
/quit
CHAT
# From an empty folder, with no path into the checkout: only the installed package is seen.
(cd "$work/run" && env -u PYTHONPATH "$work/venv/bin/forum-bot" demo --script chat.txt) \
  > "$work/out.txt" 2>&1 || { cat "$work/out.txt"; echo "wheel demo: the demo failed" >&2; exit 1; }

fail() { cat "$work/out.txt"; echo "wheel demo: $1" >&2; exit 1; }
grep -q "Форум городов-побратимов" "$work/out.txt" || fail "the sample programme was not loaded"
grep -q "Выберите язык" "$work/out.txt" || fail "the Russian catalog was not used"
grep -q "\[1\]" "$work/out.txt" || fail "no buttons"
! grep -q "Traceback" "$work/out.txt" || fail "a traceback"
site=$(cd "$work/run" && env -u PYTHONPATH "$work/venv/bin/python" -c "import bot, pathlib; print(pathlib.Path(bot.__file__).parent)")
case "$site" in "$work/venv/"*) ;; *) fail "bot was imported from $site" ;; esac
for page in index.html app.js app.css sw.js; do
  [ -f "$site/web/static/$page" ] || fail "the Mini App's $page is not in the wheel"
done
if find "$site" -newer "$work/installed" -not -name "*.pyc" -not -type d | grep -q .; then
  fail "the bot wrote into its installed package"
fi
echo "wheel demo: $(basename "$wheel") installed in a fresh venv runs the demo"
