// `centinela`: the one binary. Subcommands:
//   broker   embedded Kafka (librdkafka mock cluster) for development and tests
//   run      the streaming engine
//   gen      deterministic synthetic Peru feed, to Kafka or to a file
//   alerts   summary of stored alerts / tally of the alert topics; and, with
//            subject and audit, the investigator commands (cli/investigate.h)
//   rules    rule pack deployment (cli/rules_cmd.h)
//   backtest a pack over recorded input, offline (cli/backtest_cmd.h)
// Every error is one line naming the file, field or flag, with exit code 2
// (usage/config) or 1 (runtime).
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "api/audit_log.h"
#include "api/auth.h"
#include "base/status_macros.h"
#include "centinela/v1/alert.pb.h"
#include "cli/backtest_cmd.h"
#include "cli/flags.h"
#include "cli/investigate.h"
#include "cli/listed_parties.h"
#include "cli/lists_cmd.h"
#include "cli/outbox_cmd.h"
#include "cli/rules_cmd.h"
#include "cli/scratch_dir.h"
#include "cli/suppressions_cmd.h"
#include "connectors/kafka/kafka.h"
#include "engine/state/store.h"
#include "eval/amlworld_eval.h"
#include "eval/backtest.h"
#include "eval/evaluation.h"
#include "gen/feed_generator.h"
#include "google/protobuf/util/json_util.h"
#include "server/config.h"
#include "server/embedded_broker.h"
#include "server/runner.h"

namespace centinela::cli {
namespace {

std::atomic<bool> g_stop{false};
void OnSignal(int) { g_stop = true; }

constexpr const char* kUsage = R"(usage: centinela <command> [flags]

commands:
  broker  [--config FILE] [--partitions N] [--bootstrap-file FILE]
          Start the embedded Kafka broker with the engine's topics; runs until Ctrl-C.
  run     --config FILE [--bootstrap HOST:PORT] [--data-dir DIR] [--instance NAME] [--api-listen HOST:PORT]
          [--until-caught-up] [--log-commits] [--accept-lost-input]
          Run the screening engine. Several instances (each with its own --data-dir, --instance
          name and --api-listen address) are replicas: one delivers, the others take over
          (docs/instances.md).
          --accept-lost-input: when the broker no longer holds the stored positions (replaced,
          topic recreated, data expired), report the records in between as lost and go on
          (always so on a new embedded broker).
  gen     [--count N] [--seed S] [--cases N] [--invalid N] [--format protobuf|json|mixed]
          (--bootstrap HOST:PORT [--topic T] [--shuffle SEED] | --out FILE) [--labels FILE] [--listed FILE]
          Generate a synthetic Peru feed with labelled typology cases. --shuffle: write the
          topic's partitions unevenly (bursts of a random partition), as event-time tests want.
          --listed: also inject each party of a CSV (name,kind,country,document,list) once,
          its name written as feeds write names (deploy/config/lists/demo_listed_parties.csv).
  alerts summary --data-dir DIR [--labels FILE [--show-missed]]
          Alerts per typology and destination from RocksDB; with labels, case recall.
  alerts tally --bootstrap HOST:PORT [--topics uif.alerts,sunat.alerts]
          Read the alert topics with a Kafka consumer and count alerts per typology.
  eval amlworld --transactions FILE [--patterns FILE] [--pack F] [--fx F] [--mapping F] [--show-false]
                [--show-missed]
          Replay a real AMLworld *_Trans.csv: false alerts per 10,000 legitimate transactions by
          typology, transaction-level precision/recall/F1 of the laundering class, and with
          --patterns, recall per pattern (any alert / the matching typology); attempt rows not in
          the file are injected into it. --show-false: every false alert, why it fired, its rows;
          --show-missed: the attempts no alert of the matching typology touched, and what did.
  eval amlworld --patterns FILE [--background N] [--pack F] [--fx F] [--mapping F] [--seed S] [--show-missed]
  eval amlsim --dir DIR [--pack F] [--fx F] [--mapping F]
          Replay labelled data through the engine's processor in event-time order and print
          recall per pattern (and background alerts per 10,000), or account recall/precision.
          Defaults: rules/packs/peru.yaml, deploy/config/fx-amlworld.yaml,
          connectors/file/mappings/{amlworld,amlsim}.yaml (run from the project root).
  backtest --pack FILE (--input FILE | --topic T --bootstrap B [--from OFFSETS] [--to OFFSETS]
          | --stored FROM TO [--data-dir DIR]) [--labels FILE] [--fx FILE] [--config FILE]
          [--alerts-out FILE] [--json] [--quiet]
          Run a rule pack offline over a record file (gen --out), a topic's offset range
          (OFFSETS: P:O,... or beginning/end) or the transactions stored by an engine
          (dates, read-only), with the engine's own code path, into a scratch database.
          Alerts per typology; precision and recall with labels (gen --labels).
  audit verify --data-dir DIR [--file FILE]
          Check the API's audit log (DIR/audit.log): every line as written, hashes and chain
          intact, and the chain reaches the head anchored in DIR (cut entries are found).
          Exit 0 when intact; 1 naming the first bad line.

investigator commands (clients of the engine's API, docs/api.md; tables, or --json;
token from --token or $CENTINELA_TOKEN; API from --api or $CENTINELA_API, default
http://127.0.0.1:8470):
  alerts list [--account A | --document DNI:N] [--typology T] [--status S] [--severity S]
          [--destination UIF|SUNAT] [--score-min X] [--score-max X] [--from DATE] [--to DATE]
          [--region UBIGEO] [--pack-version V] [--shadow true|false] [--sort time|score]
          [--order desc|asc] [--limit N] [--cursor C]
  alerts show ID
          Rule hits and values, evidence transactions, status history.
  alerts transition ID --to UNDER_REVIEW|ESCALATED_TO_ROS|DISMISSED --note TEXT [--expected-version N]
  subject show account ID | document TYPE:NUMBER [--alerts N] [--transactions N] [--as-of DATE]
          Alerts, recent transactions, counterparties, current aggregates and profiles.
  audit list [--from-seq N] [--limit N]   (admin)
  outbox status [--limit N]              (admin, supervisor) records waiting to be sent, and those
                                         the broker refused for good (moved aside, never blocking)
  outbox retry SEQ... | --all            (admin) put parked records back once their cause is fixed
  suppressions list [--party P] [--list L] [--entry ID] [--state proposed|active|rejected|revoked]
          [--by USER] [--limit N]        false matches screening skips (docs/screening.md)
  suppressions show ID
  suppressions propose --name NAME [--country CC] [--document N] --list L --entry ID --note TEXT
                                         (investigator, supervisor) this party is not that entry
  suppressions confirm|reject ID --note TEXT   (supervisor, not the proposer) maker-checker
  suppressions revoke ID --note TEXT     (supervisor) stop skipping the pair

rule deployment (docs/rules.md; API commands take --api, --token, --json):
  rules validate FILE...                 compile locally; errors as FILE:LINE:COLUMN
  rules diff FILE [--against VERSION|FILE]   added, removed, changed entries against the active pack
  rules submit FILE [--note TEXT]        (rule_author) publish a new version
  rules approve VERSION                  (supervisor, not the author) make it the active version
  rules shadow VERSION | --stop          (rule_author, supervisor) run a version in shadow
  rules shadow-report [--from DATE] [--to DATE]   shadow against active alerts per typology
  rules rollback [VERSION]               (rule_author, supervisor) back to an earlier active version
  rules list | show VERSION [--text]     versions, what each instance runs, history
  token hash
          Read a bearer token on stdin and print its SHA-256, for the api.tokens file.

sanctions and PEP list screening (docs/screening.md; --config FILE runs offline on its lists,
otherwise the engine's API with --api, --token):
  lists info [NAME] [--json]             lists the engine loaded: source, version, counts, load time
  lists info --file F --format ofac|un|csv [--mapping M]   check a list file offline
  lists load NAME [FILE] [--format F] [--category C]   (admin, supervisor) reload on every running
                                         instance, swapped without pausing; a bad file is refused
  lists screen NAME [--dob D] [--country C] [--document N] [--kind person|entity] [--list L,..]
               [--threshold T] [--max-hits N] [--json]   hits with their explanation
  lists screen --batch FILE [--out F]    names (or CSV name,dob,country) -> one JSON line each
  lists compare NAME1 NAME2 [--kind person|organization] [--json]   pairwise score, each token's match
  lists evaluate [--config F] [--negatives N]   recall, false positives, cross-script pairs
  lists pairs [FILE] [--threshold T] [--errors N]   precision, recall, F1 on labelled name pairs
                                         (default eval/data/name_pairs.csv)
)";

absl::StatusOr<EngineConfig> ConfigFromFlags(const Flags& f, bool required) {
  if (!f.Has("config")) {
    if (required) return absl::InvalidArgumentError("run: --config FILE is required (see deploy/config/engine.yaml)");
    return EngineConfig{};  // defaults: what `broker` needs without a file
  }
  return LoadEngineConfig(f.Get("config"));
}

int Broker(const std::vector<std::string>& args) {
  auto f = Flags::Parse("broker", args, {"config", "partitions", "bootstrap-file"}, {});
  if (!f.ok()) return Fail(f.status(), 2);
  auto config = ConfigFromFlags(*f, false);
  if (!config.ok()) return Fail(config.status(), 2);
  auto partitions = f->GetInt("partitions", config->embedded_partitions, 1, 256);
  if (!partitions.ok()) return Fail(partitions.status(), 2);
  config->embedded_partitions = int(*partitions);
  if (f->Has("bootstrap-file")) config->bootstrap_file = f->Get("bootstrap-file");
  auto cluster = StartEmbeddedBroker(*config);
  if (!cluster.ok()) return Fail(cluster.status());
  printf("%s\n", (*cluster)->bootstrap().c_str());
  fflush(stdout);
  fprintf(stderr, "broker: ready; read alerts with: kcat -b %s -C -t %s -e\n", (*cluster)->bootstrap().c_str(),
          config->uif_topic.c_str());
  while (!g_stop) pause();
  fprintf(stderr, "broker: stopping\n");
  return 0;
}

int Run(const std::vector<std::string>& args) {
  auto f = Flags::Parse("run", args, {"config", "bootstrap", "data-dir", "instance", "api-listen", "progress-ms"},
                        {"until-caught-up", "log-commits", "accept-lost-input"});
  if (!f.ok()) return Fail(f.status(), 2);
  auto config = ConfigFromFlags(*f, true);
  if (!config.ok()) return Fail(config.status(), 2);
  if (f->Has("bootstrap")) config->bootstrap = f->Get("bootstrap");
  if (f->Has("data-dir")) config->data_dir = f->Get("data-dir");
  if (f->Has("instance")) {
    config->instance = f->Get("instance");
    if (config->instance.empty() || config->instance.size() > 128) {
      return Fail(absl::InvalidArgumentError("run: --instance: a name of 1 to 128 characters"), 2);
    }
  }
  if (f->Has("api-listen")) {
    config->api_listen = f->Get("api-listen");
    if (config->api_listen.rfind(':') == std::string::npos) {
      return Fail(absl::InvalidArgumentError("run: --api-listen: expected HOST:PORT (port 0: any free port)"), 2);
    }
  }
  auto progress = f->GetInt("progress-ms", 2000, 0, 3600000);
  if (!progress.ok()) return Fail(progress.status(), 2);
  RunOptions options;
  options.until_caught_up = f->Has("until-caught-up");
  options.log_commits = f->Has("log-commits");
  options.accept_lost_input = f->Has("accept-lost-input");
  options.stop = &g_stop;
  options.progress_every_ms = int(*progress);
  auto summary = RunEngine(*config, options);
  if (!summary.ok()) return Fail(summary.status());
  const Counters& c = summary->counters;
  const bool reconciled = c.consumed == c.processed + c.dead_lettered + c.duplicates;
  fprintf(stderr,
          "engine: done. consumed=%ld processed=%ld dead_lettered=%ld duplicates=%ld (consumed %s processed + "
          "dead-lettered + duplicates) alerts_created=%ld alerts_updated=%ld delivered=%ld\n",
          long(c.consumed), long(c.processed), long(c.dead_lettered), long(c.duplicates),
          reconciled ? "=" : "!=", long(c.alerts_created), long(c.alerts_updated), long(summary->delivered));
  return reconciled ? 0 : 1;
}

int Audit(const std::vector<std::string>& args) {
  if (!args.empty() && args[0] == "list") return AuditList(std::vector<std::string>(args.begin() + 1, args.end()));
  if (args.empty() || args[0] != "verify") {
    return Fail(absl::InvalidArgumentError("audit: expected 'verify --file FILE' or 'list'"), 2);
  }
  auto f =
      Flags::Parse("audit verify", std::vector<std::string>(args.begin() + 1, args.end()), {"file", "data-dir"}, {});
  if (!f.ok()) return Fail(f.status(), 2);
  if (!f->Has("file") && !f->Has("data-dir")) {
    return Fail(absl::InvalidArgumentError("audit verify: give --data-dir DIR (and --file FILE if not DIR/audit.log)"),
                2);
  }
  const std::string file = f->Get("file", (std::filesystem::path(f->Get("data-dir")) / "audit.log").string());
  std::optional<api::AuditHead> anchor;
  if (f->Has("data-dir")) {
    // Read-only: the engine may be running on it.
    StoreOptions so;
    so.read_only = true;
    auto store = Store::Open(f->Get("data-dir"), so);
    if (!store.ok()) return Fail(store.status());
    auto head = api::StoreAuditAnchor(store->get()).Load();
    if (!head.ok()) return Fail(head.status());
    anchor = *head;
  }
  auto n = api::AuditLog::Verify(file, anchor);
  if (!n.ok()) return Fail(n.status(), 1);
  if (f->Has("data-dir")) {
    printf("audit: %s: %ld entries, chain intact, ends at its anchor in %s (seq %ld)\n", file.c_str(), long(*n),
           f->Get("data-dir").c_str(), long(anchor ? anchor->seq : 0));
  } else {
    printf("audit: %s: %ld entries, chain intact (not checked against an anchor: add --data-dir)\n", file.c_str(),
           long(*n));
  }
  return 0;
}

int Token(const std::vector<std::string>& args) {
  if (args.size() != 1 || args[0] != "hash") return Fail(absl::InvalidArgumentError("token: expected 'hash'"), 2);
  std::string token;
  if (!std::getline(std::cin, token) || token.empty()) {
    return Fail(absl::InvalidArgumentError("token hash: give the token on stdin"), 2);
  }
  printf("%s\n", Sha256Hex(token).c_str());
  return 0;
}

int Gen(const std::vector<std::string>& args) {
  auto f = Flags::Parse("gen", args,
                        {"count", "seed", "cases", "invalid", "format", "bootstrap", "topic", "out", "labels",
                         "accounts", "days", "shuffle", "listed"},
                        {});
  if (!f.ok()) return Fail(f.status(), 2);
  gen::GenOptions o;
  auto count = f->GetInt("count", o.count, 1, 100'000'000);
  auto seed = f->GetInt("seed", int64_t(o.seed), 0, INT64_MAX);
  auto cases = f->GetInt("cases", o.cases_per_typology, 0, 100000);
  auto invalid = f->GetInt("invalid", 0, 0, 10'000'000);
  auto accounts = f->GetInt("accounts", o.accounts, 10, 10'000'000);
  auto days = f->GetInt("days", o.days, 8, 3650);
  auto shuffle = f->GetInt("shuffle", 0, 0, int64_t(std::numeric_limits<uint32_t>::max()));
  for (const auto* s : {&count, &seed, &cases, &invalid, &accounts, &days, &shuffle}) {
    if (!s->ok()) return Fail(s->status(), 2);
  }
  o.count = *count;
  o.seed = uint64_t(*seed);
  o.cases_per_typology = int(*cases);
  o.invalid = int(*invalid);
  o.accounts = int(*accounts);
  o.days = int(*days);
  if (f->Has("listed")) {
    auto listed = LoadListedParties(f->Get("listed"));
    if (!listed.ok()) return Fail(listed.status(), 2);
    o.listed = std::move(*listed);
  }
  if (gen::MaxInjectedRecords(o) > o.count) {
    return Fail(
        absl::InvalidArgumentError(absl::StrCat(
            "gen: --count ", o.count, " is too small for --cases ", o.cases_per_typology, " and --invalid ", o.invalid,
            " (up to ", gen::MaxInjectedRecords(o), " injected records); raise --count or lower --cases")),
        2);
  }
  const std::string format = f->Get("format", "mixed");
  if (format == "protobuf")
    o.format = gen::Format::kProtobuf;
  else if (format == "json")
    o.format = gen::Format::kJson;
  else if (format == "mixed")
    o.format = gen::Format::kMixed;
  else
    return Fail(
        absl::InvalidArgumentError(absl::StrCat("gen: --format must be protobuf, json or mixed, got \"", format, "\"")),
        2);
  if (f->Has("bootstrap") == f->Has("out")) {
    return Fail(absl::InvalidArgumentError("gen: give exactly one of --bootstrap HOST:PORT or --out FILE"), 2);
  }
  if (f->Has("shuffle") && !f->Has("bootstrap")) {
    return Fail(absl::InvalidArgumentError("gen: --shuffle orders the writes to a topic: give --bootstrap"), 2);
  }
  std::ofstream labels;
  if (f->Has("labels")) {
    labels.open(f->Get("labels"));
    if (!labels)
      return Fail(absl::PermissionDeniedError(absl::StrCat("gen: --labels ", f->Get("labels"), ": cannot write")), 2);
    labels << "transaction_id,label,typology,case_id\n";
  }
  std::ofstream out;
  std::unique_ptr<kafka::Producer> producer;
  const std::string topic = f->Get("topic", "fiu.transactions");
  if (f->Has("out")) {
    out.open(f->Get("out"), std::ios::binary);
    if (!out) return Fail(absl::PermissionDeniedError(absl::StrCat("gen: --out ", f->Get("out"), ": cannot write")), 2);
  } else {
    // lz4 keeps the embedded broker well under its per-partition retention cap.
    auto p = kafka::Producer::Create(f->Get("bootstrap"), {{"compression.type", "lz4"}});
    if (!p.ok()) return Fail(p.status(), 2);
    producer = std::move(*p);
  }
  int64_t n = 0, cases_n = 0, invalid_n = 0;
  absl::Status error;
  std::vector<gen::GeneratedRecord> held;  // --shuffle: written after generation
  const absl::Status generated = gen::Generate(o, [&](const gen::GeneratedRecord& r) {
    if (!error.ok()) return;
    if (f->Has("shuffle")) {
      held.push_back(r);
    } else if (producer) {
      error = producer->Produce(topic, -1, r.key, r.payload, {{"content-type", r.content_type}});
    } else {
      // File format: one record per line, "content-type<TAB>hex(payload)".
      static const char* kHex = "0123456789abcdef";
      out << r.content_type << '\t';
      for (unsigned char ch : r.payload) out << kHex[ch >> 4] << kHex[ch & 15];
      out << '\n';
    }
    if (labels.is_open() && !r.label.empty()) {
      labels << r.tx_id << ',' << r.label << ',' << r.typology << ',' << r.case_id << '\n';
    }
    cases_n += r.label == "case";
    invalid_n += r.label == "invalid";
    if (++n % 20000 == 0) fprintf(stderr, "gen: %ld records\n", long(n));
  });
  if (!generated.ok()) return Fail(generated);
  if (!error.ok()) return Fail(error);
  if (!held.empty()) {
    auto partitions = kafka::PartitionReader::PartitionCount(f->Get("bootstrap"), topic, 10000);
    if (!partitions.ok()) return Fail(partitions.status());
    for (const auto& [p, i] : gen::ShuffledPartitionOrder(held, *partitions, uint32_t(*shuffle))) {
      const gen::GeneratedRecord& r = held[i];
      if (auto s = producer->Produce(topic, p, r.key, r.payload, {{"content-type", r.content_type}}); !s.ok()) {
        return Fail(s);
      }
    }
  }
  if (producer) {
    if (auto s = producer->Flush(60000); !s.ok()) return Fail(s);
  }
  fprintf(stderr, "gen: wrote %ld records (%ld in injected cases, %ld malformed, seed %lu) to %s\n", long(n),
          long(cases_n), long(invalid_n), (unsigned long)o.seed,
          producer ? absl::StrCat(f->Get("bootstrap"), " topic ", topic).c_str() : f->Get("out").c_str());
  return 0;
}

int AlertsSummary(const Flags& f) {
  if (!f.Has("data-dir")) return Fail(absl::InvalidArgumentError("alerts summary: --data-dir DIR is required"), 2);
  StoreOptions so;
  so.read_only = true;
  auto store = Store::Open(f.Get("data-dir"), so);
  if (!store.ok()) return Fail(store.status());
  std::map<std::string, std::map<std::string, int64_t>> per_typology;  // typology -> destination -> n
  std::map<std::string, int64_t> shadow;
  absl::flat_hash_map<std::string, std::vector<std::string>> evidence_by_typology;
  std::vector<v1::Alert> alerts;
  auto it = (*store)->NewIterator(Cf::kAlerts);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    v1::Alert a;
    if (!a.ParseFromArray(it->value().data(), int(it->value().size()))) {
      return Fail(absl::DataLossError(absl::StrCat("alerts summary: alert ", it->key().ToString(), " does not parse")));
    }
    if (a.shadow()) ++shadow[a.typology_id()];
    for (int d : a.destinations()) per_typology[a.typology_id()][d == v1::UIF ? "uif.alerts" : "sunat.alerts"]++;
    alerts.push_back(std::move(a));
  }
  if (!it->status().ok()) return Fail(FromRocks(it->status(), "alerts summary: reading alerts"));
  auto consumed = (*store)->GetCounter(kMetaConsumed);
  auto processed = (*store)->GetCounter(kMetaProcessed);
  auto dlq = (*store)->GetCounter(kMetaDeadLettered);
  auto duplicates = (*store)->GetCounter(kMetaDuplicates);
  for (const auto* c : {&consumed, &processed, &dlq, &duplicates}) {
    if (!c->ok()) return Fail(c->status());
  }
  printf("%-26s %12s %12s\n", "typology", "uif.alerts", "sunat.alerts");
  for (const auto& [typ, destinations] : per_typology) {
    const auto& by = destinations;  // clang 14 cannot capture a structured binding
    auto get = [&](const char* k) {
      auto i = by.find(k);
      return i == by.end() ? 0L : long(i->second);
    };
    printf("%-26s %12ld %12ld\n", typ.c_str(), get("uif.alerts"), get("sunat.alerts"));
  }
  printf("alerts: %zu; records consumed=%ld processed=%ld dead-lettered=%ld duplicates=%ld\n", alerts.size(),
         long(*consumed), long(*processed), long(*dlq), long(*duplicates));
  if (!f.Has("labels")) return 0;
  auto labels = eval::LoadCaseLabels(f.Get("labels"));
  if (!labels.ok()) return Fail(labels.status(), 2);
  std::map<std::string, std::pair<int, int>> recall;  // typology -> detected, total
  absl::flat_hash_set<std::string> detected;
  int64_t background_alerts = 0;
  for (const v1::Alert& a : alerts) {
    bool touches_case = false;
    for (const std::string& tx : a.evidence_transaction_ids()) {
      auto c = labels->tx_to_case.find(tx);
      if (c == labels->tx_to_case.end()) continue;
      touches_case = true;
      if (eval::CaseTypologyMatches(labels->cases[c->second].first, a.typology_id())) detected.insert(c->second);
    }
    if (!touches_case) ++background_alerts;
  }
  int64_t case_txs = 0;
  for (const auto& [id, c] : labels->cases) {
    auto& r = recall[c.first];
    ++r.second;
    r.first += detected.contains(id);
    case_txs += int64_t(c.second.size());
  }
  int width = 26;  // a label of alternatives ("a|b") is wider
  for (const auto& [typ, r] : recall) width = std::max(width, int(typ.size()));
  printf("\n%-*s %8s %8s %8s\n", width, "typology", "cases", "alerted", "recall");
  int all_detected = 0, all_cases = 0;
  for (const auto& [typ, r] : recall) {
    printf("%-*s %8d %8d %7.1f%%\n", width, typ.c_str(), r.second, r.first, 100.0 * r.first / r.second);
    all_detected += r.first;
    all_cases += r.second;
  }
  const int64_t background_tx = *processed - case_txs;
  if (f.Has("show-missed")) {
    for (const auto& [id, c] : labels->cases) {
      if (!detected.contains(id)) printf("missed: %s (%zu transactions)\n", id.c_str(), c.second.size());
    }
  }
  printf("cases alerted: %d/%d; background alerts: %ld over %ld background transactions = %.2f per 10,000\n",
         all_detected, all_cases, long(background_alerts), long(background_tx),
         background_tx > 0 ? 10000.0 * double(background_alerts) / double(background_tx) : 0.0);
  return all_detected == all_cases ? 0 : 3;
}

int AlertsTally(const Flags& f) {
  if (!f.Has("bootstrap"))
    return Fail(absl::InvalidArgumentError("alerts tally: --bootstrap HOST:PORT is required"), 2);
  std::vector<std::string> topics = absl::StrSplit(f.Get("topics", "uif.alerts,sunat.alerts"), ',');
  std::map<std::string, std::map<std::string, absl::flat_hash_set<std::string>>> ids;  // topic -> typology -> ids
  google::protobuf::util::JsonParseOptions jo;
  jo.ignore_unknown_fields = true;
  auto messages = kafka::ReadTopicsToEnd(
      f.Get("bootstrap"), topics, absl::StrCat("centinela-tally-", getpid()), 60000, [&](const kafka::Message& m) {
        v1::Alert a;
        const absl::string_view p = m.payload();
        if (google::protobuf::util::JsonStringToMessage(google::protobuf::StringPiece(p.data(), p.size()), &a, jo)
                .ok()) {
          ids[std::string(m.topic())][a.typology_id()].insert(std::string(m.key()));
        }
      });
  if (!messages.ok()) return Fail(messages.status());
  printf("%-14s %-26s %10s\n", "topic", "typology", "alert ids");
  for (const auto& [topic, by] : ids) {
    for (const auto& [typ, set] : by) printf("%-14s %-26s %10zu\n", topic.c_str(), typ.c_str(), set.size());
  }
  printf("messages read: %ld\n", long(*messages));
  return 0;
}

// One line per missed attempt: "patterns.txt:12 FAN-IN: Max 6-degree Fan-In,
// 6 transaction(s)", with `with_alerts` followed by the typologies of the
// alerts that did touch it ("; alerts: cycle") or "; no alert".
void PrintMissed(const std::string& patterns_path, const std::vector<eval::MissedAttempt>& missed, bool with_alerts) {
  for (const eval::MissedAttempt& m : missed) {
    std::string alerts;
    if (with_alerts)
      alerts = m.caught_by.empty() ? "; no alert" : absl::StrCat("; alerts: ", absl::StrJoin(m.caught_by, ", "));
    printf("  %s:%d %s%s%s, %d transaction(s)%s\n", patterns_path.c_str(), m.line, m.type.c_str(),
           m.qualifier.empty() ? "" : ": ", m.qualifier.c_str(), m.transactions, alerts.c_str());
  }
}

int Eval(const std::vector<std::string>& args) {
  if (args.empty() || (args[0] != "amlworld" && args[0] != "amlsim")) {
    return Fail(absl::InvalidArgumentError("eval: expected 'amlworld' or 'amlsim'"), 2);
  }
  const bool amlworld = args[0] == "amlworld";
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  auto f = Flags::Parse(absl::StrCat("eval ", args[0]), rest,
                        {"patterns", "transactions", "dir", "background", "pack", "fx", "mapping", "seed"},
                        {"show-missed", "show-false"});
  if (!f.ok()) return Fail(f.status(), 2);
  eval::EvalOptions o;
  o.pack_path = f->Get("pack", "rules/packs/peru.yaml");
  o.fx_path = f->Get("fx", "deploy/config/fx-amlworld.yaml");
  o.mapping_path =
      f->Get("mapping", amlworld ? "connectors/file/mappings/amlworld.yaml" : "connectors/file/mappings/amlsim.yaml");
  auto background = f->GetInt("background", 0, 0, 50'000'000);
  auto seed = f->GetInt("seed", 42, 0, INT64_MAX);
  if (!background.ok()) return Fail(background.status(), 2);
  if (!seed.ok()) return Fail(seed.status(), 2);
  o.background = *background;
  o.seed = uint64_t(*seed);
  ScratchDir scratch("centinela-eval");
  if (scratch.path().empty()) return Fail(absl::InternalError("eval: cannot create a scratch directory"));
  o.work_dir = scratch.path() + "/db";
  if (amlworld && f->Has("transactions")) {
    if (f->Has("background")) {
      return Fail(
          absl::InvalidArgumentError("eval amlworld: --background goes with --patterns alone, not --transactions"), 2);
    }
    auto r = eval::EvaluateAmlworldTraffic(f->Get("transactions"), f->Get("patterns", ""), o);
    if (!r.ok()) return Fail(r.status());
    for (const std::string& e : r->errors) fprintf(stderr, "eval: skipped %s\n", e.c_str());
    printf(
        "transactions %ld: %ld legitimate, %ld laundering (%ld injected from patterns); %ld unmapped, %ld "
        "dead-lettered\n",
        long(r->rows), long(r->legitimate), long(r->laundering), long(r->injected), long(r->unmapped),
        long(r->dead_lettered));
    printf("alerts %ld; false alerts (no laundering transaction in evidence) %ld = %.2f per 10,000 legitimate\n",
           long(r->alerts), long(r->false_alerts), r->FalseAlertsPer10k());
    for (const auto& [typology, n] : r->false_alerts_by_typology) {
      printf("  %-34s %6ld = %.2f per 10,000\n", typology.c_str(), long(n),
             r->legitimate ? 1e4 * double(n) / double(r->legitimate) : 0.0);
    }
    printf("laundering transactions in alert evidence: %ld of %ld = %.1f%%\n", long(r->transactions.tp),
           long(r->laundering), 100 * r->transactions.Recall());
    printf("transaction level (laundering class): precision %.4f recall %.4f F1 %.4f\n", r->transactions.Precision(),
           r->transactions.Recall(), r->transactions.F1());
    if (f->Has("show-false")) {
      for (const std::string& line : r->false_alert_lines) printf("  false: %s\n", line.c_str());
    }
    if (f->Has("show-missed")) {
      printf("attempts without an alert of the matching typology: %zu\n", r->missed.size());
      PrintMissed(f->Get("patterns"), r->missed, /*with_alerts=*/true);
    }
    if (!r->by_pattern.empty()) {
      printf("%-16s %8s %16s %18s %24s\n", "pattern", "attempts", "any alert", "matching typology",
             absl::StrCat("of >=", eval::kWideAttempt, " wide: matching").c_str());
      for (const auto& [type, pr] : r->by_pattern) {
        printf("%-16s %8d %8d %6.1f%% %10d %6.1f%%", type.c_str(), pr.attempts, pr.any_alert,
               pr.attempts ? 100.0 * pr.any_alert / pr.attempts : 0.0, pr.matching_typology,
               pr.attempts ? 100.0 * pr.matching_typology / pr.attempts : 0.0);
        if (pr.wide > 0) printf(" %10d of %3d %6.1f%%", pr.wide_matching, pr.wide, 100.0 * pr.wide_matching / pr.wide);
        printf("\n");
      }
    }
    return 0;
  }
  if (amlworld) {
    if (!f->Has("patterns")) {
      return Fail(absl::InvalidArgumentError("eval amlworld: give --transactions FILE, --patterns FILE or both"), 2);
    }
    auto r = eval::EvaluateAmlworldPatterns(f->Get("patterns"), o);
    if (!r.ok()) return Fail(r.status());
    for (const std::string& e : r->errors) fprintf(stderr, "eval: skipped %s\n", e.c_str());
    printf("%-16s %8s %8s %8s\n", "pattern", "attempts", "detected", "recall");
    int attempts = 0, detected = 0;
    for (const auto& [type, pr] : r->by_type) {
      printf("%-16s %8d %8d %7.1f%%\n", type.c_str(), pr.attempts, pr.detected, 100.0 * pr.detected / pr.attempts);
      attempts += pr.attempts;
      detected += pr.detected;
    }
    printf("%-16s %8d %8d %7.1f%%\n", "all", attempts, detected, attempts ? 100.0 * detected / attempts : 0.0);
    printf(
        "attempt transactions %ld; alerts %ld; background: %ld transactions, %ld alerts = %.2f per 10,000\n",
        long(r->attempt_transactions), long(r->alerts), long(r->background_transactions), long(r->background_alerts),
        r->background_transactions ? 10000.0 * double(r->background_alerts) / double(r->background_transactions) : 0.0);
    for (const auto& [typology, n] : r->background_alerts_by_typology) {
      printf("  background alerts of %s: %ld\n", typology.c_str(), long(n));
    }
    if (f->Has("show-missed")) {
      printf("missed attempts: %zu\n", r->missed.size());
      PrintMissed(f->Get("patterns"), r->missed, /*with_alerts=*/false);
    }
    return 0;
  }
  if (!f->Has("dir")) return Fail(absl::InvalidArgumentError("eval amlsim: --dir DIR is required"), 2);
  auto r = eval::EvaluateAmlsim(f->Get("dir"), o);
  if (!r.ok()) return Fail(r.status());
  printf(
      "transactions %ld (%ld between two fraud accounts); alerts %ld, %ld with such a transaction in evidence "
      "(alert precision %.1f%%)\n"
      "accounts in evidence (either party): %ld; fraud accounts that transact with another: %ld, of them in evidence "
      "%ld (recall %.1f%%)\n"
      "alert subjects only: fraud accounts %ld; alerted accounts %ld; alerted fraud accounts %ld; recall %.1f%%; "
      "precision %.1f%%\n",
      long(r->transactions), long(r->laundering_transactions), long(r->alerts), long(r->alerts_with_laundering),
      100.0 * r->AlertPrecision(), long(r->flagged_accounts), long(r->transacting_fraud_accounts),
      long(r->flagged_fraud_accounts), 100.0 * r->EvidenceRecall(), long(r->fraud_accounts), long(r->alerted_accounts),
      long(r->alerted_fraud_accounts), 100.0 * r->recall(), 100.0 * r->precision());
  return 0;
}

int Alerts(const std::vector<std::string>& args) {
  if (args.empty()) {
    return Fail(absl::InvalidArgumentError("alerts: expected list, show, transition, summary or tally"), 2);
  }
  if (args[0] == "list" || args[0] == "show" || args[0] == "transition") return AlertsApi(args);
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "summary") {
    auto f = Flags::Parse("alerts summary", rest, {"data-dir", "labels"}, {"show-missed"});
    if (!f.ok()) return Fail(f.status(), 2);
    return AlertsSummary(*f);
  }
  if (args[0] == "tally") {
    auto f = Flags::Parse("alerts tally", rest, {"bootstrap", "topics"}, {});
    if (!f.ok()) return Fail(f.status(), 2);
    return AlertsTally(*f);
  }
  return Fail(absl::InvalidArgumentError(
                  absl::StrCat("alerts: unknown subcommand '", args[0], "' (list, show, transition, summary, tally)")),
              2);
}

}  // namespace
}  // namespace centinela::cli

int main(int argc, char** argv) {
  using namespace centinela::cli;
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "help") {
    fputs(kUsage, argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  const std::string cmd = argv[1];
  const std::vector<std::string> args(argv + 2, argv + argc);
  for (const auto& a : args) {
    if (a == "--help") {
      fputs(kUsage, stdout);
      return 0;
    }
  }
  if (cmd == "broker") return Broker(args);
  if (cmd == "run") return Run(args);
  if (cmd == "gen") return Gen(args);
  if (cmd == "alerts") return Alerts(args);
  if (cmd == "eval") return Eval(args);
  if (cmd == "audit") return Audit(args);
  if (cmd == "token") return Token(args);
  if (cmd == "subject") return Subject(args);
  if (cmd == "rules") return Rules(args);
  if (cmd == "backtest") return Backtest(args);
  if (cmd == "lists") return Lists(args);
  if (cmd == "outbox") return Outbox(args);
  if (cmd == "suppressions") return Suppressions(args);
  fprintf(stderr, "centinela: error: unknown command '%s'\n%s", cmd.c_str(), kUsage);
  return 2;
}
