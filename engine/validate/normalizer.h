// Validation and normalisation of one decoded transaction: the gate between
// "bytes we received" and "a transaction the rules may score".
#ifndef CENTINELA_ENGINE_VALIDATE_NORMALIZER_H_
#define CENTINELA_ENGINE_VALIDATE_NORMALIZER_H_

#include <cstdint>
#include <functional>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "base/fx_table.h"
#include "base/money.h"
#include "base/time_util.h"
#include "centinela/v1/transaction.pb.h"
#include "rules/lang/normalized_tx.h"

namespace centinela {

// What a transaction must satisfy beyond its schema (engine.yaml
// `validation`, docs/delivery.md "What is dead-lettered").
struct ValidationOptions {
  // Event times before this are refused: no report of a bank feed is older,
  // and a smaller value is a unit error (seconds read as milliseconds).
  int64_t min_event_micros = 7305 * kMicrosPerDay;  // 1990-01-01
  // Event times further ahead of the wall clock than this are refused (a
  // day absorbs clocks and time zones; more is a unit error or a forgery).
  int64_t max_event_ahead_micros = kMicrosPerDay;
  // The largest amount accepted, in USD cents at the day's rate, for a
  // currency without a maximum of its own: USD 100 billion, above the
  // largest single payments any Peruvian bank reports, and far enough below
  // int64 that no conversion or window sum overflows.
  int64_t max_amount_usd_minor = 100'000'000'000LL * 100;
  // Per-currency maxima in that currency's minor units, by
  // Currency::packed(); they replace the USD maximum for their currency.
  absl::flat_hash_map<uint32_t, int64_t> max_amount_minor;
};

// Checks a transaction and derives its normalised amounts. Errors name the
// field: "amount.currency: unknown currency XYZ", "originator.document_number:
// RUC \"...\" has an invalid check digit".
// Borrows `fx` for its lifetime; thread-compatible (stateless; the clock is
// called on every Normalize).
class Normalizer {
 public:
  // `wall_clock_micros` (default: the system clock) bounds event times from
  // above.
  explicit Normalizer(const FxTable* fx, ValidationOptions options = {},
                      std::function<int64_t()> wall_clock_micros = nullptr);
  absl::StatusOr<NormalizedTx> Normalize(const v1::Transaction& tx) const;

 private:
  absl::Status CheckEventTime(const google::protobuf::Timestamp& ts) const;
  // The amount in USD and PEN, refusing amounts above the maxima.
  absl::Status CheckAndConvertAmount(NormalizedTx& n) const;

  const FxTable* fx_;
  ValidationOptions options_;
  std::function<int64_t()> clock_;
};

}  // namespace centinela

#endif  // CENTINELA_ENGINE_VALIDATE_NORMALIZER_H_
