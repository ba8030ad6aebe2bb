#include "base/money.h"

#include <cmath>
#include <cstdint>
#include <cstdlib>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace centinela {

absl::StatusOr<Currency> Currency::FromCode(absl::string_view code) {
  if (code.size() != 3) {
    return absl::InvalidArgumentError(absl::StrCat("currency \"", code, "\" is not a 3-letter ISO 4217 code"));
  }
  for (char ch : code) {
    if (ch < 'A' || ch > 'Z') {
      return absl::InvalidArgumentError(absl::StrCat("currency \"", code, "\" is not a 3-letter ISO 4217 code"));
    }
  }
  return Currency(code[0], code[1], code[2]);
}

std::string Currency::code() const {
  if (!valid()) return "???";
  return {char(packed_ >> 16), char((packed_ >> 8) & 0xff), char(packed_ & 0xff)};
}

int CurrencyExponent(Currency c) {
  static const auto* exponents = new absl::flat_hash_map<uint32_t, int>([] {
    absl::flat_hash_map<uint32_t, int> m;
    auto add = [&m](std::initializer_list<const char*> codes, int e) {
      for (const char* code : codes) m[Currency::FromCode(code)->packed()] = e;
    };
    add({"BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF",
         "XPF"},
        0);
    add({"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"}, 3);
    add({"CLF", "UYW"}, 4);
    add({"XBT", "BTC", "LTC", "BCH"}, 8);
    return m;
  }());
  auto it = exponents->find(c.packed());
  return it == exponents->end() ? 2 : it->second;
}

absl::StatusOr<int64_t> ParseDecimalMinor(absl::string_view text, int exponent) {
  if (text.empty()) return absl::InvalidArgumentError("empty amount");
  int64_t whole = 0;
  int64_t frac = 0;
  int frac_digits = 0;
  bool seen_dot = false;
  bool seen_digit = false;
  for (char ch : text) {
    if (ch == ',' && !seen_dot) continue;  // thousands separator
    if (ch == '.' && !seen_dot) {
      seen_dot = true;
      continue;
    }
    if (ch < '0' || ch > '9') {
      return absl::InvalidArgumentError(absl::StrCat("amount \"", text, "\" is not a decimal number"));
    }
    seen_digit = true;
    if (seen_dot) {
      if (++frac_digits > exponent) {
        return absl::InvalidArgumentError(absl::StrCat("amount \"", text, "\" has more than ", exponent, " decimals"));
      }
      frac = frac * 10 + (ch - '0');
    } else {
      if (whole > (INT64_MAX / 1000) / 10) {
        return absl::InvalidArgumentError(absl::StrCat("amount \"", text, "\" is too large"));
      }
      whole = whole * 10 + (ch - '0');
    }
  }
  if (!seen_digit) return absl::InvalidArgumentError(absl::StrCat("amount \"", text, "\" has no digits"));
  if (exponent < 0 || exponent > 18) return absl::InvalidArgumentError("amount exponent must be 0 to 18");
  int64_t scale = 1;
  for (int i = 0; i < exponent; ++i) scale *= 10;
  for (int i = frac_digits; i < exponent; ++i) frac *= 10;
  int64_t minor;
  if (__builtin_mul_overflow(whole, scale, &minor) || __builtin_add_overflow(minor, frac, &minor)) {
    return absl::InvalidArgumentError(absl::StrCat("amount \"", text, "\" is too large"));
  }
  return minor;
}

int64_t SatRound(double x) {
  if (std::isnan(x)) return 0;
  // 2^63 is exactly representable; every double below it rounds into range.
  if (x >= 9223372036854775808.0) return INT64_MAX;
  if (x <= -9223372036854775808.0) return INT64_MIN;
  return std::llround(x);
}

std::string FormatMoney(const Money& m) {
  const int exp = CurrencyExponent(m.currency);
  int64_t scale = 1;
  for (int i = 0; i < exp; ++i) scale *= 10;
  const bool neg = m.minor < 0;
  const uint64_t abs = neg ? uint64_t(-(m.minor + 1)) + 1 : uint64_t(m.minor);
  std::string whole = absl::StrCat(abs / scale);
  std::string grouped;
  for (size_t i = 0; i < whole.size(); ++i) {
    if (i > 0 && (whole.size() - i) % 3 == 0) grouped.push_back(',');
    grouped.push_back(whole[i]);
  }
  std::string out = absl::StrCat(m.currency.code(), " ", neg ? "-" : "", grouped);
  if (exp > 0) absl::StrAppend(&out, ".", absl::StrFormat("%0*d", exp, int(abs % scale)));
  return out;
}

}  // namespace centinela
