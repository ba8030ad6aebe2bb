#include "engine/alerts/workflow.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "base/time_util.h"
#include "engine/alerts/alert_index.h"

namespace centinela {

bool WorkflowStore::Allowed(v1::AlertStatus from, v1::AlertStatus to, bool* reopen) {
  *reopen = false;
  switch (from) {
    case v1::NEW:
      return to == v1::UNDER_REVIEW;
    case v1::UNDER_REVIEW:
      return to == v1::ESCALATED_TO_ROS || to == v1::DISMISSED;
    case v1::ESCALATED_TO_ROS:
    case v1::DISMISSED:
      *reopen = to == v1::UNDER_REVIEW;
      return *reopen;
    default:
      return false;
  }
}

absl::Status WorkflowStore::Check(absl::string_view alert_id, v1::AlertStatus to, absl::string_view note,
                                  int64_t expected_version, const WorkflowActor& actor) {
  MutexLock lock(&mu_);
  v1::Alert alert;
  v1::AlertWorkflow w;
  return Plan(alert_id, to, note, expected_version, actor, &alert, &w);
}

absl::Status WorkflowStore::Plan(absl::string_view alert_id, v1::AlertStatus to, absl::string_view note,
                                 int64_t expected_version, const WorkflowActor& actor, v1::Alert* alert_out,
                                 v1::AlertWorkflow* w_out) {
  if (absl::StripAsciiWhitespace(note).empty()) {
    return absl::InvalidArgumentError("note: required on every transition");
  }
  if (note.size() > 10000) return absl::InvalidArgumentError("note: at most 10,000 characters");
  ASSIGN_OR_RETURN(*alert_out, search_.Get(alert_id));
  ASSIGN_OR_RETURN(*w_out, search_.Workflow(alert_id));
  const v1::AlertWorkflow& w = *w_out;
  if (expected_version != w.version()) {
    return absl::FailedPreconditionError(absl::StrCat("version: alert ", alert_id, " is at version ", w.version(),
                                                      ", the request was made against version ", expected_version,
                                                      "; reload it and decide again"));
  }
  bool reopen = false;
  if (!Allowed(w.status(), to, &reopen)) {
    return absl::InvalidArgumentError(
        absl::StrCat("to: cannot go from ", v1::AlertStatus_Name(w.status()), " to ", v1::AlertStatus_Name(to)));
  }
  if (reopen && !actor.may_reopen) {
    return absl::PermissionDeniedError(
        absl::StrCat("only a supervisor may reopen a ", v1::AlertStatus_Name(w.status()), " alert"));
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::AlertWorkflow> WorkflowStore::Transition(absl::string_view alert_id, v1::AlertStatus to,
                                                            absl::string_view note, int64_t expected_version,
                                                            const WorkflowActor& actor, int64_t wall_micros) {
  MutexLock lock(&mu_);
  v1::Alert alert;
  v1::AlertWorkflow w;
  RETURN_IF_ERROR(Plan(alert_id, to, note, expected_version, actor, &alert, &w));
  const v1::AlertStatus from = w.status();
  v1::StatusChange* c = w.add_history();
  c->set_from(from);
  c->set_to(to);
  c->set_by(actor.user);
  c->set_role(actor.role);
  c->set_note(std::string(note));
  *c->mutable_at() = FromMicros(wall_micros);
  w.set_status(to);
  w.set_version(w.version() + 1);
  c->set_version(w.version());
  rocksdb::WriteBatch batch;
  batch.Put(store_->cf(Cf::kWorkflow), rocksdb::Slice(alert_id.data(), alert_id.size()), w.SerializeAsString());
  AlertIndex::MoveStatus(alert, from, to, store_->cf(Cf::kAlertIndex), &batch);
  RETURN_IF_ERROR(store_->Write(&batch));
  return w;
}

}  // namespace centinela
