// The investigators' subject view: everything the engine knows about one
// account or person (document) — its alerts, its retained transactions, who
// it dealt with, and the current values of the rule pack's aggregates and
// profiles for it.
#ifndef CENTINELA_ENGINE_ALERTS_SUBJECT_VIEW_H_
#define CENTINELA_ENGINE_ALERTS_SUBJECT_VIEW_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "centinela/v1/investigation.pb.h"
#include "engine/alerts/alert_search.h"
#include "engine/state/store.h"
#include "engine/state/transaction_archive.h"
#include "rules/pack/rule_pack.h"

namespace centinela {

struct SubjectQuery {
  std::string kind;  // "account" or "document" ("<type>:<number>", e.g. "1:45678912" for a DNI)
  std::string id;
  int alert_limit = 20;
  int transaction_limit = 20;
  // Counterparties are summarised over this many of the newest retained
  // transactions: a bound on the work of one request.
  int counterparty_scan = 1000;
  // Event time at which aggregates are read; unset = the engine's watermark,
  // else the subject's newest retained transaction.
  std::optional<int64_t> as_of_micros;
};

// Lifetime: borrows `store` and `pack` (pack may be null: no aggregates or
// profiles then). Thread-safe: each call reads RocksDB through its own
// iterators and its own small state caches.
class SubjectViewer {
 public:
  static constexpr int kMaxLimit = 500;
  static constexpr int kMaxCounterpartyScan = 10000;

  SubjectViewer(Store* store, const rules::RulePack* pack)
      : store_(store), pack_(pack), search_(store), archive_(store) {}

  // InvalidArgument names the parameter at fault ("kind: ...", "limit: ...").
  absl::StatusOr<v1::SubjectView> View(const SubjectQuery& q) const;

 private:
  absl::Status AddCounterparties(const SubjectQuery& q, const std::vector<v1::Transaction>& txs,
                                 v1::SubjectView* view) const;
  absl::Status AddState(const SubjectQuery& q, int64_t as_of, v1::SubjectView* view) const;

  Store* store_;
  const rules::RulePack* pack_;
  AlertSearch search_;
  TransactionArchive archive_;
};

// Decodes a retained record (the payload as received) back into a message.
absl::Status DecodeArchived(const TransactionArchive::Entry& e, v1::Transaction* tx);

}  // namespace centinela

#endif  // CENTINELA_ENGINE_ALERTS_SUBJECT_VIEW_H_
