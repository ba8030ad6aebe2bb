// Per-subject windowed aggregates (count, sum, min, max, squares, distinct
// values) over event-time buckets, in the `state` column family, with a
// write-behind in-memory cache of hot subjects.
#ifndef CENTINELA_ENGINE_STATE_WINDOW_STORE_H_
#define CENTINELA_ENGINE_STATE_WINDOW_STORE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/container/node_hash_map.h"
#include "absl/status/statusor.h"
#include "engine/state/store.h"
#include "rocksdb/write_batch.h"
#include "rules/pack/window_totals.h"

namespace centinela {

// A window of length W with bucket size g, queried at event time t, covers
// the buckets [floor((a-W)/g)+1, floor(a/g)] with a = max(t, start of the
// subject's newest bucket): between W-g and W of history, read at the
// subject's high-water mark so that late arrivals see the current window.
// Buckets older than W behind the newest bucket seen for a subject leave the
// cache as it moves on; on disk, each bucket carries the event time after
// which no query can reach it and compaction drops it (EventTimeExpiryFilter):
// expiry follows event time, never wall-clock TTL, and costs no delete
// records.
//
// Write-behind: Add() changes the cache and remembers which buckets it
// touched; Flush() writes each touched bucket once into the commit batch, so a
// subject hit many times between two commits costs one write per bucket.
//
// Lifetime: borrows `store`. Not thread-safe: owned by the one thread that
// processes a partition set. The cache holds committed data plus what the
// next Flush() will write; call Flush() into every commit batch and Evict()
// only after that commit.
class WindowStore {
 public:
  explicit WindowStore(Store* store, size_t max_cached_subjects = 1 << 22)
      : store_(store), max_cached_(max_cached_subjects) {}

  // Distinct values kept per bucket; beyond it a bucket stops growing (the
  // distinct count then saturates rather than using unbounded memory).
  static constexpr size_t kMaxDistinctPerBucket = 4096;

  struct SubjectWindow;
  // One subject's window state in the cache. Valid until the next Evict():
  // a caller that touches one subject several times per transaction opens
  // it once (one key build and hash lookup) and passes the handle on.
  using Handle = SubjectWindow*;
  absl::StatusOr<Handle> Open(uint32_t state_id, absl::string_view subject);

  // Batched opening. The cache entries of one transaction's subject windows
  // are independent, and with a warm cache of 100,000s of subjects each
  // lookup is a chain of cache misses. Build every key first (BuildKey),
  // Prefetch() each, then OpenKey() them: the misses overlap instead of
  // queueing. Same result as Open().
  static void BuildKey(uint32_t state_id, absl::string_view subject, std::string* key);
  void Prefetch(const std::string& key) const { cache_.prefetch(key); }
  absl::StatusOr<Handle> OpenKey(const std::string& key);

  // Adds (1, amount) to the bucket of `event_micros` and, when
  // `distinct_hash` is non-zero, that value to the bucket's distinct set.
  void Add(Handle w, int64_t window_micros, int64_t bucket_micros, int64_t event_micros, int64_t amount_usd_minor,
           uint64_t distinct_hash = 0);
  absl::Status Add(uint32_t state_id, absl::string_view subject, int64_t window_micros, int64_t bucket_micros,
                   int64_t event_micros, int64_t amount_usd_minor, uint64_t distinct_hash = 0);

  // Writes every bucket changed since the last Flush into `batch`.
  void Flush(rocksdb::WriteBatch* batch);

  // Totals of the window ending at `event_micros`.
  WindowTotals Read(Handle w, int64_t window_micros, int64_t bucket_micros, int64_t event_micros);
  absl::StatusOr<WindowTotals> Read(uint32_t state_id, absl::string_view subject, int64_t window_micros,
                                    int64_t bucket_micros, int64_t event_micros);

  // After a commit: drops the read view (the next load opens one that sees
  // the commit) and the cache if it grew beyond its bound (never while
  // changes are waiting for Flush). Invalidates every Handle.
  void Evict();
  size_t cached_subjects() const { return cache_.size(); }

 private:
  // Bucket value: expire_at, count, sum, min, max, sum_sq (IEEE bits), then
  // distinct hashes.
  static constexpr size_t kHeaderBytes = 48;
  struct Bucket {
    bool dirty = false;
    int64_t index = 0;
    int64_t count = 0;
    int64_t sum = 0;
    int64_t min = 0;
    int64_t max = 0;
    double sum_sq = 0;
    std::vector<uint64_t> distinct;  // sorted, unique
  };
  Store* store_;
  size_t max_cached_;
  // key: state_id | subject. Node-based, so that handles and dirty_ stay
  // valid while other subjects are added.
  absl::node_hash_map<std::string, SubjectWindow> cache_;
  std::vector<SubjectWindow*> dirty_;          // entries with unflushed buckets
  std::unique_ptr<rocksdb::Iterator> reader_;  // read view for cache misses, see Evict()
  std::string scratch_key_;
  absl::flat_hash_set<uint64_t> distinct_scratch_;
};

// What a Handle points at (opaque to callers).
struct WindowStore::SubjectWindow {
  std::vector<Bucket> buckets;  // sorted by index
  int64_t window_micros = 0;    // of the latest Add, for expire_at
  int64_t bucket_micros = 0;
  bool dirty = false;
  const std::string* key = nullptr;  // its cache key: state_id | subject
};

}  // namespace centinela

#endif  // CENTINELA_ENGINE_STATE_WINDOW_STORE_H_
