// The engine's core, independent of Kafka: takes input records one by one and
// commits their whole effect (state deltas, alerts, outbox, DLQ records, input
// offsets, counters) in one RocksDB WriteBatch per batch.
#ifndef CENTINELA_ENGINE_PIPELINE_PROCESSOR_H_
#define CENTINELA_ENGINE_PIPELINE_PROCESSOR_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "google/protobuf/arena.h"
#include "engine/alerts/alert_book.h"
#include "engine/codec/decoder.h"
#include "engine/state/graph_store.h"
#include "engine/state/outbox.h"
#include "engine/state/profile_store.h"
#include "engine/state/store.h"
#include "engine/state/transaction_archive.h"
#include "engine/state/window_store.h"
#include "engine/validate/fx_table.h"
#include "engine/validate/normalizer.h"
#include "rules/pack/rule_pack.h"

namespace centinela {

// One record as read from a source (Kafka or a file).
struct InputRecord {
  absl::string_view topic;
  int32_t partition = 0;
  int64_t offset = 0;
  absl::string_view payload;
  absl::string_view content_type;
};

struct ProcessorOptions {
  AlertTopics alert_topics;
  std::string dlq_topic = "centinela.dlq";
  // How long (event time) scored transactions are kept for investigators
  // (TransactionArchive); 0 keeps none.
  int64_t transaction_retention_micros = 400LL * 24 * 3600 * 1000 * 1000;
  // Wall clock for detected_at; tests may fix it.
  std::function<int64_t()> wall_clock_micros;
};

// Totals since the database was created (persisted in the meta CF).
struct Counters {
  int64_t consumed = 0;
  int64_t processed = 0;
  int64_t dead_lettered = 0;
  int64_t alerts_created = 0;
  int64_t alerts_updated = 0;
};

// Lifetime: borrows store, pack and fx; they must outlive it.
// Thread-compatible: one thread calls Process/Commit.
class Processor : private rules::AggregateSource {
 public:
  static absl::StatusOr<std::unique_ptr<Processor>> Create(Store* store, const rules::RulePack* pack,
                                                           const FxTable* fx, ProcessorOptions options);

  // Adds one record's effects to the open batch. Fails only on storage
  // errors; bad records are dead-lettered, not failed.
  absl::Status Process(const InputRecord& record);

  // Atomically commits the open batch. No-op when nothing is pending.
  absl::Status Commit();

  size_t pending() const { return pending_; }
  const Counters& counters() const { return counters_; }
  // The next offset to read per (topic, partition), as committed or pending.
  const std::map<std::pair<std::string, int32_t>, int64_t>& positions() const { return positions_; }
  WindowStore& windows() { return windows_; }

 private:
  Processor(Store* store, const rules::RulePack* pack, const FxTable* fx, ProcessorOptions options,
            OutboxWriter outbox);
  rules::Value Aggregate(int index) override;
  rules::Value Graph(rules::GraphFeature feature) override;
  rules::Value Profile(int index, rules::ProfileFeature feature) override;
  rules::Value ComputeGraph(rules::GraphFeature feature);
  // Reads each profile as it was before `tx`, then folds `tx` in.
  absl::Status UpdateProfiles(const NormalizedTx& tx, rules::EvalContext& ctx);
  void DeadLetter(const InputRecord& record, absl::string_view reason);
  absl::Status Score(const NormalizedTx& tx);
  // Keeps the record as received, for investigators (TransactionArchive).
  void Archive(const NormalizedTx& tx, WireFormat format, absl::string_view payload);

  Store* store_;
  const rules::RulePack* pack_;
  const FxTable* fx_;
  ProcessorOptions options_;
  Normalizer normalizer_;
  WindowStore windows_;
  ProfileStore profiles_;
  std::unique_ptr<GraphStore> graph_;  // only when the pack reads graph.* features
  AlertBook alerts_;
  OutboxWriter outbox_;
  TransactionArchive archive_;
  rocksdb::WriteBatch batch_;
  size_t pending_ = 0;
  int64_t max_event_micros_ = INT64_MIN;  // newest event time scored: drives state expiry
  Counters counters_;
  std::map<std::pair<std::string, int32_t>, int64_t> positions_;
  std::map<std::pair<std::string, int32_t>, int64_t> dirty_positions_;
  // The slots of the partition of the previous record (std::map nodes are
  // stable): consecutive records of one partition update them directly.
  std::string last_topic_;
  int32_t last_partition_ = -1;
  int64_t* last_position_ = nullptr;
  int64_t* last_dirty_position_ = nullptr;

  // Per-transaction scratch (reused; no allocation per record).
  // Each record is decoded into a message on arena_, reset per record. The
  // arena's first block is ours and survives Reset(), so a record that fits
  // in it (all ordinary ones) costs no heap allocation to decode.
  static constexpr size_t kArenaBlockBytes = 16 << 10;
  std::unique_ptr<char[]> arena_block_;
  std::unique_ptr<google::protobuf::Arena> arena_;
  rules::EvalScratch scratch_;
  std::vector<int8_t> agg_ready_;
  std::vector<rules::Value> agg_values_;
  std::vector<WindowStore::Handle> agg_window_;  // per state owner, this transaction's subject window
  // Step 1 of Score, per state owner the transaction folds into: its key
  // (slots reused across transactions) and the value it counts distinct.
  struct Fold {
    int index;
    uint64_t distinct;
  };
  std::vector<Fold> folds_;
  std::vector<std::string> fold_keys_;
  std::string subject_;
  std::string originator_document_, beneficiary_document_;  // archive index keys
  const NormalizedTx* current_ = nullptr;
  static constexpr int kGraphFeatures = rules::kGraphFeatureCount;
  int8_t graph_ready_[kGraphFeatures] = {};
  rules::Value graph_values_[kGraphFeatures];
  // Per profile: its state before the current transaction; -1 = no subject.
  struct ProfileBefore {
    bool has_subject = false;
    centinela::Profile profile;
    int8_t new_counterparty = -1;  // -1 unknown (no counterparty), 0, 1
  };
  std::vector<ProfileBefore> profile_before_;
  // UpdateProfiles, per profile the transaction folds into: its keys (slots
  // reused across transactions).
  struct ProfileFold {
    int index = 0;
    bool has_counterparty = false;
    std::string profile_key, counterparty_key;
  };
  std::vector<ProfileFold> profile_fold_slots_;
  std::vector<const ProfileFold*> profile_folds_;
  absl::Status agg_error_;
};

}  // namespace centinela

#endif  // CENTINELA_ENGINE_PIPELINE_PROCESSOR_H_
