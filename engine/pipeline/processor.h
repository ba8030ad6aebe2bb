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

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "base/fx_table.h"
#include "engine/alerts/alert_book.h"
#include "engine/codec/decoder.h"
#include "engine/sequence/sequencer.h"
#include "engine/state/graph_store.h"
#include "engine/state/outbox.h"
#include "engine/state/profile_store.h"
#include "engine/state/store.h"
#include "engine/state/transaction_archive.h"
#include "engine/state/window_store.h"
#include "engine/validate/normalizer.h"
#include "google/protobuf/arena.h"
#include "rules/pack/rule_pack.h"
#include "screening/match/list_set.h"
#include "screening/suppress/suppression_book.h"

namespace centinela {

// One record as read from a source (Kafka or a file).
struct InputRecord {
  absl::string_view topic;
  int32_t partition = 0;
  int64_t offset = 0;
  absl::string_view payload;
  absl::string_view content_type;
  // The source's timestamp (Kafka CreateTime, ms), carried while the record
  // waits, for latency measurement; 0 when there is none.
  int64_t create_time_ms = 0;
};

struct ProcessorOptions {
  AlertTopics alert_topics;
  std::string dlq_topic = "centinela.dlq";
  // How long (event time) scored transactions are kept for investigators
  // (TransactionArchive); 0 keeps none.
  int64_t transaction_retention_micros = 400LL * 24 * 3600 * 1000 * 1000;
  // How long (event time) the ids of received transactions are remembered,
  // so that one sent again counts once (TransactionArchive::Seen).
  int64_t dedup_horizon_micros = 400LL * 24 * 3600 * 1000 * 1000;
  // Wall clock for detected_at; tests and backtests fix it.
  std::function<int64_t()> wall_clock_micros;
  // Clock that bounds event times from above (ValidationOptions); null: the
  // system clock, also in backtests, so that they accept what production did.
  std::function<int64_t()> validation_clock_micros;
  // Sanctions and PEP lists for screen() in rules; borrowed, may be null
  // (screen() is then null and screening rules never fire).
  const screening::ListSet* lists = nullptr;
  // False matches that screen() skips (the rules registry's); borrowed, may
  // be null (nothing is suppressed).
  const screening::SuppressionBook* suppressions = nullptr;
  // Limits a transaction must respect beyond its schema; outside them it is
  // dead-lettered.
  ValidationOptions validation;
  // A dead letter keeps at most this many bytes of the record (with the
  // whole record's size and SHA-256), so that it always fits in a Kafka
  // message.
  size_t dead_letter_raw_max_bytes = 64 << 10;
  // How far (event time) a record may trail the newest one of its source and
  // still be scored in event-time order (docs/event-time.md).
  int64_t allowed_lateness_micros = 3600LL * 1000 * 1000;
};

// Totals since the database was created (persisted in the meta CF).
struct Counters {
  int64_t consumed = 0;
  int64_t processed = 0;
  int64_t dead_lettered = 0;
  int64_t duplicates = 0;  // records sent again (same reporting entity, id and content): skipped
  int64_t alerts_created = 0;
  int64_t alerts_updated = 0;
  int64_t late = 0;      // scored on arrival, the event-time frontier having passed them
  int64_t buffered = 0;  // now waiting for the event-time frontier (not persisted: the buffer's size)
};

// Lifetime: borrows store, packs and fx; they must outlive it (or, for the
// packs, until the next SetPacks).
// Thread-compatible: one thread calls Process/Commit/SetPacks.
//
// Scores every transaction with the active pack and, when one is set, with a
// shadow pack beside it (docs/rules.md, "Shadow mode"). Both read the same
// state: an aggregate or profile the two packs define alike (same state id)
// is folded once, by the active pack; one only the shadow pack has is folded
// by the shadow pack. Shadow alerts are stored with the shadow flag and never
// sent.
class Processor {
 public:
  static absl::StatusOr<std::unique_ptr<Processor>> Create(Store* store, const rules::RulePack* pack, const FxTable* fx,
                                                           ProcessorOptions options);
  ~Processor();

  // Takes one record into the open batch: a bad one is dead-lettered, a
  // valid one waits in event-time order (Sequencer) until Release passes it;
  // one whose time the frontier has already passed is late and scored at
  // once. Fails only on storage errors.
  absl::Status Process(const InputRecord& record);

  // Scores, in event-time order, every waiting record with an event time
  // before `frontier` (INT64_MAX: all of them), into the open batch.
  absl::Status Release(int64_t frontier);
  // Release at the frontier of the sources seen so far, none idle: for an
  // ordered replay of one source (files, stored transactions).
  absl::Status ReleaseSeen() { return Release(sequencer_->FrontierOfSeen()); }

  // Atomically commits the open batch. No-op when nothing is pending.
  absl::Status Commit();

  // The input ends here: releases everything waiting, then commits
  // (replays, backtests, tests).
  absl::Status Flush();

  // Switches packs at a batch boundary: FailedPrecondition while records are
  // pending, so that every transaction is scored entirely by one version.
  // `shadow` may be null. The packs must outlive their use.
  absl::Status SetPacks(const rules::RulePack* active, const rules::RulePack* shadow);
  const rules::RulePack* active_pack() const;
  const rules::RulePack* shadow_pack() const;  // null when none

  size_t pending() const { return pending_; }
  // The create times of the records the open batch settled (scored,
  // dead-lettered or found duplicate), cleared by Commit: the end-to-end
  // benchmark's latency is measured on them.
  const std::vector<int64_t>& settled_create_times() const { return settled_create_times_; }
  const Counters& counters() const { return counters_; }
  // The next offset to read per (topic, partition), as committed or pending.
  const std::map<std::pair<std::string, int32_t>, int64_t>& positions() const { return positions_; }
  WindowStore& windows() { return windows_; }
  const Sequencer& sequencer() const { return *sequencer_; }

 private:
  class Lane;  // one pack's evaluation of the current transaction (processor.cc)
  friend class Lane;

  Processor(Store* store, const FxTable* fx, ProcessorOptions options, OutboxWriter outbox);
  // Queues `record` for the DLQ topic with `reason`; fails only when the
  // dead letter cannot be printed.
  absl::Status DeadLetter(const InputRecord& record, absl::string_view reason);
  absl::Status Score(const NormalizedTx& tx);
  // Decodes and validates `r` into `*out` (on arena_); false when it was
  // dead-lettered.
  absl::StatusOr<bool> Decode(const InputRecord& r, NormalizedTx* out, WireFormat* format);
  // Deduplicates, scores and archives a valid transaction, in event-time
  // order (or late).
  absl::Status Admit(const InputRecord& r, const NormalizedTx& tx, WireFormat format);
  // Whether `tx` is new: false for a record sent again (counted as a
  // duplicate) or another record under a used id (dead-lettered).
  absl::StatusOr<bool> FirstTime(const InputRecord& r, const NormalizedTx& tx);
  // Keeps the record as received, for investigators, and its id
  // (TransactionArchive).
  void Archive(const NormalizedTx& tx, WireFormat format, absl::string_view payload);

  Store* store_;
  const FxTable* fx_;
  ProcessorOptions options_;
  Normalizer normalizer_;
  WindowStore windows_;
  ProfileStore profiles_;
  std::unique_ptr<Sequencer> sequencer_;
  std::unique_ptr<GraphStore> graph_;  // only when a pack reads graph.* features
  AlertBook alerts_;
  OutboxWriter outbox_;
  TransactionArchive archive_;
  std::unique_ptr<Lane> active_;
  std::unique_ptr<Lane> shadow_;
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
  std::string subject_;
  std::string originator_document_, beneficiary_document_;  // archive index keys
  std::string ref_scratch_;
  // The transactions of the open batch (reporting entity | id -> fingerprint):
  // a record sent twice within one batch is found before it is written.
  absl::flat_hash_map<std::string, uint64_t> batch_ids_;
  std::vector<int64_t> settled_create_times_;
  absl::Status agg_error_;
};

}  // namespace centinela

#endif  // CENTINELA_ENGINE_PIPELINE_PROCESSOR_H_
