#include "eval/amlworld_eval.h"

#include <fstream>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "base/status_macros.h"
#include "base/time_util.h"
#include "connectors/file/csv_mapping.h"

namespace centinela::eval {

std::string TypologyOfPattern(const std::string& type) {
  return absl::StrReplaceAll(absl::AsciiStrToLower(type), {{"-", "_"}});
}

absl::StatusOr<AmlworldTrafficReport> EvaluateAmlworldTraffic(const std::string& transactions_path,
                                                              const std::string& patterns_path, const EvalOptions& o) {
  ASSIGN_OR_RETURN(file::CsvMapping mapping, file::CsvMapping::Load(o.mapping_path));
  AmlworldTrafficReport report;
  std::vector<Replay> records;
  absl::flat_hash_set<std::string> laundering_ids;
  absl::flat_hash_map<std::string, std::vector<std::string>> ids_of_row;  // row text -> transaction ids
  v1::Transaction tx;
  int64_t seq = 0;
  auto add = [&](const std::string& where, const std::string& row, const std::string& id) -> bool {
    bool laundering = false;
    absl::Status s = file::MapRow(mapping, file::SplitCsvLine(row), &tx, &laundering);
    if (!s.ok()) {
      ++report.unmapped;
      if (report.errors.size() < 20) report.errors.push_back(absl::StrCat(where, ": ", s.message()));
      return false;
    }
    tx.set_id(id);
    records.push_back({ToMicros(tx.event_time()), seq++, tx.SerializeAsString(), -1});
    ++report.rows;
    ++(laundering ? report.laundering : report.legitimate);
    if (laundering) laundering_ids.insert(id);
    return true;
  };
  {
    std::ifstream in(transactions_path);
    if (!in) return absl::NotFoundError(absl::StrCat(transactions_path, ": cannot open"));
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
      ++n;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      // IBM's header ("Timestamp,From Bank,...") whatever the mapping says:
      // the mapping also reads the headerless patterns file.
      if ((n == 1 && (mapping.header || absl::StartsWith(line, "Timestamp,"))) || line.empty()) continue;
      const std::string id = absl::StrCat("amlworld-T", n);
      if (add(absl::StrCat(transactions_path, ":", n), line, id)) ids_of_row[line].push_back(id);
    }
    if (in.bad()) return absl::DataLossError(absl::StrCat(transactions_path, ": read error"));
  }
  if (report.rows == 0) return absl::InvalidArgumentError(absl::StrCat(transactions_path, ": no row could be mapped"));
  // Attempts: their rows' transaction ids, found in the file or injected.
  std::vector<file::LaunderingAttempt> attempts;
  std::vector<std::vector<std::string>> attempt_ids;
  if (!patterns_path.empty()) {
    ASSIGN_OR_RETURN(attempts, file::ReadAmlworldPatterns(patterns_path));
    attempt_ids.resize(attempts.size());
    for (size_t a = 0; a < attempts.size(); ++a) {
      report.by_pattern[attempts[a].type].attempts++;
      for (const auto& [line, row] : attempts[a].rows) {
        if (auto it = ids_of_row.find(row); it != ids_of_row.end()) {
          attempt_ids[a].insert(attempt_ids[a].end(), it->second.begin(), it->second.end());
          continue;
        }
        const std::string id = absl::StrCat("amlworld-P", line);
        if (add(absl::StrCat(patterns_path, ":", line), row, id)) {
          attempt_ids[a].push_back(id);
          ++report.injected;
        }
      }
    }
  }
  ASSIGN_OR_RETURN(std::vector<v1::Alert> alerts, RunReplay(records, o, &report.dead_lettered));
  report.alerts = int64_t(alerts.size());
  absl::flat_hash_set<std::string> flagged;
  // Per transaction id: the typologies of the alerts holding it.
  absl::flat_hash_map<std::string, absl::flat_hash_set<std::string>> typologies_of;
  for (const v1::Alert& alert : alerts) {
    bool laundering = false;
    for (const std::string& id : alert.evidence_transaction_ids()) {
      flagged.insert(id);
      laundering |= laundering_ids.contains(id);
      if (!attempts.empty()) typologies_of[id].insert(alert.typology_id());
    }
    if (!laundering) {
      ++report.false_alerts;
      ++report.false_alerts_by_typology[alert.typology_id()];
    }
  }
  for (const std::string& id : flagged) {
    ++(laundering_ids.contains(id) ? report.transactions.tp : report.transactions.fp);
  }
  report.transactions.fn = int64_t(laundering_ids.size()) - report.transactions.tp;
  for (size_t a = 0; a < attempts.size(); ++a) {
    const std::string typology = TypologyOfPattern(attempts[a].type);
    bool any = false, matching = false;
    for (const std::string& id : attempt_ids[a]) {
      auto it = typologies_of.find(id);
      if (it == typologies_of.end()) continue;
      any = true;
      matching |= it->second.contains(typology);
    }
    AttemptRecall& r = report.by_pattern[attempts[a].type];
    r.any_alert += any;
    r.matching_typology += matching;
  }
  return report;
}

}  // namespace centinela::eval
