// Event-time order for the engine (docs/event-time.md): records are held in a
// buffer until the event-time frontier has passed them, then released in
// (event time, reporting entity, transaction id, fingerprint) order, so that
// what the rules see is a function of the input, not of how partitions
// interleave on arrival.
#ifndef CENTINELA_ENGINE_SEQUENCE_SEQUENCER_H_
#define CENTINELA_ENGINE_SEQUENCE_SEQUENCER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engine/state/store.h"
#include "rocksdb/write_batch.h"

namespace centinela {

// Where a buffered record came from, kept with it (dead letters and the
// transaction archive name it).
struct SequencedRecord {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  std::string content_type;
  std::string payload;
  int64_t create_time_ms = 0;  // not persisted: 0 after a restart
};

// A source of records (one input partition) as the caller sees it now.
struct SourceStatus {
  std::string topic;
  int32_t partition = 0;
  // Caught up and silent for longer than the idleness timeout: it no longer
  // holds the frontier back (Flink's idleness).
  bool idle = false;
};

// The sort key of a record: event time (order-preserving), then the
// reporting entity and transaction id (length-prefixed), the content
// fingerprint, and last the source position (which only separates a record
// sent twice with the same content).
std::string SequenceKey(int64_t event_micros, absl::string_view reporting_entity, absl::string_view id,
                        uint64_t fingerprint, absl::string_view topic, int32_t partition, int64_t offset);
// The event time a SequenceKey starts with.
int64_t SequenceKeyEventMicros(absl::string_view key);

// Lifetime: borrows `store`, which must outlive it.
// Thread-compatible: the processing thread alone uses it.
//
// State: the buffered records (RocksDB `pending` CF, mirrored in memory so
// that a batch can release what it buffered), the newest event time seen per
// source, and the key of the last record released. All of it is written in
// the caller's WriteBatch, with the input offsets, so a crash leaves it
// consistent with them.
class Sequencer {
 public:
  static absl::StatusOr<std::unique_ptr<Sequencer>> Open(Store* store, int64_t allowed_lateness_micros);

  int64_t allowed_lateness_micros() const { return allowed_lateness_micros_; }

  // A record sorts before one already released: it is late, and is applied at
  // once instead of being buffered.
  bool IsLate(absl::string_view key) const { return !released_.empty() && key < released_; }

  // Notes that `source` delivered a record of `event_micros`.
  void Observe(absl::string_view topic, int32_t partition, int64_t event_micros);
  // Buffers a record under `key` (not late).
  void Buffer(std::string key, SequencedRecord record, rocksdb::WriteBatch* batch);

  // The event time below which every record is released, given the sources
  // the caller owns now: the smallest over them of (newest event time seen −
  // allowed lateness); for an idle source, the later of that and (wall clock
  // − allowed lateness). INT64_MIN while a source that is not idle has
  // delivered nothing.
  int64_t Frontier(const std::vector<SourceStatus>& sources, int64_t wall_now_micros) const;
  // The same over every source seen so far, none idle (ordered replays).
  int64_t FrontierOfSeen() const;

  // Calls `apply` for every buffered record with event time < `frontier`,
  // in key order, removing each (from memory and, in `batch`, from the
  // store); stops at the first error, which it returns. INT64_MAX releases
  // everything.
  absl::Status Release(int64_t frontier, rocksdb::WriteBatch* batch,
                       const std::function<absl::Status(absl::string_view key, const SequencedRecord&)>& apply);

  // Writes the per-source event times and the released key into `batch`.
  void Persist(rocksdb::WriteBatch* batch);

  size_t buffered() const { return buffer_.size(); }
  // The newest event time seen from a source; INT64_MIN if none.
  int64_t newest(absl::string_view topic, int32_t partition) const;

 private:
  Sequencer(Store* store, int64_t lateness) : store_(store), allowed_lateness_micros_(lateness) {}
  absl::Status Load();

  Store* store_;
  int64_t allowed_lateness_micros_;
  std::map<std::string, SequencedRecord> buffer_;
  std::map<std::pair<std::string, int32_t>, int64_t> newest_;
  std::map<std::pair<std::string, int32_t>, int64_t> dirty_newest_;
  std::string released_;  // key of the last record released ("" = none)
  bool released_dirty_ = false;
};

}  // namespace centinela

#endif  // CENTINELA_ENGINE_SEQUENCE_SEQUENCER_H_
