#include "server/replicated_workflow.h"

#include <chrono>
#include <cstdio>
#include <random>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "server/one_partition_topic.h"

namespace centinela {
namespace {

constexpr int32_t kPartition = 0;  // one partition: one order for all instances
constexpr int kProduceTimeoutMs = 10000;
constexpr absl::Duration kApplyTimeout = absl::Seconds(15);
// How often a record whose alert is not scored here yet is tried again.
constexpr auto kMissingAlertRetry = std::chrono::milliseconds(200);

}  // namespace

absl::StatusOr<std::unique_ptr<ReplicatedWorkflow>> ReplicatedWorkflow::Start(Store* store,
                                                                              const kafka::Endpoint& endpoint,
                                                                              const std::string& topic,
                                                                              const std::string& instance) {
  RETURN_IF_ERROR(CheckOnePartitionTopic(endpoint, topic, "workflow: topic", "kafka.workflow_topic"));
  std::unique_ptr<ReplicatedWorkflow> w(new ReplicatedWorkflow(store, topic, instance));
  ASSIGN_OR_RETURN(int64_t start, store->GetCounter(kMetaWorkflowOffset));
  ASSIGN_OR_RETURN(w->reader_, kafka::PartitionReader::Create(endpoint, topic));
  ASSIGN_OR_RETURN(const int64_t end, w->reader_->HighWatermark(kPartition, 10000));
  if (start > end) {
    // A recreated topic (a new embedded broker): what was applied stays.
    fprintf(stderr, "workflow: %s ends at offset %ld, before the %ld already applied here: reading it from the start\n",
            topic.c_str(), long(end), long(start));
    start = 0;
  }
  RETURN_IF_ERROR(w->reader_->Assign({{kPartition, start}}));
  {
    MutexLock lock(&w->produce_mu_);
    ASSIGN_OR_RETURN(w->producer_, kafka::Producer::Create(endpoint, {{"linger.ms", "0"}}));
  }
  std::random_device rd;
  w->sequence_ = int64_t(rd() & 0xffffff) << 24;  // request ids differ across restarts
  ReplicatedWorkflow* self = w.get();
  w->thread_ = std::thread([self] { self->Loop(); });
  return w;
}

ReplicatedWorkflow::~ReplicatedWorkflow() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

absl::StatusOr<v1::AlertWorkflow> ReplicatedWorkflow::Transition(absl::string_view alert_id, v1::AlertStatus to,
                                                                 absl::string_view note, int64_t expected_version,
                                                                 const WorkflowActor& actor, int64_t wall_micros) {
  // What this instance would answer now: most refusals need no round trip.
  RETURN_IF_ERROR(local_.Check(alert_id, to, note, expected_version, actor));
  v1::WorkflowCommand c;
  c.set_alert_id(std::string(alert_id));
  c.set_to(to);
  c.set_note(std::string(note));
  c.set_expected_version(expected_version);
  c.set_user(actor.user);
  c.set_role(actor.role);
  c.set_may_reopen(actor.may_reopen);
  c.set_wall_micros(wall_micros);
  c.set_instance(instance_);
  c.set_request_id(absl::StrCat(instance_, "/", sequence_.fetch_add(1)));
  {
    MutexLock l(&mu_);
    waiting_.insert(c.request_id());
  }
  absl::Status published;
  {
    MutexLock lock(&produce_mu_);
    published = producer_->Produce(topic_, kPartition, c.alert_id(), c.SerializeAsString());
    if (published.ok()) published = producer_->Flush(kProduceTimeoutMs);
  }
  MutexLock l(&mu_);
  if (!published.ok()) {
    waiting_.erase(c.request_id());
    return absl::UnavailableError(
        absl::StrCat("workflow: publishing the transition on ", topic_, ": ", published.message()));
  }
  auto done = [this, &c]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return results_.contains(c.request_id()); };
  if (!mu_.AwaitWithTimeout(done, kApplyTimeout)) {
    waiting_.erase(c.request_id());
    return absl::DeadlineExceededError(absl::StrCat("workflow: the transition of ", alert_id, " was published on ",
                                                    topic_, " but not applied here within 15 s; reload the alert"));
  }
  auto node = results_.extract(c.request_id());
  waiting_.erase(c.request_id());
  return std::move(node.mapped());
}

std::optional<absl::StatusOr<v1::AlertWorkflow>> ReplicatedWorkflow::Apply(const v1::WorkflowCommand& c) {
  const WorkflowActor actor{c.user(), c.role(), c.may_reopen()};
  absl::StatusOr<v1::AlertWorkflow> w =
      local_.Transition(c.alert_id(), c.to(), c.note(), c.expected_version(), actor, c.wall_micros());
  if (absl::IsNotFound(w.status())) return std::nullopt;
  return w;
}

void ReplicatedWorkflow::Loop() {
  while (!stop_.load()) {
    std::optional<kafka::Message> m = reader_->Poll(100);
    if (!m || m->is_partition_eof()) continue;
    if (m->error()) {
      fprintf(stderr, "workflow: reading %s: %s\n", topic_.c_str(), m->error_string().c_str());
      continue;
    }
    v1::WorkflowCommand c;
    absl::StatusOr<v1::AlertWorkflow> result = absl::InvalidArgumentError("not a WorkflowCommand record");
    if (!c.ParseFromArray(m->payload().data(), int(m->payload().size()))) {
      fprintf(stderr, "workflow: %s@%ld: not a WorkflowCommand record (%zu bytes); skipped\n", topic_.c_str(),
              long(m->offset()), m->payload().size());
    } else {
      bool said = false;
      while (!stop_.load()) {
        std::optional<absl::StatusOr<v1::AlertWorkflow>> applied = Apply(c);
        if (applied) {
          result = std::move(*applied);
          break;
        }
        if (!said) {
          fprintf(stderr, "workflow: %s@%ld: alert %s is not scored here yet; waiting for it\n", topic_.c_str(),
                  long(m->offset()), c.alert_id().c_str());
          said = true;
        }
        std::this_thread::sleep_for(kMissingAlertRetry);  // the processing thread scores it meanwhile
      }
      if (stop_.load()) return;  // not applied: read again at the next start
    }
    rocksdb::WriteBatch batch;
    Store::PutCounter(&batch, store_->cf(Cf::kMeta), kMetaWorkflowOffset, m->offset() + 1);
    if (absl::Status s = store_->Write(&batch); !s.ok()) {
      // Applied, position not stored: applying it again at the next start
      // fails its version check and changes nothing.
      fprintf(stderr, "workflow: storing the position: %s\n", std::string(s.message()).c_str());
    }
    MutexLock l(&mu_);
    if (waiting_.contains(c.request_id())) results_.insert_or_assign(c.request_id(), std::move(result));
  }
}

}  // namespace centinela
