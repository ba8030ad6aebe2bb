#include "engine/state/window_store.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "base/keys.h"
#include "base/money.h"
#include "base/time_util.h"

namespace centinela {

void WindowStore::BuildKey(uint32_t state_id, absl::string_view subject, std::string* key) {
  Store::StateKeyPrefix(state_id, subject, key);
}

absl::StatusOr<WindowStore::Handle> WindowStore::Open(uint32_t state_id, absl::string_view subject) {
  BuildKey(state_id, subject, &scratch_key_);
  return OpenKey(scratch_key_);
}

absl::StatusOr<WindowStore::Handle> WindowStore::OpenKey(const std::string& key) {
  auto it = cache_.find(key);
  if (it != cache_.end()) return &it->second;
  SubjectWindow w;
  // One read view per commit interval: what the open batch changed is in
  // the cache already, so the view only has to see the last commit.
  if (!reader_) reader_ = store_->NewPrefixIterator(Cf::kState);
  rocksdb::Iterator* iter = reader_.get();
  const rocksdb::Slice prefix(key);
  for (iter->Seek(prefix); iter->Valid() && iter->key().starts_with(prefix); iter->Next()) {
    const rocksdb::Slice k = iter->key();
    const rocksdb::Slice v = iter->value();
    if (k.size() != prefix.size() + 8 || v.size() < kHeaderBytes || (v.size() - kHeaderBytes) % 8 != 0) {
      return absl::DataLossError(
          absl::StrCat("state: malformed bucket for subject ", absl::CHexEscape(Store::StateKeySubject(key))));
    }
    auto u64 = [&](size_t off) { return GetBigEndian64(absl::string_view(v.data() + off, 8)); };
    Bucket b;
    b.index = GetOrderedInt64(absl::string_view(k.data() + prefix.size(), 8));
    b.count = int64_t(u64(8));
    b.sum = int64_t(u64(16));
    b.min = int64_t(u64(24));
    b.max = int64_t(u64(32));
    const uint64_t sq_bits = u64(40);
    std::memcpy(&b.sum_sq, &sq_bits, 8);
    for (size_t off = kHeaderBytes; off < v.size(); off += 8) {
      b.distinct.push_back(GetBigEndian64(absl::string_view(v.data() + off, 8)));
    }
    w.buckets.push_back(std::move(b));
  }
  if (!iter->status().ok()) return FromRocks(iter->status(), "loading window state");
  auto& entry = *cache_.emplace(key, std::move(w)).first;
  entry.second.key = &entry.first;
  return &entry.second;
}

absl::Status WindowStore::Add(uint32_t state_id, absl::string_view subject, int64_t window_micros,
                              int64_t bucket_micros, int64_t event_micros, int64_t amount, uint64_t distinct_hash) {
  auto w = Open(state_id, subject);
  if (!w.ok()) return w.status();
  Add(*w, window_micros, bucket_micros, event_micros, amount, distinct_hash);
  return absl::OkStatus();
}

void WindowStore::Add(Handle handle, int64_t window_micros, int64_t bucket_micros, int64_t event_micros, int64_t amount,
                      uint64_t distinct_hash) {
  SubjectWindow& w = *handle;
  std::vector<Bucket>& b = w.buckets;
  const int64_t index = FloorDiv(event_micros, bucket_micros);
  auto pos = std::lower_bound(b.begin(), b.end(), index, [](const Bucket& x, int64_t i) { return x.index < i; });
  if (pos == b.end() || pos->index != index) {
    Bucket fresh;
    fresh.index = index;
    fresh.min = amount;
    fresh.max = amount;
    pos = b.insert(pos, std::move(fresh));
  }
  pos->count += 1;
  pos->sum = SatAdd(pos->sum, amount);
  pos->min = std::min(pos->min, amount);
  pos->max = std::max(pos->max, amount);
  pos->sum_sq += double(amount) * double(amount);
  if (distinct_hash != 0 && pos->distinct.size() < kMaxDistinctPerBucket) {
    auto d = std::lower_bound(pos->distinct.begin(), pos->distinct.end(), distinct_hash);
    if (d == pos->distinct.end() || *d != distinct_hash) pos->distinct.insert(d, distinct_hash);
  }
  pos->dirty = true;
  w.window_micros = window_micros;
  w.bucket_micros = bucket_micros;
  if (!w.dirty) {
    w.dirty = true;
    dirty_.push_back(&w);
  }
  // Buckets that no query at the newest event time can reach leave the
  // cache; on disk they stay until compaction passes their expire_at.
  const int64_t keep_from = b.back().index - window_micros / bucket_micros;
  auto first_kept =
      std::lower_bound(b.begin(), b.end(), keep_from, [](const Bucket& x, int64_t i) { return x.index < i; });
  b.erase(b.begin(), first_kept);
}

void WindowStore::Flush(rocksdb::WriteBatch* batch) {
  std::string key, value;
  for (SubjectWindow* dirty : dirty_) {
    SubjectWindow& w = *dirty;
    w.dirty = false;
    for (Bucket& b : w.buckets) {
      if (!b.dirty) continue;
      b.dirty = false;
      value.clear();
      // The last event time whose window still covers this bucket.
      PutOrderedInt64(&value, (b.index + 1) * w.bucket_micros + w.window_micros);
      PutBigEndian64(&value, uint64_t(b.count));
      PutBigEndian64(&value, uint64_t(b.sum));
      PutBigEndian64(&value, uint64_t(b.min));
      PutBigEndian64(&value, uint64_t(b.max));
      uint64_t sq_bits;
      std::memcpy(&sq_bits, &b.sum_sq, 8);
      PutBigEndian64(&value, sq_bits);
      for (uint64_t h : b.distinct) PutBigEndian64(&value, h);
      key = *w.key;  // state_id | subject, then the bucket
      PutOrderedInt64(&key, b.index);
      batch->Put(store_->cf(Cf::kState), key, value);
    }
  }
  dirty_.clear();
}

absl::StatusOr<WindowTotals> WindowStore::Read(uint32_t state_id, absl::string_view subject, int64_t window_micros,
                                               int64_t bucket_micros, int64_t event_micros) {
  auto w = Open(state_id, subject);
  if (!w.ok()) return w.status();
  return Read(*w, window_micros, bucket_micros, event_micros);
}

WindowTotals WindowStore::Read(Handle w, int64_t window_micros, int64_t bucket_micros, int64_t event_micros) {
  // Read at the subject's high-water mark: a transaction that arrives after
  // later-stamped ones of the same subject (another partition, a late
  // feed) is judged against the subject's current window.
  const auto& buckets = w->buckets;
  const int64_t at = buckets.empty() ? event_micros : std::max(event_micros, buckets.back().index * bucket_micros);
  const int64_t hi = FloorDiv(at, bucket_micros);
  const int64_t lo = FloorDiv(at - window_micros, bucket_micros) + 1;
  WindowTotals t;
  const Bucket* only = nullptr;
  int in_window = 0;
  for (const Bucket& x : w->buckets) {
    if (x.index >= lo && x.index <= hi) {
      if (t.count == 0 || x.min < t.min_usd_minor) t.min_usd_minor = x.min;
      if (t.count == 0 || x.max > t.max_usd_minor) t.max_usd_minor = x.max;
      t.count += x.count;
      t.sum_usd_minor = SatAdd(t.sum_usd_minor, x.sum);
      t.sum_sq += x.sum_sq;
      only = &x;
      ++in_window;
    }
  }
  if (in_window == 1) {
    t.distinct = int64_t(only->distinct.size());
  } else if (in_window > 1) {
    distinct_scratch_.clear();
    for (const Bucket& x : w->buckets) {
      if (x.index >= lo && x.index <= hi) distinct_scratch_.insert(x.distinct.begin(), x.distinct.end());
    }
    t.distinct = int64_t(distinct_scratch_.size());
  }
  return t;
}

void WindowStore::Evict() {
  reader_.reset();
  if (dirty_.empty() && cache_.size() > max_cached_) cache_.clear();
}

}  // namespace centinela
