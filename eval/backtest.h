// Backtest: runs a rule pack over recorded input through the same Processor
// the streaming engine uses (decode, validate, state, rules, alerts), into a
// scratch RocksDB, deterministically, and reports alerts per typology, and
// precision and recall where labels are given. It never touches production
// state or the alert topics: a topic is read outside any consumer group, a
// production database is opened read-only.
#ifndef CENTINELA_EVAL_BACKTEST_H_
#define CENTINELA_EVAL_BACKTEST_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "centinela/v1/alert.pb.h"
#include "screening/lists/list_loader.h"

namespace centinela::eval {

// Where the input comes from.
struct BacktestInput {
  enum class Kind { kFile, kTopic, kStored };
  Kind kind = Kind::kFile;
  // kFile: one record per line, in file order: "CONTENT-TYPE<TAB>HEX" (what
  // `centinela gen --out` writes) or a JSON transaction.
  std::string file;
  // kTopic: partitions between offsets [from, to); records are merged across
  // partitions by (Kafka timestamp, partition, offset), a deterministic order.
  std::string bootstrap;
  std::string topic;
  std::map<int32_t, int64_t> from_offsets;  // empty: every partition from its beginning
  std::map<int32_t, int64_t> to_offsets;    // empty: every partition to its end as it is now
  // kStored: transactions retained in a production database (read-only),
  // with event time in [from, to], in (event time, id) order.
  std::string data_dir;
  int64_t from_micros = INT64_MIN;
  int64_t to_micros = INT64_MAX;
};

struct BacktestOptions {
  std::string pack_path;
  std::string fx_path;
  std::string work_dir;  // scratch database; must be empty or absent
  bool progress = true;  // progress lines on stderr
  // Sanctions and PEP lists for screen() in rules (the engine config's
  // screening.lists), so that a backtest screens as the live engine does.
  std::vector<screening::ListSpec> lists;
};

// Injected typology cases, from `centinela gen --labels` (CSV
// transaction_id,label,typology,case_id; rows labelled "case" count).
struct CaseLabels {
  std::map<std::string, std::pair<std::string, std::vector<std::string>>> cases;  // case -> (typology, tx ids)
  absl::flat_hash_map<std::string, std::string> tx_to_case;
};
absl::StatusOr<CaseLabels> LoadCaseLabels(const std::string& path);

// Whether an alert of `typology` detects a case labelled `label`: the label
// names one typology, or alternatives joined by '|' (a listed party may be
// alerted as a confirmed or as a name-only match, as its evidence decides).
bool CaseTypologyMatches(absl::string_view label, absl::string_view typology);

struct TypologyScore {
  int64_t alerts = 0;
  int64_t shadow_alerts = 0;  // of `alerts`, those of typologies in shadow
  // With labels:
  int64_t true_alerts = 0;  // alerts whose evidence holds a transaction of a case of this typology
  int cases = 0;
  int detected = 0;  // cases with such an alert
  double precision() const { return alerts ? double(true_alerts) / double(alerts) : 0; }
  double recall() const { return cases ? double(detected) / double(cases) : 0; }
};

struct BacktestReport {
  std::string pack_version;
  int64_t records = 0;
  int64_t processed = 0;
  int64_t dead_lettered = 0;
  int64_t duplicates = 0;  // records sent again, counted once
  std::map<std::string, TypologyScore> typologies;
  std::vector<v1::Alert> alerts;  // by id
  bool labelled = false;
  double seconds = 0;
};

absl::StatusOr<BacktestReport> RunBacktest(const BacktestInput& input, const BacktestOptions& options);

// Fills the label columns of `report` from `labels`.
void ScoreAgainstLabels(const CaseLabels& labels, BacktestReport* report);

}  // namespace centinela::eval

#endif  // CENTINELA_EVAL_BACKTEST_H_
