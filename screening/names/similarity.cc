#include "screening/names/similarity.h"

#include <algorithm>
#include <array>
#include <cstdlib>

namespace centinela::screening {

double JaroWinkler(absl::string_view a, absl::string_view b) {
  if (a.empty() && b.empty()) return 1.0;
  if (a.empty() || b.empty()) return 0.0;
  if (a == b) return 1.0;
  const size_t la = a.size(), lb = b.size();
  // Names are short; cap the work on absurd input instead of allocating.
  constexpr size_t kMax = 64;
  if (la > kMax || lb > kMax) return JaroWinkler(a.substr(0, kMax), b.substr(0, kMax));
  const size_t window = std::max<size_t>(std::max(la, lb) / 2, 1) - 1;
  std::array<bool, kMax> ma{}, mb{};
  size_t matches = 0;
  for (size_t i = 0; i < la; ++i) {
    const size_t lo = i > window ? i - window : 0;
    const size_t hi = std::min(i + window + 1, lb);
    for (size_t j = lo; j < hi; ++j) {
      if (mb[j] || a[i] != b[j]) continue;
      ma[i] = mb[j] = true;
      ++matches;
      break;
    }
  }
  if (matches == 0) return 0.0;
  size_t k = 0, half_transpositions = 0;
  for (size_t i = 0; i < la; ++i) {
    if (!ma[i]) continue;
    while (!mb[k]) ++k;
    if (a[i] != b[k]) ++half_transpositions;
    ++k;
  }
  const double m = double(matches);
  const double jaro = (m / la + m / lb + (m - half_transpositions / 2.0) / m) / 3.0;
  size_t prefix = 0;
  while (prefix < 4 && prefix < la && prefix < lb && a[prefix] == b[prefix]) ++prefix;
  return jaro + prefix * 0.1 * (1.0 - jaro);
}

int EditBudget(size_t length) {
  if (length <= 3) return 0;
  if (length <= 7) return 1;
  if (length <= 11) return 2;
  return 3;
}

int BoundedEditDistance(absl::string_view a, absl::string_view b, int limit) {
  const int la = int(a.size()), lb = int(b.size());
  if (std::abs(la - lb) > limit) return limit + 1;
  if (limit <= 0) return a == b ? 0 : 1;
  // Three rows of the full table; cells outside the band read as limit + 1.
  constexpr int kMax = 64;
  if (la > kMax || lb > kMax) return BoundedEditDistance(a.substr(0, kMax), b.substr(0, kMax), limit);
  const int big = limit + 1;
  // Rows rotate by pointer; only the band of each row is written.
  std::array<int, kMax + 1> rows[3];
  int* prev2 = rows[0].data();
  int* prev = rows[1].data();
  int* cur = rows[2].data();
  for (int j = 0; j <= lb; ++j) prev[j] = prev2[j] = cur[j] = std::min(j, big);
  for (int i = 1; i <= la; ++i) {
    const int lo = std::max(1, i - limit), hi = std::min(lb, i + limit);
    // Cells just outside the band read as over the limit.
    if (lo > 1) cur[lo - 1] = big;
    if (hi < lb) cur[hi + 1] = big;
    cur[0] = std::min(i, big);
    int row_min = cur[0];
    for (int j = lo; j <= hi; ++j) {
      const int cost = a[size_t(i - 1)] == b[size_t(j - 1)] ? 0 : 1;
      int v = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && a[size_t(i - 1)] == b[size_t(j - 2)] && a[size_t(i - 2)] == b[size_t(j - 1)]) {
        v = std::min(v, prev2[j - 2] + 1);
      }
      cur[j] = std::min(v, big);
      row_min = std::min(row_min, cur[j]);
    }
    if (row_min > limit) return big;
    int* spare = prev2;
    prev2 = prev;
    prev = cur;
    cur = spare;
  }
  return std::min(prev[lb], big);
}

std::string VowelFold(absl::string_view t) {
  std::string out;
  out.reserve(t.size());
  for (char c : t) {
    if (c == 'e' || c == 'y') c = 'i';
    if (c == 'o') c = 'u';
    if (out.empty() || out.back() != c) out.push_back(c);
  }
  return out;
}

bool VowelFoldEqual(absl::string_view a, absl::string_view b) {
  auto fold = [](char c) { return c == 'e' || c == 'y' ? 'i' : c == 'o' ? 'u' : c; };
  size_t i = 0, j = 0;
  char last_a = 0, last_b = 0;
  while (true) {
    // The next folded letter of each that differs from the one before.
    while (i < a.size() && fold(a[i]) == last_a) ++i;
    while (j < b.size() && fold(b[j]) == last_b) ++j;
    if (i == a.size() || j == b.size()) return i == a.size() && j == b.size();
    last_a = fold(a[i]);
    last_b = fold(b[j]);
    if (last_a != last_b) return false;
  }
}

int VowelGroups(absl::string_view t) {
  int groups = 0;
  bool in_vowel = false;
  for (char c : t) {
    const bool v = c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y';
    if (v && !in_vowel) ++groups;
    in_vowel = v;
  }
  return groups;
}

double TokenSimilarity(absl::string_view a, absl::string_view b) {
  if (a == b) return 1.0;
  const size_t shorter = std::min(a.size(), b.size());
  if (shorter <= 2) return 0.0;
  const size_t longer = std::max(a.size(), b.size());
  // Under half the length: Jaro-Winkler is at most 0.90 and the length
  // factor below at most 0.90, so the score stays under 0.85: no match.
  if (2 * shorter < longer) return 0.0;
  double s = JaroWinkler(a, b);
  if (longer <= 4) s -= 0.03;
  // Jaro-Winkler rewards a shared prefix: "trans" / "transportes" would
  // score 0.89. Tokens of very different lengths are different words.
  const double ratio = double(shorter) / double(longer);
  if (ratio < 0.8) s *= 0.75 + 0.3 * ratio;
  return std::max(s, 0.0);
}

std::string Skeleton(absl::string_view t) {
  std::string out;
  out.reserve(t.size());
  auto is_vowel = [](char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y'; };
  for (size_t i = 0; i < t.size(); ++i) {
    char c = t[i];
    const char next = i + 1 < t.size() ? t[i + 1] : '\0';
    if (is_vowel(c)) continue;
    if (next == 'h' && (c == 'p' || c == 'd' || c == 't' || c == 'g' || c == 'k')) {
      c = c == 'p' ? 'f' : c;  // ph -> f; dh, th, gh, kh -> d, t, g, k
      ++i;
    } else if (c == 'c' && next == 'k') {
      c = 'k';
      ++i;
    } else if (c == 'c' && next == 'h') {
      out += "ch";
      ++i;
      continue;
    } else if (c == 'c' || c == 'q') {
      c = 'k';
    } else if (c == 'z') {
      c = 's';
    } else if (c == 'w') {
      c = 'v';
    } else if (c == 'x') {
      if (out.empty() || out.back() != 'k') out += 'k';
      c = 's';
    }
    if (!out.empty() && out.back() == c) continue;
    out += c;
  }
  return out;
}

}  // namespace centinela::screening
