#include "engine/alerts/alert_index.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "base/keys.h"
#include "base/money.h"
#include "base/time_util.h"

namespace centinela {

std::string AlertIndex::Prefix(Field field, Order order, absl::string_view value) {
  std::string key;
  key.push_back(static_cast<char>(field));
  key.push_back(static_cast<char>(order));
  PutLengthPrefixed16(&key, value);
  return key;
}

int64_t AlertIndex::ScoreKey(double score) { return SatRound(score * 1e6); }

std::string AlertIndex::Key(Field field, Order order, absl::string_view value, int64_t created_micros, double score,
                            absl::string_view alert_id) {
  std::string key = Prefix(field, order, value);
  if (order == Order::kScore) PutOrderedInt64(&key, ScoreKey(score));
  PutOrderedInt64(&key, created_micros);
  key.append(alert_id.data(), alert_id.size());
  return key;
}

absl::string_view AlertIndex::IdOf(absl::string_view key, size_t prefix_size, Order order) {
  const size_t sort = order == Order::kScore ? 16 : 8;
  if (key.size() < prefix_size + sort) return {};
  return key.substr(prefix_size + sort);
}

std::string AlertIndex::SubjectValue(absl::string_view kind, absl::string_view id) {
  return absl::StrCat(kind, "\x1f", id);
}

std::string AlertIndex::TypologyRegionValue(absl::string_view typology, absl::string_view region_prefix) {
  return absl::StrCat(typology, "\x1f", region_prefix);
}

std::vector<std::pair<AlertIndex::Field, std::string>> AlertIndex::Values(const v1::Alert& a) {
  std::vector<std::pair<Field, std::string>> v;
  v.emplace_back(Field::kAll, "");
  v.emplace_back(Field::kTypology, a.typology_id());
  v.emplace_back(Field::kSubject, SubjectValue(a.subject().kind(), a.subject().id()));
  for (int d : a.destinations()) v.emplace_back(Field::kDestination, v1::Destination_Name(d));
  v.emplace_back(Field::kSeverity, v1::Severity_Name(a.severity()));
  v.emplace_back(Field::kPackVersion, a.pack_version());
  v.emplace_back(Field::kShadow, a.shadow() ? "1" : "0");
  const std::string& r = a.region_ubigeo();
  for (size_t len : {2, 4, 6}) {
    if (r.size() >= len) v.emplace_back(Field::kRegion, r.substr(0, len));
  }
  // "This typology in this department or province" (a district alone is
  // already narrow enough).
  for (size_t len : {2, 4}) {
    if (r.size() >= len) v.emplace_back(Field::kTypologyRegion, TypologyRegionValue(a.typology_id(), r.substr(0, len)));
  }
  return v;
}

void AlertIndex::AddNew(const v1::Alert& a, rocksdb::ColumnFamilyHandle* cf, rocksdb::WriteBatch* batch) {
  const int64_t t = ToMicros(a.created_event_time());
  for (const auto& [field, value] : Values(a)) {
    batch->Put(cf, Key(field, Order::kTime, value, t, 0, a.id()), "");
    batch->Put(cf, Key(field, Order::kScore, value, t, a.score(), a.id()), "");
  }
  batch->Put(cf, Key(Field::kStatus, Order::kTime, v1::AlertStatus_Name(v1::NEW), t, 0, a.id()), "");
}

void AlertIndex::MoveScore(const v1::Alert& a, double old_score, rocksdb::ColumnFamilyHandle* cf,
                           rocksdb::WriteBatch* batch) {
  if (ScoreKey(old_score) == ScoreKey(a.score())) return;
  const int64_t t = ToMicros(a.created_event_time());
  for (const auto& [field, value] : Values(a)) {
    batch->Delete(cf, Key(field, Order::kScore, value, t, old_score, a.id()));
    batch->Put(cf, Key(field, Order::kScore, value, t, a.score(), a.id()), "");
  }
}

void AlertIndex::MoveStatus(const v1::Alert& a, v1::AlertStatus from, v1::AlertStatus to,
                            rocksdb::ColumnFamilyHandle* cf, rocksdb::WriteBatch* batch) {
  const int64_t t = ToMicros(a.created_event_time());
  batch->Delete(cf, Key(Field::kStatus, Order::kTime, v1::AlertStatus_Name(from), t, 0, a.id()));
  batch->Put(cf, Key(Field::kStatus, Order::kTime, v1::AlertStatus_Name(to), t, 0, a.id()), "");
}

}  // namespace centinela
