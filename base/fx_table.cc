#include "base/fx_table.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "base/time_util.h"
#include "base/yaml_util.h"

namespace centinela {
namespace {

// Rates are at most 1e9 units per USD (the weakest currencies trade in the
// tens of thousands). A conversion's intermediate product (|minor| < 2^63,
// rate <= 1e15 micros, scale <= 10^8) may still exceed 128 bits with
// extreme rates: Convert checks the multiplications.
constexpr int64_t kMaxPerUsdMicros = 1'000'000'000LL * 1'000'000;

int64_t Pow10(int e) {
  int64_t v = 1;
  while (e-- > 0) v *= 10;
  return v;
}

}  // namespace

absl::StatusOr<FxTable> FxTable::FromYaml(const std::string& text, const std::string& source) {
  FxTable table;
  ASSIGN_OR_RETURN(YAML::Node root, LoadYaml(text, source));
  if (!root.IsSequence()) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": fx must be a list of {date, currency, per_usd}"));
  }
  for (const YAML::Node& n : root) {
    const std::string where = YamlWhere(source, n);
    if (!n.IsMap() || !n["date"] || !n["currency"] || !n["per_usd"]) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": fx entry needs date, currency and per_usd"));
    }
    auto day = ParseIsoDate(n["date"].as<std::string>());
    if (!day.ok()) return absl::InvalidArgumentError(absl::StrCat(where, ": date: ", day.status().message()));
    auto cur = Currency::FromCode(n["currency"].as<std::string>());
    if (!cur.ok()) return absl::InvalidArgumentError(absl::StrCat(where, ": ", cur.status().message()));
    auto micros = ParseDecimalMinor(n["per_usd"].as<std::string>(), 6);
    if (!micros.ok() || *micros <= 0 || *micros > kMaxPerUsdMicros) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": per_usd must be a positive decimal with at most 6 decimals, at most 1,000,000,000"));
    }
    table.rates_[cur->packed()].push_back({*day, *micros});
  }
  for (auto& [_, v] : table.rates_) {
    std::sort(v.begin(), v.end(), [](const Rate& a, const Rate& b) { return a.day < b.day; });
  }
  return table;
}

absl::StatusOr<FxTable> FxTable::LoadFile(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadFile(path, "FX table"));
  return FromYaml(text, path);
}

absl::StatusOr<FxTable> FxTable::FromFixed(const std::map<std::string, std::string>& per_usd) {
  FxTable table;
  for (const auto& [code, rate] : per_usd) {
    ASSIGN_OR_RETURN(Currency c, Currency::FromCode(code));
    ASSIGN_OR_RETURN(int64_t micros, ParseDecimalMinor(rate, 6));
    if (micros <= 0 || micros > kMaxPerUsdMicros) {
      return absl::InvalidArgumentError(absl::StrCat(code, ": per_usd must be above 0 and at most 1,000,000,000"));
    }
    table.rates_[c.packed()].push_back({0, micros});
  }
  return table;
}

absl::StatusOr<int64_t> FxTable::PerUsd(Currency c, int64_t day) const {
  if (c == Currency::Usd()) return 1'000'000;
  auto it = rates_.find(c.packed());
  if (it == rates_.end()) return absl::NotFoundError(absl::StrCat("unknown currency ", c.code()));
  const std::vector<Rate>& v = it->second;
  auto ub = std::upper_bound(v.begin(), v.end(), day, [](int64_t d, const Rate& r) { return d < r.day; });
  return ub == v.begin() ? v.front().per_usd_micros : std::prev(ub)->per_usd_micros;
}

absl::StatusOr<int64_t> FxTable::Convert(const Money& m, Currency to, int64_t day) const {
  if (m.currency == to) return m.minor;
  ASSIGN_OR_RETURN(int64_t from_rate, PerUsd(m.currency, day));
  ASSIGN_OR_RETURN(int64_t to_rate, PerUsd(to, day));
  // minor_to = minor_from / 10^e_from / from_rate * to_rate * 10^e_to
  __int128 num = 0;
  if (__builtin_mul_overflow(__int128(m.minor) * to_rate, __int128(Pow10(CurrencyExponent(to))), &num)) {
    return absl::OutOfRangeError(absl::StrCat(FormatMoney(m), " in ", to.code(), " overflows the conversion"));
  }
  const __int128 den = __int128(from_rate) * Pow10(CurrencyExponent(m.currency));
  __int128 q = num / den;
  __int128 r = num % den;
  if (2 * (r < 0 ? -r : r) >= den) q += (num < 0) ? -1 : 1;
  if (q > INT64_MAX || q < INT64_MIN) {
    return absl::OutOfRangeError(
        absl::StrCat(FormatMoney(m), " in ", to.code(), " does not fit in 64-bit minor units"));
  }
  return int64_t(q);
}

}  // namespace centinela
