// Money as integer minor units plus an ISO 4217 currency. Never floating point.
#ifndef CENTINELA_BASE_MONEY_H_
#define CENTINELA_BASE_MONEY_H_

#include <climits>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace centinela {

// An ISO 4217 alphabetic code packed into an integer ("USD" -> 'U'<<16|...),
// so comparing currencies costs one integer compare. Value type.
class Currency {
 public:
  constexpr Currency() = default;
  // Returns an error unless `code` is three ASCII upper-case letters.
  static absl::StatusOr<Currency> FromCode(absl::string_view code);
  static constexpr Currency Usd() { return Currency('U', 'S', 'D'); }
  static constexpr Currency Pen() { return Currency('P', 'E', 'N'); }

  std::string code() const;
  bool valid() const { return packed_ != 0; }
  uint32_t packed() const { return packed_; }
  auto operator<=>(const Currency&) const = default;

 private:
  constexpr Currency(char a, char b, char c)
      : packed_((uint32_t(uint8_t(a)) << 16) | (uint32_t(uint8_t(b)) << 8) | uint8_t(c)) {}
  uint32_t packed_ = 0;
};

// Digits of the minor unit: ISO 4217's exponent (PEN, USD, EUR 2; JPY, KRW,
// CLP, PYG 0; KWD, BHD, JOD, OMR, TND, IQD, LYD 3; CLF 4), and for the crypto
// currencies the unit their ledgers count (XBT/BTC, LTC, BCH 8: the
// satoshi). Any other code: 2. Ether is not listed: its unit (1e-18) does
// not fit 64-bit amounts.
int CurrencyExponent(Currency c);

// An amount in integer minor units of one currency. Value type.
struct Money {
  int64_t minor = 0;
  Currency currency;
  auto operator<=>(const Money&) const = default;
};

// Parses a decimal amount such as "9500", "9500.5" or "9,500.00" into minor
// units of `currency`, exactly (no floating point). Errors on more fractional
// digits than the currency has, signs, or junk.
absl::StatusOr<int64_t> ParseDecimalMinor(absl::string_view text, int exponent);

// "USD 9,500.00".
std::string FormatMoney(const Money& m);

// Integer arithmetic on amounts that can never overflow: results beyond
// int64 saturate at INT64_MIN / INT64_MAX. Validation bounds single amounts
// (ValidationOptions); sums over windows and rule arithmetic use these.
inline int64_t SatAdd(int64_t a, int64_t b) {
  int64_t r;
  if (!__builtin_add_overflow(a, b, &r)) return r;
  return b > 0 ? INT64_MAX : INT64_MIN;
}
inline int64_t SatSub(int64_t a, int64_t b) {
  int64_t r;
  if (!__builtin_sub_overflow(a, b, &r)) return r;
  return b < 0 ? INT64_MAX : INT64_MIN;
}
inline int64_t SatNeg(int64_t a) { return a == INT64_MIN ? INT64_MAX : -a; }
// The nearest integer to `x`, saturated; NaN gives 0.
int64_t SatRound(double x);

}  // namespace centinela

#endif  // CENTINELA_BASE_MONEY_H_
