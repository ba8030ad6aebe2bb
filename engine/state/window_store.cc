#include "engine/state/window_store.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "engine/common/keys.h"
#include "engine/common/time_util.h"

namespace centinela {
namespace {

void SubjectPrefix(uint32_t state_id, absl::string_view subject, std::string* out) {
  out->clear();
  PutBigEndian32(out, state_id);
  PutBigEndian16(out, uint16_t(std::min<size_t>(subject.size(), 0xffff)));
  out->append(subject.data(), std::min<size_t>(subject.size(), 0xffff));
}

}  // namespace

std::string WindowStore::BucketKey(uint32_t state_id, absl::string_view subject, int64_t bucket) {
  std::string key;
  SubjectPrefix(state_id, subject, &key);
  PutOrderedInt64(&key, bucket);
  return key;
}

absl::StatusOr<WindowStore::SubjectWindow*> WindowStore::Load(uint32_t state_id, absl::string_view subject) {
  SubjectPrefix(state_id, subject, &scratch_key_);
  auto it = cache_.find(scratch_key_);
  if (it != cache_.end()) return &it->second;
  SubjectWindow w;
  auto iter = store_->NewIterator(Cf::kState);
  const rocksdb::Slice prefix(scratch_key_);
  for (iter->Seek(prefix); iter->Valid() && iter->key().starts_with(prefix); iter->Next()) {
    const rocksdb::Slice k = iter->key();
    const rocksdb::Slice v = iter->value();
    if (k.size() != prefix.size() + 8 || v.size() != 16) {
      return absl::DataLossError(absl::StrCat("state: malformed bucket for subject ", subject));
    }
    w.buckets.push_back({GetOrderedInt64(absl::string_view(k.data() + prefix.size(), 8)),
                         int64_t(GetBigEndian64(absl::string_view(v.data(), 8))),
                         int64_t(GetBigEndian64(absl::string_view(v.data() + 8, 8)))});
  }
  if (!iter->status().ok()) return FromRocks(iter->status(), "loading window state");
  return &cache_.emplace(scratch_key_, std::move(w)).first->second;
}

absl::Status WindowStore::Add(uint32_t state_id, absl::string_view subject, int64_t window_micros,
                              int64_t bucket_micros, int64_t event_micros, int64_t amount, rocksdb::WriteBatch* batch) {
  auto loaded = Load(state_id, subject);
  if (!loaded.ok()) return loaded.status();
  std::vector<Bucket>& b = (*loaded)->buckets;
  const int64_t index = FloorDiv(event_micros, bucket_micros);
  auto pos = std::lower_bound(b.begin(), b.end(), index, [](const Bucket& x, int64_t i) { return x.index < i; });
  if (pos == b.end() || pos->index != index) pos = b.insert(pos, Bucket{index, 0, 0});
  pos->count += 1;
  pos->sum += amount;
  std::string value;
  PutBigEndian64(&value, uint64_t(pos->count));
  PutBigEndian64(&value, uint64_t(pos->sum));
  batch->Put(store_->cf(Cf::kState), BucketKey(state_id, subject, index), value);
  // Expire buckets that no query at the newest event time can reach.
  const int64_t newest = b.back().index;
  const int64_t keep_from = newest - window_micros / bucket_micros;
  auto first_kept = std::lower_bound(b.begin(), b.end(), keep_from,
                                     [](const Bucket& x, int64_t i) { return x.index < i; });
  for (auto e = b.begin(); e != first_kept; ++e) {
    batch->Delete(store_->cf(Cf::kState), BucketKey(state_id, subject, e->index));
  }
  b.erase(b.begin(), first_kept);
  return absl::OkStatus();
}

absl::StatusOr<WindowTotals> WindowStore::Read(uint32_t state_id, absl::string_view subject, int64_t window_micros,
                                               int64_t bucket_micros, int64_t event_micros) {
  auto loaded = Load(state_id, subject);
  if (!loaded.ok()) return loaded.status();
  const int64_t hi = FloorDiv(event_micros, bucket_micros);
  const int64_t lo = FloorDiv(event_micros - window_micros, bucket_micros) + 1;
  WindowTotals t;
  for (const Bucket& x : (*loaded)->buckets) {
    if (x.index >= lo && x.index <= hi) {
      t.count += x.count;
      t.sum_usd_minor += x.sum;
    }
  }
  return t;
}

void WindowStore::Evict() {
  if (cache_.size() > max_cached_) cache_.clear();
}

}  // namespace centinela
