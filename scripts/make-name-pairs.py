#!/usr/bin/env python3
"""Builds eval/data/name_pairs.csv, Centinela's own labelled set of name pairs.

Usage: scripts/make-name-pairs.py [--data ../shared/data/lists] [--out eval/data/name_pairs.csv]

Deterministic (fixed seed): the same inputs give the same file. Every pair
says where it comes from (column `source`) and which class of difficulty it
tests (column `class`); eval/data/README.md describes them. Inputs are the
public lists in ../shared/data/lists (OFAC SDN 2019 with its aliases, the UN
consolidated list with its names in original script). No labelled pair set
from elsewhere is used.

Positives (label 1) are two writings of the same listed party:
  - the list's own aliases (OFAC a.k.a. names, UN aliases of good quality)
    that share at least half the words of the shorter name with the
    primary name (an alias that shares fewer is another name, which no
    name comparison can find: the index screens every alias on its own),
    and UN names in original script;
  - rewritings a real feed makes: legal forms spelled out or abbreviated,
    numbers as words, words joined or split, initials, nicknames, titles,
    digit obfuscation, a dropped or added middle name, surname first,
    one typo, transliteration variants, acronyms.
Negatives (label 0) are two different parties:
  - two listed entries of the same kind whose names share a word and look
    alike (OFAC: different ent_num);
  - a listed name with one distinctive word changed for a similar real one
    (another surname a few letters away, another business word);
  - reversed patronymics (X bin Y / Y bin X), another legal family (AG/GmbH);
  - realistic Peruvian names (given names and surnames from the same tables
    as the evaluation generator) against listed names sharing a surname.
"""
import argparse
import csv
import os
import random
import re
import sys
import unicodedata
import xml.etree.ElementTree as ET
from difflib import SequenceMatcher

SEED = 19

PERU_GIVEN = """Juan Jose Luis Carlos Jorge Miguel Victor Cesar Pedro Manuel Julio Raul Ricardo Fernando Alberto
Walter Edgar Javier Roberto Oscar Hugo Wilber Elmer Percy Segundo Teodoro Alejandro Daniel Diego Renzo Gustavo
Eduardo Santos Maria Rosa Carmen Ana Luz Juana Elena Teresa Gloria Silvia Patricia Milagros Yolanda Norma Marleny
Nelly Flor Sonia Gladys Lucia Veronica Karina Roxana Maribel Yessenia Katherine Fiorella Rocio Janet Giovanna
Sandra Dina Edith Angel Alfredo Antonio Martin Felix Nestor Willy Gonzalo Hernan Marco Ivan""".split()
PERU_SURNAMES = """Quispe Flores Huaman Mamani Ramos Garcia Rojas Chavez Torres Mendoza Condori Vargas Sanchez Diaz
Rodriguez Lopez Castillo Gonzales Vasquez Espinoza Cruz Gutierrez Perez Ramirez Fernandez Ruiz Apaza Ccama Choque
Cusi Huanca Yupanqui Mayta Ticona Pari Coaquira Cahuana Ayala Salazar Medina Aguilar Herrera Silva Romero Cardenas
Paredes Valdivia Zapata Ccahuana Huillca Inga Yauri Tupac Palomino Alvarado Benites Villanueva Arias Nunez Campos
Soto Leon Bustamante Cordova Zegarra Pacheco Ore Lazo Meza Poma Yucra Llanos Tello Calderon Infante Carrasco
Peralta Cabrera Avila Guerrero Montes Solis Vega Ochoa Ancco Huarcaya Sulca Taipe Cjuno Tacuri Layme Escobar
Olivera Cueva Morales Jimenez Moreno Ortiz Navarro Delgado Castro Suarez Molina Guzman Reyes Mendez Marquez""".split()

# Long and short forms of legal forms (both directions are tested).
LEGAL = [
    ("LIMITED", "LTD"), ("LIMITED LIABILITY COMPANY", "LLC"), ("JOINT STOCK COMPANY", "JSC"),
    ("COMPANY", "CO"), ("CORPORATION", "CORP"), ("INCORPORATED", "INC"),
    ("SOCIEDAD ANONIMA", "S.A."), ("AKTIENGESELLSCHAFT", "AG"),
    ("GESELLSCHAFT MIT BESCHRANKTER HAFTUNG", "GMBH"), ("SOCIEDAD ANONIMA CERRADA", "S.A.C."),
    ("SOCIEDAD DE RESPONSABILIDAD LIMITADA", "S.R.L."), ("PUBLIC JOINT STOCK COMPANY", "PJSC"),
]
LEGAL_FAMILY_SWAP = [("AG", "GMBH"), ("S.A.", "S.R.L."), ("LTD", "AG"), ("JSC", "LLC"), ("S.A.C.", "E.I.R.L.")]
NUMBER_WORDS = {"1": "ONE", "2": "TWO", "3": "THREE", "4": "FOUR", "5": "FIVE", "6": "SIX", "7": "SEVEN",
                "8": "EIGHT", "9": "NINE", "10": "TEN", "12": "TWELVE", "20": "TWENTY", "44": "FORTY-FOUR"}
ORDINALS = [("FIRST", "1ST"), ("SECOND", "2ND"), ("THIRD", "3RD"), ("FOURTH", "4TH")]
# Short forms in everyday use, written here for this set (not the engine's table).
NICKNAMES = {
    "WILLIAM": "BILL", "ROBERT": "BOB", "RICHARD": "DICK", "JAMES": "JIM", "JOSEPH": "JOE",
    "MICHAEL": "MIKE", "THOMAS": "TOM", "EDWARD": "TED", "ALEXANDER": "SASHA", "VLADIMIR": "VOLODYA",
    "DMITRY": "DIMA", "FRANCISCO": "PANCHO", "JOSE": "PEPE", "ALEKSANDR": "SASHA", "NIKOLAI": "KOLYA",
    "ANTHONY": "TONY", "CHARLES": "CHARLIE", "DANIEL": "DANNY", "DAVID": "DAVE", "STEVEN": "STEVE",
    "GREGORY": "GREG", "PATRICK": "PAT", "SAMUEL": "SAM", "ALEJANDRO": "ALEX", "ENRIQUE": "QUIQUE",
    "IGNACIO": "NACHO", "GUILLERMO": "MEMO", "MANUEL": "MANOLO", "BENJAMIN": "BIBI", "YEVGENY": "ZHENYA",
}
TITLES = ["DR.", "SHEIKH", "GENERAL", "PRESIDENT", "MR.", "HAJJI", "COLONEL", "MULLAH", "ENG.", "PROF."]
TRANSLIT = [("MOHAMMED", "MUHAMMAD"), ("MUHAMMAD", "MOHAMED"), ("MOHAMMAD", "MOHAMAD"), ("YUSUF", "YOUSSEF"),
            ("HUSSEIN", "HUSAYN"), ("HASSAN", "HASAN"), ("ABDUL", "ABDEL"), ("AHMAD", "AHMED"), ("OMAR", "UMAR"),
            ("ALI", "ALY"), ("KHALID", "KHALED"), ("SERGEI", "SERGEY"), ("YURI", "IURII"), ("ALEKSANDR", "ALEXANDER"),
            ("DMITRY", "DMITRII"), ("MIKHAIL", "MIKHAYL"), ("YEVGENY", "EVGENIY"), ("IBRAHIM", "EBRAHIM"),
            ("OSAMA", "USAMA"), ("QASIM", "KASIM"), ("JAMAL", "GAMAL"), ("ZHANG", "CHANG"), ("XI", "HSI")]
LEET = {"O": "0", "I": "1", "E": "3", "A": "4", "S": "5"}


def strip_accents(s):
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))


def words(name):
    return [w for w in re.split(r"[^A-Z0-9]+", strip_accents(name).upper()) if w]


def clean(s):
    return re.sub(r"\s+", " ", s.replace("-0-", "")).strip().strip('"').strip()


def load_ofac(data):
    entries, aliases = {}, {}
    with open(os.path.join(data, "ofac-2019", "sdn.csv"), encoding="latin-1", newline="") as f:
        for row in csv.reader(f):
            if len(row) < 3 or not row[0].strip().isdigit():
                continue
            kind = clean(row[2]).lower()
            kind = {"individual": "person", "": "organization"}.get(kind, kind)
            entries[row[0].strip()] = (clean(row[1]), kind)
    with open(os.path.join(data, "ofac-2019", "alt.csv"), encoding="latin-1", newline="") as f:
        for row in csv.reader(f):
            if len(row) >= 4 and row[2].strip().strip('"') == "aka":
                aliases.setdefault(row[0].strip(), []).append(clean(row[3]))
    return entries, aliases


def un_text(el, tag):
    x = el.find(tag)
    return (x.text or "").strip() if x is not None and x.text else ""


def load_un(data):
    """(latin name, other name, kind, how) for original-script names and good aliases."""
    out = []
    root = ET.parse(os.path.join(data, "un_consolidated_2026-02.xml")).getroot()
    for kind, path, alias_tag in (("person", "INDIVIDUALS/INDIVIDUAL", "INDIVIDUAL_ALIAS"),
                                  ("organization", "ENTITIES/ENTITY", "ENTITY_ALIAS")):
        for el in root.findall(path):
            parts = [un_text(el, t) for t in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")]
            latin = " ".join(p for p in parts if p)
            if not latin:
                continue
            script = un_text(el, "NAME_ORIGINAL_SCRIPT")
            if script:
                out.append((latin, script, kind, "cross_script"))
            for a in el.findall(alias_tag):
                if un_text(a, "QUALITY") == "Good" and un_text(a, "ALIAS_NAME"):
                    out.append((latin, un_text(a, "ALIAS_NAME"), kind, "alias"))
    return out


def similar(a, b):
    return SequenceMatcher(None, " ".join(words(a)), " ".join(words(b))).ratio()


def alias_variant(a, b):
    """An alias that writes the same name: shares half the shorter one's words."""
    wa, wb = set(words(a)), set(words(b))
    return bool(wa) and bool(wb) and 2 * len(wa & wb) >= min(len(wa), len(wb))


def reorder_ofac(name):
    """OFAC writes people "SURNAME, Given": the natural order."""
    if "," in name:
        last, first = name.split(",", 1)
        return f"{first.strip()} {last.strip()}"
    return name


def typo(word, rng):
    i = rng.randrange(1, len(word) - 1)
    op = rng.randrange(3)
    if op == 0:
        return word[:i] + word[i + 1:]
    if op == 1:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    return word[:i] + rng.choice("AEIOUNRSTL") + word[i + 1:]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default="../shared/data/lists")
    ap.add_argument("--out", default="eval/data/name_pairs.csv")
    args = ap.parse_args()
    rng = random.Random(SEED)
    entries, aliases = load_ofac(args.data)
    un = load_un(args.data)
    persons = sorted(k for k, (n, t) in entries.items() if t == "person")
    orgs = sorted(k for k, (n, t) in entries.items() if t == "organization")
    pairs = []
    seen = set()

    def add(a, b, kind, label, cls, source, cap=None):
        a, b = clean(a), clean(b)
        if not a or not b or a == b or (a, b) in seen:
            return False
        if cap is not None and sum(1 for p in pairs if p[4] == cls and p[3] == label) >= cap:
            return False
        seen.add((a, b))
        pairs.append((a, b, kind, label, cls, source))
        return True

    # --- positives: the lists' own aliases ---
    alias_rows = []
    for k in sorted(aliases):
        name, kind = entries.get(k, ("", ""))
        if kind not in ("person", "organization"):
            continue
        for al in aliases[k]:
            if alias_variant(name, al):
                alias_rows.append((reorder_ofac(al) if kind == "person" else al, name, kind, f"OFAC 2019 ent_num {k} a.k.a."))
    rng.shuffle(alias_rows)
    for a, b, kind, src in alias_rows[:500]:
        add(a, b, kind, 1, "alias", src)
    un_rows = list(un)
    rng.shuffle(un_rows)
    for latin, other, kind, how in un_rows:
        if how == "cross_script":
            add(other, latin, kind, 1, "cross_script", "UN consolidated 2026-02 NAME_ORIGINAL_SCRIPT", cap=250)
        elif alias_variant(latin, other):
            add(other, latin, kind, 1, "alias", "UN consolidated 2026-02 alias (quality Good)", cap=650)

    # --- positives: rewritings a feed makes ---
    def sample(keys, n):
        keys = list(keys)
        rng.shuffle(keys)
        return keys[:n]

    src = lambda k: f"OFAC 2019 ent_num {k}, rewritten"
    for k in sample(orgs, 3000):
        name = entries[k][0]
        w = " ".join(words(name))
        for long, short in LEGAL:
            sw = re.sub(r"\.", "", short)
            if re.search(rf"\b{long}\b", w):
                add(re.sub(rf"\b{long}\b", short, w), name, "organization", 1, "legal_form", src(k), cap=200)
                break
            if re.search(rf"\b{sw}\b", w):
                add(re.sub(rf"\b{sw}\b", long, w), name, "organization", 1, "legal_form", src(k), cap=200)
                break
        for digit, word in NUMBER_WORDS.items():
            if re.search(rf"\b{digit}\b", w):
                add(re.sub(rf"\b{digit}\b", word, w), name, "organization", 1, "number", src(k), cap=60)
                break
            if re.search(rf"\b{word}\b", w):
                add(re.sub(rf"\b{word}\b", digit, w), name, "organization", 1, "number", src(k), cap=60)
                break
        for long, short in ORDINALS:
            if re.search(rf"\b{long}\b", w):
                add(re.sub(rf"\b{long}\b", short, w), name, "organization", 1, "number", src(k), cap=60)
        ws = words(name)
        if len(ws) >= 3 and all(len(x) >= 3 for x in ws[:2]):
            add(ws[0] + ws[1] + " " + " ".join(ws[2:]), name, "organization", 1, "joined", src(k), cap=80)
        # Acronyms: the initials of the name's words, as feeds write them.
        long_words = [x for x in ws if len(x) >= 3 and x not in ("THE", "AND", "FOR", "OF")]
        if 3 <= len(long_words) <= 5 and len(ws) == len(long_words):
            add("".join(x[0] for x in long_words), name, "organization", 1, "acronym", src(k), cap=50)
    for k in sample(persons, 6000):
        name = entries[k][0]
        natural = reorder_ofac(name)
        ws = words(natural)
        if len(ws) < 2:
            continue
        if "," in name:
            add(natural, name, "person", 1, "reorder", src(k), cap=120)
        if len(ws) >= 3:
            add(" ".join([ws[0]] + ws[2:]), natural, "person", 1, "missing_part", src(k), cap=120)
        if len(ws) == 2:
            add(f"{ws[0]} {rng.choice(PERU_GIVEN).upper()} {ws[1]}", natural, "person", 1, "extra_part", src(k), cap=80)
        if len(ws[0]) >= 3:
            add(f"{ws[0][0]}. " + " ".join(ws[1:]), natural, "person", 1, "initial", src(k), cap=120)
        long_i = [i for i, x in enumerate(ws) if len(x) >= 6]
        if long_i:
            i = rng.choice(long_i)
            t = list(ws)
            t[i] = typo(t[i], rng)
            add(" ".join(t), natural, "person", 1, "typo", src(k), cap=150)
        if len(ws) >= 2 and len(ws[0]) + len(ws[1]) <= 16:
            add(ws[0] + ws[1] + (" " + " ".join(ws[2:]) if len(ws) > 2 else ""), natural, "person", 1, "joined",
                src(k), cap=80)
        add(f"{rng.choice(TITLES)} {natural}", natural, "person", 1, "title", src(k), cap=100)
        if len(ws) >= 2:
            i = max(range(len(ws)), key=lambda j: len(ws[j]))
            t = list(ws)
            t[i] = "".join(LEET.get(c, c) if rng.random() < 0.5 else c for c in t[i])
            if t[i] != ws[i]:
                add(" ".join(t), natural, "person", 1, "obfuscation", src(k), cap=100)
        for w in ws:
            if w in NICKNAMES:
                add(natural.upper().replace(w, NICKNAMES[w], 1), natural, "person", 1, "nickname", src(k), cap=60)
                break
        for x, y in TRANSLIT:
            for a, b in ((x, y), (y, x)):
                if a in ws:
                    t = [b if z == a else z for z in ws]
                    add(" ".join(t), natural, "person", 1, "transliteration", src(k), cap=120)
                    break

    # --- negatives ---
    # Two listed entries of the same kind that share a word and look alike.
    by_word = {}
    for k, (n, t) in entries.items():
        if t in ("person", "organization"):
            for w in set(words(n)):
                if len(w) >= 4:
                    by_word.setdefault((t, w), []).append(k)
    buckets = [v for v in by_word.values() if 2 <= len(v) <= 40]
    rng.shuffle(buckets)
    for v in buckets:
        a, b = rng.sample(v, 2)
        (na, ta), (nb, _) = entries[a], entries[b]
        if set(words(na)) == set(words(nb)):
            continue
        if similar(na, nb) >= 0.6:
            na2 = reorder_ofac(na) if ta == "person" else na
            add(na2, nb, ta, 0, "similar_listed", f"OFAC 2019 ent_num {a} and {b}", cap=500)
    # A distinctive word changed for a similar real one.
    alike = [(x, y) for x in PERU_SURNAMES for y in PERU_SURNAMES
             if x != y and x[0] == y[0] and 0.6 <= SequenceMatcher(None, x, y).ratio() < 0.9]
    for k in sample(persons, 4000):
        natural = reorder_ofac(entries[k][0]).upper()
        ws = words(natural)
        for x, y in alike:
            if x.upper() in ws:
                add(natural.replace(x.upper(), y.upper(), 1), natural, "person", 0, "other_surname", src(k), cap=150)
                break
    business = ["BANK", "TRUST", "OIL", "GAS", "TRADING", "SHIPPING", "INVESTMENT", "INDUSTRIES", "AIRLINES", "INSURANCE"]
    for k in sample(orgs, 4000):
        name = entries[k][0]
        ws = words(name)
        hit = [w for w in ws if w in business]
        if hit and len(ws) >= 3:
            other = rng.choice([b for b in business if b != hit[0]])
            add(" ".join(other if w == hit[0] else w for w in ws), name, "organization", 0, "other_business_word",
                src(k), cap=150)
        for x, y in LEGAL_FAMILY_SWAP:
            sx = x.replace(".", "")
            if ws and ws[-1] == sx:
                add(" ".join(ws[:-1]) + " " + y, name, "organization", 0, "other_legal_family", src(k), cap=60)
    for k in persons:
        ws = words(reorder_ofac(entries[k][0]))
        for p in ("BIN", "IBN", "BINT", "OULD"):
            if p in ws:
                i = ws.index(p)
                if 0 < i < len(ws) - 1 and len(ws[i - 1]) >= 3 and len(ws[i + 1]) >= 3:
                    swapped = ws[i + 1:i + 2] + [p] + ws[i - 1:i]
                    if swapped != ws[i - 1:i + 2]:
                        add(" ".join(ws[:i - 1] + swapped + ws[i + 2:]), " ".join(ws), "person", 0,
                            "reversed_patronymic", src(k), cap=60)
                break
    # Realistic Peruvian names against listed names sharing a surname.
    listed_latin = [reorder_ofac(entries[k][0]) for k in persons]
    by_surname = {}
    for n in listed_latin:
        for w in words(n):
            by_surname.setdefault(w, []).append(n)
    surnames = [s for s in PERU_SURNAMES if s.upper() in by_surname]
    for _ in range(20000):
        s = rng.choice(surnames)
        q = f"{rng.choice(PERU_GIVEN)} {s} {rng.choice(PERU_SURNAMES)}".upper()
        target = rng.choice(by_surname[s.upper()])
        add(q, target, "person", 0, "peruvian_vs_listed", "generated Peruvian name (tables in this script) vs OFAC 2019",
            cap=500)

    os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
    with open(args.out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["a", "b", "kind", "label", "class", "source"])
        for p in pairs:
            w.writerow(p)
    counts = {}
    for p in pairs:
        counts[(p[4], p[3])] = counts.get((p[4], p[3]), 0) + 1
    for (cls, label), n in sorted(counts.items()):
        print(f"{cls:22s} label {label}: {n}", file=sys.stderr)
    print(f"{len(pairs)} pairs -> {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
