// Detection measured on real AMLworld traffic: replays an AMLworld
// *_Trans.csv (legitimate and laundering rows, IBM's header) through the
// same Processor as the engine (RunReplay, evaluation.h) and scores it:
//   - false alerts (alerts whose evidence holds no laundering transaction)
//     per 10,000 legitimate transactions, by typology;
//   - the transaction-level precision, recall and F1 of the laundering
//     class: a transaction is flagged when it is in some alert's evidence
//     (the minority-class F1 of the literature, e.g. Egressy et al. 2024);
//   - with a *_Patterns.txt, recall per pattern type, both "some alert" and
//     "an alert of the matching typology" (FAN-IN -> fan_in, ...). Attempt
//     rows found in the transactions file are matched to them; rows not in
//     it are injected into the traffic, so attempts of other days can be
//     measured against a real day's background.
// Stateless functions; each run opens its own scratch database.
#ifndef CENTINELA_EVAL_AMLWORLD_EVAL_H_
#define CENTINELA_EVAL_AMLWORLD_EVAL_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "eval/class_counts.h"
#include "eval/evaluation.h"

namespace centinela::eval {

struct AttemptRecall {
  int attempts = 0;
  int any_alert = 0;          // some alert's evidence holds one of its transactions
  int matching_typology = 0;  // ... an alert of the typology named like its type
};

struct AmlworldTrafficReport {
  int64_t rows = 0;  // transactions replayed (file rows mapped + attempt rows injected)
  int64_t legitimate = 0;
  int64_t laundering = 0;
  int64_t unmapped = 0;  // rows that could not be mapped (see errors)
  int64_t dead_lettered = 0;
  int64_t alerts = 0;
  int64_t false_alerts = 0;  // evidence holds no laundering transaction
  std::map<std::string, int64_t> false_alerts_by_typology;
  // Transaction level, laundering class: a transaction is flagged when it
  // is in some alert's evidence (tn is not counted).
  PairCounts transactions;
  // With patterns.
  int64_t injected = 0;  // attempt rows not in the transactions file
  std::map<std::string, AttemptRecall> by_pattern;
  std::vector<std::string> errors;  // file:line: why (the first 20)

  double FalseAlertsPer10k() const { return legitimate ? 1e4 * double(false_alerts) / double(legitimate) : 0; }
};

// `patterns_path` may be empty. Errors: unreadable files, a bad mapping, a
// file with no row that maps.
absl::StatusOr<AmlworldTrafficReport> EvaluateAmlworldTraffic(const std::string& transactions_path,
                                                              const std::string& patterns_path,
                                                              const EvalOptions& options);

// The typology an AMLworld pattern type names: "FAN-IN" -> "fan_in".
std::string TypologyOfPattern(const std::string& type);

}  // namespace centinela::eval

#endif  // CENTINELA_EVAL_AMLWORLD_EVAL_H_
