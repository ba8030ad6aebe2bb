#!/usr/bin/env python3
"""Derives the FX table for IBM AMLworld data from the data's own rows.

Usage: scripts/derive-amlworld-fx.py --transactions HI-Small_Trans.csv [--transactions MORE.csv]
           [--base deploy/config/fx-amlworld.yaml] [--out deploy/config/fx-amlworld.yaml]

Every AMLworld row holds the amount paid in one currency and the amount
received in another. Where the two differ, received / paid is the rate the
simulator used between them. The rate of each currency per US dollar is the
median over the rows that pair it with the dollar directly, or, when none
does, through a currency already known (Euro -> Ruble, say). Currencies the
rows never pair keep the rate of the --base table, marked so in the output.

Rates are written with 6 decimals (the FX table's precision); the Bitcoin
rate, about 0.00009 per dollar, therefore carries a rounding of up to 0.6%.
"""
import argparse
import csv
import statistics
import sys

# AMLworld's currency names (connectors/file/mappings/amlworld.yaml).
CODES = {
    "US Dollar": "USD", "Euro": "EUR", "Yuan": "CNY", "Swiss Franc": "CHF", "Shekel": "ILS",
    "Canadian Dollar": "CAD", "Rupee": "INR", "Yen": "JPY", "Australian Dollar": "AUD", "Saudi Riyal": "SAR",
    "UK Pound": "GBP", "Ruble": "RUB", "Mexican Peso": "MXN", "Brazil Real": "BRL", "Bitcoin": "XBT",
}


def read_base(path):
    rates = {}
    if not path:
        return rates
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line.startswith("- {"):
                continue
            fields = dict(kv.split(":", 1) for kv in line[3:].rstrip("}").split(", "))
            rates[fields["currency"].strip()] = fields["per_usd"].strip().strip('"')
    return rates


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--transactions", action="append", required=True)
    ap.add_argument("--base", default="deploy/config/fx-amlworld.yaml")
    ap.add_argument("--out", default="deploy/config/fx-amlworld.yaml")
    ap.add_argument("--date", default="2022-09-01")
    args = ap.parse_args()
    base = read_base(args.base)
    ratios = {}  # (paid, received) -> [received / paid]
    rows = 0
    for path in args.transactions:
        with open(path, newline="", encoding="utf-8") as f:
            for n, r in enumerate(csv.reader(f), 1):
                if n == 1 and r and r[0] == "Timestamp":
                    continue
                if len(r) < 9:
                    sys.exit(f"{path}:{n}: expected AMLworld's 11 columns, got {len(r)}")
                rows += 1
                paid_cur, recv_cur = CODES.get(r[8]), CODES.get(r[6])
                if paid_cur is None or recv_cur is None:
                    sys.exit(f"{path}:{n}: unknown currency {r[8]!r} or {r[6]!r}")
                if paid_cur == recv_cur:
                    continue
                try:
                    paid, received = float(r[7]), float(r[5])
                except ValueError:
                    sys.exit(f"{path}:{n}: amounts {r[7]!r}, {r[5]!r} are not numbers")
                if paid > 0 and received > 0:
                    ratios.setdefault((paid_cur, recv_cur), []).append(received / paid)
    # Units of each currency per unit of another, both directions.
    per = {}
    for (a, b), v in ratios.items():
        per.setdefault((a, b), []).extend(v)
        per.setdefault((b, a), []).extend(1 / x for x in v)
    per_usd, how = {"USD": 1.0}, {}
    changed = True
    while changed:
        changed = False
        for (a, b), v in sorted(per.items(), key=lambda kv: -len(kv[1])):
            if a in per_usd and b not in per_usd:
                per_usd[b] = per_usd[a] * statistics.median(v)
                how[b] = f"median of {len(v)} {a}/{b} rows" + ("" if a == "USD" else f", through {a}")
                changed = True
    out = [
        "# AMLworld FX rates (units per USD), derived by scripts/derive-amlworld-fx.py from",
        "# " + ", ".join(args.transactions) + f" ({rows} rows): the median of received / paid",
        "# over the rows that pair two currencies. Currencies the rows never pair keep the",
        "# rate of the previous table (approximate rates of September 2022), marked 'kept'.",
    ]
    codes = sorted(set(CODES.values()) - {"USD"} | set(base) - {"USD"})
    for code in codes:
        if code in per_usd:
            rate = f"{per_usd[code]:.6f}".rstrip("0").rstrip(".")
            out.append(f'- {{date: "{args.date}", currency: {code}, per_usd: "{rate}"}}  # {how[code]}')
        elif code in base:
            out.append(f'- {{date: "{args.date}", currency: {code}, per_usd: "{base[code]}"}}  # kept')
    with open(args.out, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")
    print(f"{len(per_usd) - 1} rates derived, {len(codes) - len(per_usd) + 1} kept -> {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
