#include "engine/alerts/shadow_report.h"

#include <map>
#include <set>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "base/keys.h"
#include "base/time_util.h"
#include "engine/alerts/alert_index.h"

namespace centinela {
namespace {

// Calls `f(alert)` for every alert whose shadow flag is `shadow` and whose
// created event time is in [from, to].
template <typename F>
absl::Status ForEachAlert(const Store& store, bool shadow, int64_t from, int64_t to, F f) {
  using Field = AlertIndex::Field;
  using Order = AlertIndex::Order;
  const std::string prefix = AlertIndex::Prefix(Field::kShadow, Order::kTime, shadow ? "1" : "0");
  std::string start = prefix;
  PutOrderedInt64(&start, from);
  auto it = store.NewIterator(Cf::kAlertIndex);
  std::string value;
  v1::Alert a;
  for (it->Seek(start); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    const absl::string_view key(it->key().data(), it->key().size());
    if (GetOrderedInt64(key.substr(prefix.size(), 8)) > to) break;
    const absl::string_view id = AlertIndex::IdOf(key, prefix.size(), Order::kTime);
    auto found = store.Get(Cf::kAlerts, id, &value);
    if (!found.ok()) return found.status();
    if (!*found) continue;
    if (!a.ParseFromString(value)) return absl::DataLossError(absl::StrCat("alerts: cannot parse ", id));
    f(a);
  }
  if (!it->status().ok()) return absl::InternalError(it->status().ToString());
  return absl::OkStatus();
}

std::string SubjectOf(const v1::Alert& a) { return absl::StrCat(a.subject().kind(), "\x1f", a.subject().id()); }
std::string CaseOf(const v1::Alert& a) {
  return absl::StrCat(a.typology_id(), "\x1f", SubjectOf(a), "\x1f", ToMicros(a.window_start()));
}

}  // namespace

absl::StatusOr<v1::ShadowReport> BuildShadowReport(const Store& store, int64_t from_micros, int64_t to_micros) {
  v1::ShadowReport report;
  if (from_micros > INT64_MIN) *report.mutable_from() = FromMicros(from_micros);
  if (to_micros < INT64_MAX) *report.mutable_to() = FromMicros(to_micros);
  // Active side: cases and subjects, and the count per typology.
  absl::flat_hash_set<std::string> active_cases, active_subjects, matched_cases;
  std::map<std::string, v1::ShadowReportRow> rows;
  std::map<std::string, int64_t> active_versions;
  absl::Status s = ForEachAlert(store, false, from_micros, to_micros, [&](const v1::Alert& a) {
    active_cases.insert(CaseOf(a));
    active_subjects.insert(SubjectOf(a));
    rows[a.typology_id()].set_active(rows[a.typology_id()].active() + 1);
    ++active_versions[a.pack_version()];
    report.set_active_total(report.active_total() + 1);
  });
  if (!s.ok()) return s;
  std::set<std::string> shadow_versions;
  absl::flat_hash_map<std::string, int64_t> matched_per_typology;
  s = ForEachAlert(store, true, from_micros, to_micros, [&](const v1::Alert& a) {
    v1::ShadowReportRow& row = rows[a.typology_id()];
    row.set_shadow(row.shadow() + 1);
    shadow_versions.insert(a.pack_version());
    report.set_shadow_total(report.shadow_total() + 1);
    // The same case under the active version has the same typology,
    // subject and window (its id differs: ids include the version).
    const std::string c = CaseOf(a);
    if (active_cases.contains(c)) {
      row.set_both(row.both() + 1);
      if (matched_cases.insert(c).second) ++matched_per_typology[a.typology_id()];
    } else {
      row.set_shadow_only(row.shadow_only() + 1);
    }
    if (active_subjects.contains(SubjectOf(a)))
      row.set_shadow_on_alerted_subjects(row.shadow_on_alerted_subjects() + 1);
  });
  if (!s.ok()) return s;
  for (auto& [typology, row] : rows) {
    row.set_typology_id(typology);
    row.set_active_only(row.active() - matched_per_typology[typology]);
    *report.add_typologies() = row;
  }
  for (const std::string& v : shadow_versions) report.add_shadow_versions_seen(v);
  // The version behind most active alerts in the range.
  int64_t best = -1;
  for (const auto& [v, n] : active_versions) {
    if (n > best) {
      best = n;
      report.set_active_version(v);
    }
  }
  return report;
}

}  // namespace centinela
