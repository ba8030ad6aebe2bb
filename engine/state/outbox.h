// The transactional outbox: records to produce to Kafka, written in the same
// WriteBatch as the state change they report, deleted once Kafka acked them.
#ifndef CENTINELA_ENGINE_STATE_OUTBOX_H_
#define CENTINELA_ENGINE_STATE_OUTBOX_H_

#include <cstdint>
#include <string>

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

}  // namespace centinela

#endif  // CENTINELA_ENGINE_STATE_OUTBOX_H_
