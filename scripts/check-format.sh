#!/usr/bin/env bash
# Fails (exit 1) when clang-format would change any tracked C++ file, and
# lists those files. Fix them with: git ls-files '*.cc' '*.h' | xargs clang-format -i
set -euo pipefail
cd "$(dirname "$0")/.."
bad=()
while IFS= read -r f; do
  clang-format --dry-run -Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done < <(git ls-files '*.cc' '*.h')
if [ ${#bad[@]} -gt 0 ]; then
  echo "format: ${#bad[@]} file(s) not formatted with clang-format ($(clang-format --version)):" >&2
  printf '  %s\n' "${bad[@]}" >&2
  echo "format: fix with: git ls-files '*.cc' '*.h' | xargs clang-format -i" >&2
  exit 1
fi
echo "format: $(git ls-files '*.cc' '*.h' | wc -l) files clean"
