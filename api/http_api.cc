#include "api/http_api.h"

#include <chrono>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "api/http_server.h"
#include "api/http_util.h"
#include "base/proto_json.h"
#include "base/status_macros.h"
#include "base/time_util.h"
#include "google/protobuf/util/json_util.h"
#include "httplib.h"

namespace centinela::api {
namespace {

absl::StatusOr<double> ParseScore(absl::string_view name, const std::string& v) {
  double d;
  if (!absl::SimpleAtod(v, &d) || !(d >= 0) || d > 1e6) {
    return Bad(name, absl::StrCat("expected a number >= 0, got \"", v, "\""));
  }
  return d;
}

template <typename E>
absl::StatusOr<E> ParseEnum(absl::string_view name, const std::string& v, bool (*parse)(const std::string&, E*),
                            absl::string_view expected) {
  E e;
  if (!parse(absl::AsciiStrToUpper(v), &e) || int(e) == 0) {
    return Bad(name, absl::StrCat("expected one of ", expected, ", got \"", v, "\""));
  }
  return e;
}

// A document subject as investigators write it, "DNI:45678912" or
// "RUC:20123456789", or as the packs key it, "1:45678912" (SUNAT's document
// type code, then the number).
absl::StatusOr<std::string> ParseDocument(absl::string_view name, absl::string_view v) {
  const size_t colon = v.find(':');
  if (colon == absl::string_view::npos || colon == 0 || colon + 1 == v.size()) {
    return Bad(name, absl::StrCat("expected TYPE:NUMBER, e.g. DNI:45678912 or 1:45678912, got \"", v, "\""));
  }
  std::string type = absl::AsciiStrToUpper(v.substr(0, colon));
  if (type == "CE") type = "CARNE_EXTRANJERIA";
  v1::DocumentType t;
  int code = 0;
  if (absl::SimpleAtoi(type, &code)) {
    if (!v1::DocumentType_IsValid(code) || code == 0) return Bad(name, absl::StrCat("unknown document type ", type));
  } else if (v1::DocumentType_Parse(type, &t) && t != v1::DOCUMENT_TYPE_UNSPECIFIED) {
    code = int(t);
  } else {
    return Bad(name, absl::StrCat("unknown document type \"", v.substr(0, colon),
                                  "\" (DNI, CE, RUC, PASSPORT, NON_RESIDENT, DIPLOMATIC or their codes)"));
  }
  return absl::StrCat(code, v.substr(colon));
}

absl::StatusOr<AlertQuery> ParseSearch(const httplib::Request& req) {
  static const absl::flat_hash_set<std::string> kKnown = {
      "account",  "document",  "subject_kind", "subject_id", "typology", "destination", "status",
      "severity", "score_min", "score_max",    "from",       "to",       "region",      "pack_version",
      "shadow",   "sort",      "order",        "limit",      "cursor"};
  AlertQuery q;
  absl::flat_hash_set<std::string> seen;
  for (const auto& [k, v] : req.params) {
    if (!kKnown.contains(k)) {
      return Bad(k, "unknown parameter (see docs/api.md for the search parameters)");
    }
    if (!seen.insert(k).second) return Bad(k, "given more than once");
    if (v.empty()) return Bad(k, "empty value");
    if (k == "account" || k == "document") {
      if (!q.subject_id.empty()) return Bad(k, "only one of account, document, subject_id");
      q.subject_kind = k;
      if (k == "document") {
        ASSIGN_OR_RETURN(q.subject_id, ParseDocument(k, v));
      } else {
        q.subject_id = v;
      }
    } else if (k == "subject_kind") {
      q.subject_kind = v;
    } else if (k == "subject_id") {
      if (!q.subject_id.empty() && q.subject_kind != "") return Bad(k, "only one of account, document, subject_id");
      q.subject_id = v;
    } else if (k == "typology") {
      q.typology = v;
    } else if (k == "pack_version") {
      q.pack_version = v;
    } else if (k == "region") {
      q.region = v;
    } else if (k == "destination") {
      ASSIGN_OR_RETURN(q.destination, ParseEnum<v1::Destination>(k, v, &v1::Destination_Parse, "UIF, SUNAT"));
    } else if (k == "status") {
      ASSIGN_OR_RETURN(q.status, ParseEnum<v1::AlertStatus>(k, v, &v1::AlertStatus_Parse,
                                                            "NEW, UNDER_REVIEW, ESCALATED_TO_ROS, DISMISSED"));
    } else if (k == "severity") {
      ASSIGN_OR_RETURN(q.severity, ParseEnum<v1::Severity>(k, v, &v1::Severity_Parse, "LOW, MEDIUM, HIGH, CRITICAL"));
    } else if (k == "score_min") {
      ASSIGN_OR_RETURN(q.score_min, ParseScore(k, v));
    } else if (k == "score_max") {
      ASSIGN_OR_RETURN(q.score_max, ParseScore(k, v));
    } else if (k == "from") {
      ASSIGN_OR_RETURN(q.from_micros, ParseTimeParam(k, v));
    } else if (k == "to") {
      ASSIGN_OR_RETURN(q.to_micros, ParseTimeParam(k, v));
    } else if (k == "shadow") {
      if (v != "true" && v != "false") return Bad(k, absl::StrCat("expected true or false, got \"", v, "\""));
      q.shadow = v == "true";
    } else if (k == "sort") {
      if (v != "time" && v != "score") return Bad(k, absl::StrCat("expected time or score, got \"", v, "\""));
      q.sort = v == "time" ? AlertIndex::Order::kTime : AlertIndex::Order::kScore;
    } else if (k == "order") {
      if (v != "desc" && v != "asc") return Bad(k, absl::StrCat("expected desc or asc, got \"", v, "\""));
      q.ascending = v == "asc";
    } else if (k == "limit") {
      if (!absl::SimpleAtoi(v, &q.limit)) return Bad(k, absl::StrCat("expected an integer, got \"", v, "\""));
    } else if (k == "cursor") {
      q.cursor = v;
    }
  }
  if (!q.subject_id.empty() && q.subject_kind.empty()) return Bad("subject_kind", "required with subject_id");
  if (q.subject_id.empty() && !q.subject_kind.empty()) return Bad("subject_id", "required with subject_kind");
  if (q.score_min && q.score_max && *q.score_min > *q.score_max) return Bad("score_min", "greater than score_max");
  if (q.from_micros && q.to_micros && *q.from_micros >= *q.to_micros) return Bad("from", "not before to");
  return q;
}

HttpLimits LimitsOf(const ApiOptions& o) {
  HttpLimits l;
  l.threads = o.threads;
  l.max_connections_per_client = o.max_connections_per_client;
  l.request_timeout = std::chrono::milliseconds(o.request_timeout_ms);
  l.keep_alive_timeout = std::chrono::milliseconds(o.keep_alive_timeout_ms);
  return l;
}

// Whether the current request was audited by Handle (else the logger
// records it as refused). A connection's requests run on one thread.
thread_local bool t_audited = false;

bool ChangesState(Permission p) {
  switch (p) {
    case Permission::kTransitionAlerts:
    case Permission::kReopenAlerts:
    case Permission::kSubmitRules:
    case Permission::kShadowRules:
    case Permission::kApproveRules:
    case Permission::kRollbackRules:
    case Permission::kLoadLists:
    case Permission::kRetryOutbox:
      return true;
    default:
      return false;
  }
}

}  // namespace

ApiServer::ApiServer(Store* store, const TokenAuthenticator* tokens, AuditLog* audit, ApiOptions options,
                     std::function<int64_t()> clock)
    : store_(store),
      tokens_(tokens),
      audit_(audit),
      options_(std::move(options)),
      clock_(std::move(clock)),
      search_(store),
      workflow_(store),
      archive_(store),
      server_(std::make_unique<GuardedServer>(LimitsOf(options_),
                                              [this](const RestrictedRequest& r) { return Restricted(r); })) {}

RestrictedResponse ApiServer::Health(absl::string_view path) const {
  if (path == "/healthz") return {200, R"({"status":"ok"})"};
  const absl::Status ready = options_.readiness ? options_.readiness() : absl::OkStatus();
  if (ready.ok()) return {200, R"({"status":"ready"})"};
  httplib::Response res;  // {"code":503,"error":"not_ready","message":WHY}
  ReplyError(res, 503, "not_ready", ready.message());
  return {503, res.body};
}

RestrictedResponse ApiServer::Restricted(const RestrictedRequest& r) {
  const absl::string_view path = absl::string_view(r.target).substr(0, r.target.find('?'));
  if (r.method == "GET" && (path == "/healthz" || path == "/readyz")) return Health(path);
  httplib::Response res;
  ReplyError(res, r.too_many_connections ? 429 : 503, r.too_many_connections ? "too_many_connections" : "unavailable",
             r.too_many_connections ? "this client holds too many connections; retry when one is closed"
                                    : "every worker is busy; retry shortly");
  if (r.method.empty() || absl::StartsWith(path, "/v1/")) {
    AuditRefused(r.method, r.target, r.authorization, r.client_ip, res.status);
  }
  return {res.status, res.body};
}

ApiServer::~ApiServer() {
  server_->Stop();
  if (thread_.joinable()) thread_.join();
}

std::string ApiServer::base_url() const { return absl::StrCat("http://", options_.host, ":", port_); }

absl::StatusOr<std::unique_ptr<ApiServer>> ApiServer::Start(Store* store, const TokenAuthenticator* tokens,
                                                            AuditLog* audit, ApiOptions options,
                                                            std::function<int64_t()> wall_clock_micros) {
  if (!wall_clock_micros) {
    wall_clock_micros = [] {
      return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
    };
  }
  if (options.threads < 1 || options.threads > 256) {
    return absl::InvalidArgumentError(absl::StrCat("api.threads: must be 1 to 256, got ", options.threads));
  }
  std::unique_ptr<ApiServer> s(new ApiServer(store, tokens, audit, options, std::move(wall_clock_micros)));
  GuardedServer& srv = *s->server_;
  srv.set_payload_max_length(options.max_body_bytes);
  // Answers go out as soon as written: with Nagle's algorithm a keep-alive
  // client waits for the delayed ACK, ~40 ms per request (measured).
  srv.set_tcp_nodelay(true);
  ApiServer* self = s.get();
  srv.Get("/healthz", [self](const httplib::Request&, httplib::Response& res) {
    const RestrictedResponse h = self->Health("/healthz");
    res.status = h.status;
    res.set_content(h.body, std::string(kJson).c_str());
  });
  srv.Get("/readyz", [self](const httplib::Request&, httplib::Response& res) {
    const RestrictedResponse h = self->Health("/readyz");
    res.status = h.status;
    res.set_content(h.body, std::string(kJson).c_str());
  });
  srv.Get("/v1/alerts", [self](const httplib::Request& req, httplib::Response& res) {
    self->Handle(req, res, "alerts.search", Permission::kReadAlerts, [self](Call& c) { self->SearchAlerts(c); });
  });
  srv.Get(R"(/v1/alerts/([A-Za-z0-9._-]{1,128}))", [self](const httplib::Request& req, httplib::Response& res) {
    const std::string id = req.matches[1];
    self->Handle(req, res, "alerts.get", Permission::kReadAlerts, [self, &id](Call& c) { self->GetAlert(c, id); });
  });
  srv.Get(R"(/v1/subjects/(account|document)/([^/]{1,256}))",
          [self](const httplib::Request& req, httplib::Response& res) {
            const std::string kind = req.matches[1], id = req.matches[2];
            self->Handle(req, res, "subjects.get", Permission::kReadAlerts,
                         [self, &kind, &id](Call& c) { self->GetSubject(c, kind, id); });
          });
  srv.Post(R"(/v1/alerts/([A-Za-z0-9._-]{1,128})/transition)",
           [self](const httplib::Request& req, httplib::Response& res) {
             const std::string id = req.matches[1];
             self->Handle(req, res, "alerts.transition", Permission::kTransitionAlerts,
                          [self, &id](Call& c) { self->Transition(c, id); });
           });
  srv.Get("/v1/audit", [self](const httplib::Request& req, httplib::Response& res) {
    self->Handle(req, res, "audit.list", Permission::kReadAudit, [self](Call& c) { self->ListAudit(c); });
  });
  s->RegisterRuleRoutes();
  s->RegisterScreeningRoutes();
  s->RegisterSuppressionRoutes();
  s->RegisterOutboxRoutes();
  // Whatever reaches no route, or fails before one (413 for an oversized
  // body), still answers a JSON error.
  srv.set_error_handler([self](const httplib::Request& req, httplib::Response& res) {
    self->AuditUnhandled(req, res.status);  // before the answer leaves
    if (!res.body.empty()) return;
    if (res.status == 413) {
      ReplyError(res, 413, "payload_too_large", "request body over the limit");
    } else if (res.status == 404) {
      ReplyError(res, 404, "not_found", absl::StrCat("no such endpoint: ", req.method, " ", req.path));
    } else {
      ReplyError(res, res.status, "error", "request failed");
    }
  });
  srv.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
    ReplyError(res, 500, "internal", "the request failed inside the server");
  });
  // Every request under /v1/ is audited: those that reach a route by Handle,
  // the others (no route, wrong method, a body over the limit, a request
  // line that does not parse) by the error handler before the answer is
  // written, or, should anything escape it, here once it is.
  srv.set_logger([self](const httplib::Request& req, const httplib::Response& res) {
    self->AuditUnhandled(req, res.status);
    t_audited = false;  // the next request on this thread starts afresh
  });
  ASSIGN_OR_RETURN(s->port_, srv.Bind(options.host, options.port));
  s->thread_ = std::thread([self] {
    if (!self->server_->listen_after_bind() && self->server_->is_running()) {
      fprintf(stderr, "api: the server on %s stopped accepting connections\n", self->base_url().c_str());
    }
  });
  return s;
}

std::optional<Principal> ApiServer::Authenticate(absl::string_view authorization) const {
  absl::string_view token = authorization;
  if (!absl::ConsumePrefix(&token, "Bearer ")) return std::nullopt;
  return tokens_->Authenticate(absl::StripAsciiWhitespace(token));
}

std::function<void(const httplib::Request&, httplib::Response&)> ApiServer::Guarded(
    absl::string_view action, Permission p, bool (*available)(const ApiOptions&), absl::string_view unavailable,
    RouteBody f) {
  return
      [this, action, p, available, unavailable, f = std::move(f)](const httplib::Request& req, httplib::Response& res) {
        Handle(req, res, action, p, [this, available, unavailable, &f](Call& c) {
          if (!available(options_)) return ReplyError(c.res, 503, "unavailable", unavailable);
          f(this, c);
        });
      };
}

void ApiServer::Handle(const httplib::Request& req, httplib::Response& res, absl::string_view action,
                       Permission permission, const std::function<void(Call&)>& body) {
  t_audited = true;  // audited here, not by the logger
  Call c{req, res, std::nullopt, {}};
  *c.audit.mutable_at() = FromMicros(clock_());
  c.audit.set_action(std::string(action));
  c.audit.set_query(ToValidUtf8(req.method == "GET" ? req.target : req.body.substr(0, 4096)));
  c.audit.set_client(req.remote_addr);
  const std::string auth = req.get_header_value("Authorization");
  c.who = Authenticate(auth);
  if (!c.who) {
    res.set_header("WWW-Authenticate", "Bearer");
    ReplyError(res, 401, "unauthorized", auth.empty() ? "missing bearer token" : "unknown or revoked token");
  } else {
    c.audit.set_user(c.who->user);
    c.audit.set_role(std::string(RoleName(c.who->role)));
    if (!Allows(c.who->role, permission)) {
      ReplyError(res, 403, "forbidden", absl::StrCat("role ", RoleName(c.who->role), " may not ", action));
    } else if (ChangesState(permission)) {
      // The attempt is on record before anything changes: a request that
      // hangs, or takes the engine down, still leaves a trace.
      v1::AuditEntry attempt = c.audit;
      attempt.set_attempt(true);
      attempt.set_target(req.path);
      absl::StatusOr<int64_t> seq = audit_->Append(attempt);
      if (!seq.ok()) return ReplyError(res, 500, "audit_unavailable", seq.status().message());
      c.audit.set_attempt_seq(*seq);
      body(c);
    } else {
      body(c);
    }
  }
  c.audit.set_outcome(res.status);
  if (absl::StatusOr<int64_t> s = audit_->Append(c.audit); !s.ok()) {
    // Alert data is not served without its audit record.
    ReplyError(res, 500, "audit_unavailable", s.status().message());
  }
}

void ApiServer::AuditUnhandled(const httplib::Request& req, int status) {
  if (t_audited || !(req.path.empty() || absl::StartsWith(req.path, "/v1/"))) return;
  t_audited = true;
  AuditRefused(req.method, req.target.empty() ? req.path : req.target, req.get_header_value("Authorization"),
               req.remote_addr, status);
}

void ApiServer::AuditRefused(absl::string_view method, absl::string_view target, absl::string_view authorization,
                             absl::string_view client, int status) {
  v1::AuditEntry e;
  *e.mutable_at() = FromMicros(clock_());
  e.set_action(status == 404 ? "unrouted" : status == 413 ? "too_large" : status == 400 ? "malformed" : "refused");
  e.set_query(ToValidUtf8(absl::StrCat(method, " ", target).substr(0, 4096)));
  e.set_client(std::string(client));
  if (const std::optional<Principal> who = Authenticate(authorization)) {
    e.set_user(who->user);
    e.set_role(std::string(RoleName(who->role)));
  }
  e.set_outcome(status);
  if (absl::StatusOr<int64_t> s = audit_->Append(e); !s.ok()) {
    // The answer is gone already; say it where an operator looks.
    fprintf(stderr, "audit: a refused request (%d %s) could not be recorded: %s\n", status,
            std::string(target.substr(0, 200)).c_str(), std::string(s.status().message()).c_str());
  }
}

void ApiServer::SearchAlerts(Call& c) {
  auto q = ParseSearch(c.req);
  if (!q.ok()) return ReplyStatus(c.res, q.status());
  auto page = search_.Search(*q);
  if (!page.ok()) return ReplyStatus(c.res, page.status());
  Reply(c.res, 200, *page);
}

void ApiServer::GetAlert(Call& c, const std::string& id) {
  c.audit.set_target(id);
  if (!c.req.params.empty()) {
    return ReplyError(c.res, 400, "bad_request", "this endpoint takes no parameters", c.req.params.begin()->first);
  }
  auto alert = search_.Get(id);
  if (!alert.ok()) return ReplyStatus(c.res, alert.status());
  auto workflow = search_.Workflow(id);
  if (!workflow.ok()) return ReplyStatus(c.res, workflow.status());
  v1::AlertDetail d;
  *d.mutable_alert() = *alert;
  *d.mutable_workflow() = *workflow;
  for (const v1::TransactionRef& ref : alert->evidence()) {
    auto entry = archive_.Get({ref.reporting_entity(), ref.id()});
    if (!entry.ok()) return ReplyStatus(c.res, entry.status());
    if (!*entry || (*entry)->fingerprint != ref.fingerprint()) {
      // Past retention, retention off when it was scored, or (after its id
      // was forgotten) another record under the same id: never that one.
      d.add_missing_evidence(ref.id());
      continue;
    }
    if (absl::Status s = DecodeArchived(**entry, d.add_evidence()); !s.ok()) return ReplyStatus(c.res, s);
  }
  c.res.set_header("ETag", absl::StrCat("\"", workflow->version(), "\""));
  Reply(c.res, 200, d);
}

void ApiServer::GetSubject(Call& c, const std::string& kind, const std::string& raw_id) {
  SubjectQuery q;
  q.kind = kind;
  if (kind == "document") {
    auto doc = ParseDocument("id", raw_id);
    if (!doc.ok()) return ReplyStatus(c.res, doc.status());
    q.id = *doc;
  } else {
    q.id = raw_id;
  }
  c.audit.set_target(absl::StrCat(kind, ":", q.id));
  for (const auto& [k, v] : c.req.params) {
    int* limit = k == "alerts"              ? &q.alert_limit
                 : k == "transactions"      ? &q.transaction_limit
                 : k == "counterparty_scan" ? &q.counterparty_scan
                                            : nullptr;
    if (limit) {
      if (!absl::SimpleAtoi(v, limit)) {
        return ReplyError(c.res, 400, "bad_request", absl::StrCat(k, ": expected an integer, got \"", v, "\""), k);
      }
    } else if (k == "as_of") {
      auto t = ParseTimeParam(k, v);
      if (!t.ok()) return ReplyStatus(c.res, t.status());
      q.as_of_micros = *t;
    } else {
      return ReplyError(c.res, 400, "bad_request",
                        absl::StrCat(k, ": unknown parameter (alerts, transactions, counterparty_scan, as_of)"), k);
    }
  }
  std::shared_ptr<const rules::RulePack> pack;  // held while the view reads it
  if (options_.rules) pack = options_.rules->registry().active();
  auto view = SubjectViewer(store_, options_.rules ? pack.get() : options_.pack).View(q);
  if (!view.ok()) return ReplyStatus(c.res, view.status());
  Reply(c.res, 200, *view);
}

void ApiServer::Transition(Call& c, const std::string& id) {
  c.audit.set_target(id);
  v1::TransitionRequest r;
  if (!ParseJsonBody(c.req.body, c.res, &r, R"({"to": STATUS, "note": TEXT, "expected_version": N})")) return;
  int64_t expected = r.expected_version();
  if (c.req.has_header("If-Match")) {
    // Found by clang: get_header_value returns a copy, which a string_view
    // must not outlive.
    const std::string if_match = c.req.get_header_value("If-Match");
    absl::string_view v = if_match;
    absl::ConsumePrefix(&v, "W/");
    absl::ConsumePrefix(&v, "\"");
    absl::ConsumeSuffix(&v, "\"");
    if (!absl::SimpleAtoi(v, &expected)) {
      return ReplyError(c.res, 400, "bad_request", "If-Match: expected the ETag of the alert, e.g. \"3\"", "If-Match");
    }
  }
  if (r.to() == v1::ALERT_STATUS_UNSPECIFIED) {
    return ReplyError(c.res, 400, "bad_request", "to: required (UNDER_REVIEW, ESCALATED_TO_ROS, DISMISSED)", "to");
  }
  const WorkflowActor actor{c.who->user, std::string(RoleName(c.who->role)),
                            Allows(c.who->role, Permission::kReopenAlerts)};
  WorkflowWriter* writer = options_.workflow ? options_.workflow : &workflow_;
  auto w = writer->Transition(id, r.to(), r.note(), expected, actor, clock_());
  if (!w.ok()) return ReplyStatus(c.res, w.status());
  c.res.set_header("ETag", absl::StrCat("\"", w->version(), "\""));
  Reply(c.res, 200, *w);
}

void ApiServer::ListAudit(Call& c) {
  int64_t from = 1;
  int limit = 100;
  for (const auto& [k, v] : c.req.params) {
    if (k == "from_seq") {
      if (!absl::SimpleAtoi(v, &from) || from < 1) {
        return ReplyError(c.res, 400, "bad_request", "from_seq: expected an integer >= 1", k);
      }
    } else if (k == "limit") {
      if (!absl::SimpleAtoi(v, &limit) || limit < 1 || limit > 1000) {
        return ReplyError(c.res, 400, "bad_request", "limit: expected 1 to 1000", k);
      }
    } else {
      return ReplyError(c.res, 400, "bad_request", absl::StrCat(k, ": unknown parameter (from_seq, limit)"), k);
    }
  }
  auto entries = AuditLog::Read(audit_->path(), from, limit);
  if (!entries.ok()) return ReplyStatus(c.res, entries.status());
  v1::AuditPage page;
  for (auto& e : *entries) *page.add_entries() = std::move(e);
  Reply(c.res, 200, page);
}

}  // namespace centinela::api
