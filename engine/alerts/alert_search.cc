#include "engine/alerts/alert_search.h"

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/keys.h"
#include "base/status_macros.h"
#include "base/time_util.h"

namespace centinela {
namespace {

constexpr char kCursorVersion = 'c';

// The smallest key greater than every key starting with `prefix`.
std::string PrefixEnd(std::string prefix) {
  while (!prefix.empty()) {
    if (static_cast<unsigned char>(prefix.back()) != 0xFF) {
      prefix.back() = static_cast<char>(static_cast<unsigned char>(prefix.back()) + 1);
      return prefix;
    }
    prefix.pop_back();
  }
  return prefix;  // empty: no upper bound
}

std::string WithInt(const std::string& prefix, int64_t v) {
  std::string k = prefix;
  PutOrderedInt64(&k, v);
  return k;
}

}  // namespace

v1::AlertSummary AlertSearch::Summarize(const v1::Alert& a, v1::AlertStatus status) {
  v1::AlertSummary s;
  s.set_id(a.id());
  s.set_typology_id(a.typology_id());
  *s.mutable_subject() = a.subject();
  s.set_score(a.score());
  s.set_severity(a.severity());
  for (int d : a.destinations()) s.add_destinations(v1::Destination(d));
  s.set_status(status);
  *s.mutable_created_event_time() = a.created_event_time();
  s.set_pack_version(a.pack_version());
  s.set_shadow(a.shadow());
  s.set_region_ubigeo(a.region_ubigeo());
  s.set_transaction_count(a.transaction_count());
  return s;
}

AlertSearch::Plan AlertSearch::Choose(const AlertQuery& q) {
  using F = AlertIndex::Field;
  // Most selective first. Status is indexed in time order only. A district
  // (6-digit ubigeo, one of ~1,900) narrows more than a typology (a few dozen).
  if (!q.subject_id.empty()) return {F::kSubject, AlertIndex::SubjectValue(q.subject_kind, q.subject_id)};
  if (q.region.size() == 6) return {F::kRegion, q.region};
  if (!q.typology.empty() && !q.region.empty()) {
    return {F::kTypologyRegion, AlertIndex::TypologyRegionValue(q.typology, q.region)};
  }
  if (!q.typology.empty()) return {F::kTypology, q.typology};
  if (!q.region.empty()) return {F::kRegion, q.region};
  if (q.status && q.sort == AlertIndex::Order::kTime) return {F::kStatus, v1::AlertStatus_Name(*q.status)};
  if (!q.pack_version.empty()) return {F::kPackVersion, q.pack_version};
  if (q.severity) return {F::kSeverity, v1::Severity_Name(*q.severity)};
  if (q.destination) return {F::kDestination, v1::Destination_Name(*q.destination)};
  if (q.shadow) return {F::kShadow, *q.shadow ? "1" : "0"};
  return {F::kAll, ""};
}

bool AlertSearch::KeyMatches(const AlertQuery& q, absl::string_view key, size_t prefix_size) {
  // Time order: time | id. Score order: score | time | id.
  const bool score_order = q.sort == AlertIndex::Order::kScore;
  if (key.size() < prefix_size + (score_order ? 16 : 8)) return true;  // unreadable here: decided on the alert
  int64_t t = GetOrderedInt64(key.substr(prefix_size + (score_order ? 8 : 0), 8));
  if (q.from_micros && t < *q.from_micros) return false;
  if (q.to_micros && t >= *q.to_micros) return false;
  if (score_order) {
    const int64_t score = GetOrderedInt64(key.substr(prefix_size, 8));
    if (q.score_min && score < AlertIndex::ScoreKey(*q.score_min)) return false;
    if (q.score_max && score > AlertIndex::ScoreKey(*q.score_max)) return false;
  }
  return true;
}

bool AlertSearch::Matches(const AlertQuery& q, const v1::Alert& a, v1::AlertStatus status) {
  if (!q.subject_id.empty() && (a.subject().kind() != q.subject_kind || a.subject().id() != q.subject_id)) {
    return false;
  }
  if (!q.typology.empty() && a.typology_id() != q.typology) return false;
  if (!q.pack_version.empty() && a.pack_version() != q.pack_version) return false;
  if (!q.region.empty() && !absl::StartsWith(a.region_ubigeo(), q.region)) return false;
  if (q.destination) {
    bool found = false;
    for (int d : a.destinations()) found |= d == *q.destination;
    if (!found) return false;
  }
  if (q.status && status != *q.status) return false;  // NEW when only the alert is known yet
  if (q.severity && a.severity() != *q.severity) return false;
  if (q.shadow && a.shadow() != *q.shadow) return false;
  if (q.score_min && AlertIndex::ScoreKey(a.score()) < AlertIndex::ScoreKey(*q.score_min)) return false;
  if (q.score_max && AlertIndex::ScoreKey(a.score()) > AlertIndex::ScoreKey(*q.score_max)) return false;
  const int64_t t = ToMicros(a.created_event_time());
  if (q.from_micros && t < *q.from_micros) return false;
  if (q.to_micros && t >= *q.to_micros) return false;
  return true;
}

absl::StatusOr<v1::Alert> AlertSearch::Get(absl::string_view id) const {
  std::string value;
  ASSIGN_OR_RETURN(bool found, store_->Get(Cf::kAlerts, id, &value));
  if (!found) return absl::NotFoundError(absl::StrCat("no alert ", id));
  v1::Alert a;
  if (!a.ParseFromString(value)) return absl::DataLossError(absl::StrCat("alert ", id, " is unreadable"));
  return a;
}

absl::StatusOr<v1::AlertWorkflow> AlertSearch::Workflow(absl::string_view id) const {
  std::string value;
  ASSIGN_OR_RETURN(bool found, store_->Get(Cf::kWorkflow, id, &value));
  v1::AlertWorkflow w;
  if (!found) {
    w.set_status(v1::NEW);
    return w;
  }
  if (!w.ParseFromString(value)) return absl::DataLossError(absl::StrCat("workflow of alert ", id, " is unreadable"));
  return w;
}

absl::StatusOr<v1::AlertPage> AlertSearch::Search(const AlertQuery& q) const {
  if (q.limit < 1 || q.limit > kMaxLimit) {
    return absl::InvalidArgumentError(absl::StrCat("limit: must be 1 to ", kMaxLimit, ", got ", q.limit));
  }
  if (q.subject_id.empty() != q.subject_kind.empty()) {
    return absl::InvalidArgumentError("subject: give both the kind and the id");
  }
  if (!q.region.empty() && (q.region.size() % 2 != 0 || q.region.size() > 6 ||
                            q.region.find_first_not_of("0123456789") != std::string::npos)) {
    return absl::InvalidArgumentError(
        absl::StrCat("region: expected a ubigeo prefix of 2, 4 or 6 digits (department, province, district), got \"",
                     q.region, "\""));
  }
  using Order = AlertIndex::Order;
  const Plan plan = Choose(q);
  const std::string prefix = AlertIndex::Prefix(plan.field, q.sort, plan.value);
  const std::string lower = prefix, upper = PrefixEnd(prefix);
  std::string resume;
  if (!q.cursor.empty()) {
    std::string raw;
    if (!absl::WebSafeBase64Unescape(q.cursor, &raw) || raw.empty() || raw[0] != kCursorVersion ||
        !absl::StartsWith(absl::string_view(raw).substr(1), prefix)) {
      return absl::InvalidArgumentError("cursor: not a cursor of this search (filters and sort must stay the same)");
    }
    resume = raw.substr(1);
  }

  rocksdb::ReadOptions ro;
  const rocksdb::Slice lo(lower), hi(upper);
  ro.iterate_lower_bound = &lo;
  if (!upper.empty()) ro.iterate_upper_bound = &hi;
  std::unique_ptr<rocksdb::Iterator> it(store_->db()->NewIterator(ro, store_->cf(Cf::kAlertIndex)));
  const bool time_order = q.sort == Order::kTime;
  if (!resume.empty()) {
    if (q.ascending) {
      it->Seek(resume);
      if (it->Valid() && it->key() == rocksdb::Slice(resume)) it->Next();
    } else {
      it->SeekForPrev(resume);
      if (it->Valid() && it->key() == rocksdb::Slice(resume)) it->Prev();
    }
  } else if (time_order) {
    if (q.ascending) {
      it->Seek(WithInt(prefix, q.from_micros.value_or(INT64_MIN)));
    } else if (q.to_micros) {
      it->SeekForPrev(WithInt(prefix, *q.to_micros));  // keys at `to` carry an id after it: excluded
    } else {
      it->SeekToLast();
    }
  } else {
    if (q.ascending) {
      it->Seek(WithInt(prefix, q.score_min ? AlertIndex::ScoreKey(*q.score_min) : INT64_MIN));
    } else if (q.score_max) {
      it->SeekForPrev(WithInt(prefix, AlertIndex::ScoreKey(*q.score_max) + 1));
    } else {
      it->SeekToLast();
    }
  }

  v1::AlertPage page;
  int scanned = 0;
  std::string last_key;
  bool exhausted = true;
  for (; it->Valid(); q.ascending ? it->Next() : it->Prev()) {
    const absl::string_view key(it->key().data(), it->key().size());
    // Stop at the far end of the range the index order covers.
    const int64_t first = GetOrderedInt64(key.substr(prefix.size(), 8));
    if (time_order) {
      if (q.ascending && q.to_micros && first >= *q.to_micros) break;
      if (!q.ascending && q.from_micros && first < *q.from_micros) break;
    } else {
      if (q.ascending && q.score_max && first > AlertIndex::ScoreKey(*q.score_max)) break;
      if (!q.ascending && q.score_min && first < AlertIndex::ScoreKey(*q.score_min)) break;
    }
    if (int(page.alerts_size()) == q.limit || scanned == kMaxScanned) {
      exhausted = false;  // more may follow: the cursor resumes after last_key
      break;
    }
    ++scanned;
    last_key.assign(key.data(), key.size());
    // Cheapest first: what the key tells (time, score), then the alert, and
    // the workflow only for alerts that match on everything else.
    if (!KeyMatches(q, key, prefix.size())) continue;
    const absl::string_view id = AlertIndex::IdOf(key, prefix.size(), q.sort);
    ASSIGN_OR_RETURN(v1::Alert a, Get(id));
    if (!Matches(q, a, q.status.value_or(v1::NEW))) continue;
    ASSIGN_OR_RETURN(v1::AlertWorkflow w, Workflow(id));
    if (q.status && w.status() != *q.status) continue;
    *page.add_alerts() = Summarize(a, w.status());
  }
  if (!it->status().ok()) return FromRocks(it->status(), "searching alerts");
  if (!exhausted && !last_key.empty()) {
    page.set_next_cursor(absl::WebSafeBase64Escape(absl::StrCat(std::string(1, kCursorVersion), last_key)));
  }
  return page;
}

}  // namespace centinela
