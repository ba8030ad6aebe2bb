// Running per-subject profiles in the `state` column family: the number,
// mean and variance (Welford) of amounts, the latest activity, and when each
// counterparty was last seen. Backs `profile.NAME.*` rule features.
#ifndef CENTINELA_ENGINE_STATE_PROFILE_STORE_H_
#define CENTINELA_ENGINE_STATE_PROFILE_STORE_H_

#include <cstdint>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "engine/state/store.h"
#include "rocksdb/write_batch.h"

namespace centinela {

// One subject's profile. Statistics are over amounts in USD cents; they are
// statistics, not money, hence doubles.
struct Profile {
  int64_t count = 0;
  double mean = 0;
  double m2 = 0;             // sum of squared deviations from the mean
  int64_t last_micros = 0;   // latest event time folded in; meaningful when count > 0
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

  // The profile as of now (all zero for a new subject).
  absl::StatusOr<Profile> Read(uint32_t state_id, absl::string_view subject);
  // Folds one amount at `event_micros` into the profile.
  absl::Status Add(uint32_t state_id, absl::string_view subject, int64_t event_micros, int64_t amount_usd_minor);

  // When the counterparty (by hash) was last seen with the subject; -1 if never.
  absl::StatusOr<int64_t> CounterpartyLastSeen(uint32_t state_id, absl::string_view subject, uint64_t counterparty);
  // Records the counterparty as seen at `event_micros`, remembered for
  // `memory_micros` of event time.
  absl::Status TouchCounterparty(uint32_t state_id, absl::string_view subject, uint64_t counterparty,
                                 int64_t event_micros, int64_t memory_micros);

  // Writes every profile and counterparty memory changed since the last Flush.
  void Flush(rocksdb::WriteBatch* batch);

  void Evict() {
    if (dirty_profiles_.empty() && dirty_counterparties_.empty() &&
        profiles_.size() + counterparties_.size() > max_cached_) {
      profiles_.clear();
      counterparties_.clear();
    }
  }

 private:
  static void BuildCounterpartyKey(uint32_t state_id, absl::string_view subject, uint64_t counterparty,
                                   std::string* out);
  struct Memory {
    int64_t last_seen = -1;  // -1 = never seen
    int64_t expire_at = 0;
  };
  absl::StatusOr<Profile*> Load(uint32_t state_id, absl::string_view subject);
  absl::StatusOr<Memory*> LoadCounterparty(uint32_t state_id, absl::string_view subject, uint64_t counterparty);

  Store* store_;
  size_t max_cached_;
  absl::flat_hash_map<std::string, Profile> profiles_;
  absl::flat_hash_map<std::string, Memory> counterparties_;
  absl::flat_hash_set<std::string> dirty_profiles_, dirty_counterparties_;
  std::string key_;
};

}  // namespace centinela

#endif  // CENTINELA_ENGINE_STATE_PROFILE_STORE_H_
