// The investigator workflow of an alert: new -> under_review ->
// escalated_to_ros | dismissed, with a note on every transition, a
// supervisor's reopen (closed -> under_review), and optimistic concurrency
// (each transition names the version it saw).
#ifndef CENTINELA_ENGINE_ALERTS_WORKFLOW_H_
#define CENTINELA_ENGINE_ALERTS_WORKFLOW_H_

#include <cstdint>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "base/mutex.h"
#include "centinela/v1/investigation.pb.h"
#include "engine/alerts/alert_search.h"
#include "engine/state/store.h"

namespace centinela {

struct WorkflowActor {
  std::string user;
  std::string role;         // as authenticated: "investigator", "supervisor", "admin"
  bool may_reopen = false;  // supervisors and admins
};

// Where the API's transitions go: straight to this instance's store
// (WorkflowStore), or through the workflow topic that every instance applies
// (server/replicated_workflow.h). Thread-safe.
class WorkflowWriter {
 public:
  virtual ~WorkflowWriter() = default;
  // Errors as WorkflowStore::Transition.
  virtual absl::StatusOr<v1::AlertWorkflow> Transition(absl::string_view alert_id, v1::AlertStatus to,
                                                       absl::string_view note, int64_t expected_version,
                                                       const WorkflowActor& actor, int64_t wall_micros) = 0;
};

// Lifetime: borrows `store`. Thread-safe: transitions are serialised by a
// mutex (read, check, write in one RocksDB batch with the status index move);
// the processing thread never writes workflow records or status index entries.
class WorkflowStore : public WorkflowWriter {
 public:
  explicit WorkflowStore(Store* store) : store_(store), search_(store) {}

  // Errors: NotFound (no alert), InvalidArgument ("to: ..." or "note: ..."),
  // FailedPrecondition ("version: ..." when `expected_version` is stale: the
  // caller must reload; nothing is overwritten), PermissionDenied (reopen
  // without the supervisor role).
  absl::StatusOr<v1::AlertWorkflow> Transition(absl::string_view alert_id, v1::AlertStatus to, absl::string_view note,
                                               int64_t expected_version, const WorkflowActor& actor,
                                               int64_t wall_micros) override;
  // The same checks, writing nothing: what Transition would answer now.
  absl::Status Check(absl::string_view alert_id, v1::AlertStatus to, absl::string_view note, int64_t expected_version,
                     const WorkflowActor& actor);

  // Whether `from` -> `to` is a transition of the workflow at all, and
  // whether it is a reopen (closed -> under_review).
  static bool Allowed(v1::AlertStatus from, v1::AlertStatus to, bool* reopen);

 private:
  // The checks of Transition; on success the alert and its workflow now.
  absl::Status Plan(absl::string_view alert_id, v1::AlertStatus to, absl::string_view note, int64_t expected_version,
                    const WorkflowActor& actor, v1::Alert* alert, v1::AlertWorkflow* w)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  Store* store_;
  AlertSearch search_;
  Mutex mu_;
};

}  // namespace centinela

#endif  // CENTINELA_ENGINE_ALERTS_WORKFLOW_H_
