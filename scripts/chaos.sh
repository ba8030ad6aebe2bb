#!/usr/bin/env bash
# make chaos: the demo feed on 16 partitions through one engine instance that
# is killed with SIGKILL at CHAOS_KILLS random moments (restarted each time),
# then an independent check, in the spirit of Kafka Streams' EOS system
# tests: `centinela backtest` replays the same records offline, and its
# alerts must equal what was delivered on uif.alerts and sunat.alerts (last
# value per key), field for field except detected_at. Prints the counts and
# ALL-ALERTS-MATCH, or the differences and exit status 1.
#
#   scripts/chaos.sh [BUILD_DIR]     CHAOS_COUNT (100000), CHAOS_KILLS (10), CHAOS_SEED (random)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="${1:-build}"
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
BIN="$BUILD/cli/centinela"
COUNT="${CHAOS_COUNT:-100000}"
KILLS="${CHAOS_KILLS:-10}"
SEED="${CHAOS_SEED:-$RANDOM}"
CONFIG="$ROOT/deploy/config/engine.yaml"
[ -x "$BIN" ] || { echo "chaos: $BIN not built; run make chaos" >&2; exit 1; }
DIR="$(mktemp -d /tmp/centinela-chaos.XXXXXX)"
BROKER_PID=""
ENGINE_PID=""
cleanup() {
  [ -n "$ENGINE_PID" ] && kill -9 "$ENGINE_PID" 2>/dev/null || true
  [ -n "$BROKER_PID" ] && kill "$BROKER_PID" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$DIR"
}
trap cleanup EXIT
echo "chaos: $COUNT records, $KILLS kills, seed $SEED, work directory $DIR"

"$BIN" broker --config "$CONFIG" --partitions 16 --bootstrap-file "$DIR/bootstrap.txt" \
  >"$DIR/broker.out" 2>"$DIR/broker.log" &
BROKER_PID=$!
for _ in $(seq 1 100); do [ -s "$DIR/bootstrap.txt" ] && break; sleep 0.1; done
[ -s "$DIR/bootstrap.txt" ] || { echo "chaos: broker did not start" >&2; cat "$DIR/broker.log" >&2; exit 1; }
BS="$(cat "$DIR/bootstrap.txt")"

# The same records twice: to the broker, and to a file for the verifier.
"$BIN" gen --count "$COUNT" --invalid 10 --bootstrap "$BS" --labels "$DIR/labels.csv" 2>&1 | tail -1
"$BIN" gen --count "$COUNT" --invalid 10 --out "$DIR/feed.bin" 2>&1 | tail -1

# Kill points: KILLS distinct amounts of progress, drawn from the seed.
mapfile -t POINTS < <(python3 -c "
import random, sys
r = random.Random($SEED)
print('\n'.join(str(p) for p in sorted(r.sample(range(1000, $COUNT - 1000), $KILLS))))")

consumed_in() {  # the last consumed= count the engine logged
  { grep -o 'consumed=[0-9]*' "$1" 2>/dev/null || true; } | tail -1 | cut -d= -f2
}
run_engine() {
  "$BIN" run --config "$CONFIG" --bootstrap "$BS" --data-dir "$DIR/db" --until-caught-up --log-commits \
    >"$DIR/engine.log" 2>&1 &
  ENGINE_PID=$!
}
kills=0
for point in "${POINTS[@]}"; do
  run_engine
  while kill -0 "$ENGINE_PID" 2>/dev/null; do
    c="$(consumed_in "$DIR/engine.log")"
    # Past the point, and this run has committed at least once (a point
    # already passed by an earlier run is taken mid-work, not at start-up).
    if [ -n "$c" ] && [ "$c" -ge "$point" ] && grep -q 'commit records=' "$DIR/engine.log"; then
      kill -9 "$ENGINE_PID"
      kills=$((kills + 1))
      break
    fi
    sleep 0.05  # poll interval of the log
  done
  wait "$ENGINE_PID" 2>/dev/null || true
  ENGINE_PID=""
  echo "chaos: kill $kills at consumed=${c:-0} (target $point)"
  cat "$DIR/engine.log" >>"$DIR/engine.all.log"
done
run_engine
if ! wait "$ENGINE_PID"; then
  ENGINE_PID=""
  echo "chaos: the last run failed:" >&2
  tail -20 "$DIR/engine.log" >&2
  exit 1
fi
ENGINE_PID=""
grep '^engine: done' "$DIR/engine.log" || true
"$BIN" alerts summary --data-dir "$DIR/db" --labels "$DIR/labels.csv" | grep '^cases alerted'

# The verifier: backtest the same records, read what was delivered.
"$BIN" backtest --pack "$ROOT/rules/packs/peru.yaml" --config "$CONFIG" --input "$DIR/feed.bin" \
  --alerts-out "$DIR/backtest.jsonl" --quiet >"$DIR/backtest.txt" 2>"$DIR/backtest.log" ||
  { echo "chaos: backtest failed:" >&2; cat "$DIR/backtest.log" >&2; exit 1; }
head -1 "$DIR/backtest.txt"
for t in uif.alerts sunat.alerts; do
  timeout 120 kcat -b "$BS" -C -t "$t" -e -q -f '%k\t%s\n' >"$DIR/$t.tsv"
done
timeout 120 kcat -b "$BS" -C -t centinela.dlq -e -q -f '%k\n' | wc -l | sed 's/^/dead letters on centinela.dlq: /'

python3 - "$DIR" "$kills" <<'PY'
import json, sys
d, kills = sys.argv[1], int(sys.argv[2])
def strip(a):
    # Without the one wall-clock field, and without fields at their default
    # value (the outbox prints them, --alerts-out leaves them out).
    return {k: v for k, v in a.items() if k != "detected_at" and v not in (False, [], {}, "", 0, "0", None)}
expected = {}
for line in open(f"{d}/backtest.jsonl"):
    a = json.loads(line)
    expected[a["id"]] = strip(a)
delivered = {"UIF": {}, "SUNAT": {}}
for topic, dest in (("uif.alerts", "UIF"), ("sunat.alerts", "SUNAT")):
    for line in open(f"{d}/{topic}.tsv"):
        key, _, value = line.rstrip("\n").partition("\t")
        delivered[dest][key] = strip(json.loads(value))  # the last value per key wins
problems = []
for dest in ("UIF", "SUNAT"):
    want = {i: a for i, a in expected.items() if dest in a.get("destinations", [])}
    got = delivered[dest]
    for i in sorted(set(want) - set(got)):
        problems.append(f"{dest}: {i} ({want[i]['typology_id']}) in the backtest, not delivered")
    for i in sorted(set(got) - set(want)):
        problems.append(f"{dest}: {i} ({got[i]['typology_id']}) delivered, not in the backtest")
    for i in sorted(set(want) & set(got)):
        if want[i] != got[i]:
            fields = sorted(k for k in set(want[i]) | set(got[i]) if want[i].get(k) != got[i].get(k))
            problems.append(f"{dest}: {i} ({want[i]['typology_id']}) differs in {', '.join(fields)}")
    print(f"{dest}: {len(want)} alerts in the backtest, {len(got)} delivered")
print(f"kills: {kills}")
if problems:
    for p in problems[:50]:
        print(p)
    print(f"ALERTS-DIFFER: {len(problems)} difference(s)")
    sys.exit(1)
print("ALL-ALERTS-MATCH")
PY
