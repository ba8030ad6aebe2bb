// What one window of a subject's aggregate state holds at one event time.
// Plain data, without dependencies, so that the rule layer can turn it into
// an aggregate's value (rules::AggregateValue) without knowing the store.
#ifndef CENTINELA_RULES_PACK_WINDOW_TOTALS_H_
#define CENTINELA_RULES_PACK_WINDOW_TOTALS_H_

#include <cstdint>

namespace centinela {

// The totals of one window as of one event time.
struct WindowTotals {
  int64_t count = 0;
  int64_t sum_usd_minor = 0;
  int64_t min_usd_minor = 0;  // meaningful when count > 0
  int64_t max_usd_minor = 0;
  double sum_sq = 0;     // sum of squared amounts (cents^2), for stddev only: a statistic, not money
  int64_t distinct = 0;  // distinct value hashes seen (count_distinct aggregates)
};

}  // namespace centinela

#endif  // CENTINELA_RULES_PACK_WINDOW_TOTALS_H_
