#!/usr/bin/env python3
"""Layering gate (DESIGN.md "Layers", docs/architecture.md).

Folders are the layers. Every project #include in a source file must point
to a layer its own layer may use; I/O libraries are allowed only where the
layer does I/O. The build enforces most of this already (each library sees
only its layer root, see centinela_layer_root in cmake/CentinelaHelpers.cmake); this script also
covers headers that no library compiles and names every violation as
file:line so it can be fixed without reading CMake.

Exit status 0 when clean, 1 with one line per violation otherwise.
"""
import os
import re
import sys

# Layer -> project layers it may include (itself always allowed).
# "centinela" is the generated protobuf code under proto/centinela/.
ALLOWED = {
    "base": set(),
    "proto": {"base"},
    "connectors": {"base", "proto", "centinela"},
    "rules": {"base", "proto", "centinela"},
    "screening": {"base", "proto", "centinela"},
    "engine": {"base", "proto", "centinela", "rules", "screening"},
    "api": {"base", "proto", "centinela", "rules", "screening", "engine"},
    "server": {"base", "proto", "centinela", "rules", "screening", "engine",
               "api", "connectors"},
}
# Top-level folders that may include any layer (tools, tests, benchmarks).
UNRESTRICTED = {"cli", "eval", "gen", "bench", "tests", "fuzz"}
LAYERS = set(ALLOWED) | UNRESTRICTED | {"centinela"}

# Third-party headers that mean I/O, and the layers allowed to use them.
IO_LIBS = {
    "librdkafka": {"connectors", "server"},
    "rocksdb": {"engine", "server"},
}

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"/]+)/[^"]*"')


def layer_of(path):
    top = path.split(os.sep, 1)[0]
    return top


def check_file(root, rel):
    layer = layer_of(rel)
    if layer in UNRESTRICTED or layer not in ALLOWED:
        return []
    allowed = ALLOWED[layer] | {layer}
    problems = []
    with open(os.path.join(root, rel), encoding="utf-8", errors="replace") as f:
        for lineno, line in enumerate(f, 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            target = m.group(1)
            if target in IO_LIBS:
                if layer not in IO_LIBS[target]:
                    problems.append(
                        f"{rel}:{lineno}: layer '{layer}' includes I/O library "
                        f"'{target}' (allowed only in "
                        f"{', '.join(sorted(IO_LIBS[target]))})")
                continue
            if target in LAYERS and target not in allowed:
                problems.append(
                    f"{rel}:{lineno}: layer '{layer}' may not include "
                    f"'{target}/' (allowed: "
                    f"{', '.join(sorted(allowed - {'centinela'}))})")
    return problems


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    problems = []
    checked = 0
    for top in sorted(ALLOWED):
        base = os.path.join(root, top)
        for dirpath, _, files in os.walk(base):
            for name in sorted(files):
                if not name.endswith((".h", ".cc")):
                    continue
                rel = os.path.relpath(os.path.join(dirpath, name), root)
                checked += 1
                problems.extend(check_file(root, rel))
    for p in problems:
        print(p)
    if problems:
        print(f"check-layers: {len(problems)} violation(s) in {checked} files")
        return 1
    print(f"check-layers: {checked} files, no violations")
    return 0


if __name__ == "__main__":
    sys.exit(main())
