// Alert search and detail for investigators, over the alert indexes
// (engine/alerts/alert_index.h): each search drives one index range scan
// and checks the remaining filters on the alerts it reads.
#ifndef CENTINELA_ENGINE_ALERTS_ALERT_SEARCH_H_
#define CENTINELA_ENGINE_ALERTS_ALERT_SEARCH_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "centinela/v1/alert.pb.h"
#include "centinela/v1/investigation.pb.h"
#include "engine/alerts/alert_index.h"
#include "engine/state/store.h"

namespace centinela {

struct AlertQuery {
  // Filters; unset = any.
  std::string subject_kind;  // with subject_id: "account", "document", ...
  std::string subject_id;
  std::string typology;
  std::string pack_version;  // exact, e.g. "peru@2.3.0+bc530b81"
  std::string region;        // ubigeo prefix of 2, 4 or 6 digits
  std::optional<v1::Destination> destination;
  std::optional<v1::AlertStatus> status;
  std::optional<v1::Severity> severity;
  std::optional<bool> shadow;
  std::optional<double> score_min, score_max;     // inclusive
  std::optional<int64_t> from_micros, to_micros;  // created event time, [from, to)
  // Sort by created event time or by score (then time); newest / highest first
  // unless ascending.
  AlertIndex::Order sort = AlertIndex::Order::kTime;
  bool ascending = false;
  int limit = 50;
  std::string cursor;  // from the previous page's next_cursor
};

// Read-only access to alerts for the API. Lifetime: borrows `store`.
// Thread-safe: every call reads RocksDB through its own iterator.
class AlertSearch {
 public:
  static constexpr int kMaxLimit = 500;
  // Index entries one search may examine. A page that hits it comes back
  // short, with a cursor to continue: a search never scans without bound.
  static constexpr int kMaxScanned = 20000;

  explicit AlertSearch(Store* store) : store_(store) {}

  // InvalidArgument names the offending parameter in its message
  // ("limit: ...", "cursor: ...").
  absl::StatusOr<v1::AlertPage> Search(const AlertQuery& q) const;

  // NotFound when there is no such alert.
  absl::StatusOr<v1::Alert> Get(absl::string_view id) const;
  // NEW, version 0 for an alert never transitioned.
  absl::StatusOr<v1::AlertWorkflow> Workflow(absl::string_view id) const;

  static v1::AlertSummary Summarize(const v1::Alert& a, v1::AlertStatus status);

 private:
  // Which index drives the scan, and the value it is scanned for.
  struct Plan {
    AlertIndex::Field field;
    std::string value;
  };
  static Plan Choose(const AlertQuery& q);
  static bool Matches(const AlertQuery& q, const v1::Alert& a, v1::AlertStatus status);
  // The filters an index key alone can decide (event time; score in score
  // order), so that most non-matching entries cost no alert read.
  static bool KeyMatches(const AlertQuery& q, absl::string_view key, size_t prefix_size);

  Store* store_;
};

}  // namespace centinela

#endif  // CENTINELA_ENGINE_ALERTS_ALERT_SEARCH_H_
