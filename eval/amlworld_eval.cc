#include "eval/amlworld_eval.h"

#include <algorithm>
#include <fstream>
#include <set>

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

int AttemptWidth(const std::string& type, const std::vector<std::pair<std::string, std::string>>& transfers) {
  absl::flat_hash_map<std::string, absl::flat_hash_set<std::string>> senders, receivers;  // of each account
  for (const auto& [from, to] : transfers) {
    receivers[from].insert(to);
    senders[to].insert(from);
  }
  int width = 0;
  if (type == "FAN-IN") {
    for (const auto& [account, s] : senders) width = std::max(width, int(s.size()));
  } else if (type == "FAN-OUT") {
    for (const auto& [account, r] : receivers) width = std::max(width, int(r.size()));
  } else if (type == "SCATTER-GATHER") {
    for (const auto& [account, r] : receivers) width += senders.contains(account);
  } else if (type == "GATHER-SCATTER") {
    for (const auto& [account, r] : receivers) {
      auto s = senders.find(account);
      if (s != senders.end()) width = std::max(width, int(std::min(s->second.size(), r.size())));
    }
  }
  return width;
}

namespace {

// "fan_out 80A1B2C3 (fan_out_degree agg.distinct_receivers_3d=6 ...) evidence
// day1.csv:12, day1.csv:40": enough to find the rows and see why it fired.
std::string DescribeAlert(const v1::Alert& alert, const absl::flat_hash_map<std::string, std::string>& where_of) {
  std::string out = absl::StrCat(alert.typology_id(), " ", alert.subject().id(), " (");
  for (int i = 0; i < alert.hits_size(); ++i) {  // one hit per rule (AlertBook)
    const v1::RuleHit& hit = alert.hits(i);
    absl::StrAppend(&out, i > 0 ? "; " : "", hit.rule_id());
    for (const v1::ObservedValue& v : hit.values()) absl::StrAppend(&out, " ", v.name(), "=", v.value());
  }
  absl::StrAppend(&out, ") evidence");
  constexpr int kShown = 8;
  const int n = alert.evidence_transaction_ids_size();
  for (int i = 0; i < std::min(n, kShown); ++i) {
    const std::string& id = alert.evidence_transaction_ids(i);
    auto it = where_of.find(id);
    absl::StrAppend(&out, " ", it == where_of.end() ? id : it->second);
  }
  if (n > kShown) absl::StrAppend(&out, " (+", n - kShown, " more)");
  return out;
}

}  // namespace

absl::StatusOr<AmlworldTrafficReport> EvaluateAmlworldTraffic(const std::string& transactions_path,
                                                              const std::string& patterns_path, const EvalOptions& o) {
  ASSIGN_OR_RETURN(file::CsvMapping mapping, file::CsvMapping::Load(o.mapping_path));
  AmlworldTrafficReport report;
  std::vector<Replay> records;
  absl::flat_hash_set<std::string> laundering_ids;
  absl::flat_hash_map<std::string, std::vector<std::string>> ids_of_row;              // row text -> transaction ids
  absl::flat_hash_map<std::string, std::string> where_of;                             // transaction id -> file:line
  absl::flat_hash_map<std::string, std::pair<std::string, std::string>> accounts_of;  // id -> (from, to)
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
    where_of[id] = where;
    accounts_of[id] = {tx.originator().account(), tx.beneficiary().account()};
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
  std::vector<std::pair<int64_t, std::string>> false_alerts;  // (created event time, description)
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
      false_alerts.emplace_back(ToMicros(alert.created_event_time()), DescribeAlert(alert, where_of));
    }
  }
  // In the order they were raised (the replay returns them in no useful order).
  std::sort(false_alerts.begin(), false_alerts.end());
  for (auto& [micros, line] : false_alerts) report.false_alert_lines.push_back(std::move(line));
  for (const std::string& id : flagged) {
    ++(laundering_ids.contains(id) ? report.transactions.tp : report.transactions.fp);
  }
  report.transactions.fn = int64_t(laundering_ids.size()) - report.transactions.tp;
  for (size_t a = 0; a < attempts.size(); ++a) {
    const std::string typology = TypologyOfPattern(attempts[a].type);
    bool any = false, matching = false;
    std::set<std::string> caught_by;
    for (const std::string& id : attempt_ids[a]) {
      auto it = typologies_of.find(id);
      if (it == typologies_of.end()) continue;
      any = true;
      matching |= it->second.contains(typology);
      caught_by.insert(it->second.begin(), it->second.end());
    }
    if (!matching) {
      report.missed.push_back({attempts[a].type,
                               attempts[a].qualifier,
                               attempts[a].line,
                               int(attempt_ids[a].size()),
                               {caught_by.begin(), caught_by.end()}});
    }
    AttemptRecall& r = report.by_pattern[attempts[a].type];
    r.any_alert += any;
    r.matching_typology += matching;
    std::vector<std::pair<std::string, std::string>> transfers;
    for (const std::string& id : attempt_ids[a]) transfers.push_back(accounts_of.at(id));
    if (AttemptWidth(attempts[a].type, transfers) >= kWideAttempt) {
      ++r.wide;
      r.wide_matching += matching;
    }
  }
  return report;
}

}  // namespace centinela::eval
