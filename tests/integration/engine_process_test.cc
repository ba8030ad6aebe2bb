// The engine as an operator runs it: `centinela run` as a process, its API
// on 127.0.0.1, a broker that goes away, signals, restarts, a second engine
// started by mistake.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/hash.h"
#include "centinela/v1/investigation.pb.h"
#include "connectors/kafka/kafka.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/api_client.h"
#include "tests/testing/kafka_util.h"
#include "tests/testing/raw_http.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/test_util.h"

namespace centinela {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;
using Clock = std::chrono::steady_clock;

// A loopback port free right now.
int FreePort() {
  const int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  ::inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  socklen_t len = sizeof(a);
  if (s < 0 || ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0 ||
      ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    return -1;
  }
  ::close(s);
  return ntohs(a.sin_port);
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

class EngineProcessTest : public ::testing::Test {
 protected:
  // An engine config: the embedded broker (or `bootstrap`), the API on
  // `port`, storage in `db`.
  std::string Config(int port, const std::string& name, const std::string& bootstrap = "embedded",
                     const std::string& extra = "") {
    const std::string tokens = dir_.Sub("tokens.yaml");
    std::ofstream(tokens) << "tokens:\n  - {user: ana, role: investigator, sha256: " << Sha256Hex("token-ana")
                          << "}\n  - {user: root, role: admin, sha256: " << Sha256Hex("token-root") << "}\n";
    const std::string path = dir_.Sub(name);
    std::ofstream(path) << "kafka: {bootstrap: \"" << bootstrap << "\", bootstrap_file: " << dir_.Sub("bs-" + name)
                        << ", embedded_partitions: 2}\n"
                        << "rules: {pack: " CENTINELA_SOURCE_DIR "/rules/packs/peru.yaml}\n"
                        << "fx: {file: " CENTINELA_SOURCE_DIR "/deploy/config/fx.yaml}\n"
                        << "storage: {path: " << dir_.Sub("db") << "}\n"
                        << "api: {listen: \"127.0.0.1:" << port << "\", tokens: " << tokens << "}\n"
                        << extra;
    return path;
  }

  // Waits (at most 60 s) until an engine answers /healthz on `port`.
  static bool WaitHealthy(int port) {
    const auto until = Clock::now() + std::chrono::seconds(60);
    while (Clock::now() < until) {
      testing::RawConnection c(port);
      if (c.ok() &&
          c.StatusOf("GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", milliseconds(1000)) == 200) {
        return true;
      }
      std::this_thread::sleep_for(milliseconds(100));
    }
    return false;
  }

  // Starts `centinela broker` (its input topic with `partitions`
  // partitions) and waits (bounded) for its address; empty when it did not
  // come up (broker.err says why).
  std::unique_ptr<testing::Subprocess> StartBroker(int partitions, std::string* bootstrap) {
    const std::string bs_file = dir_.Sub("broker.bootstrap");
    auto broker = std::make_unique<testing::Subprocess>(
        std::vector<std::string>{testing::CentinelaBinary(), "broker", "--partitions", std::to_string(partitions),
                                 "--bootstrap-file", bs_file},
        dir_.Sub("broker.err"));
    bootstrap->clear();
    for (const auto until = Clock::now() + std::chrono::seconds(30); bootstrap->empty() && Clock::now() < until;) {
      std::ifstream(bs_file) >> *bootstrap;
      if (bootstrap->empty()) std::this_thread::sleep_for(milliseconds(100));  // poll interval
    }
    return broker;
  }

  testing::TempDir dir_;
};

// Issue 17, defect 11: a second engine with the same API address started and
// both listened; a second engine on the same data directory is refused by
// RocksDB's lock, and says so.
TEST_F(EngineProcessTest, ASecondEngineIsRefusedOnTheSameAddressAndOnTheSameDataDirectory) {
  const int port = FreePort();
  ASSERT_GT(port, 0);
  testing::Subprocess first({testing::CentinelaBinary(), "run", "--config", Config(port, "first.yaml")},
                            dir_.Sub("first.err"));
  ASSERT_TRUE(WaitHealthy(port)) << ReadAll(dir_.Sub("first.err"));

  std::string err;
  EXPECT_EQ(testing::RunCapture({testing::CentinelaBinary(), "run", "--config", Config(port, "second.yaml"),
                                 "--data-dir", dir_.Sub("db2")},
                                &err, dir_.path()),
            1);
  EXPECT_THAT(err, HasSubstr(absl::StrCat("api: cannot listen on 127.0.0.1:", port, ": Address already in use")));

  EXPECT_EQ(testing::RunCapture({testing::CentinelaBinary(), "run", "--config", Config(FreePort(), "third.yaml")}, &err,
                                dir_.path()),
            1);
  EXPECT_THAT(err, HasSubstr("the data directory is in use by another engine (RocksDB's lock"));

  // The first engine still serves.
  testing::RawConnection c(port);
  EXPECT_EQ(c.StatusOf("GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", milliseconds(2000)), 200);
  first.Kill(SIGTERM);
  EXPECT_EQ(first.Wait(), 0) << ReadAll(dir_.Sub("first.err"));
}

// The status line and body of GET `path`, or {-1, ""}.
std::pair<int, std::string> HttpGet(int port, const std::string& path) {
  testing::RawConnection c(port);
  if (!c.Send(absl::StrCat("GET ", path, " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"))) return {-1, ""};
  const std::string r = c.Receive(milliseconds(3000));
  if (r.size() < 12) return {-1, ""};
  const size_t body = r.find("\r\n\r\n");
  return {std::atoi(r.substr(9, 3).c_str()), body == std::string::npos ? "" : r.substr(body + 4)};
}

// Waits (bounded) until GET `path` answers `status`; returns the last body.
bool WaitStatus(int port, const std::string& path, int status, std::chrono::seconds limit, std::string* body) {
  const auto until = Clock::now() + limit;
  while (Clock::now() < until) {
    auto [code, text] = HttpGet(port, path);
    *body = text;
    if (code == status) return true;
    std::this_thread::sleep_for(milliseconds(200));
  }
  return false;
}

// Issue 17, defect 6: /readyz stayed 200 while the broker was down, and
// SIGTERM then took 42 s (the shipped Kubernetes grace period is 30 s).
TEST_F(EngineProcessTest, ReadinessFollowsTheBrokerAndShutdownKeepsItsBound) {
  auto cluster = kafka::MockCluster::Start(1);
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  ASSERT_TRUE((*cluster)->CreateTopic("fiu.transactions", 2).ok());
  for (const char* t : {"centinela.dlq", "uif.alerts", "sunat.alerts", "centinela.rules", "centinela.workflow"}) {
    ASSERT_TRUE((*cluster)->CreateTopic(t, 1).ok());
  }
  const int port = FreePort();
  const std::string cfg = Config(port, "engine.yaml", (*cluster)->bootstrap(), "engine: {shutdown_timeout_ms: 5000}\n");
  testing::Subprocess engine({testing::CentinelaBinary(), "run", "--config", cfg, "--log-commits"},
                             dir_.Sub("engine.err"));
  std::string body;
  ASSERT_TRUE(WaitStatus(port, "/readyz", 200, std::chrono::seconds(60), &body)) << ReadAll(dir_.Sub("engine.err"));

  ASSERT_TRUE((*cluster)->SetBrokerDown(1).ok());
  EXPECT_TRUE(WaitStatus(port, "/readyz", 503, std::chrono::seconds(30), &body)) << body;
  EXPECT_THAT(body, HasSubstr("broker"));
  EXPECT_EQ(HttpGet(port, "/healthz").first, 200);  // alive, just not ready
  ASSERT_TRUE((*cluster)->SetBrokerUp(1).ok());
  EXPECT_TRUE(WaitStatus(port, "/readyz", 200, std::chrono::seconds(60), &body)) << body;

  // Records the engine commits but cannot deliver (their topics have no
  // leader); then the broker goes away for good, and SIGTERM must finish
  // within the bound, saying what it leaves.
  for (const char* t : {"centinela.dlq", "uif.alerts", "sunat.alerts"}) {
    ASSERT_TRUE((*cluster)->SetPartitionLeader(t, 0, -1).ok());
  }
  {
    auto producer = kafka::Producer::Create((*cluster)->bootstrap(), {});
    ASSERT_TRUE(producer.ok());
    for (int i = 0; i < 20; ++i) ASSERT_TRUE((*producer)->Produce("fiu.transactions", i % 2, "k", "not a record").ok());
    ASSERT_TRUE((*producer)->Flush(10000).ok());
  }
  bool committed = false;
  while (auto line = engine.ReadLine()) {  // ends with the process; the engine prints a line per commit
    if (absl::StrContains(*line, "consumed=20 ")) {
      committed = true;
      break;
    }
  }
  ASSERT_TRUE(committed) << ReadAll(dir_.Sub("engine.err"));
  ASSERT_TRUE((*cluster)->SetBrokerDown(1).ok());
  ASSERT_TRUE(WaitStatus(port, "/readyz", 503, std::chrono::seconds(30), &body)) << body;
  const auto start = Clock::now();
  engine.Kill(SIGTERM);
  const int code = engine.Wait();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  const std::string err = ReadAll(dir_.Sub("engine.err"));
  fprintf(stderr, "SIGTERM to exit with the broker down: %.1f s (bound 5 s)\n", seconds);
  EXPECT_LE(seconds, 5.0 + 3.0) << "shutdown took " << seconds << " s with a bound of 5 s\n" << err;
  EXPECT_EQ(code, 0) << err;
  EXPECT_THAT(err, HasSubstr("engine: shutdown within 5000 ms: every record read is committed; 20 outbox record(s) "
                             "not delivered (kept, sent at the next start"));
}

// The commit lines (--log-commits) until one reports at least `records`
// consumed; returns the consumed count reached (the process's end stops it).
// With `settled`, also until none of them waits for the event-time frontier.
int64_t ReadCommitsUntil(testing::Subprocess& engine, int64_t records, bool settled = false) {
  int64_t consumed = -1;
  while (auto line = engine.ReadLine()) {
    const size_t at = line->find(" consumed=");
    if (at == std::string::npos) continue;
    consumed = std::atoll(line->c_str() + at + 10);
    const size_t buffered = line->find(" buffered=");
    if (consumed >= records &&
        (!settled || (buffered != std::string::npos && line->substr(buffered, 11) == " buffered=0")))
      break;
  }
  return consumed;
}

// Issue 17, defect 10: in the shipped default (kafka.bootstrap: embedded) the
// engine refused its own data directory after a restart, kill -9 or clean.
TEST_F(EngineProcessTest, OnTheEmbeddedBrokerARestartKeepsAlertsWorkflowAndAuditAndReportsLostInput) {
  const int port = FreePort();
  const std::string cfg = Config(port, "engine.yaml", "embedded", "engine: {idle_timeout_ms: 100}\n");
  const std::string api = absl::StrCat("http://127.0.0.1:", port);
  auto bootstrap = [&] {
    std::string bs;
    std::ifstream(dir_.Sub("bs-engine.yaml")) >> bs;
    return bs;
  };
  gen::GenOptions g;
  g.count = 3000;
  g.cases_per_typology = 4;
  g.seed = 7;

  std::string alert_id;
  int alerts = 0;
  {
    testing::Subprocess engine({testing::CentinelaBinary(), "run", "--config", cfg, "--log-commits"},
                               dir_.Sub("run1.err"));
    ASSERT_TRUE(WaitHealthy(port)) << ReadAll(dir_.Sub("run1.err"));
    testing::PublishFeed(bootstrap(), "fiu.transactions", g);
    ASSERT_EQ(ReadCommitsUntil(engine, 3000, /*settled=*/true), 3000) << ReadAll(dir_.Sub("run1.err"));
    testing::ApiTestClient client(api);
    auto [code, body] = client.Get("/v1/alerts?limit=500", "ana");
    ASSERT_EQ(code, 200) << body;
    const auto page = testing::ApiTestClient::Parse<v1::AlertPage>(body);
    alerts = page.alerts_size();
    ASSERT_GT(alerts, 0);
    alert_id = page.alerts(0).id();
    ASSERT_EQ(
        client.Post("/v1/alerts/" + alert_id + "/transition", R"({"to":"UNDER_REVIEW","note":"before"})", "ana").first,
        200);
    engine.Kill(SIGTERM);
    ASSERT_EQ(engine.Wait(), 0) << ReadAll(dir_.Sub("run1.err"));
  }
  // A clean stop: nothing was left unprocessed, and the restart says so.
  {
    testing::Subprocess engine({testing::CentinelaBinary(), "run", "--config", cfg, "--log-commits"},
                               dir_.Sub("run2.err"));
    ASSERT_TRUE(WaitHealthy(port)) << ReadAll(dir_.Sub("run2.err"));
    const std::string err = ReadAll(dir_.Sub("run2.err"));
    EXPECT_THAT(err, HasSubstr("input: a new embedded broker"));
    EXPECT_THAT(err, HasSubstr("lost: 0 record(s) known"));
    testing::ApiTestClient client(api);
    auto [code, body] = client.Get("/v1/alerts?limit=500", "ana");
    ASSERT_EQ(code, 200);
    EXPECT_EQ(testing::ApiTestClient::Parse<v1::AlertPage>(body).alerts_size(), alerts);
    auto detail = testing::ApiTestClient::Parse<v1::AlertDetail>(client.Get("/v1/alerts/" + alert_id, "ana").second);
    EXPECT_EQ(detail.workflow().status(), v1::UNDER_REVIEW);
    // More traffic on the new broker, then kill -9 mid-stream.
    g.count = 40000;
    g.seed = 8;
    std::thread producer([&] { testing::PublishFeed(bootstrap(), "fiu.transactions", g); });
    const int64_t reached = ReadCommitsUntil(engine, 3001);
    engine.Kill(SIGKILL);
    engine.Wait();
    producer.join();
    ASSERT_GT(reached, 3000);
  }
  // kill -9: what was committed is kept; what the dead broker held beyond
  // it is reported with its offsets.
  {
    testing::Subprocess engine({testing::CentinelaBinary(), "run", "--config", cfg}, dir_.Sub("run3.err"));
    ASSERT_TRUE(WaitHealthy(port)) << ReadAll(dir_.Sub("run3.err"));
    const std::string err = ReadAll(dir_.Sub("run3.err"));
    fprintf(stderr, "the restarted engine said:\n%s", err.substr(err.find("input:"), 1500).c_str());
    EXPECT_THAT(err, HasSubstr("input: a new embedded broker"));
    EXPECT_THAT(err,
                ::testing::ContainsRegex("fiu.transactions/[0-9]+: offsets [0-9]+ to [0-9]+ \\([0-9]+ record\\(s\\), "
                                         "as last seen\\) were never processed"));
    testing::ApiTestClient client(api);
    auto detail = testing::ApiTestClient::Parse<v1::AlertDetail>(client.Get("/v1/alerts/" + alert_id, "ana").second);
    EXPECT_EQ(detail.workflow().status(), v1::UNDER_REVIEW);
    engine.Kill(SIGTERM);
    EXPECT_EQ(engine.Wait(), 0) << ReadAll(dir_.Sub("run3.err"));
  }
  // The audit chain went on across the restarts and still matches its anchor.
  std::string verify, verify_err;
  EXPECT_EQ(testing::RunCapture({testing::CentinelaBinary(), "audit", "verify", "--data-dir", dir_.Sub("db")},
                                &verify_err, dir_.path(), &verify),
            0)
      << verify_err;
  EXPECT_THAT(verify, HasSubstr("chain intact, ends at its anchor"));
}

// Every instance scores the whole input in a consumer group of its own name
// (docs/instances.md). Two instances started under one name (here both the
// host name) share that group and split the partitions: each says so,
// naming how many it owns.
TEST_F(EngineProcessTest, TwoInstancesUnderOneNameWarnThatResultsAreNotExact) {
  std::string bootstrap;
  auto broker = StartBroker(4, &bootstrap);
  ASSERT_FALSE(bootstrap.empty()) << ReadAll(dir_.Sub("broker.err"));

  const int port_a = FreePort(), port_b = FreePort();
  testing::Subprocess a({testing::CentinelaBinary(), "run", "--config", Config(port_a, "a.yaml", bootstrap),
                         "--data-dir", dir_.Sub("db-a")},
                        dir_.Sub("a.err"));
  ASSERT_TRUE(WaitHealthy(port_a)) << ReadAll(dir_.Sub("a.err"));
  testing::Subprocess b({testing::CentinelaBinary(), "run", "--config", Config(port_b, "b.yaml", bootstrap),
                         "--data-dir", dir_.Sub("db-b")},
                        dir_.Sub("b.err"));
  ASSERT_TRUE(WaitHealthy(port_b)) << ReadAll(dir_.Sub("b.err"));

  // The group rebalances over the two members: each owns 2 of the 4.
  const std::string warning = "engine: WARNING: this instance owns 2 of the 4 partitions of fiu.transactions";
  bool warned = false;
  for (const auto until = Clock::now() + std::chrono::seconds(60); !warned && Clock::now() < until;) {
    warned = absl::StrContains(ReadAll(dir_.Sub("a.err")), warning) &&
             absl::StrContains(ReadAll(dir_.Sub("b.err")), warning);
    if (!warned) std::this_thread::sleep_for(milliseconds(200));  // poll interval of the logs
  }
  EXPECT_TRUE(warned) << ReadAll(dir_.Sub("a.err")) << "\n---\n" << ReadAll(dir_.Sub("b.err"));
  EXPECT_THAT(ReadAll(dir_.Sub("b.err")),
              HasSubstr("two-sided rules, graph typologies and event-time order are NOT exact"));
  b.Kill(SIGTERM);
  a.Kill(SIGTERM);
  EXPECT_EQ(b.Wait(), 0) << ReadAll(dir_.Sub("b.err"));
  EXPECT_EQ(a.Wait(), 0) << ReadAll(dir_.Sub("a.err"));
}

// Item 6 of issue 18: two instances (replicas, docs/instances.md) answer
// the same alerts, and a transition taken by one instance's API is applied
// by both, with the same history; of two conflicting transitions, the later
// one on the workflow topic fails on both.
TEST_F(EngineProcessTest, TwoInstancesServeTheSameAlertsAndShareTheWorkflow) {
  std::string bootstrap;
  auto broker = StartBroker(2, &bootstrap);
  ASSERT_FALSE(bootstrap.empty()) << ReadAll(dir_.Sub("broker.err"));
  gen::GenOptions g;
  g.count = 3000;
  g.cases_per_typology = 4;
  g.seed = 11;
  testing::PublishFeed(bootstrap, "fiu.transactions", g);

  const int port_a = FreePort(), port_b = FreePort();
  const std::string extra = "engine: {idle_timeout_ms: 100}\n";
  testing::Subprocess a({testing::CentinelaBinary(), "run", "--config", Config(port_a, "a.yaml", bootstrap, extra),
                         "--data-dir", dir_.Sub("db-a"), "--instance", "a", "--log-commits"},
                        dir_.Sub("a.err"));
  testing::Subprocess b({testing::CentinelaBinary(), "run", "--config", Config(port_b, "b.yaml", bootstrap, extra),
                         "--data-dir", dir_.Sub("db-b"), "--instance", "b", "--log-commits"},
                        dir_.Sub("b.err"));
  ASSERT_EQ(ReadCommitsUntil(a, 3000, /*settled=*/true), 3000) << ReadAll(dir_.Sub("a.err"));
  ASSERT_EQ(ReadCommitsUntil(b, 3000, /*settled=*/true), 3000) << ReadAll(dir_.Sub("b.err"));
  testing::ApiTestClient ca(absl::StrCat("http://127.0.0.1:", port_a)), cb(absl::StrCat("http://127.0.0.1:", port_b));

  // The same alerts, whichever instance answers.
  auto [code_a, list_a] = ca.Get("/v1/alerts?limit=500");
  auto [code_b, list_b] = cb.Get("/v1/alerts?limit=500");
  ASSERT_EQ(code_a, 200) << list_a;
  ASSERT_EQ(code_b, 200) << list_b;
  const auto page_a = testing::ApiTestClient::Parse<v1::AlertPage>(list_a);
  const auto page_b = testing::ApiTestClient::Parse<v1::AlertPage>(list_b);
  ASSERT_GT(page_a.alerts_size(), 0);
  ASSERT_EQ(page_a.alerts_size(), page_b.alerts_size());
  for (int i = 0; i < page_a.alerts_size(); ++i) EXPECT_EQ(page_a.alerts(i).id(), page_b.alerts(i).id());
  const std::string id = page_a.alerts(0).id();
  const std::string path = "/v1/alerts/" + id;

  // A transition through a is applied by b.
  auto [t1, t1_body] =
      ca.Post(path + "/transition", R"({"to":"UNDER_REVIEW","note":"abro el caso","expected_version":0})", "ana");
  ASSERT_EQ(t1, 200) << t1_body;
  auto workflow_on = [&](testing::ApiTestClient& c) {
    return testing::ApiTestClient::Parse<v1::AlertDetail>(c.Get(path).second).workflow();
  };
  v1::AlertWorkflow on_b;
  for (const auto until = Clock::now() + std::chrono::seconds(15); Clock::now() < until;) {
    on_b = workflow_on(cb);
    if (on_b.version() == 1) break;
    std::this_thread::sleep_for(milliseconds(100));  // b applies it when it reads the workflow topic
  }
  EXPECT_EQ(on_b.status(), v1::UNDER_REVIEW);
  EXPECT_EQ(workflow_on(ca).SerializeAsString(), on_b.SerializeAsString());  // same history: user, note, time

  // b dismisses at version 1; a, escalating at version 1 too, is refused.
  auto [t2, t2_body] =
      cb.Post(path + "/transition", R"({"to":"DISMISSED","note":"sin sustento","expected_version":1})", "ana");
  ASSERT_EQ(t2, 200) << t2_body;
  auto [t3, t3_body] =
      ca.Post(path + "/transition", R"({"to":"ESCALATED_TO_ROS","note":"a la UIF","expected_version":1})", "ana");
  EXPECT_NE(t3, 200) << t3_body;
  EXPECT_THAT(t3_body, HasSubstr("version"));
  v1::AlertWorkflow on_a;
  for (const auto until = Clock::now() + std::chrono::seconds(15); Clock::now() < until;) {
    on_a = workflow_on(ca);
    if (on_a.version() == 2) break;
    std::this_thread::sleep_for(milliseconds(100));
  }
  EXPECT_EQ(on_a.status(), v1::DISMISSED);
  EXPECT_EQ(on_a.SerializeAsString(), workflow_on(cb).SerializeAsString());

  a.Kill(SIGTERM);
  b.Kill(SIGTERM);
  EXPECT_EQ(a.Wait(), 0) << ReadAll(dir_.Sub("a.err"));
  EXPECT_EQ(b.Wait(), 0) << ReadAll(dir_.Sub("b.err"));
}

}  // namespace
}  // namespace centinela
