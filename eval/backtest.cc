#include "eval/backtest.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "base/status_macros.h"
#include "base/time_util.h"
#include "connectors/kafka/kafka.h"
#include "engine/codec/decoder.h"
#include "engine/pipeline/processor.h"
#include "engine/state/transaction_archive.h"
#include "eval/scratch_engine.h"

namespace centinela::eval {
namespace {

constexpr size_t kBatch = 2000;  // records per commit, as the engine's default batch

using Clock = std::chrono::steady_clock;

// Feeds records to the processor, committing in batches, with progress.
class Feeder {
 public:
  Feeder(Processor* p, bool progress) : p_(p), progress_(progress) {}
  // An input in event-time order (stored transactions, read sorted) is
  // scored as it is read; a file (in any order) and a topic's partitions
  // wait until all of it is read, so that nothing is scored before a
  // record read later has had its say (docs/event-time.md): a file's order
  // does not change its alerts.
  void set_release_as_read(bool on) { release_as_read_ = on; }
  absl::Status Feed(const InputRecord& r) {
    RETURN_IF_ERROR(p_->Process(r));
    ++n_;
    if (p_->pending() >= kBatch) {
      if (release_as_read_) RETURN_IF_ERROR(p_->ReleaseSeen());
      RETURN_IF_ERROR(p_->Commit());
    }
    if (progress_ && n_ % 50000 == 0) {
      const double secs = std::chrono::duration<double>(Clock::now() - start_).count();
      fprintf(stderr, "backtest: %ld records, %ld alerts, %.0f records/s\n", long(n_),
              long(p_->counters().alerts_created), double(n_) / std::max(secs, 1e-9));
    }
    return absl::OkStatus();
  }
  int64_t records() const { return n_; }

 private:
  Processor* p_;
  bool progress_;
  bool release_as_read_ = true;
  int64_t n_ = 0;
  Clock::time_point start_ = Clock::now();
};

absl::Status FeedFile(const std::string& path, Feeder& feeder) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open the input file"));
  std::string line, payload;
  int64_t line_no = 0;
  const std::string topic = absl::StrCat("file:", path);
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    absl::string_view content_type;
    if (line[0] == '{') {
      payload = line;
      content_type = kContentTypeJson;
    } else {
      const size_t tab = line.find('\t');
      const absl::string_view hex = tab == std::string::npos ? "" : absl::string_view(line).substr(tab + 1);
      const bool is_hex = !hex.empty() && hex.size() % 2 == 0 &&
                          std::all_of(hex.begin(), hex.end(), [](char c) { return absl::ascii_isxdigit(c); });
      if (!is_hex) {
        // Kept as a record: the processor dead-letters it with the reason,
        // as the engine would; counts stay whole.
        payload = line;
        content_type = "";
      } else {
        payload = absl::HexStringToBytes(hex);
        content_type = absl::string_view(line).substr(0, tab);
      }
    }
    RETURN_IF_ERROR(feeder.Feed({topic, 0, line_no - 1, payload, content_type}));
  }
  return absl::OkStatus();
}

absl::Status FeedTopic(const BacktestInput& in, Feeder& feeder, bool progress) {
  ASSIGN_OR_RETURN(int partitions, kafka::PartitionReader::PartitionCount(in.bootstrap, in.topic, 10000));
  ASSIGN_OR_RETURN(std::unique_ptr<kafka::PartitionReader> reader,
                   kafka::PartitionReader::Create(in.bootstrap, in.topic));
  std::map<int32_t, int64_t> start, end;
  for (int32_t p = 0; p < partitions; ++p) {
    if (!in.from_offsets.empty() && !in.from_offsets.contains(p)) continue;
    start[p] = in.from_offsets.empty() ? 0 : in.from_offsets.at(p);
    if (!in.to_offsets.empty() && in.to_offsets.contains(p)) {
      end[p] = in.to_offsets.at(p);
    } else {
      ASSIGN_OR_RETURN(end[p], reader->HighWatermark(p, 10000));
    }
    if (end[p] <= start[p]) {
      start.erase(p);
      end.erase(p);
    }
  }
  for (const auto& [p, o] : in.from_offsets) {
    if (p < 0 || p >= partitions) {
      return absl::InvalidArgumentError(absl::StrCat("--from: ", in.topic, " has no partition ", p));
    }
  }
  struct Rec {
    int64_t ts;
    int32_t partition;
    int64_t offset;
    std::string payload, content_type;
  };
  std::vector<Rec> recs;
  if (!start.empty()) {
    RETURN_IF_ERROR(reader->Assign(start));
    std::map<int32_t, int64_t> next = start;
    size_t done = 0;
    const auto deadline = Clock::now() + std::chrono::minutes(10);
    while (done < start.size()) {
      if (Clock::now() > deadline) return absl::DeadlineExceededError("--topic: reading took over 10 minutes");
      std::optional<kafka::Message> m = reader->Poll(200);
      if (!m) continue;
      if (m->is_partition_eof()) {
        if (next.contains(m->partition()) && next[m->partition()] < end[m->partition()]) {
          return absl::OutOfRangeError(absl::StrCat("--to: ", in.topic, "/", m->partition(), " ends at ",
                                                    next[m->partition()], ", before ", end[m->partition()]));
        }
        continue;
      }
      if (m->error()) {
        return absl::UnavailableError(absl::StrCat("reading ", in.topic, "/", m->partition(), ": ", m->error_string()));
      }
      const int32_t p = m->partition();
      if (!end.contains(p) || m->offset() >= end[p]) continue;
      recs.push_back(
          {m->timestamp_ms(), p, m->offset(), std::string(m->payload()), std::string(m->header("content-type"))});
      next[p] = m->offset() + 1;
      if (next[p] == end[p]) ++done;
      if (progress && recs.size() % 100000 == 0) fprintf(stderr, "backtest: read %zu records\n", recs.size());
    }
  }
  // Each partition in its own order, as the engine reads it; the processor
  // puts them in event-time order.
  std::stable_sort(recs.begin(), recs.end(), [](const Rec& a, const Rec& b) {
    return std::tie(a.partition, a.offset) < std::tie(b.partition, b.offset);
  });
  for (const Rec& r : recs) RETURN_IF_ERROR(feeder.Feed({in.topic, r.partition, r.offset, r.payload, r.content_type}));
  return absl::OkStatus();
}

absl::Status FeedStored(const BacktestInput& in, Feeder& feeder) {
  StoreOptions so;
  so.read_only = true;
  ASSIGN_OR_RETURN(std::unique_ptr<Store> store, Store::Open(in.data_dir, so));
  struct Rec {
    int64_t micros;
    std::string id, payload;
    char format;
  };
  std::vector<Rec> recs;
  v1::Transaction tx;
  RETURN_IF_ERROR(TransactionArchive(store.get()).ForEach([&](const TransactionArchive::Entry& e) {
    const absl::string_view type = e.format == 'J' ? kContentTypeJson : kContentTypeProtobuf;
    if (!DecodeTransaction(e.payload, type, &tx).ok()) return absl::OkStatus();  // was scored, so decodes
    const int64_t t = ToMicros(tx.event_time());
    if (t >= in.from_micros && t <= in.to_micros) recs.push_back({t, e.tx_id, e.payload, e.format});
    return absl::OkStatus();
  }));
  std::sort(recs.begin(), recs.end(),
            [](const Rec& a, const Rec& b) { return std::tie(a.micros, a.id) < std::tie(b.micros, b.id); });
  const std::string topic = absl::StrCat("stored:", in.data_dir);
  int64_t n = 0;
  for (const Rec& r : recs) {
    RETURN_IF_ERROR(feeder.Feed({topic, 0, n++, r.payload, r.format == 'J' ? kContentTypeJson : kContentTypeProtobuf}));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<CaseLabels> LoadCaseLabels(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open labels"));
  CaseLabels s;
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    if (++line_no == 1) continue;  // header
    if (line.empty()) continue;
    std::vector<std::string> cols = absl::StrSplit(line, ',');
    if (cols.size() != 4) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ":", line_no, ": expected 4 columns transaction_id,label,typology,case_id"));
    }
    if (cols[1] != "case") continue;
    s.cases[cols[3]].first = cols[2];
    s.cases[cols[3]].second.push_back(cols[0]);
    s.tx_to_case[cols[0]] = cols[3];
  }
  return s;
}

bool CaseTypologyMatches(absl::string_view label, absl::string_view typology) {
  for (absl::string_view alternative : absl::StrSplit(label, '|')) {
    if (alternative == typology) return true;
  }
  return false;
}

void ScoreAgainstLabels(const CaseLabels& labels, BacktestReport* report) {
  report->labelled = true;
  absl::flat_hash_set<std::string> detected;
  for (const v1::Alert& a : report->alerts) {
    bool true_alert = false;
    for (const std::string& tx : a.evidence_transaction_ids()) {
      auto c = labels.tx_to_case.find(tx);
      if (c == labels.tx_to_case.end()) continue;
      if (!CaseTypologyMatches(labels.cases.at(c->second).first, a.typology_id())) continue;
      true_alert = true;
      detected.insert(c->second);
    }
    report->typologies[a.typology_id()].true_alerts += true_alert;
  }
  for (const auto& [id, c] : labels.cases) {
    TypologyScore& t = report->typologies[c.first];
    ++t.cases;
    t.detected += detected.contains(id);
  }
}

absl::StatusOr<BacktestReport> RunBacktest(const BacktestInput& input, const BacktestOptions& o) {
  const auto start = Clock::now();
  ASSIGN_OR_RETURN(std::unique_ptr<ScratchEngine> engine,
                   ScratchEngine::Open(o.pack_path, o.fx_path, o.work_dir, o.lists));
  Processor* processor = engine->processor.get();
  const rules::RulePack* pack = engine->pack.get();
  Feeder feeder(processor, o.progress);
  switch (input.kind) {
    case BacktestInput::Kind::kFile:
      feeder.set_release_as_read(false);
      RETURN_IF_ERROR(FeedFile(input.file, feeder));
      break;
    case BacktestInput::Kind::kTopic:
      feeder.set_release_as_read(false);
      RETURN_IF_ERROR(FeedTopic(input, feeder, o.progress));
      break;
    case BacktestInput::Kind::kStored:
      RETURN_IF_ERROR(FeedStored(input, feeder));
      break;
  }
  RETURN_IF_ERROR(processor->Flush());
  BacktestReport report;
  report.pack_version = pack->version();
  report.records = feeder.records();
  report.processed = processor->counters().processed;
  report.dead_lettered = processor->counters().dead_lettered;
  report.duplicates = processor->counters().duplicates;
  for (const rules::TypologySpec& t : pack->typologies()) report.typologies[t.id];
  ASSIGN_OR_RETURN(report.alerts, engine->Alerts());
  for (const v1::Alert& a : report.alerts) {
    TypologyScore& t = report.typologies[a.typology_id()];
    ++t.alerts;
    t.shadow_alerts += a.shadow();
  }
  report.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return report;
}

}  // namespace centinela::eval
