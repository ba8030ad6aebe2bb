#include "engine/sequence/sequencer.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "base/keys.h"
#include "base/status_macros.h"

namespace centinela {
namespace {

constexpr absl::string_view kNewestPrefix = "seq/newest/";
constexpr absl::string_view kReleasedKey = "seq/released";

std::string NewestKey(absl::string_view topic, int32_t partition) {
  std::string key = absl::StrCat(kNewestPrefix, topic);
  key.push_back('\0');
  PutBigEndian32(&key, uint32_t(partition));
  return key;
}

std::string EncodeRecord(const SequencedRecord& r) {
  std::string v;
  v.reserve(16 + r.topic.size() + r.content_type.size() + r.payload.size());
  PutBigEndian32(&v, uint32_t(r.partition));
  PutBigEndian64(&v, uint64_t(r.offset));
  PutLengthPrefixed16(&v, r.topic);
  PutLengthPrefixed16(&v, r.content_type);
  v.append(r.payload);
  return v;
}

absl::StatusOr<SequencedRecord> DecodeRecord(absl::string_view v) {
  SequencedRecord r;
  auto take16 = [&v](std::string* out) {
    if (v.size() < 2) return false;
    const size_t n = GetBigEndian16(v);
    if (v.size() < 2 + n) return false;
    out->assign(v.data() + 2, n);
    v.remove_prefix(2 + n);
    return true;
  };
  if (v.size() < 12) return absl::DataLossError("pending: a buffered record is truncated");
  r.partition = int32_t(GetBigEndian32(v));
  r.offset = int64_t(GetBigEndian64(v.substr(4)));
  v.remove_prefix(12);
  if (!take16(&r.topic) || !take16(&r.content_type)) {
    return absl::DataLossError("pending: a buffered record's source is truncated");
  }
  r.payload.assign(v.data(), v.size());
  return r;
}

int64_t SaturatingSub(int64_t a, int64_t b) {
  if (a == INT64_MIN) return INT64_MIN;
  return a < INT64_MIN + b ? INT64_MIN : a - b;
}

}  // namespace

std::string SequenceKey(int64_t event_micros, absl::string_view reporting_entity, absl::string_view id,
                        uint64_t fingerprint, absl::string_view topic, int32_t partition, int64_t offset) {
  std::string key;
  key.reserve(8 + 2 + reporting_entity.size() + 2 + id.size() + 8 + 2 + topic.size() + 12);
  PutOrderedInt64(&key, event_micros);
  PutLengthPrefixed16(&key, reporting_entity);
  PutLengthPrefixed16(&key, id);
  PutBigEndian64(&key, fingerprint);
  PutLengthPrefixed16(&key, topic);
  PutBigEndian32(&key, uint32_t(partition));
  PutBigEndian64(&key, uint64_t(offset));
  return key;
}

int64_t SequenceKeyEventMicros(absl::string_view key) {
  return key.size() >= 8 ? GetOrderedInt64(key.substr(0, 8)) : INT64_MIN;
}

absl::StatusOr<std::unique_ptr<Sequencer>> Sequencer::Open(Store* store, int64_t allowed_lateness_micros) {
  if (allowed_lateness_micros < 0) {
    return absl::InvalidArgumentError("sequencer: the allowed lateness cannot be negative");
  }
  std::unique_ptr<Sequencer> s(new Sequencer(store, allowed_lateness_micros));
  RETURN_IF_ERROR(s->Load());
  return s;
}

absl::Status Sequencer::Load() {
  auto it = store_->NewIterator(Cf::kPending);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    ASSIGN_OR_RETURN(SequencedRecord r, DecodeRecord(absl::string_view(it->value().data(), it->value().size())));
    buffer_.emplace(it->key().ToString(), std::move(r));
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "loading the records waiting for the event-time frontier"));
  auto meta = store_->NewIterator(Cf::kMeta);
  for (meta->Seek(rocksdb::Slice(kNewestPrefix.data(), kNewestPrefix.size()));
       meta->Valid() && meta->key().starts_with(rocksdb::Slice(kNewestPrefix.data(), kNewestPrefix.size()));
       meta->Next()) {
    absl::string_view k(meta->key().data(), meta->key().size());
    k.remove_prefix(kNewestPrefix.size());
    // topic '\0' partition(4): the partition's bytes may be zeros too.
    const size_t nul = k.size() - 5;
    if (k.size() < 5 || k[nul] != '\0' || meta->value().size() != 8) {
      return absl::DataLossError(absl::StrCat("meta: malformed event-time mark ", meta->key().ToString(true)));
    }
    newest_[{std::string(k.substr(0, nul)), int32_t(GetBigEndian32(k.substr(nul + 1)))}] =
        int64_t(GetBigEndian64(absl::string_view(meta->value().data(), 8)));
  }
  RETURN_IF_ERROR(FromRocks(meta->status(), "loading the event-time marks"));
  std::string released;
  ASSIGN_OR_RETURN(const bool has_released, store_->Get(Cf::kMeta, kReleasedKey, &released));
  if (has_released) released_ = std::move(released);
  return absl::OkStatus();
}

void Sequencer::Observe(absl::string_view topic, int32_t partition, int64_t event_micros) {
  auto key = std::make_pair(std::string(topic), partition);
  auto [it, inserted] = newest_.try_emplace(key, event_micros);
  if (!inserted) {
    if (event_micros <= it->second) return;
    it->second = event_micros;
  }
  dirty_newest_[key] = event_micros;
}

void Sequencer::Buffer(std::string key, SequencedRecord record, rocksdb::WriteBatch* batch) {
  batch->Put(store_->cf(Cf::kPending), key, EncodeRecord(record));
  buffer_.insert_or_assign(std::move(key), std::move(record));
}

int64_t Sequencer::newest(absl::string_view topic, int32_t partition) const {
  auto it = newest_.find({std::string(topic), partition});
  return it == newest_.end() ? INT64_MIN : it->second;
}

int64_t Sequencer::Frontier(const std::vector<SourceStatus>& sources, int64_t wall_now_micros) const {
  if (sources.empty()) return INT64_MIN;
  int64_t frontier = INT64_MAX;
  for (const SourceStatus& s : sources) {
    int64_t mark = SaturatingSub(newest(s.topic, s.partition), allowed_lateness_micros_);
    if (s.idle) mark = std::max(mark, SaturatingSub(wall_now_micros, allowed_lateness_micros_));
    frontier = std::min(frontier, mark);
  }
  return frontier;
}

int64_t Sequencer::FrontierOfSeen() const {
  if (newest_.empty()) return INT64_MIN;
  int64_t frontier = INT64_MAX;
  for (const auto& [source, newest] : newest_) {
    frontier = std::min(frontier, SaturatingSub(newest, allowed_lateness_micros_));
  }
  return frontier;
}

absl::Status Sequencer::Release(
    int64_t frontier, rocksdb::WriteBatch* batch,
    const std::function<absl::Status(absl::string_view key, const SequencedRecord&)>& apply) {
  while (!buffer_.empty()) {
    auto it = buffer_.begin();
    if (frontier != INT64_MAX && SequenceKeyEventMicros(it->first) >= frontier) break;
    RETURN_IF_ERROR(apply(it->first, it->second));
    batch->Delete(store_->cf(Cf::kPending), it->first);
    released_ = it->first;
    released_dirty_ = true;
    buffer_.erase(it);
  }
  return absl::OkStatus();
}

void Sequencer::Persist(rocksdb::WriteBatch* batch) {
  for (const auto& [source, newest] : dirty_newest_) {
    std::string v;
    PutBigEndian64(&v, uint64_t(newest));
    batch->Put(store_->cf(Cf::kMeta), NewestKey(source.first, source.second), v);
  }
  dirty_newest_.clear();
  if (released_dirty_) {
    batch->Put(store_->cf(Cf::kMeta), rocksdb::Slice(kReleasedKey.data(), kReleasedKey.size()), released_);
    released_dirty_ = false;
  }
}

}  // namespace centinela
