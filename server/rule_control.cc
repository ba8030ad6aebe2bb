#include "server/rule_control.h"

#include <chrono>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "base/status_macros.h"
#include "base/time_util.h"
#include "server/one_partition_topic.h"

namespace centinela {
namespace {

constexpr int32_t kPartition = 0;  // the control topic has one partition: one total order
constexpr int kProduceTimeoutMs = 10000;
constexpr absl::Duration kApplyTimeout = absl::Seconds(15);

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

absl::StatusOr<std::unique_ptr<RuleControl>> RuleControl::Start(const kafka::Endpoint& endpoint,
                                                                const std::string& topic, const std::string& instance,
                                                                rules::PackRegistry* registry) {
  RETURN_IF_ERROR(CheckOnePartitionTopic(endpoint, topic, "rules: control topic", "kafka.rules_topic"));
  std::unique_ptr<RuleControl> c(new RuleControl(topic, instance, registry));
  ASSIGN_OR_RETURN(c->reader_, kafka::PartitionReader::Create(endpoint, topic));
  int64_t start = registry->next_control_offset();
  ASSIGN_OR_RETURN(const int64_t end, c->reader_->HighWatermark(kPartition, 10000));
  if (start > end) {
    // The topic lost records this instance had read (recreated, e.g. a new
    // embedded broker): the registry keeps what it applied; read the new topic.
    fprintf(stderr,
            "rules: %s ends at offset %ld, before the %ld already applied here: the topic was recreated; "
            "reading it from the beginning (the registry keeps its versions)\n",
            topic.c_str(), long(end), long(start));
    start = 0;
  }
  RETURN_IF_ERROR(c->reader_->Assign({{kPartition, start}}));
  {
    MutexLock lock(&c->produce_mu_);
    ASSIGN_OR_RETURN(c->producer_, kafka::Producer::Create(endpoint, {{"linger.ms", "0"}}));
  }
  return c;
}

absl::StatusOr<bool> RuleControl::ApplyMessage(const kafka::Message& m, bool report) {
  v1::RuleControl record;
  if (!record.ParseFromArray(m.payload().data(), int(m.payload().size()))) {
    // Not ours to interpret: say so and go on (the offset still advances).
    fprintf(stderr, "rules: %s/%d@%ld: not a RuleControl record (%zu bytes); skipped\n", topic_.c_str(), m.partition(),
            long(m.offset()), m.payload().size());
    record.Clear();
  }
  ASSIGN_OR_RETURN(rules::ApplyResult result, registry_->Apply(record, m.offset()));
  if (record.has_report() || record.event_case() == v1::RuleControl::EVENT_NOT_SET) return false;
  const int64_t lag = result.switched ? std::max<int64_t>(0, NowMs() - m.timestamp_ms()) : 0;
  const auto active = registry_->active();
  const auto shadow = registry_->shadow();
  if (record.has_suppression()) {
    if (!result.ok) {
      fprintf(stderr, "suppressions: refused a command from %s: %s\n", record.by().c_str(), result.error.c_str());
    } else if (auto s = registry_->suppressions().Get(result.version)) {
      fprintf(stderr, "suppressions: %s is %s (%s / %s %s, by %s)\n", s->id().c_str(),
              v1::SuppressionState_Name(s->state()).c_str(), s->party_key().c_str(), s->list().c_str(),
              s->entry_id().c_str(), record.by().c_str());
    }
  } else if (!result.ok) {
    fprintf(stderr, "rules: refused %s from %s: %s; running %s\n", result.version.c_str(), record.by().c_str(),
            result.error.c_str(), active ? active->version().c_str() : "-");
  } else if (result.switched) {
    fprintf(stderr, "rules: now running %s%s%s (record %ld by %s, applied %ld ms after it was published)\n",
            active->version().c_str(), shadow ? ", shadow " : "", shadow ? shadow->version().c_str() : "",
            long(m.offset()), record.by().c_str(), long(lag));
  }
  if (report) {
    v1::InstanceReport rep;
    rep.set_ok(result.ok);
    rep.set_error(result.error);
    rep.set_request_id(record.request_id());
    rep.set_control_offset(m.offset());
    rep.set_switch_lag_ms(lag);
    RETURN_IF_ERROR(Report(std::move(rep)));
  }
  registry_->Complete(record.request_id(), result);
  if (record.has_list_load() && lists_ != nullptr) {
    // Already loaded here (the instance that published it) unless an earlier
    // reload is still pending: then this one must load after it, in topic
    // order.
    auto current = lists_->Get(record.list_load().name());
    MutexLock lock(&loads_mu_);
    if (loading_ || !loads_.empty() || current == nullptr || current->meta().version != record.list_load().version()) {
      loads_.push_back(record.list_load());
    }
  }
  return result.switched;
}

void RuleControl::AttachLists(screening::ListSet* lists) {
  lists_ = lists;
  const v1::RulesState state = registry_->state();
  for (const auto& [name, load] : state.list_loads()) {
    auto current = lists_->Get(name);
    if (current != nullptr && current->meta().version == load.version()) continue;
    LoadList(load, "at start-up (its last published reload)");
  }
  loader_ = std::thread([this] { RunLoader(); });
}

RuleControl::~RuleControl() {
  {
    MutexLock lock(&loads_mu_);
    stopping_ = true;
  }
  if (loader_.joinable()) loader_.join();
  // Reports not yet acknowledged (the broker is gone) are dropped rather than
  // waited for: they are informational, and a stop has a bound.
  MutexLock lock(&produce_mu_);
  if (producer_) {
    if (absl::Status s = producer_->Purge(); !s.ok()) fprintf(stderr, "rules: %s\n", std::string(s.message()).c_str());
  }
}

void RuleControl::RunLoader() {
  for (;;) {
    v1::ListLoad load;
    {
      MutexLock lock(&loads_mu_);
      auto ready = [this]() ABSL_NO_THREAD_SAFETY_ANALYSIS { return stopping_ || !loads_.empty(); };
      loads_mu_.Await(ready);
      if (stopping_) return;
      load = std::move(loads_.front());
      loads_.pop_front();
      loading_ = true;
    }
    LoadList(load, "as published on the control topic");
    MutexLock lock(&loads_mu_);
    loading_ = false;
  }
}

void RuleControl::LoadList(const v1::ListLoad& load, const char* when) {
  auto reloaded = lists_->Reload(load.name(), load.path(), load.format(), load.category());
  if (!reloaded.ok()) {
    auto current = lists_->Get(load.name());
    const std::string active = current != nullptr ? current->meta().version : "none";
    fprintf(stderr, "lists: reload of %s %s (%s, published as version %s) did not load here: %s; %s stays at %s\n",
            load.name().c_str(), when, load.path().c_str(), load.version().c_str(),
            std::string(reloaded.status().message()).c_str(), load.name().c_str(), active.c_str());
    return;
  }
  const screening::ListMetadata* meta = &reloaded->meta;
  fprintf(stderr, "lists: %s reloaded from %s %s: version %s, %lld entries%s\n", load.name().c_str(),
          load.path().c_str(), when, meta->version.c_str(), static_cast<long long>(meta->entries),
          meta->version == load.version() ? "" : " (the file changed since it was published)");
}

absl::Status RuleControl::CatchUp(int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  int64_t applied = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    std::optional<kafka::Message> m = reader_->Poll(100);
    if (!m) continue;
    if (m->is_partition_eof()) {
      if (applied > 0) fprintf(stderr, "rules: applied %ld control record(s) from %s\n", long(applied), topic_.c_str());
      return absl::OkStatus();
    }
    if (m->error()) {
      return absl::UnavailableError(absl::StrCat("rules: reading ", topic_, ": ", m->error_string()));
    }
    RETURN_IF_ERROR(ApplyMessage(*m, /*report=*/false).status());
    ++applied;
  }
  return absl::DeadlineExceededError(
      absl::StrCat("rules: the end of ", topic_, " was not reached within ", timeout_ms, " ms"));
}

absl::Status RuleControl::Bootstrap(const rules::RulePack& pack, int timeout_ms) {
  v1::RuleControl r;
  v1::PackSubmitted* b = r.mutable_bootstrap();
  b->set_version(pack.version());
  b->set_text(pack.text());
  b->set_source(pack.source());
  r.set_by("config");
  r.set_request_id(absl::StrCat(instance_, "-bootstrap-", NowMs()));
  *r.mutable_at() = FromMicros(NowMs() * 1000);
  RETURN_IF_ERROR(Produce(r));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (!registry_->active()) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return absl::DeadlineExceededError(absl::StrCat("rules: offered ", pack.version(), " on ", topic_,
                                                      " but no version became active within ", timeout_ms, " ms"));
    }
    RETURN_IF_ERROR(CatchUp(timeout_ms));
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> RuleControl::Poll() {
  {
    MutexLock lock(&produce_mu_);
    producer_->Poll(0);  // serve delivery reports of earlier reports
  }
  bool switched = false;
  for (;;) {
    std::optional<kafka::Message> m = reader_->Poll(0);
    if (!m || m->is_partition_eof()) return switched;
    if (m->error()) {
      fprintf(stderr, "rules: reading %s: %s\n", topic_.c_str(), m->error_string().c_str());
      return switched;
    }
    ASSIGN_OR_RETURN(bool s, ApplyMessage(*m, /*report=*/true));
    switched |= s;
  }
}

absl::Status RuleControl::ReportRunning() {
  v1::InstanceReport rep;
  rep.set_ok(true);
  rep.set_control_offset(registry_->next_control_offset() - 1);
  return Report(std::move(rep));
}

absl::Status RuleControl::Report(v1::InstanceReport report) {
  report.set_instance(instance_);
  if (auto a = registry_->active()) report.set_active_version(a->version());
  if (auto s = registry_->shadow()) report.set_shadow_version(s->version());
  RETURN_IF_ERROR(registry_->RecordReport(report));
  v1::RuleControl r;
  *r.mutable_report() = std::move(report);
  r.set_by(instance_);
  *r.mutable_at() = FromMicros(NowMs() * 1000);
  return Produce(r);
}

absl::Status RuleControl::Produce(const v1::RuleControl& record) {
  MutexLock lock(&produce_mu_);
  const std::string key =
      record.has_report() ? absl::StrCat("report/", record.report().instance()) : record.request_id();
  RETURN_IF_ERROR(producer_->Produce(topic_, kPartition, key, record.SerializeAsString()));
  return producer_->Flush(kProduceTimeoutMs);
}

absl::StatusOr<rules::ApplyResult> RuleControl::Execute(v1::RuleControl command) {
  thread_local std::mt19937_64 rng(std::random_device{}());
  command.set_request_id(absl::StrCat(instance_, "-", NowMs(), "-", ++request_seq_, "-", rng() % 1000000));
  *command.mutable_at() = FromMicros(NowMs() * 1000);
  RETURN_IF_ERROR(Produce(command));
  std::optional<rules::ApplyResult> r = registry_->WaitFor(command.request_id(), kApplyTimeout);
  if (!r) {
    return absl::DeadlineExceededError(absl::StrCat("rules: published as ", command.request_id(),
                                                    " but this instance did not apply it within ",
                                                    absl::FormatDuration(kApplyTimeout)));
  }
  return *r;
}

}  // namespace centinela
