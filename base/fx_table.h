// Daily foreign-exchange rates (e.g. the SBS rate) for converting amounts to
// USD and PEN, in integer arithmetic.
#ifndef CENTINELA_BASE_FX_TABLE_H_
#define CENTINELA_BASE_FX_TABLE_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "base/money.h"

namespace centinela {

// Rates are stored as "units of currency per 1 USD" with 6 decimals
// (PEN 3.750000 -> 3'750'000). A lookup for day D uses the latest rate dated
// on or before D, or the earliest rate when D precedes every entry.
//
// Immutable after Create(); safe to share between threads.
class FxTable {
 public:
  struct Rate {
    int64_t day;             // days since epoch
    int64_t per_usd_micros;  // currency units per USD, times 1e6
  };

  // Parses a YAML sequence of {date: YYYY-MM-DD, currency: PEN, per_usd: "3.75"}.
  // `source` names the file for error messages.
  static absl::StatusOr<FxTable> FromYaml(const std::string& yaml_text, const std::string& source);
  // Reads and parses an FX table file; errors name the file.
  static absl::StatusOr<FxTable> LoadFile(const std::string& path);
  // A table with fixed rates (tests, demos): currency code -> per-USD decimal.
  static absl::StatusOr<FxTable> FromFixed(const std::map<std::string, std::string>& per_usd);

  bool Knows(Currency c) const { return c == Currency::Usd() || rates_.contains(c.packed()); }

  // Converts to `to` (USD or any known currency). Rounds half away from zero.
  // OutOfRange when the result does not fit in int64 minor units.
  absl::StatusOr<int64_t> Convert(const Money& m, Currency to, int64_t day) const;

 private:
  absl::StatusOr<int64_t> PerUsd(Currency c, int64_t day) const;
  absl::flat_hash_map<uint32_t, std::vector<Rate>> rates_;  // sorted by day
};

}  // namespace centinela

#endif  // CENTINELA_BASE_FX_TABLE_H_
