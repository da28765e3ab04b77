#!/usr/bin/env bash
# Lighthouse and the Nu Html Checker on every public page type, served the
# way production serves them (gunicorn, DJANGO_DEBUG=false) from a throwaway
# copy of the seed content. Node tools are installed under $AUDIT_DIR, never
# in the project. Usage: make audit   (AUDIT_PORT, AUDIT_DIR to override)
set -euo pipefail
cd "$(dirname "$0")/.."

PORT="${AUDIT_PORT:-8599}"
AUDIT_DIR="${AUDIT_DIR:-/tmp/dmvpolicy-audit}"
CHROME="${CHROME_PATH:-/usr/bin/chromium}"
BASE="http://127.0.0.1:$PORT"
PY=.venv/bin/python
mkdir -p "$AUDIT_DIR/reports"

if [ ! -x "$AUDIT_DIR/node_modules/.bin/lighthouse" ] || [ ! -f "$AUDIT_DIR/node_modules/vnu-jar/build/dist/vnu.jar" ]; then
  echo "Installing lighthouse and vnu-jar under $AUDIT_DIR ..."
  (cd "$AUDIT_DIR" && { [ -f package.json ] || npm init -y >/dev/null; } \
    && npm install --no-audit --no-fund --silent lighthouse vnu-jar)
fi

export DJANGO_DEBUG=false
export DJANGO_SECRET_KEY="audit-$(head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
export DJANGO_ALLOWED_HOSTS=127.0.0.1
export DJANGO_SECURE_SSL_REDIRECT=false
export DATABASE_URL="sqlite:///$AUDIT_DIR/audit.sqlite3"
# Its own page cache and stamp, so an audit leaves a running `make run` alone.
export CACHE_URL=locmem:// PAGE_CACHE_STAMP_FILE="$AUDIT_DIR/page-cache-stamp"
rm -f "$AUDIT_DIR"/audit.sqlite3*
$PY manage.py migrate --noinput --verbosity 0
$PY manage.py seed_content --verbosity 0
$PY manage.py collectstatic --noinput --verbosity 0
# One published change, so the change log shows a diff.
$PY manage.py shell --verbosity 0 -c "
from faq.models import Question
answer = Question.objects.get(position=13).answer
answer.body = answer.body.replace('obtain the necessary forms', 'ask for the written forms')
answer.change_note = 'Said which forms to ask for.'
answer.save()
answer.sources.create(title='Illinois Secretary of State', url='https://www.ilsos.gov/')
"

GUNICORN_BIND="127.0.0.1:$PORT" GUNICORN_WORKERS=2 .venv/bin/gunicorn -c dmvpolicy/gunicorn.conf.py \
  --access-logfile /dev/null dmvpolicy.wsgi >"$AUDIT_DIR/gunicorn.log" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -fs -o /dev/null "$BASE/" && break; sleep 0.2; done

QUESTION=/dmv-data-sharing-with-ice-illinois/what-are-the-procedures-for-individuals-to-opt-out-of-having/
declare -A PAGES=(
  [home]=/
  [guide]=/dmv-data-sharing-with-ice-illinois/
  [question]=$QUESTION
  [topic]=/topics/opting-out/
  [topics]=/topics/
  [search]="/search/?q=opt+out"
  [changes]="${QUESTION}changes/"
)

status=0
echo "== Nu Html Checker (errors only)"
files=()
for name in "${!PAGES[@]}"; do
  curl -fs "$BASE${PAGES[$name]}" -o "$AUDIT_DIR/reports/$name.html"
  files+=("$AUDIT_DIR/reports/$name.html")
done
if java -jar "$AUDIT_DIR/node_modules/vnu-jar/build/dist/vnu.jar" --errors-only "${files[@]}"; then
  echo "   no errors on ${#files[@]} pages"
else
  status=1
fi

echo "== Lighthouse (mobile): performance, accessibility, best practices, SEO"
for name in home guide question topic topics search changes; do
  rm -f "$AUDIT_DIR/reports/$name.json"
  # Lighthouse now and then loses the page-load trace (NO_NAVSTART); try twice.
  for attempt in 1 2; do
    CHROME_PATH="$CHROME" "$AUDIT_DIR/node_modules/.bin/lighthouse" "$BASE${PAGES[$name]}" \
      --quiet --output=json --output-path="$AUDIT_DIR/reports/$name.json" \
      --chrome-flags="--headless --no-sandbox --disable-gpu --disable-background-networking" \
      --only-categories=performance,accessibility,best-practices,seo && break
  done
  if [ ! -s "$AUDIT_DIR/reports/$name.json" ]; then
    echo "   $name: Lighthouse failed twice"; status=1; continue
  fi
  python3 - "$name" "$AUDIT_DIR/reports/$name.json" <<'PY' || status=1
import json, sys
name, path = sys.argv[1], sys.argv[2]
report = json.load(open(path))
scores = {key: round(cat["score"] * 100) for key, cat in report["categories"].items()}
print(f"   {name:9} " + "  ".join(f"{key} {value}" for key, value in scores.items()))
low = [a["id"] for a in report["audits"].values() if a.get("score") is not None and a["score"] < 1
       and a.get("scoreDisplayMode") == "binary"]
if low:
    print(f"             failing audits: {', '.join(low)}")
sys.exit(0 if scores["accessibility"] == 100 and min(scores.values()) >= 95 else 1)
PY
done
echo "Reports: $AUDIT_DIR/reports/"
exit $status
