// The rule pack registry of one engine instance: every version ever submitted
// (text, author, approvals, history) and which one is active and which runs in
// shadow, kept in RocksDB (CF rules) and changed only by the records of the
// control topic centinela.rules, applied in topic order. Every instance
// applies the same records with the same rules (maker-checker, what may be
// rolled back to), so all of them agree; a pack that does not compile on an
// instance is refused there and the previous version keeps running.
// docs/rules.md, "Deployment".
#ifndef CENTINELA_ENGINE_DEPLOY_PACK_REGISTRY_H_
#define CENTINELA_ENGINE_DEPLOY_PACK_REGISTRY_H_

#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "base/mutex.h"
#include "centinela/v1/rules.pb.h"
#include "engine/state/store.h"
#include "rules/pack/rule_pack.h"
#include "screening/suppress/suppression_book.h"

namespace centinela::rules {

// What applying one control record did on this instance.
struct ApplyResult {
  bool ok = true;
  std::string error;      // why the record was refused here
  bool switched = false;  // the active or shadow pack changed: hand them to the processor
  std::string version;    // the version the record was about (a suppression: its id)
};

// Lifetime: borrows `store`. Thread-safe: the engine thread applies records;
// API threads read, and wait for their own records to be applied.
class PackRegistry {
 public:
  static absl::StatusOr<std::unique_ptr<PackRegistry>> Open(Store* store);

  // Applies the record at `offset` of the control topic and stores the
  // outcome and the next offset in one write. Refusals are results, not
  // errors; errors are storage failures.
  absl::StatusOr<ApplyResult> Apply(const v1::RuleControl& record, int64_t offset);

  // Stores this instance's own report at once (its record on the topic
  // arrives later and stores the same), so that reads right after a
  // command see it.
  absl::Status RecordReport(const v1::InstanceReport& report);

  // Where to resume reading the control topic.
  int64_t next_control_offset() const;
  std::shared_ptr<const RulePack> active() const;
  std::shared_ptr<const RulePack> shadow() const;  // null when none
  v1::RulesState state() const;

  // Suppressed false matches, as decided by the records applied so far.
  const screening::SuppressionBook& suppressions() const { return suppressions_; }

  // Every version, newest submission first.
  absl::StatusOr<std::vector<v1::PackRecord>> List() const;
  absl::StatusOr<std::optional<v1::PackRecord>> Get(const std::string& version) const;
  // The latest report of every instance, by instance name.
  absl::StatusOr<std::vector<v1::InstanceReport>> Reports() const;

  // Marks the record `request_id` done with `result` (after its report is
  // recorded), waking WaitFor.
  void Complete(const std::string& request_id, const ApplyResult& result);
  // Blocks until the record with `request_id` has been completed here (or
  // `timeout` passes: nullopt).
  std::optional<ApplyResult> WaitFor(const std::string& request_id, absl::Duration timeout) const;

 private:
  explicit PackRegistry(Store* store) : store_(store) {}
  absl::StatusOr<std::optional<v1::PackRecord>> GetLocked(const std::string& version) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  // The record's action on the registry; fills `changed` with records to
  // write, and `read_error` with a storage error met while reading.
  ApplyResult Decide(const v1::RuleControl& record, std::vector<v1::PackRecord>* changed, absl::Status* read_error)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // A suppression command: decided by the book, stored with the offset.
  absl::StatusOr<ApplyResult> ApplySuppression(const v1::RuleControl& record, int64_t offset)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  static void AddEvent(v1::PackRecord* r, const std::string& action, const v1::RuleControl& record,
                       const std::string& detail);

  Store* store_;
  mutable Mutex mu_;
  v1::RulesState state_ ABSL_GUARDED_BY(mu_);
  std::shared_ptr<const RulePack> active_ ABSL_GUARDED_BY(mu_);
  std::shared_ptr<const RulePack> shadow_ ABSL_GUARDED_BY(mu_);
  // Outcomes of recent records, for WaitFor.
  std::deque<std::pair<std::string, ApplyResult>> recent_ ABSL_GUARDED_BY(mu_);
  screening::SuppressionBook suppressions_;  // thread-safe itself; written under mu_
};

}  // namespace centinela::rules

#endif  // CENTINELA_ENGINE_DEPLOY_PACK_REGISTRY_H_
