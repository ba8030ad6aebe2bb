// The engine's RocksDB database: one column family per concern. Converts
// rocksdb::Status to absl::Status at this boundary. Key layouts are in
// docs/storage.md.
#ifndef CENTINELA_ENGINE_STATE_STORE_H_
#define CENTINELA_ENGINE_STATE_STORE_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engine/state/expiry_filter.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"

namespace centinela {

enum class Cf : int {
  kState = 0,     // windowed aggregates: state_id | subject | bucket
  kAlerts,        // alert id -> Alert
  kAlertIndex,    // secondary indexes over alerts
  kOutbox,        // seq -> OutboxEntry (deleted once Kafka acknowledged it)
  kOffsets,       // topic | partition -> next offset to consume
  kMeta,          // counters and sequence numbers
  kRules,         // deployed rule packs (later issues)
  kAudit,         // audit log (later issues)
  kEdges,         // transfer graph: src | time | dst -> amount
  kWorkflow,      // alert id -> AlertWorkflow (status, version, history); written by the API only
  kTransactions,  // retained transactions and their subject index (TransactionArchive)
  kOutboxParked,  // seq -> ParkedOutboxEntry: records the broker refused for good (OutboxDrainer)
  kPending,       // sequence key -> record waiting for the event-time frontier (Sequencer)
  kCount,
};

// Names of the meta counters, updated in the same WriteBatch as the records
// they count.
inline constexpr absl::string_view kMetaConsumed = "counter/consumed";
inline constexpr absl::string_view kMetaProcessed = "counter/processed";
inline constexpr absl::string_view kMetaDeadLettered = "counter/dead_lettered";
inline constexpr absl::string_view kMetaDuplicates = "counter/duplicates";
inline constexpr absl::string_view kMetaLate = "counter/late";  // scored after the event-time frontier passed them
inline constexpr absl::string_view kMetaAlertsCreated = "counter/alerts_created";
inline constexpr absl::string_view kMetaAlertsUpdated = "counter/alerts_updated";
inline constexpr absl::string_view kMetaOutboxSeq = "seq/outbox";
inline constexpr absl::string_view kMetaDelivered = "counter/delivered";
inline constexpr absl::string_view kMetaParked = "counter/parked";         // outbox records ever moved aside
inline constexpr absl::string_view kMetaLostInput = "counter/lost_input";  // input records gone unprocessed
// The next record of the workflow topic to apply (server/replicated_workflow.h).
inline constexpr absl::string_view kMetaWorkflowOffset = "offset/workflow";

struct StoreOptions {
  bool sync = false;  // fsync the WAL on every commit (power-loss safety)
  bool read_only = false;
  // How late (in event time) a transaction may arrive and still find the
  // window buckets, counterparty memories and edges it would have seen in
  // order; older entries are dropped by compaction (see EventTimeExpiryFilter).
  int64_t expiry_grace_micros = 7LL * 24 * 3600 * 1000 * 1000;
};

// Version of the on-disk value layouts (docs/storage.md). A database written
// by another version is refused at open rather than misread.
// 4: alert indexes; 5: typology-by-region index entries, transaction archive;
// 6: alert ids include the pack version, state ids the values of the
// parameters and lists their filters name, rule pack registry (rules CF).
// 7: transactions keyed by (reporting entity, id) with a fingerprint, ids
// remembered for deduplication, alert evidence as TransactionRefs.
// 8: input offsets count records buffered for event-time order (pending CF).
inline constexpr int64_t kStorageFormat = 8;
inline constexpr absl::string_view kMetaStorageFormat = "format/version";

// Owns the DB and its column family handles. Thread-safe (RocksDB is).
class Store {
 public:
  static absl::StatusOr<std::unique_ptr<Store>> Open(const std::string& path, const StoreOptions& options);
  ~Store();

  rocksdb::ColumnFamilyHandle* cf(Cf c) const { return handles_[int(c)]; }
  rocksdb::DB* db() const { return db_.get(); }
  const std::string& path() const { return path_; }

  // Returns false when the key is absent.
  absl::StatusOr<bool> Get(Cf c, absl::string_view key, std::string* value) const;
  absl::Status Write(rocksdb::WriteBatch* batch);
  // An iterator over the whole column family, in key order.
  std::unique_ptr<rocksdb::Iterator> NewIterator(Cf c) const;
  // An iterator for reading one subject's (state) or account's (edges) keys:
  // after Seek(prefix) it stays within that prefix, and seeks for prefixes
  // never written are answered by bloom filters. It sees the database as of
  // its creation.
  std::unique_ptr<rocksdb::Iterator> NewPrefixIterator(Cf c) const;

  // Counter helpers (meta CF, 8-byte big-endian values). Absent = 0.
  absl::StatusOr<int64_t> GetCounter(absl::string_view name) const;
  static void PutCounter(rocksdb::WriteBatch* batch, rocksdb::ColumnFamilyHandle* meta, absl::string_view name,
                         int64_t value);

  // Stored next offsets of `topic`, by partition.
  absl::StatusOr<std::map<int32_t, int64_t>> LoadOffsets(const std::string& topic) const;
  // The high watermarks last seen of `topic`'s partitions (meta key
  // "hw/" topic 0x00 partition u32): how far the input went, so that records
  // lost with a broker can be counted (ReconcileInputOffsets).
  absl::StatusOr<std::map<int32_t, int64_t>> LoadHighWatermarks(const std::string& topic) const;
  static void PutHighWatermark(rocksdb::WriteBatch* batch, rocksdb::ColumnFamilyHandle* meta, const std::string& topic,
                               int32_t partition, int64_t high);
  static std::string OffsetKey(const std::string& topic, int32_t partition);
  // The `state` column family's key prefix of one definition's subject:
  // state_id(4) | len(2) | subject. Windows and profiles both key under it.
  static void StateKeyPrefix(uint32_t state_id, absl::string_view subject, std::string* out);
  // The subject inside a key that starts with StateKeyPrefix (for error
  // messages); empty when the key is too short.
  static absl::string_view StateKeySubject(absl::string_view key);

  // Event time up to which the engine has committed. Only moves forward.
  // Compaction drops expirable entries more than the grace behind it.
  void AdvanceExpiryWatermark(int64_t micros);
  int64_t expiry_watermark() const { return watermark_.load(std::memory_order_relaxed); }
  const StoreOptions& options() const { return options_; }

  // Number of records waiting in the outbox (a scan; for status output).
  absl::StatusOr<int64_t> CountOutbox() const;

 private:
  Store() = default;
  absl::Status CheckFormat();
  // Partition -> int64 entries keyed OffsetKey(key_prefix, partition) in
  // `cf` (offsets, high watermarks); `malformed` and `loading` name them in
  // errors.
  absl::StatusOr<std::map<int32_t, int64_t>> LoadPerPartition(Cf cf, const std::string& key_prefix,
                                                              absl::string_view malformed,
                                                              absl::string_view loading) const;

  std::string path_;
  StoreOptions options_;
  std::atomic<int64_t> watermark_{INT64_MIN};
  // Declared before db_ so that they outlive it.
  std::unique_ptr<EventTimeExpiryFilter> state_expiry_, edges_expiry_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  rocksdb::ColumnFamilyHandle* default_cf_ = nullptr;
};

absl::Status FromRocks(const rocksdb::Status& s, absl::string_view what);

}  // namespace centinela

#endif  // CENTINELA_ENGINE_STATE_STORE_H_
