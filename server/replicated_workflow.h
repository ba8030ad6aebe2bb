// Alert workflow shared by every instance (docs/instances.md): a transition
// taken by any instance's API is checked there, published on the workflow
// topic (one partition: one order for all), and applied by every instance
// in that order with everything it records (user, role, note, time) taken
// from the record, so that all instances hold the same workflow. The API
// call answers once its own instance has applied it, with the outcome there
// (two instances accepting conflicting transitions of one alert: the later
// one in the topic's order fails with the stale-version error).
//
// Applying is idempotent: every transition names the version it was made
// against, so a record applied again after a crash (the applied offset is
// stored after the transition) fails that check and changes nothing. A
// record about an alert this instance has not scored yet (it is behind the
// instance that took the request) waits until the alert exists here.
//
// Lifetime: borrows `store`; owns a producer, a reader and the applier
// thread; the destructor stops them. Thread-safe.
#ifndef CENTINELA_SERVER_REPLICATED_WORKFLOW_H_
#define CENTINELA_SERVER_REPLICATED_WORKFLOW_H_

#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "base/mutex.h"
#include "centinela/v1/investigation.pb.h"
#include "connectors/kafka/kafka.h"
#include "engine/alerts/workflow.h"
#include "engine/state/store.h"

namespace centinela {

class ReplicatedWorkflow : public WorkflowWriter {
 public:
  // `topic` must exist with one partition (the error names it otherwise).
  static absl::StatusOr<std::unique_ptr<ReplicatedWorkflow>> Start(Store* store, const kafka::Endpoint& endpoint,
                                                                   const std::string& topic,
                                                                   const std::string& instance);
  ~ReplicatedWorkflow() override;

  // Checks against this instance's workflow, publishes, and waits (at most
  // 15 s: DeadlineExceeded, the transition may still apply) until this
  // instance has applied it; then its outcome here.
  absl::StatusOr<v1::AlertWorkflow> Transition(absl::string_view alert_id, v1::AlertStatus to, absl::string_view note,
                                               int64_t expected_version, const WorkflowActor& actor,
                                               int64_t wall_micros) override;

 private:
  ReplicatedWorkflow(Store* store, std::string topic, std::string instance)
      : store_(store), local_(store), topic_(std::move(topic)), instance_(std::move(instance)) {}
  void Loop();
  // Applies one record; nullopt when its alert does not exist here yet.
  std::optional<absl::StatusOr<v1::AlertWorkflow>> Apply(const v1::WorkflowCommand& c);

  Store* store_;
  WorkflowStore local_;
  const std::string topic_;
  const std::string instance_;
  std::unique_ptr<kafka::PartitionReader> reader_;  // applier thread
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> sequence_{0};
  Mutex produce_mu_;
  std::unique_ptr<kafka::Producer> producer_ ABSL_GUARDED_BY(produce_mu_);
  Mutex mu_;
  std::set<std::string> waiting_ ABSL_GUARDED_BY(mu_);  // request ids of callers waiting here
  std::map<std::string, absl::StatusOr<v1::AlertWorkflow>> results_ ABSL_GUARDED_BY(mu_);
};

}  // namespace centinela

#endif  // CENTINELA_SERVER_REPLICATED_WORKFLOW_H_
