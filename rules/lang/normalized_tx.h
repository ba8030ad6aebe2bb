// The transaction as rules see it: a validated transaction and the values
// derived from it (event time, amounts in USD and PEN). engine/validate's
// Normalizer builds it; the rules read it.
#ifndef CENTINELA_RULES_LANG_NORMALIZED_TX_H_
#define CENTINELA_RULES_LANG_NORMALIZED_TX_H_

#include <cstdint>

#include "base/money.h"
#include "centinela/v1/transaction.pb.h"

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
  // Of the decoded transaction's content (TransactionFingerprint): tells a
  // re-sent record from another one under the same id. Set by the processor.
  uint64_t fingerprint = 0;
  // Scored out of event-time order, after the frontier had passed it (the
  // processor sets it; alerts list such transactions).
  bool late = false;
};

}  // namespace centinela

#endif  // CENTINELA_RULES_LANG_NORMALIZED_TX_H_
