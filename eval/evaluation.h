// Evaluation on labelled data: replays a file through the same Processor the
// streaming engine uses (decode, validate, state in RocksDB, rules, alerts),
// in event-time order, into a scratch database, and scores the alerts
// against the labels.
#ifndef CENTINELA_EVAL_EVALUATION_H_
#define CENTINELA_EVAL_EVALUATION_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "centinela/v1/alert.pb.h"

namespace centinela::eval {

struct EvalOptions {
  std::string pack_path;
  std::string fx_path;
  std::string mapping_path;
  std::string work_dir;    // scratch RocksDB goes here; must be empty or absent
  int64_t background = 0;  // generated background transactions mixed in (AMLworld)
  uint64_t seed = 42;
  bool progress = true;  // progress lines on stderr
};

struct PatternRecall {
  int attempts = 0;
  int detected = 0;
};

// One attempt missed by every alert, for analysis (`eval --show-missed`).
struct MissedAttempt {
  std::string type;
  std::string qualifier;  // e.g. "Max 2-degree Fan-In"
  int line = 0;           // of its BEGIN line in the patterns file
  int transactions = 0;
  // With real traffic (EvaluateAmlworldTraffic): the typologies of the
  // alerts that did touch it, sorted, when none was the matching one.
  std::vector<std::string> caught_by;
};

// Recall per laundering-attempt type: an attempt is detected when at least
// one alert's evidence includes one of its transactions.
struct PatternsReport {
  std::map<std::string, PatternRecall> by_type;
  std::vector<MissedAttempt> missed;  // in file order
  int64_t attempt_transactions = 0;
  int64_t background_transactions = 0;
  int64_t background_alerts = 0;  // alerts whose evidence holds no attempt transaction
  std::map<std::string, int64_t> background_alerts_by_typology;
  int64_t alerts = 0;
  int64_t dead_lettered = 0;
  std::vector<std::string> errors;  // rows that could not be mapped (file:line: why)
};

// One record to replay, ordered by event time then by arrival.
struct Replay {
  int64_t micros;
  int64_t seq;
  std::string payload;  // binary protobuf v1::Transaction
  int group;            // attempt index, or -1 (background)
};

// Runs `records` (sorted here, stably, by event time) through a Processor on
// a scratch database in options.work_dir; returns every alert raised and
// sets `*dead_lettered`.
absl::StatusOr<std::vector<v1::Alert>> RunReplay(std::vector<Replay>& records, const EvalOptions& options,
                                                 int64_t* dead_lettered);

absl::StatusOr<PatternsReport> EvaluateAmlworldPatterns(const std::string& patterns_path, const EvalOptions& options);

// Scores on AMLSim, whose labels are per account (nodes.csv isFraud). A
// laundering transaction is one between two fraud accounts.
//   - subject scores: an account is alerted when it is an alert's subject
//     (a fan-in alerts its one hub, so this caps recall);
//   - evidence scores: an account is flagged when it is either party of a
//     transaction in some alert's evidence; recall is over the fraud
//     accounts that take part in a laundering transaction;
//   - alert precision: alerts whose evidence holds a laundering transaction.
// The sample's patterns carry no ids, so there is no per-pattern recall.
struct AmlsimReport {
  int64_t transactions = 0;
  int64_t laundering_transactions = 0;
  int64_t fraud_accounts = 0;
  int64_t alerted_accounts = 0;
  int64_t alerted_fraud_accounts = 0;
  int64_t alerts = 0;
  int64_t alerts_with_laundering = 0;
  int64_t transacting_fraud_accounts = 0;  // party to a laundering transaction
  int64_t flagged_accounts = 0;
  int64_t flagged_fraud_accounts = 0;  // of the transacting ones
  double recall() const { return fraud_accounts ? double(alerted_fraud_accounts) / double(fraud_accounts) : 0; }
  double precision() const { return alerted_accounts ? double(alerted_fraud_accounts) / double(alerted_accounts) : 0; }
  double EvidenceRecall() const {
    return transacting_fraud_accounts ? double(flagged_fraud_accounts) / double(transacting_fraud_accounts) : 0;
  }
  double AlertPrecision() const { return alerts ? double(alerts_with_laundering) / double(alerts) : 0; }
};

// `dir` holds transactions.csv and nodes.csv.
absl::StatusOr<AmlsimReport> EvaluateAmlsim(const std::string& dir, const EvalOptions& options);

}  // namespace centinela::eval

#endif  // CENTINELA_EVAL_EVALUATION_H_
