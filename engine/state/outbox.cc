#include "engine/state/outbox.h"

#include "absl/strings/str_cat.h"
#include "base/keys.h"

namespace centinela {

std::string OutboxKey(int64_t seq) {
  std::string k;
  PutBigEndian64(&k, uint64_t(seq));
  return k;
}

absl::StatusOr<ParkedList> ListParkedOutbox(const Store& store, int limit) {
  ParkedList out;
  auto it = store.NewIterator(Cf::kOutboxParked);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    ++out.total;
    if (int(out.records.size()) >= limit) continue;
    if (it->key().size() != 8) return absl::DataLossError("outbox_parked: malformed key");
    v1::ParkedOutboxEntry p;
    if (!p.ParseFromArray(it->value().data(), int(it->value().size()))) {
      return absl::DataLossError(absl::StrCat(
          "outbox_parked: record ", GetBigEndian64(absl::string_view(it->key().data(), 8)), " does not parse"));
    }
    out.records.emplace_back(int64_t(GetBigEndian64(absl::string_view(it->key().data(), 8))), std::move(p));
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading outbox_parked");
  return out;
}

absl::Status RetryParkedOutbox(Store* store, int64_t seq) {
  std::string value;
  auto found = store->Get(Cf::kOutboxParked, OutboxKey(seq), &value);
  if (!found.ok()) return found.status();
  if (!*found) return absl::NotFoundError(absl::StrCat("seq: no parked outbox record ", seq));
  v1::ParkedOutboxEntry p;
  if (!p.ParseFromString(value))
    return absl::DataLossError(absl::StrCat("outbox_parked: record ", seq, " does not parse"));
  rocksdb::WriteBatch batch;
  batch.Delete(store->cf(Cf::kOutboxParked), OutboxKey(seq));
  batch.Put(store->cf(Cf::kOutbox), OutboxKey(seq), p.entry().SerializeAsString());
  return store->Write(&batch);
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
