// Fuzz target: whatever a client sends to the investigator API. The input
// is written as is to a TCP connection to a running ApiServer on
// 127.0.0.1 (with a store, tokens of every role, an audit log, a rule
// registry and a PEP list), so request lines, headers, query parameters,
// bearer tokens and JSON bodies all go through the server's own parsing.
// The response must arrive, and be HTTP, within the request timeout.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "api/audit_log.h"
#include "api/auth.h"
#include "api/http_api.h"
#include "base/hash.h"
#include "engine/deploy/pack_registry.h"
#include "engine/state/store.h"
#include "fuzz/fuzz_util.h"
#include "screening/lists/list_file.h"
#include "screening/lists/list_loader.h"
#include "screening/match/list_set.h"
#include "tests/testing/local_control_plane.h"
#include "yaml-cpp/yaml.h"

namespace centinela::fuzz {
namespace {

template <class T>
T Must(absl::StatusOr<T> v, const char* what) {
  if (!v.ok()) {
    std::fprintf(stderr, "fuzz setup: %s: %s\n", what, v.status().ToString().c_str());
    std::abort();
  }
  return *std::move(v);
}

struct World {
  std::string dir;
  std::unique_ptr<Store> store;
  std::unique_ptr<api::TokenAuthenticator> tokens;
  std::unique_ptr<api::AuditLog> audit;
  std::unique_ptr<testing::LocalControlPlane> rules;
  screening::ListSet lists;
  std::unique_ptr<api::ApiServer> server;
};

World* MakeWorld() {
  auto* w = new World;
  char tmpl[] = "/tmp/centinela-api-fuzz-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) std::abort();
  w->dir = tmpl;
  const std::string lists_dir = w->dir + "/lists";
  std::filesystem::create_directories(lists_dir);
  std::ofstream(lists_dir + "/pep.csv") << "dni,nombre\n40000001,\"HUAMANI CCORI, Rosalinda\"\n";
  auto spec = Must(screening::ParseListSpec(YAML::Load("{name: pep, format: csv, path: " + lists_dir +
                                                       "/pep.csv, category: pep, mapping: {header: true, "
                                                       "columns: {id: dni, name: nombre}}}"),
                                            "fuzz", w->dir),
                   "list spec");
  w->lists.SetFileRules(1 << 20, Must(screening::CanonicalDirs({lists_dir}), "list dirs"));
  if (!w->lists.Load(spec).ok()) std::abort();
  w->store = Must(Store::Open(w->dir + "/db", {}), "store");
  std::vector<api::TokenAuthenticator::Entry> entries;
  for (const auto& [user, role] : std::vector<std::pair<std::string, api::Role>>{{"ana", api::Role::kInvestigator},
                                                                                 {"sofia", api::Role::kSupervisor},
                                                                                 {"rita", api::Role::kRuleAuthor},
                                                                                 {"root", api::Role::kAdmin}}) {
    entries.push_back({user, role, Sha256Hex("token-" + user)});
  }
  w->tokens = std::make_unique<api::TokenAuthenticator>(Must(api::TokenAuthenticator::Create(entries), "tokens"));
  w->audit = Must(api::AuditLog::Open(w->dir + "/audit.log"), "audit log");
  w->rules = std::make_unique<testing::LocalControlPlane>(Must(rules::PackRegistry::Open(w->store.get()), "registry"));
  api::ApiOptions o;
  o.port = 0;
  o.request_timeout_ms = 2000;
  o.keep_alive_timeout_ms = 200;
  o.rules = w->rules.get();
  o.lists = &w->lists;
  w->server = Must(api::ApiServer::Start(w->store.get(), w->tokens.get(), w->audit.get(), o), "server");
  return w;
}

// Sends `data`, closes the sending side and reads the whole answer.
std::string Exchange(int port, const uint8_t* data, size_t size) {
  // libFuzzer's per-input timer (SIGALRM) would interrupt connect and recv
  // (EINTR); hold it until the exchange is over, bounded by our own 10 s.
  sigset_t alarm, previous;
  sigemptyset(&alarm);
  sigaddset(&alarm, SIGALRM);
  pthread_sigmask(SIG_BLOCK, &alarm, &previous);
  struct Restore {
    sigset_t* set;
    ~Restore() { pthread_sigmask(SIG_SETMASK, set, nullptr); }
  } restore{&previous};
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  Require(fd >= 0, "socket");
  timeval tv{10, 0};  // far beyond the 2 s request timeout: only a hang hits it
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  // Closed with a reset once the answer is read: no TIME_WAIT, so that a
  // million connections do not exhaust the ephemeral ports of 127.0.0.1.
  linger no_linger{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &no_linger, sizeof no_linger);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(uint16_t(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  Require(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0,
          "connect to the API (errno " + std::to_string(errno) + ")");
  size_t sent = 0;
  while (sent < size) {
    const ssize_t n = send(fd, data + sent, size - sent, MSG_NOSIGNAL);
    if (n <= 0) break;  // the server may answer and close before reading all
    sent += size_t(n);
  }
  shutdown(fd, SHUT_WR);
  std::string answer;
  char buf[8192];
  for (;;) {
    const ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n > 0) {
      answer.append(buf, size_t(n));
      continue;
    }
    Require(n == 0 || errno == ECONNRESET, "the API answered within 10 s (errno " + std::to_string(errno) + ")");
    break;
  }
  close(fd);
  return answer;
}

}  // namespace
}  // namespace centinela::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static centinela::fuzz::World* world = centinela::fuzz::MakeWorld();
  const std::string answer = centinela::fuzz::Exchange(world->server->port(), data, size);
  // Anything sent gets an HTTP answer (or, for nothing at all, none).
  if (!answer.empty()) {
    centinela::fuzz::Require(answer.rfind("HTTP/1.1 ", 0) == 0, "an HTTP answer: " + answer.substr(0, 80));
  }
  return 0;
}
