// Investigator API benchmark at scale: 1,000,000 alerts in RocksDB on disk,
// served by the engine's own API (RunEngine with api.listen on 127.0.0.1)
// over real HTTP, while the engine ingests from the embedded broker.
//
//   1. load API_ALERTS alerts (default 1,000,000) with their index entries,
//      and one retained evidence transaction each, into a fresh data dir;
//   2. idle engine: API_QUERIES filtered searches (a mix of every filter,
//      sorts and cursor pages) and as many alert details, one client;
//   3. ingest alone: the engine drains API_INGEST records (Peru pack);
//   4. ingest again, on a second topic, while API_SEARCHERS clients search
//      without pause, and on a third while one client searches at
//      API_SEARCH_RATE per second (default 20): ingest throughput and search
//      latency under load.
//
// Prints a table on stderr and one JSON line on stdout. Every loop is bounded
// by a count and a deadline; only 127.0.0.1 is used.
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "api/auth.h"
#include "base/status_macros.h"
#include "base/time_util.h"
#include "bench/testing/bench_util.h"
#include "connectors/kafka/kafka.h"
#include "engine/alerts/alert_index.h"
#include "engine/codec/decoder.h"
#include "engine/state/store.h"
#include "engine/state/transaction_archive.h"
#include "gen/feed_generator.h"
#include "google/protobuf/util/json_util.h"
#include "httplib.h"
#include "rules/pack/rule_pack.h"
#include "server/embedded_broker.h"
#include "server/runner.h"
#include "tests/testing/test_util.h"

namespace centinela {
namespace {

using bench::EnvInt;
using bench::Percentile;

using Clock = std::chrono::steady_clock;

constexpr char kToken[] = "bench-investigator-token";
constexpr int64_t kLastDay = 20758;  // 2026-11-01: alerts spread over the 400 days before it
constexpr int kAccounts = 200000;

std::string Account(int i) { return absl::StrFormat("ACC-%06d", i); }
std::string Ubigeo(int i) { return absl::StrFormat("%02d%02d%02d", 1 + i % 25, 1 + i / 25 % 5, 1 + i / 125 % 10); }
const std::vector<std::string> kPacks = {"peru@2.1.0+1a2b3c4d", "peru@2.2.0+5e6f7a8b", "peru@2.3.0+9c0d1e2f"};

// Deterministic alert i: 200k accounts (a fifth of subjects are persons by
// DNI), the pack's typologies, 1,250 districts in 25 departments, 400 days.
v1::Alert MakeAlert(int64_t i, const std::vector<std::string>& typologies, std::mt19937_64& rng) {
  v1::Alert a;
  a.set_id(absl::StrFormat("al-bench-%07d", i));
  const std::string& typology = typologies[size_t(rng() % typologies.size())];
  a.set_typology_id(typology);
  a.set_typology_name(typology);
  a.set_pack_version(kPacks[size_t(rng() % kPacks.size())]);
  const int subject = int(rng() % kAccounts);
  if (subject % 5 == 0) {
    a.mutable_subject()->set_kind("document");
    a.mutable_subject()->set_id(absl::StrFormat("1:%08d", 40000000 + subject));
  } else {
    a.mutable_subject()->set_kind("account");
    a.mutable_subject()->set_id(Account(subject));
  }
  a.set_score(double(rng() % 9000 + 1000) / 1000.0);
  a.set_severity(v1::Severity(1 + rng() % 4));
  const int dest = int(rng() % 10);
  if (dest < 7 || dest == 9) a.add_destinations(v1::UIF);
  if (dest >= 7) a.add_destinations(v1::SUNAT);
  a.set_shadow(rng() % 20 == 0);
  a.set_region_ubigeo(Ubigeo(int(rng() % 1250)));
  const int64_t created = (kLastDay - 400) * kMicrosPerDay + int64_t(rng() % uint64_t(400 * kMicrosPerDay));
  *a.mutable_created_event_time() = FromMicros(created);
  *a.mutable_updated_event_time() = FromMicros(created);
  *a.mutable_detected_at() = FromMicros(created + 5 * 1000000);
  a.set_transaction_count(2);
  for (int h = 0; h < 2; ++h) {
    v1::RuleHit* hit = a.add_hits();
    hit->set_rule_id(absl::StrCat(typology, "_rule_", h));
    hit->set_weight(1);
    hit->set_transaction_id(absl::StrCat("tx-", a.id(), "-", h));
    for (int v = 0; v < 3; ++v) {
      v1::ObservedValue* o = hit->add_values();
      o->set_name(absl::StrCat("agg.value_", v));
      o->set_value(absl::StrFormat("USD %d,%03d.00", int(rng() % 90 + 1), int(rng() % 1000)));
    }
    a.add_evidence_transaction_ids(hit->transaction_id());
  }
  return a;
}

absl::Status LoadAlerts(const std::string& dir, int64_t n, const std::vector<std::string>& typologies) {
  ASSIGN_OR_RETURN(std::unique_ptr<Store> store, Store::Open(dir, {}));
  TransactionArchive archive(store.get());
  std::mt19937_64 rng(7);
  rocksdb::WriteBatch batch;
  const auto t0 = Clock::now();
  for (int64_t i = 0; i < n; ++i) {
    v1::Alert a = MakeAlert(i, typologies, rng);
    // The first evidence transaction is retained (the second has expired).
    v1::Transaction tx = testing::MakeTx(a.evidence_transaction_ids(0), ToMicros(a.created_event_time()),
                                         int64_t(rng() % 2000000), "PEN");
    ASSIGN_OR_RETURN(const uint64_t fingerprint, TransactionFingerprint(tx));
    for (const std::string& id : a.evidence_transaction_ids()) {
      v1::TransactionRef* ref = a.add_evidence();
      ref->set_reporting_entity(tx.reporting_entity().ruc());
      ref->set_id(id);
      ref->set_fingerprint(fingerprint);
    }
    batch.Put(store->cf(Cf::kAlerts), a.id(), a.SerializeAsString());
    AlertIndex::AddNew(a, store->cf(Cf::kAlertIndex), &batch);
    archive.Add({tx.reporting_entity().ruc(), tx.id()}, fingerprint, ToMicros(tx.event_time()), 400 * kMicrosPerDay,
                'P', tx.SerializeAsString(), "", "", "", "", &batch);
    if (batch.Count() >= 50000 || i + 1 == n) {
      RETURN_IF_ERROR(store->Write(&batch));
      batch.Clear();
    }
    if ((i + 1) % 100000 == 0) {
      fprintf(stderr, "api_bench: loaded %ld alerts (%.0f/s)\n", long(i + 1),
              double(i + 1) / std::chrono::duration<double>(Clock::now() - t0).count());
    }
  }
  fprintf(stderr, "api_bench: compacting\n");
  return FromRocks(
      store->db()->CompactRange(rocksdb::CompactRangeOptions(), store->cf(Cf::kAlertIndex), nullptr, nullptr),
      "compacting the alert index");
}

// The query mix: every filter alone, typical combinations, both sorts.
struct QueryMix {
  std::vector<std::string> typologies;
  std::string Next(std::mt19937_64& rng, std::string* cls) const {
    const std::string typ = typologies[size_t(rng() % typologies.size())];
    const int64_t from = kLastDay - 400 + int64_t(rng() % 370);
    switch (rng() % 12) {
      case 0:
        *cls = "account";
        return "account=" + Account(int(rng() % kAccounts));
      case 1:
        *cls = "document";
        return absl::StrFormat("document=DNI:%08d", 40000000 + int(rng() % kAccounts) / 5 * 5);
      case 2:
        *cls = "typology";
        return "typology=" + typ;
      case 3:
        *cls = "region_department";
        return absl::StrFormat("region=%02d", 1 + int(rng() % 25));
      case 4:
        *cls = "region_district";
        return "region=" + Ubigeo(int(rng() % 1250));
      case 5:
        *cls = "severity_period";
        return absl::StrCat("severity=CRITICAL&from=", FormatIsoDate(from), "&to=", FormatIsoDate(from + 30));
      case 6:
        *cls = "status";
        return "status=NEW";
      case 7:
        *cls = "typology_by_score";
        return "typology=" + typ + "&sort=score";
      case 8:
        *cls = "destination_score_range";
        return "destination=SUNAT&score_min=9";
      case 9:
        *cls = "pack_shadow";
        return absl::StrCat("pack_version=", kPacks[rng() % 3], "&shadow=true");
      case 10:
        *cls = "typology_department";
        return absl::StrFormat("typology=%s&region=%02d", typ, 1 + int(rng() % 25));
      default:
        *cls = "period_by_score";
        return absl::StrCat("from=", FormatIsoDate(from), "&to=", FormatIsoDate(from + 7), "&sort=score");
    }
  }
};

struct Latencies {
  std::mutex mu;
  std::map<std::string, std::vector<double>> by_class;
  std::vector<double> all;
  int64_t errors = 0;
  void Add(const std::string& cls, double ms) {
    std::lock_guard<std::mutex> l(mu);
    by_class[cls].push_back(ms);
    all.push_back(ms);
  }
};

// One search (and, for a tenth of them, its next page); false on an error.
// `quiet`: the engine may have stopped under the client (end of a phase).
bool Search(httplib::Client& client, const QueryMix& mix, std::mt19937_64& rng, Latencies* out,
            const std::atomic<bool>* quiet = nullptr) {
  std::string cls;
  std::string q = mix.Next(rng, &cls);
  const httplib::Headers auth = {{"Authorization", std::string("Bearer ") + kToken}};
  const bool page = rng() % 10 == 0;
  for (int p = 0; p < (page ? 2 : 1); ++p) {
    const auto t0 = Clock::now();
    auto r = client.Get("/v1/alerts?" + q + "&limit=50", auth);
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    if (!r || r->status != 200) {
      if (quiet && *quiet) return false;
      fprintf(stderr, "api_bench: %s -> %s\n", q.c_str(), r ? r->body.c_str() : httplib::to_string(r.error()).c_str());
      return false;
    }
    out->Add(p == 0 ? cls : "next_page", ms);
    v1::AlertPage pg;
    if (!google::protobuf::util::JsonStringToMessage(r->body, &pg).ok() || pg.next_cursor().empty()) break;
    q = absl::StrCat(q, "&cursor=", pg.next_cursor());
  }
  return true;
}

struct Report {
  double p50, p95, p99, max;
  size_t n;
};
Report Summarize(const std::vector<double>& v) {
  return {Percentile(v, 0.50), Percentile(v, 0.95), Percentile(v, 0.99), Percentile(v, 1.0), v.size()};
}

void PrintTable(const char* title, Latencies& l) {
  fprintf(stderr, "\n%s\n  %-24s %7s %8s %8s %8s %8s\n", title, "query", "n", "p50 ms", "p95 ms", "p99 ms", "max ms");
  for (auto& [cls, v] : l.by_class) {
    const Report r = Summarize(v);
    fprintf(stderr, "  %-24s %7zu %8.2f %8.2f %8.2f %8.2f\n", cls.c_str(), r.n, r.p50, r.p95, r.p99, r.max);
  }
  const Report r = Summarize(l.all);
  fprintf(stderr, "  %-24s %7zu %8.2f %8.2f %8.2f %8.2f\n", "ALL", r.n, r.p50, r.p95, r.p99, r.max);
}

// Runs the engine over `topic` and calls `during(base_url, done)` on another
// thread once the API listens. The engine stops when caught up (and then sets
// `done` for `during`), or, with `until_during_returns`, when `during`
// returns. Returns tx/s from the first commit to the last.
absl::StatusOr<double> Ingest(EngineConfig config, const std::string& topic,
                              const std::function<void(const std::string&, std::atomic<bool>*)>& during,
                              bool until_during_returns = false) {
  config.input_topic = topic;
  config.group_id = "centinela-" + topic;
  RunOptions run;
  std::atomic<bool> stop{false};
  run.until_caught_up = !until_during_returns;
  run.stop = &stop;
  run.progress_every_ms = 0;
  bench::CommitRate rate;
  run.on_commit = rate.Callback();
  std::atomic<bool> done{false};
  std::thread load;
  run.on_api_listening = [&](const std::string& url) {
    if (during) {
      load = std::thread([&, url] {
        during(url, &done);
        if (until_during_returns) stop = true;
      });
    }
  };
  auto summary = RunEngine(config, run);
  done = true;
  if (load.joinable()) load.join();
  if (!summary.ok()) return summary.status();
  return rate.PerSecond();
}

int Main() {
  const int64_t alerts = EnvInt("API_ALERTS", 1000000);
  const int64_t queries = EnvInt("API_QUERIES", 3000);
  const int64_t ingest = EnvInt("API_INGEST", 100000);
  const int searchers = int(EnvInt("API_SEARCHERS", 2));
  testing::TempDir dir;
  auto pack = rules::RulePack::LoadFile(CENTINELA_SOURCE_DIR "/rules/packs/peru.yaml");
  if (!pack.ok()) {
    fprintf(stderr, "api_bench: %s\n", std::string(pack.status().message()).c_str());
    return 1;
  }
  QueryMix mix;
  for (const auto& t : (*pack)->typologies()) mix.typologies.push_back(t.id);

  EngineConfig config;
  config.pack_path = CENTINELA_SOURCE_DIR "/rules/packs/peru.yaml";
  config.fx_path = CENTINELA_SOURCE_DIR "/deploy/config/fx.yaml";
  config.embedded_partitions = 8;
  config.data_dir = dir.Sub("db");
  config.api_listen = "127.0.0.1:0";
  config.api_tokens_path = dir.Sub("tokens.yaml");
  config.api_threads = 4;
  {
    std::ofstream t(config.api_tokens_path);
    t << "tokens:\n  - {user: bench, role: investigator, sha256: " << Sha256Hex(kToken) << "}\n";
  }

  fprintf(stderr, "api_bench: loading %ld alerts into %s\n", long(alerts), config.data_dir.c_str());
  const auto load_start = Clock::now();
  if (absl::Status s = LoadAlerts(config.data_dir, alerts, mix.typologies); !s.ok()) {
    fprintf(stderr, "api_bench: %s\n", std::string(s.message()).c_str());
    return 1;
  }
  const double load_secs = std::chrono::duration<double>(Clock::now() - load_start).count();

  auto cluster = StartEmbeddedBroker(config);
  if (!cluster.ok()) {
    fprintf(stderr, "api_bench: %s\n", std::string(cluster.status().message()).c_str());
    return 1;
  }
  config.bootstrap = (*cluster)->bootstrap();
  for (const char* topic : {"fiu.idle", "fiu.alone", "fiu.searched", "fiu.paced"}) {
    bench::Check((*cluster)->CreateTopic(topic, 8), "creating a topic");
  }
  {
    fprintf(stderr, "api_bench: producing 3 x %ld transactions\n", long(ingest));
    auto producer = *kafka::Producer::Create(config.bootstrap, {{"compression.type", "lz4"}});
    bench::Check(producer->Produce("fiu.idle", -1, "k", "not a transaction", {}), "producing");
    uint64_t seed = 1;
    for (const char* topic : {"fiu.alone", "fiu.searched", "fiu.paced"}) {
      gen::GenOptions g;
      g.count = ingest;
      g.accounts = 100000;
      g.format = gen::Format::kProtobuf;
      g.seed = seed++;
      bench::Check(gen::Generate(g,
                                 [&](const gen::GeneratedRecord& r) {
                                   bench::Check(producer->Produce(topic, -1, r.key, r.payload,
                                                                  {{"content-type", r.content_type}}),
                                                "producing");
                                 }),
                   "gen");
    }
    bench::Check(producer->Flush(60000), "flushing the producer");
  }

  // 2. Idle engine: search and detail latency.
  Latencies idle_search, idle_detail;
  bool ok = true;
  auto idle = Ingest(
      config, "fiu.idle",
      [&](const std::string& url, std::atomic<bool>*) {
        httplib::Client client(url);
        client.set_keep_alive(true);
        client.set_tcp_nodelay(true);
        std::mt19937_64 rng(11);
        fprintf(stderr, "api_bench: %ld searches and %ld details, one client\n", long(queries), long(queries));
        for (int64_t i = 0; i < queries && ok; ++i) ok = Search(client, mix, rng, &idle_search);
        const httplib::Headers auth = {{"Authorization", std::string("Bearer ") + kToken}};
        for (int64_t i = 0; i < queries && ok; ++i) {
          const std::string id = absl::StrFormat("al-bench-%07d", int64_t(rng() % uint64_t(alerts)));
          const auto t0 = Clock::now();
          auto r = client.Get("/v1/alerts/" + id, auth);
          idle_detail.Add("detail", std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
          v1::AlertDetail d;
          ok = r && r->status == 200 && google::protobuf::util::JsonStringToMessage(r->body, &d).ok() &&
               d.evidence_size() == 1 && d.missing_evidence_size() == 1;
          if (!ok) fprintf(stderr, "api_bench: detail %s failed: %s\n", id.c_str(), r ? r->body.c_str() : "no answer");
        }
      },
      /*until_during_returns=*/true);
  if (!idle.ok() || !ok) {
    fprintf(stderr, "api_bench: idle phase failed: %s\n", idle.ok() ? "see above" : idle.status().ToString().c_str());
    return 1;
  }
  PrintTable("Search, idle engine (limit 50)", idle_search);
  PrintTable("Alert detail, idle engine (with retained evidence)", idle_detail);

  // 3. Ingest alone.
  fprintf(stderr, "\napi_bench: ingest of %ld transactions, no searches\n", long(ingest));
  auto alone = Ingest(config, "fiu.alone", nullptr);
  // 4. Ingest while clients search: flat out (saturating the 2 cores with
  //    the engine), then paced at an investigator team's rate.
  struct Loaded {
    Latencies latencies;
    std::atomic<int64_t> searches{0};
    absl::StatusOr<double> tx_per_s = 0.0;
  };
  auto ingest_searched = [&](const std::string& topic, int clients, int64_t rate_per_s, Loaded* out) {
    out->tx_per_s = Ingest(config, topic, [&](const std::string& url, std::atomic<bool>* done) {
      std::vector<std::thread> threads;
      for (int c = 0; c < clients; ++c) {
        threads.emplace_back([&, c] {
          httplib::Client client(url);
          client.set_keep_alive(true);
          client.set_tcp_nodelay(true);
          std::mt19937_64 rng(100 + c);
          const auto start = Clock::now();
          const auto deadline = start + std::chrono::minutes(10);
          for (int64_t i = 0; i < 1000000 && !*done && Clock::now() < deadline; ++i) {
            if (rate_per_s > 0) {  // an open-loop schedule: slot i of this client
              std::this_thread::sleep_until(start + std::chrono::microseconds(i * clients * 1000000 / rate_per_s));
              if (*done) break;
            }
            if (!Search(client, mix, rng, &out->latencies, done)) break;
            ++out->searches;
          }
        });
      }
      for (auto& t : threads) t.join();
    });
  };
  fprintf(stderr, "api_bench: ingest of %ld transactions, %d clients searching without pause\n", long(ingest),
          searchers);
  Loaded flat_out, paced;
  ingest_searched("fiu.searched", searchers, 0, &flat_out);
  const int64_t rate = EnvInt("API_SEARCH_RATE", 20);
  fprintf(stderr, "api_bench: ingest of %ld transactions, %ld searches/s\n", long(ingest), long(rate));
  ingest_searched("fiu.paced", 1, rate, &paced);
  const absl::StatusOr<double>& searched = flat_out.tx_per_s;
  if (!alone.ok() || !searched.ok() || !paced.tx_per_s.ok()) {
    fprintf(stderr, "api_bench: ingest failed: %s\n",
            (!alone.ok()      ? alone.status()
             : !searched.ok() ? searched.status()
                              : paced.tx_per_s.status())
                .ToString()
                .c_str());
    return 1;
  }
  PrintTable("Search while the engine ingests, clients without pause", flat_out.latencies);
  PrintTable("Search while the engine ingests, paced", paced.latencies);
  fprintf(stderr,
          "\ningest alone: %.0f tx/s; with %d clients searching without pause: %.0f tx/s (%ld searches); "
          "with %ld searches/s: %.0f tx/s (%ld searches)\n",
          *alone, searchers, *searched, long(flat_out.searches.load()), long(rate), *paced.tx_per_s,
          long(paced.searches.load()));

  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  const Report s = Summarize(idle_search.all), d = Summarize(idle_detail.all), l = Summarize(flat_out.latencies.all),
               p = Summarize(paced.latencies.all);
  printf(
      "{\"bench\":\"api\",\"alerts\":%ld,\"load_s\":%.1f,\"search_n\":%zu,\"search_ms_p50\":%.2f,"
      "\"search_ms_p99\":%.2f,\"search_ms_max\":%.2f,\"detail_n\":%zu,\"detail_ms_p50\":%.2f,"
      "\"detail_ms_p99\":%.2f,\"ingest_tx_per_s_alone\":%.0f,\"ingest_tx_per_s_while_searching\":%.0f,"
      "\"searchers\":%d,\"searches_during_ingest\":%ld,\"search_ms_p99_during_ingest\":%.2f,"
      "\"paced_search_rate\":%ld,\"ingest_tx_per_s_paced\":%.0f,\"search_ms_p99_paced\":%.2f,"
      "\"peak_rss_mb\":%.1f}\n",
      long(alerts), load_secs, s.n, s.p50, s.p99, s.max, d.n, d.p50, d.p99, *alone, *searched, searchers,
      long(flat_out.searches.load()), l.p99, long(rate), *paced.tx_per_s, p.p99, double(ru.ru_maxrss) / 1024.0);
  return 0;
}

}  // namespace
}  // namespace centinela

int main() { return centinela::Main(); }
