#include "engine/state/outbox.h"

#include "engine/common/keys.h"

namespace centinela {

std::string OutboxKey(int64_t seq) {
  std::string k;
  PutBigEndian64(&k, uint64_t(seq));
  return k;
}

absl::StatusOr<OutboxWriter> OutboxWriter::Create(Store* store) {
  auto seq = store->GetCounter(kMetaOutboxSeq);
  if (!seq.ok()) return seq.status();
  return OutboxWriter(store, *seq);
}

void OutboxWriter::Append(const v1::OutboxEntry& entry, rocksdb::WriteBatch* batch) {
  batch->Put(store_->cf(Cf::kOutbox), OutboxKey(next_seq_), entry.SerializeAsString());
  ++next_seq_;
  Store::PutCounter(batch, store_->cf(Cf::kMeta), kMetaOutboxSeq, next_seq_);
}

}  // namespace centinela
