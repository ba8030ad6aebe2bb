#include "eval/evaluation.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "base/time_util.h"
#include "centinela/v1/alert.pb.h"
#include "connectors/file/csv_mapping.h"
#include "engine/codec/decoder.h"
#include "engine/pipeline/processor.h"
#include "eval/scratch_engine.h"
#include "gen/feed_generator.h"

namespace centinela::eval {

absl::StatusOr<std::vector<v1::Alert>> RunReplay(std::vector<Replay>& records, const EvalOptions& o,
                                                 int64_t* dead_lettered) {
  std::stable_sort(records.begin(), records.end(), [](const Replay& a, const Replay& b) {
    return a.micros != b.micros ? a.micros < b.micros : a.seq < b.seq;
  });
  ASSIGN_OR_RETURN(std::unique_ptr<ScratchEngine> engine, ScratchEngine::Open(o.pack_path, o.fx_path, o.work_dir));
  Processor* processor = engine->processor.get();
  int64_t n = 0;
  for (const Replay& r : records) {
    RETURN_IF_ERROR(processor->Process({"file", 0, n, r.payload, kContentTypeProtobuf}));
    if (processor->pending() >= 5000) {
      RETURN_IF_ERROR(processor->ReleaseSeen());
      RETURN_IF_ERROR(processor->Commit());
    }
    if (o.progress && ++n % 50000 == 0) {
      fprintf(stderr, "eval: %ld/%zu transactions, %ld alerts\n", long(n), records.size(),
              long(processor->counters().alerts_created));
    }
  }
  RETURN_IF_ERROR(processor->Flush());
  *dead_lettered = processor->counters().dead_lettered;
  return engine->Alerts();
}

absl::StatusOr<PatternsReport> EvaluateAmlworldPatterns(const std::string& patterns_path, const EvalOptions& o) {
  ASSIGN_OR_RETURN(file::CsvMapping mapping, file::CsvMapping::Load(o.mapping_path));
  ASSIGN_OR_RETURN(std::vector<file::LaunderingAttempt> attempts, file::ReadAmlworldPatterns(patterns_path));
  PatternsReport report;
  std::vector<Replay> records;
  absl::flat_hash_map<std::string, int> tx_attempt;
  v1::Transaction tx;
  int64_t seq = 0, min_micros = INT64_MAX, max_micros = INT64_MIN;
  for (size_t a = 0; a < attempts.size(); ++a) {
    report.by_type[attempts[a].type].attempts++;
    for (const auto& [line, row] : attempts[a].rows) {
      bool laundering = false;
      absl::Status s = file::MapRow(mapping, file::SplitCsvLine(row), &tx, &laundering);
      if (!s.ok()) {
        report.errors.push_back(absl::StrCat(patterns_path, ":", line, ": ", s.message()));
        continue;
      }
      tx.set_id(absl::StrCat("amlworld-L", line));
      tx_attempt[tx.id()] = int(a);
      const int64_t micros = ToMicros(tx.event_time());
      min_micros = std::min(min_micros, micros);
      max_micros = std::max(max_micros, micros);
      records.push_back({micros, seq++, tx.SerializeAsString(), int(a)});
      ++report.attempt_transactions;
    }
  }
  if (records.empty()) return absl::InvalidArgumentError(absl::StrCat(patterns_path, ": no attempt transactions"));
  if (o.background > 0) {
    gen::GenOptions g;
    g.count = o.background;
    g.seed = o.seed;
    g.cases_per_typology = 0;
    g.start_day = FloorDiv(min_micros, kMicrosPerDay);
    g.days = int(std::max<int64_t>(8, FloorDiv(max_micros, kMicrosPerDay) - g.start_day + 1));
    g.format = gen::Format::kProtobuf;
    absl::Status parsed;
    RETURN_IF_ERROR(gen::Generate(g, [&](const gen::GeneratedRecord& r) {
      v1::Transaction b;
      if (!b.ParseFromString(r.payload)) {
        parsed = absl::InternalError(absl::StrCat("eval: generated background record ", r.tx_id, " does not parse"));
      }
      records.push_back({ToMicros(b.event_time()), seq++, r.payload, -1});
      ++report.background_transactions;
    }));
    RETURN_IF_ERROR(parsed);
  }
  ASSIGN_OR_RETURN(std::vector<v1::Alert> alerts, RunReplay(records, o, &report.dead_lettered));
  report.alerts = int64_t(alerts.size());
  std::vector<bool> detected(attempts.size());
  for (const v1::Alert& alert : alerts) {
    bool touches = false;
    for (const std::string& id : alert.evidence_transaction_ids()) {
      auto it = tx_attempt.find(id);
      if (it == tx_attempt.end()) continue;
      touches = true;
      detected[it->second] = true;
    }
    if (!touches) {
      ++report.background_alerts;
      ++report.background_alerts_by_typology[alert.typology_id()];
    }
  }
  for (size_t a = 0; a < attempts.size(); ++a) {
    report.by_type[attempts[a].type].detected += detected[a];
    if (!detected[a]) {
      report.missed.push_back(
          {attempts[a].type, attempts[a].qualifier, attempts[a].line, int(attempts[a].rows.size()), {}});
    }
  }
  return report;
}

absl::StatusOr<AmlsimReport> EvaluateAmlsim(const std::string& dir, const EvalOptions& o) {
  ASSIGN_OR_RETURN(file::CsvMapping mapping, file::CsvMapping::Load(o.mapping_path));
  const std::string tx_path = (std::filesystem::path(dir) / "transactions.csv").string();
  const std::string nodes_path = (std::filesystem::path(dir) / "nodes.csv").string();
  AmlsimReport report;
  absl::flat_hash_set<std::string> fraud;
  {
    std::ifstream in(nodes_path);
    if (!in) return absl::NotFoundError(absl::StrCat(nodes_path, ": cannot open"));
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
      if (++n == 1) continue;  // nodeid,isFraud,init_balance,fraudStep
      const auto f = file::SplitCsvLine(line);
      if (f.size() < 2)
        return absl::InvalidArgumentError(absl::StrCat(nodes_path, ":", n, ": expected nodeid,isFraud,..."));
      if (f[1] == "1") fraud.insert(f[0]);
    }
  }
  report.fraud_accounts = int64_t(fraud.size());
  std::vector<Replay> records;
  // Per transaction id: its two accounts; and the laundering ones.
  absl::flat_hash_map<std::string, std::pair<std::string, std::string>> parties;
  absl::flat_hash_set<std::string> laundering, transacting_fraud;
  {
    std::ifstream in(tx_path);
    if (!in) return absl::NotFoundError(absl::StrCat(tx_path, ": cannot open"));
    std::string line;
    int n = 0;
    v1::Transaction tx;
    while (std::getline(in, line)) {
      if (++n == 1 && mapping.header) continue;
      if (line.empty()) continue;
      absl::Status s = file::MapRow(mapping, file::SplitCsvLine(line), &tx, nullptr);
      if (!s.ok()) return absl::InvalidArgumentError(absl::StrCat(tx_path, ":", n, ": ", s.message()));
      tx.set_id(absl::StrCat("amlsim-L", n));
      const std::string& from = tx.originator().account();
      const std::string& to = tx.beneficiary().account();
      parties[tx.id()] = {from, to};
      if (fraud.contains(from) && fraud.contains(to)) {
        laundering.insert(tx.id());
        transacting_fraud.insert(from);
        transacting_fraud.insert(to);
      }
      records.push_back({ToMicros(tx.event_time()), n, tx.SerializeAsString(), -1});
    }
  }
  report.transactions = int64_t(records.size());
  int64_t dead = 0;
  ASSIGN_OR_RETURN(std::vector<v1::Alert> alerts, RunReplay(records, o, &dead));
  report.alerts = int64_t(alerts.size());
  absl::flat_hash_set<std::string> alerted, flagged;
  for (const v1::Alert& a : alerts) {
    if (a.subject().kind() == "account") alerted.insert(a.subject().id());
    bool with_laundering = false;
    for (const std::string& id : a.evidence_transaction_ids()) {
      with_laundering |= laundering.contains(id);
      if (auto it = parties.find(id); it != parties.end()) {
        flagged.insert(it->second.first);
        flagged.insert(it->second.second);
      }
    }
    report.alerts_with_laundering += with_laundering;
  }
  report.alerted_accounts = int64_t(alerted.size());
  for (const std::string& acc : alerted) report.alerted_fraud_accounts += fraud.contains(acc);
  report.laundering_transactions = int64_t(laundering.size());
  report.transacting_fraud_accounts = int64_t(transacting_fraud.size());
  report.flagged_accounts = int64_t(flagged.size());
  for (const std::string& acc : transacting_fraud) report.flagged_fraud_accounts += flagged.contains(acc);
  return report;
}

}  // namespace centinela::eval
