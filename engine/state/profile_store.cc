#include "engine/state/profile_store.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "engine/common/keys.h"
#include "engine/common/status_macros.h"

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

// state_id | subject | 0xFF | counterparty hash (docs/storage.md).
void ProfileStore::BuildCounterpartyKey(uint32_t state_id, absl::string_view subject, uint64_t counterparty,
                                        std::string* out) {
  Store::StateKeyPrefix(state_id, subject, out);
  out->push_back(char(0xFF));
  PutBigEndian64(out, counterparty);
}

absl::StatusOr<Profile*> ProfileStore::Load(uint32_t state_id, absl::string_view subject) {
  Store::StateKeyPrefix(state_id, subject, &key_);  // in place: no allocation once key_ has grown
  auto it = profiles_.find(key_);
  if (it != profiles_.end()) return &it->second;
  Profile p;
  std::string value;
  rocksdb::Status s = store_->db()->Get(rocksdb::ReadOptions(), store_->cf(Cf::kState), key_, &value);
  if (s.ok()) {
    if (value.size() != kProfileBytes) {
      return absl::DataLossError(absl::StrCat("profile of '", subject, "': ", value.size(), " bytes, expected 32"));
    }
    const absl::string_view v(value);
    p.count = int64_t(GetBigEndian64(v.substr(0, 8)));
    p.mean = GetDouble(v.substr(8, 8));
    p.m2 = GetDouble(v.substr(16, 8));
    p.last_micros = int64_t(GetBigEndian64(v.substr(24, 8)));
  } else if (!s.IsNotFound()) {
    return FromRocks(s, "reading a profile");
  }
  return &profiles_.emplace(key_, p).first->second;
}

absl::StatusOr<Profile> ProfileStore::Read(uint32_t state_id, absl::string_view subject) {
  ASSIGN_OR_RETURN(Profile * p, Load(state_id, subject));
  return *p;
}

absl::Status ProfileStore::Add(uint32_t state_id, absl::string_view subject, int64_t event_micros,
                               int64_t amount_usd_minor) {
  ASSIGN_OR_RETURN(Profile * p, Load(state_id, subject));
  const double x = double(amount_usd_minor);
  p->count += 1;
  const double delta = x - p->mean;
  p->mean += delta / double(p->count);
  p->m2 += delta * (x - p->mean);
  p->last_micros = p->count == 1 ? event_micros : std::max(p->last_micros, event_micros);
  dirty_profiles_.insert(key_);  // Load left the key there
  return absl::OkStatus();
}

void ProfileStore::Flush(rocksdb::WriteBatch* batch) {
  std::string value;
  for (const std::string& key : dirty_profiles_) {
    auto it = profiles_.find(key);
    if (it == profiles_.end()) continue;
    const Profile& p = it->second;
    value.clear();
    PutBigEndian64(&value, uint64_t(p.count));
    PutDouble(&value, p.mean);
    PutDouble(&value, p.m2);
    PutBigEndian64(&value, uint64_t(p.last_micros));
    batch->Put(store_->cf(Cf::kState), key, value);
  }
  for (const std::string& key : dirty_counterparties_) {
    auto it = counterparties_.find(key);
    if (it == counterparties_.end()) continue;
    value.clear();
    PutOrderedInt64(&value, it->second.expire_at);
    PutBigEndian64(&value, uint64_t(it->second.last_seen));
    batch->Put(store_->cf(Cf::kState), key, value);
  }
  dirty_profiles_.clear();
  dirty_counterparties_.clear();
}

absl::StatusOr<ProfileStore::Memory*> ProfileStore::LoadCounterparty(uint32_t state_id, absl::string_view subject,
                                                                     uint64_t counterparty) {
  BuildCounterpartyKey(state_id, subject, counterparty, &key_);
  auto it = counterparties_.find(key_);
  if (it != counterparties_.end()) return &it->second;
  Memory m;
  std::string value;
  rocksdb::Status s = store_->db()->Get(rocksdb::ReadOptions(), store_->cf(Cf::kState), key_, &value);
  if (s.ok()) {
    if (value.size() != 16) {
      return absl::DataLossError(absl::StrCat("counterparty entry of '", subject, "' is corrupt"));
    }
    m.expire_at = GetOrderedInt64(absl::string_view(value).substr(0, 8));
    m.last_seen = int64_t(GetBigEndian64(absl::string_view(value).substr(8, 8)));
  } else if (!s.IsNotFound()) {
    return FromRocks(s, "reading a counterparty entry");
  }
  return &counterparties_.emplace(key_, m).first->second;
}

absl::StatusOr<int64_t> ProfileStore::CounterpartyLastSeen(uint32_t state_id, absl::string_view subject,
                                                           uint64_t counterparty) {
  ASSIGN_OR_RETURN(Memory * m, LoadCounterparty(state_id, subject, counterparty));
  return m->last_seen;
}

absl::Status ProfileStore::TouchCounterparty(uint32_t state_id, absl::string_view subject, uint64_t counterparty,
                                             int64_t event_micros, int64_t memory_micros) {
  ASSIGN_OR_RETURN(Memory * m, LoadCounterparty(state_id, subject, counterparty));
  if (m->last_seen >= event_micros) return absl::OkStatus();
  m->last_seen = event_micros;
  m->expire_at = event_micros + memory_micros;
  dirty_counterparties_.insert(key_);
  return absl::OkStatus();
}

}  // namespace centinela
