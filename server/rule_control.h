// The engine's end of the rule control topic (centinela.rules, one
// partition): reads every record in order, outside the consumer group (every
// instance reads all of them), applies it to the instance's PackRegistry at a
// batch boundary, and reports what it did on the same topic. The API's rule
// endpoints publish their commands through it (RuleControlPlane), and so does
// a list reload: every instance then loads the list too, on a loader thread
// (AttachLists).
// docs/rules.md, "Deployment".
#ifndef CENTINELA_SERVER_RULE_CONTROL_H_
#define CENTINELA_SERVER_RULE_CONTROL_H_

#include <atomic>
#include <deque>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "base/mutex.h"
#include "connectors/kafka/kafka.h"
#include "engine/deploy/control_plane.h"
#include "engine/deploy/pack_registry.h"
#include "screening/match/list_set.h"

namespace centinela {

// Lifetime: borrows `registry` (and the lists given to AttachLists); the
// destructor joins the loader thread. Thread-safety: Poll, CatchUp and
// AttachLists on the engine thread only; Execute from any thread.
class RuleControl : public rules::RuleControlPlane {
 public:
  static absl::StatusOr<std::unique_ptr<RuleControl>> Start(const kafka::Endpoint& endpoint, const std::string& topic,
                                                            const std::string& instance, rules::PackRegistry* registry);

  // Applies every record up to the topic's end as it is now, without
  // reports (startup, before any transaction is scored: a new instance
  // takes the deployed version, not its configuration's).
  absl::Status CatchUp(int timeout_ms);

  // When no version is active after CatchUp: offers `pack` (the engine
  // configuration's) as the first version on the topic and applies the
  // topic up to it. With several instances starting at once, the first
  // offer in topic order wins on all of them.
  absl::Status Bootstrap(const rules::RulePack& pack, int timeout_ms);

  // Applies the records available now, without waiting, and reports each
  // outcome. Call only at a batch boundary. Returns whether the active or
  // shadow pack changed (hand the registry's packs to the processor).
  absl::StatusOr<bool> Poll();

  // Reports this instance's versions (after startup).
  absl::Status ReportRunning();

  // Hands over the engine's lists, loaded from its configuration: loads the
  // last reload of each list recorded on the topic (when its version is not
  // the one loaded already), then loads later reloads on a thread of its own
  // as they arrive, swapping without pausing the stream. A reload that does
  // not load here is logged and the list keeps its version. Call once, on
  // the engine thread, after CatchUp; `lists` must outlive this object.
  void AttachLists(screening::ListSet* lists);
  ~RuleControl() override;

  const rules::PackRegistry& registry() const override { return *registry_; }
  absl::StatusOr<rules::ApplyResult> Execute(v1::RuleControl command) override;

 private:
  RuleControl(std::string topic, std::string instance, rules::PackRegistry* registry)
      : topic_(std::move(topic)), instance_(std::move(instance)), registry_(registry) {}
  // Applies one record; reports it unless catching up.
  absl::StatusOr<bool> ApplyMessage(const kafka::Message& m, bool report);
  // Publishes `report` (this instance's versions filled in here) and stores
  // it in the registry at once.
  absl::Status Report(v1::InstanceReport report);
  absl::Status Produce(const v1::RuleControl& record);

  std::string topic_;
  std::string instance_;
  rules::PackRegistry* registry_;
  std::unique_ptr<kafka::PartitionReader> reader_;
  Mutex produce_mu_;
  std::unique_ptr<kafka::Producer> producer_ ABSL_GUARDED_BY(produce_mu_);
  std::atomic<uint64_t> request_seq_{0};

  // List reloads: applied by `loader_` in topic order.
  void LoadList(const v1::ListLoad& load, const char* when);
  void RunLoader();
  screening::ListSet* lists_ = nullptr;
  Mutex loads_mu_;
  std::deque<v1::ListLoad> loads_ ABSL_GUARDED_BY(loads_mu_);
  bool loading_ ABSL_GUARDED_BY(loads_mu_) = false;  // the loader is loading one
  bool stopping_ ABSL_GUARDED_BY(loads_mu_) = false;
  std::thread loader_;
};

}  // namespace centinela

#endif  // CENTINELA_SERVER_RULE_CONTROL_H_
