// Running per-subject profiles in the `state` column family: the number,
// mean and variance (Welford) of amounts, the latest activity, and when each
// counterparty was last seen. Backs `profile.NAME.*` rule features.
#ifndef CENTINELA_ENGINE_STATE_PROFILE_STORE_H_
#define CENTINELA_ENGINE_STATE_PROFILE_STORE_H_

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/node_hash_map.h"
#include "absl/status/statusor.h"
#include "base/money.h"
#include "engine/state/store.h"
#include "rocksdb/write_batch.h"

namespace centinela {

// One subject's profile. Statistics are over amounts in USD cents; they are
// statistics, not money, hence doubles.
struct Profile {
  int64_t count = 0;
  double mean = 0;
  double m2 = 0;            // sum of squared deviations from the mean
  int64_t last_micros = 0;  // latest event time folded in; meaningful when count > 0

  // Mean and population standard deviation, rounded to the USD cent;
  // meaningful when count > 0 (mean) and count > 1 (stddev).
  int64_t MeanMinor() const { return SatRound(mean); }
  int64_t StddevMinor() const { return count > 0 ? SatRound(std::sqrt(m2 / double(count))) : 0; }
};

// Keys: state_id(4) | len(2) | subject                      -> Profile (32 bytes)
//       state_id(4) | len(2) | subject | 0xFF | hash(8)      -> expire_at, last seen micros
// (window buckets use state_id | len | subject | bucket with other state ids).
// Profiles never expire; a counterparty memory expires by compaction once the
// event-time watermark passes last seen + memory (EventTimeExpiryFilter).
//
// Write-behind like WindowStore: Add/TouchCounterparty change the cache and
// Flush() writes what changed, once per entry, into the commit batch.
//
// Lifetime: borrows `store`. Not thread-safe: the processing thread owns it.
// Call Flush() into every commit batch and Evict() only after that commit.
class ProfileStore {
 public:
  explicit ProfileStore(Store* store, size_t max_cached = 1 << 20) : store_(store), max_cached_(max_cached) {}

  struct ProfileEntry;
  struct MemoryEntry;
  // A cached profile or counterparty memory. Valid until the next Evict().
  using ProfileHandle = ProfileEntry*;
  using MemoryHandle = MemoryEntry*;

  // Batched access, as in WindowStore: build the keys of one transaction
  // first, Prefetch() each, then open them, so that their cache misses overlap.
  static void BuildProfileKey(uint32_t state_id, absl::string_view subject, std::string* key);
  static void BuildCounterpartyKey(uint32_t state_id, absl::string_view subject, uint64_t counterparty,
                                   std::string* key);
  void PrefetchProfile(const std::string& key) const { profiles_.prefetch(key); }
  void PrefetchCounterparty(const std::string& key) const { counterparties_.prefetch(key); }
  absl::StatusOr<ProfileHandle> OpenProfile(const std::string& key);
  absl::StatusOr<MemoryHandle> OpenCounterparty(const std::string& key);

  // The profile as of now (all zero for a new subject).
  static const Profile& Get(ProfileHandle h);
  // Folds one amount at `event_micros` into the profile.
  void Add(ProfileHandle h, int64_t event_micros, int64_t amount_usd_minor);
  // When the counterparty was last seen with the subject; -1 if never.
  static int64_t LastSeen(MemoryHandle h);
  // Records the counterparty as seen at `event_micros`, remembered for
  // `memory_micros` of event time.
  void Touch(MemoryHandle h, int64_t event_micros, int64_t memory_micros);

  // One-call forms of the above (tests, tools).
  absl::StatusOr<Profile> Read(uint32_t state_id, absl::string_view subject);
  absl::Status Add(uint32_t state_id, absl::string_view subject, int64_t event_micros, int64_t amount_usd_minor);
  absl::StatusOr<int64_t> CounterpartyLastSeen(uint32_t state_id, absl::string_view subject, uint64_t counterparty);
  absl::Status TouchCounterparty(uint32_t state_id, absl::string_view subject, uint64_t counterparty,
                                 int64_t event_micros, int64_t memory_micros);

  // Writes every profile and counterparty memory changed since the last Flush.
  void Flush(rocksdb::WriteBatch* batch);

  // After a commit: drops the cache if it grew beyond its bound (never while
  // changes wait for Flush). Invalidates every handle.
  void Evict() {
    if (dirty_profiles_.empty() && dirty_counterparties_.empty() &&
        profiles_.size() + counterparties_.size() > max_cached_) {
      profiles_.clear();
      counterparties_.clear();
    }
  }

 private:
  struct Memory {
    int64_t last_seen = -1;  // -1 = never seen
    int64_t expire_at = 0;
  };

  Store* store_;
  size_t max_cached_;
  // Node-based: handles and the dirty lists stay valid while entries are added.
  absl::node_hash_map<std::string, ProfileEntry> profiles_;
  absl::node_hash_map<std::string, MemoryEntry> counterparties_;
  std::vector<ProfileEntry*> dirty_profiles_;
  std::vector<MemoryEntry*> dirty_counterparties_;
  std::string key_;
};

// What the handles point at (opaque to callers).
struct ProfileStore::ProfileEntry {
  Profile profile;
  bool dirty = false;
  const std::string* key = nullptr;  // its cache key
};
struct ProfileStore::MemoryEntry {
  Memory memory;
  bool dirty = false;
  const std::string* key = nullptr;
};

}  // namespace centinela

#endif  // CENTINELA_ENGINE_STATE_PROFILE_STORE_H_
