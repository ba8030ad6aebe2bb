#!/usr/bin/env bash
# make chaos: the demo feed on 16 partitions through CHAOS_INSTANCES engine
# instances (replicas, docs/instances.md), a random one killed with SIGKILL
# at CHAOS_KILLS random moments (restarted each time); with CHAOS_LOSE=1 one
# more is killed for good halfway and the others finish. Then an
# independent check, in the spirit of Kafka Streams' EOS system tests:
# `centinela backtest` replays the same records offline, and its alerts must
# equal what was delivered on uif.alerts and sunat.alerts (last value per
# key), field for field except detected_at. Prints the counts and
# ALL-ALERTS-MATCH, or the differences and exit status 1.
#
#   scripts/chaos.sh [BUILD_DIR]     CHAOS_COUNT (100000), CHAOS_KILLS (10), CHAOS_SEED (random),
#                                    CHAOS_INSTANCES (3), CHAOS_LOSE (0)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="${1:-build}"
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
BIN="$BUILD/cli/centinela"
COUNT="${CHAOS_COUNT:-100000}"
KILLS="${CHAOS_KILLS:-10}"
SEED="${CHAOS_SEED:-$RANDOM}"
INSTANCES="${CHAOS_INSTANCES:-3}"
LOSE="${CHAOS_LOSE:-0}"
CONFIG="$ROOT/deploy/config/engine.yaml"
[ -x "$BIN" ] || { echo "chaos: $BIN not built; run make chaos" >&2; exit 1; }
DIR="$(mktemp -d /tmp/centinela-chaos.XXXXXX)"
BROKER_PID=""
declare -A PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  [ -n "$BROKER_PID" ] && kill "$BROKER_PID" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$DIR"
}
trap cleanup EXIT
echo "chaos: $COUNT records, $INSTANCES instance(s), $KILLS kills$([ "$LOSE" = 1 ] && echo ", one instance lost for good halfway"), seed $SEED, work directory $DIR"

"$BIN" broker --config "$CONFIG" --partitions 16 --bootstrap-file "$DIR/bootstrap.txt" \
  >"$DIR/broker.out" 2>"$DIR/broker.log" &
BROKER_PID=$!
for _ in $(seq 1 100); do [ -s "$DIR/bootstrap.txt" ] && break; sleep 0.1; done
[ -s "$DIR/bootstrap.txt" ] || { echo "chaos: broker did not start" >&2; cat "$DIR/broker.log" >&2; exit 1; }
BS="$(cat "$DIR/bootstrap.txt")"

# The same records twice: to the broker, and to a file for the verifier.
# The producer writes the 16 partitions unevenly (bursts of a random one).
"$BIN" gen --count "$COUNT" --invalid 10 --bootstrap "$BS" --shuffle "$SEED" --labels "$DIR/labels.csv" 2>&1 | tail -1
"$BIN" gen --count "$COUNT" --invalid 10 --out "$DIR/feed.bin" 2>&1 | tail -1

# Kill points: KILLS distinct amounts of progress, and a draw that picks
# the instance among those still working at that moment, from the seed.
mapfile -t POINTS < <(python3 -c "
import random
r = random.Random($SEED)
for p in sorted(r.sample(range(1000, $COUNT - 1000), $KILLS)):
    print(p, r.randrange(1 << 30))")

consumed_in() {  # the last consumed= count an instance logged
  { grep -o 'consumed=[0-9]*' "$1" 2>/dev/null || true; } | tail -1 | cut -d= -f2
}
start_instance() {  # start_instance K: instance K, its own data directory and name
  [ -f "$DIR/engine$1.log" ] && cat "$DIR/engine$1.log" >>"$DIR/engine$1.all.log"
  "$BIN" run --config "$CONFIG" --bootstrap "$BS" --data-dir "$DIR/db$1" --instance "i$1" --api-listen 127.0.0.1:0 \
    --until-caught-up --log-commits >"$DIR/engine$1.log" 2>&1 &
  PIDS[$1]=$!
}
alive() { [ -n "${PIDS[$1]:-}" ] && kill -0 "${PIDS[$1]}" 2>/dev/null; }
T0="$(date +%s.%N)"
for k in $(seq 0 $((INSTANCES - 1))); do start_instance "$k"; done

kills=0
lost=""
for entry in "${POINTS[@]}"; do
  read -r point draw <<<"$entry"
  if [ "$LOSE" = 1 ] && [ -z "$lost" ] && [ "$point" -ge $((COUNT / 2)) ]; then
    # Halfway: one instance (the last) is lost for good.
    lost=$((INSTANCES - 1))
    while alive "$lost"; do
      c="$(consumed_in "$DIR/engine$lost.log")"
      if [ -n "$c" ] && [ "$c" -ge $((COUNT / 2)) ]; then kill -9 "${PIDS[$lost]}"; break; fi
      sleep 0.05
    done
    wait "${PIDS[$lost]}" 2>/dev/null || true
    unset "PIDS[$lost]"
    echo "chaos: instance i$lost lost for good at consumed=${c:-?}"
  fi
  # Among the instances still running and short of the end, the drawn one;
  # killed once past the point (and having committed in this run, so that a
  # kill is taken mid-work, not at start-up).
  c=""
  killed=0
  while [ "$killed" = 0 ]; do
    working=()
    for i in "${!PIDS[@]}"; do
      ci="$(consumed_in "$DIR/engine$i.log")"
      if alive "$i" && [ "${ci:-0}" -lt "$COUNT" ]; then working+=("$i"); fi
    done
    [ "${#working[@]}" -gt 0 ] || break
    k="${working[$((draw % ${#working[@]}))]}"
    while alive "$k"; do
    c="$(consumed_in "$DIR/engine$k.log")"
      if [ -n "$c" ] && [ "$c" -ge "$point" ] && grep -q 'commit records=' "$DIR/engine$k.log"; then
        kill -9 "${PIDS[$k]}"
        kills=$((kills + 1))
        killed=1
        break
      fi
      sleep 0.05  # poll interval of the log
    done
    if [ "$killed" = 0 ]; then  # it finished first: done, not restarted
      wait "${PIDS[$k]}" || { echo "chaos: instance i$k failed:" >&2; tail -20 "$DIR/engine$k.log" >&2; exit 1; }
      echo "chaos: instance i$k finished before consumed=$point"
      unset "PIDS[$k]"
    fi
  done
  if [ "$killed" = 1 ]; then
    wait "${PIDS[$k]}" 2>/dev/null || true
    echo "chaos: kill $kills: instance i$k at consumed=${c:-0} (target $point)"
    start_instance "$k"
  else
    echo "chaos: no instance still working at consumed=$point: kill not taken"
  fi
done
failed=0
for k in "${!PIDS[@]}"; do
  if ! wait "${PIDS[$k]}"; then
    echo "chaos: instance i$k failed:" >&2
    tail -20 "$DIR/engine$k.log" >&2
    failed=1
  fi
  grep '^engine: done' "$DIR/engine$k.log" | sed "s/^/i$k: /" || true
  grep '^replica: ' "$DIR/engine$k.all.log" "$DIR/engine$k.log" 2>/dev/null | grep -c 'delivering (' |
    sed "s/^/i$k: times it took over delivery: /" || true
done
PIDS=()
[ "$failed" = 0 ] || exit 1
python3 -c "import sys; print(f'chaos: every instance finished {float(sys.argv[2]) - float(sys.argv[1]):.1f} s after the first started')" \
  "$T0" "$(date +%s.%N)"
"$BIN" alerts summary --data-dir "$DIR/db0" --labels "$DIR/labels.csv" | grep '^cases alerted'

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
records = {"UIF": 0, "SUNAT": 0}
for topic, dest in (("uif.alerts", "UIF"), ("sunat.alerts", "SUNAT")):
    for line in open(f"{d}/{topic}.tsv"):
        records[dest] += 1
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
    print(f"{dest}: {len(want)} alerts in the backtest, {len(got)} delivered ({records[dest]} records on the topic)")
print(f"kills: {kills}")
if problems:
    for p in problems[:50]:
        print(p)
    print(f"ALERTS-DIFFER: {len(problems)} difference(s)")
    sys.exit(1)
print("ALL-ALERTS-MATCH")
PY
