#include "server/runner.h"

#include <chrono>
#include <filesystem>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "api/http_api.h"
#include "base/status_macros.h"
#include "base/time_util.h"
#include "connectors/kafka/kafka.h"
#include "engine/deploy/pack_registry.h"
#include "engine/state/store.h"
#include "rules/pack/rule_pack.h"
#include "server/embedded_broker.h"
#include "server/input_offsets.h"
#include "server/outbox_drainer.h"
#include "server/replica.h"
#include "server/replicated_workflow.h"
#include "server/rule_control.h"

namespace centinela {
namespace {

using Clock = std::chrono::steady_clock;

int64_t WallMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Starts partitions where RocksDB says, and commits before giving any up.
class OffsetsFromStore : public kafka::PartitionListener {
 public:
  // `input_partitions` is the input topic's partition count: owning fewer
  // means another instance runs under the same name (the scoring group is
  // per instance name: docs/instances.md).
  OffsetsFromStore(Store* store, Processor* processor, std::string group, int input_partitions)
      : store_(store), processor_(processor), group_(std::move(group)), input_partitions_(input_partitions) {}

  std::map<int32_t, int64_t> OnAssigned(const std::string& topic, const std::vector<int32_t>& partitions) override {
    std::map<int32_t, int64_t> start;
    auto stored = store_->LoadOffsets(topic);
    if (!stored.ok()) {
      error = stored.status();
      return start;
    }
    for (int32_t p : partitions) {
      auto it = stored->find(p);
      if (it != stored->end()) start[p] = it->second;
      eof.erase({topic, p});
    }
    fprintf(stderr, "engine: assigned %zu partition(s) of %s, resuming from stored offsets\n", partitions.size(),
            topic.c_str());
    assigned += int(partitions.size());
    if (assigned.load() < input_partitions_) {
      fprintf(stderr,
              "engine: WARNING: this instance owns %d of the %d partitions of %s; another member of consumer group "
              "%s holds the rest: another instance runs under the same instance name. Each then sees only part of "
              "every account's transactions: two-sided rules, graph typologies and event-time order are NOT exact. "
              "Give every instance its own name (--instance or `instance:`; docs/instances.md).\n",
              assigned.load(), input_partitions_, topic.c_str(), group_.c_str());
    }
    return start;
  }
  void OnRevoked(const std::string& topic, const std::vector<int32_t>& partitions) override {
    absl::Status s = processor_->Commit();
    if (!s.ok()) error = s;
    for (int32_t p : partitions) eof.erase({topic, p});
    assigned -= int(partitions.size());
  }

  absl::Status error;
  // Partitions consumed to their end, since when: caught up, and idle once
  // silent for engine.idle_timeout_ms.
  std::map<std::pair<std::string, int32_t>, Clock::time_point> eof;
  std::atomic<int> assigned{0};  // partitions owned now; read by /readyz

 private:
  Store* store_;
  Processor* processor_;
  const std::string group_;
  const int input_partitions_;
};

absl::Status ReconcileInput(const EngineConfig& config, const kafka::Endpoint& bootstrap, Store* store, bool accept,
                            bool new_embedded_broker) {
  // A cluster with another id is not the one the positions came from.
  constexpr absl::string_view kClusterKey = "kafka/cluster_id";
  ASSIGN_OR_RETURN(const std::string cluster, kafka::ClusterId(bootstrap, 10000));
  std::string known;
  ASSIGN_OR_RETURN(const bool has_known, store->Get(Cf::kMeta, kClusterKey, &known));
  const bool other_cluster = has_known && known != cluster;
  if (other_cluster && !accept) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the broker at ", bootstrap.bootstrap, " is cluster ", cluster, ", not cluster ", known,
        " where the positions stored in ", store->path(),
        " were read: they mean nothing there. The data directory keeps the alerts, workflow and audit; start with "
        "--accept-lost-input to record what the old cluster held unprocessed as lost and consume what this one has"));
  }
  ASSIGN_OR_RETURN(const auto stored, store->LoadOffsets(config.input_topic));
  ASSIGN_OR_RETURN(const auto seen, store->LoadHighWatermarks(config.input_topic));
  std::vector<int32_t> partitions;
  for (const auto& [p, position] : stored) partitions.push_back(p);
  for (const auto& [p, high] : seen) partitions.push_back(p);
  ASSIGN_OR_RETURN(const auto marks, kafka::QueryWatermarks(bootstrap, config.input_topic, partitions, 10000));
  auto query = [&marks](int32_t p) -> absl::StatusOr<std::pair<int64_t, int64_t>> {
    auto it = marks.find(p);
    if (it == marks.end()) return absl::NotFoundError("the partition does not exist on this broker");
    return it->second;
  };
  ASSIGN_OR_RETURN(const std::vector<InputLoss> losses, ReconcileInputOffsets(store, config.input_topic, query, accept,
                                                                              new_embedded_broker || other_cluster));
  if (!has_known || other_cluster) {
    rocksdb::WriteBatch batch;
    batch.Put(store->cf(Cf::kMeta), rocksdb::Slice(kClusterKey.data(), kClusterKey.size()), cluster);
    RETURN_IF_ERROR(store->Write(&batch));
  }
  if (losses.empty()) return absl::OkStatus();
  fprintf(stderr, "input: %s\n%s",
          new_embedded_broker
              ? "a new embedded broker: the previous one kept its records in memory only, and they are gone with "
                "it (the embedded broker is for demos and tests); alerts, workflow and audit are kept"
              : "the broker does not hold the stored positions (--accept-lost-input): consuming what it has",
          DescribeLosses(config.input_topic, losses).c_str());
  return absl::OkStatus();
}

// The topics the engine reads and writes must exist (an embedded broker
// creates them; on a real cluster they are created by its operators, with
// the partitions and replication they choose): a missing one is named, with
// the command that creates it.
// Returns the input topic's partition count.
absl::StatusOr<int> CheckTopics(const EngineConfig& config, const kafka::Endpoint& endpoint) {
  std::vector<std::string> missing;
  int input_partitions = 0;
  std::vector<std::string> topics = {config.input_topic, config.dlq_topic, config.uif_topic, config.sunat_topic};
  if (!config.api_listen.empty()) topics.push_back(config.workflow_topic);
  for (const std::string& topic : topics) {
    absl::StatusOr<int> n = kafka::PartitionReader::PartitionCount(endpoint, topic, 10000);
    if (n.ok() && topic == config.input_topic) input_partitions = *n;
    if (absl::IsNotFound(n.status())) {
      missing.push_back(topic);
    } else if (!n.ok()) {
      return absl::Status(n.status().code(), absl::StrCat("kafka: checking topic ", topic, ": ", n.status().message()));
    }
  }
  if (missing.empty()) return input_partitions;
  std::string commands;
  for (const std::string& topic : missing) {
    absl::StrAppend(&commands, "\n  kafka-topics.sh --bootstrap-server ", endpoint.bootstrap, " --create --topic ",
                    topic, topic == config.input_topic ? " --partitions 16" : " --partitions 1",
                    " --replication-factor 3 --config min.insync.replicas=2");
  }
  return absl::FailedPreconditionError(
      absl::StrCat("kafka: ", endpoint.bootstrap, " has no topic ", absl::StrJoin(missing, ", "), " (", config.source,
                   " kafka.*_topic); create ", missing.size() == 1 ? "it" : "them", " (deploy/README.md):", commands));
}

}  // namespace

absl::StatusOr<RunSummary> RunEngine(const EngineConfig& config, const RunOptions& options) {
  ASSIGN_OR_RETURN(FxTable fx, FxTable::LoadFile(config.fx_path));
  ASSIGN_OR_RETURN(std::unique_ptr<rules::RulePack> config_pack, rules::RulePack::LoadFile(config.pack_path));
  StoreOptions store_options;
  store_options.sync = config.sync;
  ASSIGN_OR_RETURN(std::unique_ptr<Store> store, Store::Open(config.data_dir, store_options));

  std::unique_ptr<kafka::MockCluster> embedded;
  std::string bootstrap = config.bootstrap;
  if (bootstrap == "embedded") {
    ASSIGN_OR_RETURN(embedded, StartEmbeddedBroker(config));
    bootstrap = embedded->bootstrap();
  }
  const kafka::Endpoint endpoint(bootstrap, config.kafka_properties);
  ASSIGN_OR_RETURN(const int input_partitions, CheckTopics(config, endpoint));
  // The stored input positions against this broker: a new embedded broker
  // (or, with --accept-lost-input, a replaced one) starts empty, and the
  // records the old one held unprocessed are reported lost.
  RETURN_IF_ERROR(ReconcileInput(config, endpoint, store.get(), embedded != nullptr || options.accept_lost_input,
                                 embedded != nullptr));

  // Rule packs: the deployed version, from the control topic; the
  // configuration's pack only when none was ever deployed.
  ASSIGN_OR_RETURN(std::unique_ptr<rules::PackRegistry> registry, rules::PackRegistry::Open(store.get()));
  // The sanctions and PEP lists (loaded below) outlive `control`, whose
  // loader thread reloads them.
  screening::ListSet lists;
  ASSIGN_OR_RETURN(std::unique_ptr<RuleControl> control,
                   RuleControl::Start(endpoint, config.rules_topic, config.instance, registry.get()));
  RETURN_IF_ERROR(control->CatchUp(30000));
  if (!registry->active()) RETURN_IF_ERROR(control->Bootstrap(*config_pack, 30000));
  if (registry->active()->version() != config_pack->version()) {
    fprintf(stderr,
            "rules: the configured pack %s (%s) is not the deployed version %s, which keeps running; "
            "deploy packs with `centinela rules submit` and `rules approve`\n",
            config.pack_path.c_str(), config_pack->version().c_str(), registry->active()->version().c_str());
  }
  // The packs the processor scores with, held while it does.
  std::shared_ptr<const rules::RulePack> pack = registry->active(), shadow = registry->shadow();

  // Sanctions and PEP lists: loaded before the first record is scored; a
  // list that does not load stops the start (screening must not silently
  // run without it). Reloads swap them while the stream runs; a reload
  // published on the control topic (by any instance's API) is loaded here
  // too, the last one per list at once.
  {
    absl::StatusOr<std::vector<std::string>> dirs = screening::CanonicalDirs(
        config.list_dirs_configured ? config.list_dirs : screening::DirectoriesOf(config.lists));
    if (!dirs.ok())
      return absl::Status(dirs.status().code(), absl::StrCat(config.source, ": ", dirs.status().message()));
    lists.SetFileRules(config.max_list_bytes, std::move(*dirs));
  }
  RETURN_IF_ERROR(lists.LoadAll(config.lists, [](const screening::ListMetadata& m, size_t bytes) {
    fprintf(stderr, "lists: %s (%s, %s) version %s: %lld entries, %lld names, loaded in %.0f ms, ~%zu MB\n",
            m.name.c_str(), m.source.c_str(), std::string(screening::ListCategoryName(m.category)).c_str(),
            m.version.c_str(), static_cast<long long>(m.entries), static_cast<long long>(m.names),
            m.load_micros / 1000.0, bytes >> 20);
    if (m.skipped > 0) {
      fprintf(stderr, "lists: %s: %lld record(s) skipped, e.g. %s\n", m.name.c_str(), static_cast<long long>(m.skipped),
              m.skipped_examples.empty() ? "" : m.skipped_examples[0].c_str());
    }
  }));
  control->AttachLists(&lists);
  for (const auto& missing : lists.Missing(pack->screen_lists())) {
    fprintf(stderr,
            "lists: warning: pack %s screens against '%s', but no such list or category is configured "
            "(screening.lists); those rules see null and never fire\n",
            pack->version().c_str(), missing.c_str());
  }

  ProcessorOptions popts;
  popts.lists = &lists;
  popts.suppressions = &registry->suppressions();
  popts.alert_topics.uif = config.uif_topic;
  popts.alert_topics.sunat = config.sunat_topic;
  popts.dlq_topic = config.dlq_topic;
  popts.transaction_retention_micros = int64_t(config.retention_days) * kMicrosPerDay;
  popts.validation = config.validation;
  popts.dead_letter_raw_max_bytes = size_t(config.dead_letter_raw_max_bytes);
  popts.dedup_horizon_micros = int64_t(config.dedup_days) * kMicrosPerDay;
  popts.allowed_lateness_micros = config.allowed_lateness_micros;
  ASSIGN_OR_RETURN(std::unique_ptr<Processor> processor, Processor::Create(store.get(), pack.get(), &fx, popts));
  RETURN_IF_ERROR(processor->SetPacks(pack.get(), shadow.get()));
  RETURN_IF_ERROR(control->ReportRunning());
  // Replicas (docs/instances.md): this instance scores the whole input; the
  // member of group engine.group_id holding partition 0 delivers.
  ReplicaOptions replica_options;
  replica_options.group = config.group_id;
  replica_options.input_topic = config.input_topic;
  replica_options.delivery_topics = {config.uif_topic, config.sunat_topic, config.dlq_topic};
  replica_options.instance = config.instance;
  ASSIGN_OR_RETURN(std::unique_ptr<Replica> replica, Replica::Start(endpoint, replica_options));
  OutboxDrainerOptions drainer_options;
  drainer_options.gate = replica.get();  // `replica` outlives the drainer
  ASSIGN_OR_RETURN(std::unique_ptr<OutboxDrainer> drainer,
                   OutboxDrainer::Start(store.get(), endpoint, std::move(drainer_options)));
  drainer->Notify();  // deliver whatever an earlier run left behind

  // Readiness (/readyz): the broker answers and partitions are assigned.
  // Its own consumer group, so that it is assigned every input partition.
  const std::string scoring_group = absl::StrCat(config.group_id, ".", config.instance);
  OffsetsFromStore listener(store.get(), processor.get(), scoring_group, input_partitions);
  std::atomic<bool> stopping{false};
  ASSIGN_OR_RETURN(std::unique_ptr<kafka::BrokerProbe> probe,
                   kafka::BrokerProbe::Start(endpoint, {}, std::chrono::milliseconds(1000)));

  // The investigator API reads the same RocksDB, on its own threads.
  std::unique_ptr<api::TokenAuthenticator> tokens;
  api::StoreAuditAnchor audit_anchor(store.get());  // outlives `audit`
  std::unique_ptr<api::AuditLog> audit;
  std::unique_ptr<ReplicatedWorkflow> workflow;  // outlives `api_server`
  std::unique_ptr<api::ApiServer> api_server;
  if (!config.api_listen.empty()) {
    ASSIGN_OR_RETURN(workflow,
                     ReplicatedWorkflow::Start(store.get(), endpoint, config.workflow_topic, config.instance));
    ASSIGN_OR_RETURN(api::TokenAuthenticator t, api::TokenAuthenticator::FromYamlFile(config.api_tokens_path));
    tokens = std::make_unique<api::TokenAuthenticator>(std::move(t));
    const std::string audit_path = config.api_audit_path.empty()
                                       ? (std::filesystem::path(config.data_dir) / "audit.log").string()
                                       : config.api_audit_path;
    ASSIGN_OR_RETURN(audit, api::AuditLog::Open(audit_path, &audit_anchor));
    api::ApiOptions ao;
    const size_t colon = config.api_listen.rfind(':');
    ao.host = config.api_listen.substr(0, colon);
    if (!absl::SimpleAtoi(config.api_listen.substr(colon + 1), &ao.port) || ao.port < 0 || ao.port > 65535) {
      return absl::InvalidArgumentError(absl::StrCat(config.source, ": api.listen: bad port in ", config.api_listen));
    }
    ao.max_body_bytes = size_t(config.api_max_body_bytes);
    ao.rules = control.get();
    ao.workflow = workflow.get();
    ao.lists = &lists;
    ao.suppression_days = config.suppression_days;
    ao.threads = config.api_threads;
    ao.request_timeout_ms = config.api_request_timeout_ms;
    ao.keep_alive_timeout_ms = config.api_keep_alive_timeout_ms;
    ao.max_connections_per_client = config.api_max_connections_per_client;
    ao.outbox_changed = [d = drainer.get()] { d->Rescan(); };
    ao.readiness = [&listener, &stopping, p = probe.get(), topic = config.input_topic]() -> absl::Status {
      if (stopping.load()) return absl::UnavailableError("stopping");
      if (absl::Status s = p->status(); !s.ok()) return s;
      if (listener.assigned.load() == 0) {
        return absl::UnavailableError(absl::StrCat("no partition of ", topic, " assigned (yet)"));
      }
      return absl::OkStatus();
    };
    ASSIGN_OR_RETURN(api_server, api::ApiServer::Start(store.get(), tokens.get(), audit.get(), ao));
    fprintf(stderr, "engine: investigator API on %s (audit log %s)\n", api_server->base_url().c_str(),
            audit_path.c_str());
    if (options.on_api_listening) options.on_api_listening(api_server->base_url());
  }

  ASSIGN_OR_RETURN(std::unique_ptr<kafka::GroupConsumer> consumer,
                   kafka::GroupConsumer::Create(endpoint, scoring_group, {}, &listener));
  RETURN_IF_ERROR(consumer->Subscribe({config.input_topic}));
  fprintf(stderr, "engine: %s: pack %s, %zu typologies%s%s; storage %s; consuming all of %s from %s\n",
          config.instance.c_str(), pack->version().c_str(), pack->typologies().size(), shadow ? "; shadow " : "",
          shadow ? shadow->version().c_str() : "", config.data_dir.c_str(), config.input_topic.c_str(),
          bootstrap.c_str());

  // Rule deployments take effect here, between batches only: every
  // transaction is scored entirely by one version.
  auto apply_rules = [&]() -> absl::Status {
    if (processor->pending() > 0) return absl::OkStatus();
    ASSIGN_OR_RETURN(bool switched, control->Poll());
    if (!switched) return absl::OkStatus();
    std::shared_ptr<const rules::RulePack> next = registry->active(), next_shadow = registry->shadow();
    RETURN_IF_ERROR(processor->SetPacks(next.get(), next_shadow.get()));
    pack = std::move(next);
    shadow = std::move(next_shadow);
    return absl::OkStatus();
  };
  auto batch_start = Clock::now();
  auto last_progress = Clock::now();
  int64_t last_consumed = processor->counters().consumed;
  // Event time (docs/event-time.md): the records the frontier has passed
  // are scored, in order, into the open batch. The frontier is computed
  // over the partitions this instance owns; a caught-up one counts as idle
  // after engine.idle_timeout_ms (at once in a bounded run, whose input
  // ends there).
  std::vector<SourceStatus> sources;
  auto release = [&]() -> absl::Status {
    if (processor->counters().buffered == 0) return absl::OkStatus();
    const auto now = Clock::now();
    sources.clear();
    for (auto& [topic, partition] : consumer->Assignment()) {
      auto it = listener.eof.find({topic, partition});
      const bool idle =
          it != listener.eof.end() &&
          (options.until_caught_up || now - it->second >= std::chrono::milliseconds(config.idle_timeout_ms));
      sources.push_back({std::move(topic), partition, idle});
    }
    return processor->Release(processor->sequencer().Frontier(sources, WallMicros()));
  };
  std::vector<int64_t> settled_create_times;
  auto commit = [&]() -> absl::Status {
    RETURN_IF_ERROR(release());
    const size_t n = processor->pending();
    if (n == 0) return absl::OkStatus();
    if (options.on_commit) settled_create_times = processor->settled_create_times();
    RETURN_IF_ERROR(processor->Commit());
    drainer->Notify();
    {
      // How far the input went, for counting what a lost broker takes with it.
      rocksdb::WriteBatch marks;
      for (const auto& [tp, high] : consumer->CachedHighWatermarks()) {
        Store::PutHighWatermark(&marks, store->cf(Cf::kMeta), tp.first, tp.second, high);
      }
      if (marks.Count() > 0) RETURN_IF_ERROR(store->Write(&marks));
    }
    RETURN_IF_ERROR(apply_rules());
    if (options.on_commit) {
      options.on_commit(settled_create_times);
    }
    if (options.log_commits) {
      const Counters& c = processor->counters();
      printf(
          "commit records=%zu consumed=%ld processed=%ld dead_lettered=%ld duplicates=%ld alerts=%ld buffered=%ld "
          "late=%ld\n",
          n, long(c.consumed), long(c.processed), long(c.dead_lettered), long(c.duplicates), long(c.alerts_created),
          long(c.buffered), long(c.late));
      fflush(stdout);
    }
    return absl::OkStatus();
  };

  while (!(options.stop && options.stop->load())) {
    // With records pending, do not wait: an empty queue means we caught up,
    // so commit now (small batches when idle, large ones under load).
    std::optional<kafka::Message> msg = consumer->Poll(processor->pending() ? 0 : 50);
    RETURN_IF_ERROR(listener.error);
    if (!msg) {
      RETURN_IF_ERROR(apply_rules());  // idle: deployments still apply
      RETURN_IF_ERROR(release());      // and idle partitions stop holding the frontier back
    }
    if (msg) {
      if (msg->is_partition_eof()) {
        listener.eof.try_emplace({std::string(msg->topic()), msg->partition()}, Clock::now());
      } else if (msg->error() == RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET) {
        // The offset stored in RocksDB is not in the topic any more (topic
        // recreated, data expired, another cluster). Guessing would either
        // skip records or count them twice: stop and say so.
        return absl::FailedPreconditionError(absl::StrCat(
            "partition ", msg->topic(), "/", msg->partition(), ": the offset stored in ", config.data_dir,
            " is out of the topic's range (", msg->error_string(),
            "); the topic was recreated or its data expired. The data directory keeps the alerts, workflow and audit: "
            "restart with --accept-lost-input to record the records in between as lost and go on"));
      } else if (msg->error()) {
        fprintf(stderr, "engine: consumer: %s\n", msg->error_string().c_str());
      } else {
        // Hot path: no copies of the topic name per record.
        if (!listener.eof.empty()) listener.eof.erase({std::string(msg->topic()), msg->partition()});
        InputRecord r{msg->topic(),       msg->partition(), msg->offset(), msg->payload(), msg->header("content-type"),
                      msg->timestamp_ms()};
        RETURN_IF_ERROR(processor->Process(r));
      }
    }
    const auto now = Clock::now();
    if (processor->pending() >= size_t(config.batch_max_records) ||
        (processor->pending() > 0 && (!msg || now - batch_start >= std::chrono::milliseconds(config.batch_max_ms)))) {
      RETURN_IF_ERROR(commit());
      batch_start = Clock::now();
    }
    if (processor->pending() == 0) batch_start = now;
    if (options.progress_every_ms > 0 && now - last_progress >= std::chrono::milliseconds(options.progress_every_ms)) {
      const Counters& c = processor->counters();
      const double secs = std::chrono::duration<double>(now - last_progress).count();
      fprintf(stderr,
              "progress: consumed=%ld processed=%ld dead_lettered=%ld buffered=%ld late=%ld alerts=%ld delivered=%ld "
              "rate=%.0f/s\n",
              long(c.consumed), long(c.processed), long(c.dead_lettered), long(c.buffered), long(c.late),
              long(c.alerts_created), long(drainer->delivered()), double(c.consumed - last_consumed) / secs);
      last_progress = now;
      last_consumed = c.consumed;
    }
    if (options.until_caught_up && processor->pending() == 0 && processor->counters().buffered == 0) {
      const auto assignment = consumer->Assignment();
      bool caught_up = !assignment.empty();
      for (const auto& tp : assignment) caught_up &= listener.eof.contains(tp);
      if (caught_up && drainer->Idle()) break;
    }
  }
  // Stopping: all of it within engine.shutdown_timeout_ms, whatever the
  // broker does; what could not be finished is said, not waited for.
  stopping = true;
  const auto stop_by = Clock::now() + std::chrono::milliseconds(config.shutdown_timeout_ms);
  auto left_ms = [&stop_by] {
    return int(
        std::max<int64_t>(0, std::chrono::duration_cast<std::chrono::milliseconds>(stop_by - Clock::now()).count()));
  };
  RETURN_IF_ERROR(commit());  // every record read is committed (local)
  drainer->Notify();
  // Half of the time to deliver what is committed, the rest to close.
  const auto deliver_by = Clock::now() + std::chrono::milliseconds(left_ms() / 2);
  // A standby leaves its outbox to the instance that delivers; the holder of
  // the delivery role delivers it, once it has read the delivery topics.
  while (replica->HoldsDelivery() && !drainer->Idle() && Clock::now() < deliver_by) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const int64_t undelivered = drainer->Stop(left_ms() / 4);
  const bool was_delivering = replica->Delivering();
  const absl::Status left_group = consumer->Close(left_ms() / 3);
  if (absl::Status s = replica->Leave(left_ms() / 2); !s.ok()) {
    fprintf(stderr, "engine: %s\n", std::string(s.message()).c_str());  // the role moves after the session timeout
  }
  fprintf(stderr, "engine: shutdown within %d ms: every record read is committed; %s; %s\n", config.shutdown_timeout_ms,
          undelivered == 0  ? "the outbox is delivered"
          : undelivered > 0 ? absl::StrCat(undelivered, " outbox record(s) not delivered (kept, ",
                                           was_delivering ? "sent at the next start"
                                                          : "sent at the next start or by the instance that delivers",
                                           ")")
                                  .c_str()
                            : "the outbox could not be counted",
          left_group.ok() ? "left the consumer group" : std::string(left_group.message()).c_str());
  RunSummary summary;
  summary.counters = processor->counters();
  summary.delivered = drainer->delivered();
  summary.pack_version = pack->version();
  return summary;
}

}  // namespace centinela
