// The investigator API: HTTP + JSON (protobuf's JSON mapping of
// proto/centinela/v1/investigation.proto), on loopback by default, with
// bearer tokens, roles and an audit entry for every request under /v1/.
// Reference: docs/api.md.
#ifndef CENTINELA_API_HTTP_API_H_
#define CENTINELA_API_HTTP_API_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "api/audit_log.h"
#include "api/auth.h"
#include "engine/alerts/alert_search.h"
#include "engine/alerts/subject_view.h"
#include "engine/alerts/workflow.h"
#include "engine/deploy/control_plane.h"
#include "engine/state/store.h"
#include "screening/match/list_set.h"
#include "screening/suppress/suppression_book.h"

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace centinela::api {

class GuardedServer;
struct RestrictedRequest;
struct RestrictedResponse;

struct ApiOptions {
  std::string host = "127.0.0.1";     // loopback unless configured otherwise
  int port = 8470;                    // 0: any free port (tests)
  size_t max_body_bytes = 64 * 1024;  // larger request bodies get 413
  int threads = 8;
  // Connection handling (api/http_server.h): the time a request's head and
  // body may take in total, an idle keep-alive connection's life, and the
  // connections one client address may hold in full service (0: threads - 2).
  int request_timeout_ms = 10000;
  int keep_alive_timeout_ms = 5000;
  int max_connections_per_client = 0;
  // The deployed pack, whose aggregates and profiles the subject view reads;
  // null: the view has none. Borrowed: must outlive the server. Ignored
  // when `rules` is set (the registry's active pack is used).
  const rules::RulePack* pack = nullptr;
  // The engine's rule deployment (versions, submit, approve, shadow,
  // rollback); null: the /v1/rules endpoints answer 503. Borrowed.
  rules::RuleControlPlane* rules = nullptr;
  // Where alert transitions go: null, this instance's store; set, a writer
  // that every instance applies (docs/instances.md). Borrowed.
  WorkflowWriter* workflow = nullptr;
  // The engine's sanctions and PEP lists (screening, compare, reload); null:
  // the /v1/lists and /v1/screen endpoints answer 503. Borrowed.
  screening::ListSet* lists = nullptr;
  // How long a confirmed false-match suppression lasts (screening.
  // suppression_days). The /v1/suppressions endpoints need `rules` (their
  // commands go on the control topic) and `lists`.
  int suppression_days = screening::kDefaultSuppressionDays;
  // Called after a parked outbox record is put back, so that the engine's
  // drainer reads the outbox again (OutboxDrainer::Rescan). May be null.
  std::function<void()> outbox_changed;
  // Whether the engine is ready for traffic (/readyz): OK, or Unavailable
  // saying why. Null: always ready. Called from API threads.
  std::function<absl::Status()> readiness;
};

// Lifetime: borrows `store`, `tokens` and `audit`, which must outlive it; the
// destructor stops the server and joins its thread. Thread-safe: requests run
// on the server's thread pool; the stores are thread-safe.
class ApiServer {
 public:
  static absl::StatusOr<std::unique_ptr<ApiServer>> Start(Store* store, const TokenAuthenticator* tokens,
                                                          AuditLog* audit, ApiOptions options,
                                                          std::function<int64_t()> wall_clock_micros = nullptr);
  ~ApiServer();

  int port() const { return port_; }
  std::string base_url() const;

 private:
  ApiServer(Store* store, const TokenAuthenticator* tokens, AuditLog* audit, ApiOptions options,
            std::function<int64_t()> clock);

  // One /v1/ request: authenticated principal, or the 401 already answered.
  struct Call {
    const httplib::Request& req;
    httplib::Response& res;
    std::optional<Principal> who;
    v1::AuditEntry audit;
  };
  void Handle(const httplib::Request& req, httplib::Response& res, absl::string_view action, Permission permission,
              const std::function<void(Call&)>& body);
  // A route's handler: Handle, answering 503 `unavailable` (naming what)
  // unless `available()`, else `f`. `action` and `unavailable` must be
  // literals (kept for the server's life).
  using RouteBody = std::function<void(ApiServer*, Call&)>;
  std::function<void(const httplib::Request&, httplib::Response&)> Guarded(absl::string_view action, Permission p,
                                                                           bool (*available)(const ApiOptions&),
                                                                           absl::string_view unavailable, RouteBody f);
  void SearchAlerts(Call& c);
  void GetAlert(Call& c, const std::string& id);
  void GetSubject(Call& c, const std::string& kind, const std::string& id);
  void Transition(Call& c, const std::string& id);
  void ListAudit(Call& c);
  // Rule deployment (rules_api.cc).
  void RegisterRuleRoutes();
  void ListRules(Call& c);
  void GetRulePack(Call& c, const std::string& version);
  void ValidateRules(Call& c);
  void DiffRules(Call& c);
  void SubmitRules(Call& c);
  void ApproveRules(Call& c, const std::string& version);
  void ShadowRules(Call& c, const std::string& version);  // "" stops
  void RollbackRules(Call& c);
  void ShadowReport(Call& c);
  // Runs `command` through the control plane and answers a DeployResult.
  void Deploy(Call& c, v1::RuleControl command, int ok_code);
  // List screening (screening_api.cc).
  void RegisterScreeningRoutes();
  void ListLists(Call& c);
  void LoadList(Call& c, const std::string& name);
  void Screen(Call& c);
  void ScreenBatch(Call& c);
  void Compare(Call& c);
  // Moves the hits of `out` that an active suppression of the party `r`
  // skips to out->skipped, and notes lapsed ones.
  void ApplySuppressions(const v1::ScreenRequest& r, v1::ScreenResult* out) const;
  // Suppressed false matches (suppression_api.cc).
  void RegisterSuppressionRoutes();
  void ListSuppressions(Call& c);
  void GetSuppression(Call& c, const std::string& id);
  void ProposeSuppression(Call& c);
  void DecideSuppression(Call& c, const std::string& id, const std::string& action);
  // Runs a suppression command through the control plane and answers a
  // SuppressionResult.
  void RunSuppression(Call& c, v1::SuppressionCommand command, int ok_code);
  // The outbox (outbox_api.cc).
  void RegisterOutboxRoutes();
  // Health answers (also when the pool is busy), and the answer to a
  // connection not served in full (api/http_server.h).
  RestrictedResponse Health(absl::string_view path) const;
  RestrictedResponse Restricted(const RestrictedRequest& r);
  // The principal of an Authorization header value ("Bearer TOKEN").
  std::optional<Principal> Authenticate(absl::string_view authorization) const;
  // Audits the current request unless Handle did (no route, 413, 400).
  void AuditUnhandled(const httplib::Request& req, int status);
  // Records a request refused before any handler (no route, 413, 400, busy).
  void AuditRefused(absl::string_view method, absl::string_view target, absl::string_view authorization,
                    absl::string_view client, int status);
  void OutboxStatus(Call& c);
  void RetryParked(Call& c, const std::string& seq);

  Store* store_;
  const TokenAuthenticator* tokens_;
  AuditLog* audit_;
  ApiOptions options_;
  std::function<int64_t()> clock_;
  AlertSearch search_;
  WorkflowStore workflow_;
  TransactionArchive archive_;
  std::unique_ptr<GuardedServer> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace centinela::api

#endif  // CENTINELA_API_HTTP_API_H_
