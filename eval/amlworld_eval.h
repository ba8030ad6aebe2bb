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
  // Attempts at least kWideAttempt wide (AttemptWidth), and of them those
  // an alert of the matching typology touched: the goals for fans,
  // scatter-gather and gather-scatter are stated for such attempts.
  int wide = 0;
  int wide_matching = 0;
};

inline constexpr int kWideAttempt = 5;

// How wide an attempt of `type` is, from its transfers (originator,
// beneficiary account): for FAN-IN / FAN-OUT the most distinct senders into
// / receivers from one account; for SCATTER-GATHER the accounts that both
// receive and pay within it (the intermediaries); for GATHER-SCATTER the
// largest min(senders, receivers) of one hub. 0 for other types.
int AttemptWidth(const std::string& type, const std::vector<std::pair<std::string, std::string>>& transfers);

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
  // Attempts no alert of the matching typology touched, in file order.
  std::vector<MissedAttempt> missed;
  std::vector<std::string> errors;  // file:line: why (the first 20)
  // Every false alert in the order raised, one line each: typology,
  // subject, the rules that fired with their observed values, and the
  // evidence as file:line (the first 8).
  std::vector<std::string> false_alert_lines;

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
