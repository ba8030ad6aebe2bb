// The API's HTTP server: cpp-httplib's request parsing and routing, with
// connection handling of our own, so that slow or greedy clients cannot take
// the API down (docs/hardening.md, defect 5):
//  - a request's head and body must arrive within `request_timeout` in
//    total (cpp-httplib's own timeout is per read, so a client sending a
//    byte every few seconds held a worker forever);
//  - an idle keep-alive connection is closed after `keep_alive_timeout`;
//  - one client address holds at most `max_connections_per_client`
//    connections in full service; beyond that, and whenever a connection
//    has waited `overflow_grace` for a busy pool, it goes to the restricted
//    responder: one thread that reads the heads of many such connections at
//    once (epoll, `restricted_timeout`, 8 KiB) and answers each through the
//    restricted handler, which serves health endpoints and refuses the rest
//    (ApiServer audits the refusals). Slow clients cost it a file
//    descriptor, never a thread;
//  - more than `max_pending` connections waiting for a worker, or
//    `max_restricted` in the responder, are answered 503 at once, unread;
//  - the listening socket is bound without SO_REUSEPORT, so a second server
//    on the same address fails instead of sharing it.
// Internal to api/.
#ifndef CENTINELA_API_HTTP_SERVER_H_
#define CENTINELA_API_HTTP_SERVER_H_

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "base/mutex.h"
#include "httplib.h"

namespace centinela::api {

struct HttpLimits {
  int threads = 8;  // workers serving requests in full
  // Connections of one client address in full service; 0: threads - 2 (at
  // least 1), so that one client never holds the last two workers.
  int max_connections_per_client = 0;
  std::chrono::milliseconds request_timeout{10000};    // head and body of one request, in total
  std::chrono::milliseconds restricted_timeout{2000};  // a restricted connection's head
  std::chrono::milliseconds keep_alive_timeout{5000};  // idle time between requests on a connection
  std::chrono::milliseconds write_timeout{10000};      // for each write of a response
  std::chrono::milliseconds overflow_grace{100};       // longest wait for a worker before restricted service
  int keep_alive_max_requests = 100;
  size_t max_pending = 512;      // connections waiting for a worker beyond this are answered 503 unread
  size_t max_restricted = 1024;  // connections in the restricted responder beyond this likewise
};

// A request the restricted responder read (its head only).
struct RestrictedRequest {
  std::string client_ip;
  std::string method;  // empty when the head did not arrive whole in time
  std::string target;  // path and query, as sent
  std::string authorization;
  bool too_many_connections = false;  // else: every worker was busy
};
// The answer to one: status and JSON body (Connection: close is added).
struct RestrictedResponse {
  int status = 503;
  std::string body;
};
using RestrictedHandler = std::function<RestrictedResponse(const RestrictedRequest&)>;

// Lifetime: owns its task queue through cpp-httplib (created in listen,
// destroyed on stop). Thread-safe as httplib::Server is.
class GuardedServer : public httplib::Server {
 public:
  // `restricted` answers connections that are not served in full (see
  // above); it runs on the responder thread and must not block.
  GuardedServer(HttpLimits limits, RestrictedHandler restricted);
  ~GuardedServer() override;

  // Binds `host:port` (0: any free port); the error says why, e.g.
  // "address already in use". Returns the port bound.
  absl::StatusOr<int> Bind(const std::string& host, int port);
  // Stops accepting and cuts the connections being served (a slow client
  // must not delay a shutdown); listen_after_bind then returns.
  void Stop();

 private:
  class Responder;  // http_server.cc
  bool process_and_close_socket(socket_t sock) override;
  // Counts a connection of `ip` on `sock`; false when the client is over
  // its limit (call Leave either way).
  bool Enter(const std::string& ip, int sock);
  void Leave(const std::string& ip, int sock);

  const HttpLimits limits_;
  const int per_client_;
  std::unique_ptr<Responder> responder_;
  Mutex mu_;
  std::map<std::string, int> connections_ ABSL_GUARDED_BY(mu_);
  std::set<int> active_ ABSL_GUARDED_BY(mu_);  // sockets in full service
};

}  // namespace centinela::api

#endif  // CENTINELA_API_HTTP_SERVER_H_
