// The transactional outbox: records to produce to Kafka, written in the same
// WriteBatch as the state change they report, deleted once Kafka acked them.
#ifndef CENTINELA_ENGINE_STATE_OUTBOX_H_
#define CENTINELA_ENGINE_STATE_OUTBOX_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "centinela/v1/outbox.pb.h"
#include "engine/state/store.h"

namespace centinela {

// Appends entries under increasing sequence numbers (key: 8-byte big-endian
// seq). The sequence counter is persisted with every append.
// Not thread-safe: used by the one processing thread.
class OutboxWriter {
 public:
  static absl::StatusOr<OutboxWriter> Create(Store* store);
  void Append(const v1::OutboxEntry& entry, rocksdb::WriteBatch* batch);
  int64_t next_seq() const { return next_seq_; }

 private:
  OutboxWriter(Store* store, int64_t next) : store_(store), next_seq_(next) {}
  Store* store_;
  int64_t next_seq_;
};

std::string OutboxKey(int64_t seq);

// Records the broker refused for good (OutboxDrainer moves them aside), the
// oldest first: at most `limit`, with the total count.
struct ParkedList {
  int64_t total = 0;
  std::vector<std::pair<int64_t, v1::ParkedOutboxEntry>> records;
};
absl::StatusOr<ParkedList> ListParkedOutbox(const Store& store, int limit);

// Puts parked record `seq` back into the outbox under its own sequence number
// (the drainer must then Rescan). NotFound when no such record is parked.
// Thread-safe (one WriteBatch).
absl::Status RetryParkedOutbox(Store* store, int64_t seq);

}  // namespace centinela

#endif  // CENTINELA_ENGINE_STATE_OUTBOX_H_
