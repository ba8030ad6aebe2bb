#include "engine/state/profile_store.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "base/keys.h"
#include "base/status_macros.h"

namespace centinela {
namespace {

constexpr size_t kProfileBytes = 32;

void PutDouble(std::string* out, double d) {
  uint64_t bits;
  std::memcpy(&bits, &d, sizeof bits);
  PutBigEndian64(out, bits);
}

double GetDouble(absl::string_view in) {
  const uint64_t bits = GetBigEndian64(in);
  double d;
  std::memcpy(&d, &bits, sizeof d);
  return d;
}

}  // namespace

void ProfileStore::BuildProfileKey(uint32_t state_id, absl::string_view subject, std::string* key) {
  Store::StateKeyPrefix(state_id, subject, key);
}

// state_id | subject | 0xFF | counterparty hash (docs/storage.md).
void ProfileStore::BuildCounterpartyKey(uint32_t state_id, absl::string_view subject, uint64_t counterparty,
                                        std::string* key) {
  Store::StateKeyPrefix(state_id, subject, key);
  key->push_back(char(0xFF));
  PutBigEndian64(key, counterparty);
}

absl::StatusOr<ProfileStore::ProfileHandle> ProfileStore::OpenProfile(const std::string& key) {
  auto it = profiles_.find(key);
  if (it != profiles_.end()) return &it->second;
  ProfileEntry e;
  std::string value;
  rocksdb::Status s = store_->db()->Get(rocksdb::ReadOptions(), store_->cf(Cf::kState), key, &value);
  if (s.ok()) {
    if (value.size() != kProfileBytes) {
      return absl::DataLossError(absl::StrCat("profile of '", Store::StateKeySubject(key), "': ", value.size(),
                                              " bytes, expected ", kProfileBytes));
    }
    const absl::string_view v(value);
    e.profile.count = int64_t(GetBigEndian64(v.substr(0, 8)));
    e.profile.mean = GetDouble(v.substr(8, 8));
    e.profile.m2 = GetDouble(v.substr(16, 8));
    e.profile.last_micros = int64_t(GetBigEndian64(v.substr(24, 8)));
  } else if (!s.IsNotFound()) {
    return FromRocks(s, "reading a profile");
  }
  auto& entry = *profiles_.emplace(key, e).first;
  entry.second.key = &entry.first;
  return &entry.second;
}

absl::StatusOr<ProfileStore::MemoryHandle> ProfileStore::OpenCounterparty(const std::string& key) {
  auto it = counterparties_.find(key);
  if (it != counterparties_.end()) return &it->second;
  MemoryEntry e;
  std::string value;
  rocksdb::Status s = store_->db()->Get(rocksdb::ReadOptions(), store_->cf(Cf::kState), key, &value);
  if (s.ok()) {
    if (value.size() != 16) {
      return absl::DataLossError(absl::StrCat("counterparty entry of '", Store::StateKeySubject(key),
                                              "' is corrupt: ", value.size(), " bytes, expected 16"));
    }
    e.memory.expire_at = GetOrderedInt64(absl::string_view(value).substr(0, 8));
    e.memory.last_seen = int64_t(GetBigEndian64(absl::string_view(value).substr(8, 8)));
  } else if (!s.IsNotFound()) {
    return FromRocks(s, "reading a counterparty entry");
  }
  auto& entry = *counterparties_.emplace(key, e).first;
  entry.second.key = &entry.first;
  return &entry.second;
}

const Profile& ProfileStore::Get(ProfileHandle h) { return h->profile; }

void ProfileStore::Add(ProfileHandle h, int64_t event_micros, int64_t amount_usd_minor) {
  Profile* p = &h->profile;
  const double x = double(amount_usd_minor);
  p->count += 1;
  const double delta = x - p->mean;
  p->mean += delta / double(p->count);
  p->m2 += delta * (x - p->mean);
  p->last_micros = p->count == 1 ? event_micros : std::max(p->last_micros, event_micros);
  if (!h->dirty) {
    h->dirty = true;
    dirty_profiles_.push_back(h);
  }
}

int64_t ProfileStore::LastSeen(MemoryHandle h) { return h->memory.last_seen; }

void ProfileStore::Touch(MemoryHandle h, int64_t event_micros, int64_t memory_micros) {
  if (h->memory.last_seen >= event_micros) return;
  h->memory.last_seen = event_micros;
  h->memory.expire_at = event_micros + memory_micros;
  if (!h->dirty) {
    h->dirty = true;
    dirty_counterparties_.push_back(h);
  }
}

absl::StatusOr<Profile> ProfileStore::Read(uint32_t state_id, absl::string_view subject) {
  BuildProfileKey(state_id, subject, &key_);
  ASSIGN_OR_RETURN(ProfileHandle h, OpenProfile(key_));
  return h->profile;
}

absl::Status ProfileStore::Add(uint32_t state_id, absl::string_view subject, int64_t event_micros,
                               int64_t amount_usd_minor) {
  BuildProfileKey(state_id, subject, &key_);
  ASSIGN_OR_RETURN(ProfileHandle h, OpenProfile(key_));
  Add(h, event_micros, amount_usd_minor);
  return absl::OkStatus();
}

absl::StatusOr<int64_t> ProfileStore::CounterpartyLastSeen(uint32_t state_id, absl::string_view subject,
                                                           uint64_t counterparty) {
  BuildCounterpartyKey(state_id, subject, counterparty, &key_);
  ASSIGN_OR_RETURN(MemoryHandle h, OpenCounterparty(key_));
  return LastSeen(h);
}

absl::Status ProfileStore::TouchCounterparty(uint32_t state_id, absl::string_view subject, uint64_t counterparty,
                                             int64_t event_micros, int64_t memory_micros) {
  BuildCounterpartyKey(state_id, subject, counterparty, &key_);
  ASSIGN_OR_RETURN(MemoryHandle h, OpenCounterparty(key_));
  Touch(h, event_micros, memory_micros);
  return absl::OkStatus();
}

void ProfileStore::Flush(rocksdb::WriteBatch* batch) {
  std::string value;
  for (ProfileEntry* e : dirty_profiles_) {
    e->dirty = false;
    const Profile& p = e->profile;
    value.clear();
    PutBigEndian64(&value, uint64_t(p.count));
    PutDouble(&value, p.mean);
    PutDouble(&value, p.m2);
    PutBigEndian64(&value, uint64_t(p.last_micros));
    batch->Put(store_->cf(Cf::kState), *e->key, value);
  }
  for (MemoryEntry* e : dirty_counterparties_) {
    e->dirty = false;
    value.clear();
    PutOrderedInt64(&value, e->memory.expire_at);
    PutBigEndian64(&value, uint64_t(e->memory.last_seen));
    batch->Put(store_->cf(Cf::kState), *e->key, value);
  }
  dirty_profiles_.clear();
  dirty_counterparties_.clear();
}

}  // namespace centinela
