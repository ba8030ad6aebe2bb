#!/usr/bin/env bash
# make demo: embedded broker -> synthetic Peru feed -> engine until caught up
# -> alerts per typology and per destination topic, read back through Kafka.
# The broker is left running so that kcat can read the topics; `make demo-stop`
# (or `scripts/demo.sh --stop`) stops it.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
STOP=0
if [ "${1:-}" = "--stop" ]; then STOP=1; shift; fi
BUILD="${1:-build}"
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
BIN="$BUILD/cli/centinela"
DIR="$ROOT/demo-data"
COUNT="${DEMO_COUNT:-100000}"

stop_broker() {
  if [ -f "$DIR/broker.pid" ]; then
    kill "$(cat "$DIR/broker.pid")" 2>/dev/null || true
    rm -f "$DIR/broker.pid"
    echo "demo: broker stopped"
  fi
}
if [ $STOP = 1 ]; then stop_broker; exit 0; fi

[ -x "$BIN" ] || { echo "demo: $BIN not built; run make demo" >&2; exit 1; }
stop_broker
rm -rf "$DIR" && mkdir -p "$DIR"

echo "== 1. embedded Kafka broker (librdkafka mock cluster)"
"$BIN" broker --config "$ROOT/deploy/config/engine.yaml" --bootstrap-file "$DIR/bootstrap.txt" \
  >"$DIR/broker.out" 2>"$DIR/broker.log" &
echo $! >"$DIR/broker.pid"
for _ in $(seq 1 100); do [ -s "$DIR/bootstrap.txt" ] && break; sleep 0.1; done
[ -s "$DIR/bootstrap.txt" ] || { echo "demo: broker did not start; see $DIR/broker.log" >&2; cat "$DIR/broker.log" >&2; exit 1; }
BS="$(cat "$DIR/bootstrap.txt")"
echo "   bootstrap: $BS"

echo "== 2. synthetic Peru feed: $COUNT transactions with injected typology cases and 10 malformed records"
"$BIN" gen --count "$COUNT" --invalid 10 --bootstrap "$BS" --labels "$DIR/labels.csv" \
  --listed "$ROOT/deploy/config/lists/demo_listed_parties.csv"

echo "== 3. engine, until caught up"
"$BIN" run --config "$ROOT/deploy/config/engine.yaml" --bootstrap "$BS" --data-dir "$DIR/db" --until-caught-up

echo "== 4. alerts per typology and destination (RocksDB), recall of injected cases"
"$BIN" alerts summary --data-dir "$DIR/db" --labels "$DIR/labels.csv"

echo "== 5. the same alerts read back from Kafka (uif.alerts, sunat.alerts)"
"$BIN" alerts tally --bootstrap "$BS"

echo "== 6. a few dead-lettered records (centinela.dlq)"
if command -v kcat >/dev/null; then
  timeout 20 kcat -b "$BS" -C -t centinela.dlq -e -q -f '%s\n' | sed -E 's/"raw":"[^"]*",//' | head -5 | cut -c1-220
fi

cat <<MSG

The broker is still running at $BS (pid $(cat "$DIR/broker.pid")). Read the alerts with:
  kcat -b $BS -C -t uif.alerts -e
  kcat -b $BS -C -t sunat.alerts -e
Stop it with: make demo-stop
MSG
