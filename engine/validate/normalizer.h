// Validation and normalisation of one decoded transaction: the gate between
// "bytes we received" and "a transaction the rules may score".
#ifndef CENTINELA_ENGINE_VALIDATE_NORMALIZER_H_
#define CENTINELA_ENGINE_VALIDATE_NORMALIZER_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "centinela/v1/transaction.pb.h"
#include "engine/common/money.h"
#include "engine/validate/fx_table.h"

namespace centinela {

// A validated transaction plus the derived values every rule needs.
// Borrows `tx`: it must outlive this view.
struct NormalizedTx {
  const v1::Transaction* tx = nullptr;
  int64_t event_micros = 0;
  int64_t event_day = 0;
  Money amount;            // as reported
  int64_t amount_usd = 0;  // USD minor units at the day's rate
  int64_t amount_pen = 0;  // PEN minor units at the day's rate
};

// Checks a transaction and derives its normalised amounts. Errors name the
// field: "amount.currency: unknown currency XYZ", "originator.document_number:
// RUC \"...\" has an invalid check digit".
// Borrows `fx` for its lifetime; thread-compatible (stateless after Create).
class Normalizer {
 public:
  explicit Normalizer(const FxTable* fx) : fx_(fx) {}
  absl::StatusOr<NormalizedTx> Normalize(const v1::Transaction& tx) const;

 private:
  const FxTable* fx_;
};

}  // namespace centinela

#endif  // CENTINELA_ENGINE_VALIDATE_NORMALIZER_H_
