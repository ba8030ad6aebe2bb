// The rule deployment endpoints of the API (docs/api.md, "Rule deployment"):
// versions and instance reports, validate, diff, submit, approve, shadow,
// rollback and the shadow report. Commands go through the engine's control
// topic (rules::RuleControlPlane); the answer is what this instance did.
#include <limits>
#include <map>

#include "absl/strings/str_cat.h"
#include "api/http_api.h"
#include "api/http_server.h"
#include "api/http_util.h"
#include "base/time_util.h"
#include "engine/alerts/shadow_report.h"
#include "httplib.h"
#include "rules/deploy/pack_diff.h"

namespace centinela::api {
namespace {

// A version as written in a path ("peru@2.4.0+1a2b3c4d"), or "active".
constexpr const char* kVersionPattern = R"(([A-Za-z0-9._@+-]{1,160}))";

// The pack in the request body, compiled; its name for messages comes from
// ?source= (the author's file name), default "submitted pack".
absl::StatusOr<std::unique_ptr<rules::RulePack>> BodyPack(const httplib::Request& req) {
  if (req.body.empty()) return Bad("body", "expected the rule pack's YAML text");
  const std::string source = req.has_param("source") ? req.get_param_value("source") : "submitted pack";
  return rules::RulePack::Parse(req.body, source);
}

}  // namespace

void ApiServer::RegisterRuleRoutes() {
  httplib::Server& srv = *server_;
  auto route = [this](absl::string_view action, Permission p, RouteBody f) {
    return Guarded(
        action, p, [](const ApiOptions& o) { return o.rules != nullptr; },
        "rule deployment is not available on this server", std::move(f));
  };
  srv.Get("/v1/rules", route("rules.list", Permission::kReadRules, [](ApiServer* s, Call& c) { s->ListRules(c); }));
  srv.Get("/v1/rules/shadow-report",
          route("rules.shadow_report", Permission::kReadRules, [](ApiServer* s, Call& c) { s->ShadowReport(c); }));
  srv.Post("/v1/rules/validate",
           route("rules.validate", Permission::kCheckRules, [](ApiServer* s, Call& c) { s->ValidateRules(c); }));
  srv.Post("/v1/rules/diff",
           route("rules.diff", Permission::kCheckRules, [](ApiServer* s, Call& c) { s->DiffRules(c); }));
  srv.Post("/v1/rules/rollback",
           route("rules.rollback", Permission::kRollbackRules, [](ApiServer* s, Call& c) { s->RollbackRules(c); }));
  srv.Delete("/v1/rules/shadow", route("rules.shadow_stop", Permission::kShadowRules,
                                       [](ApiServer* s, Call& c) { s->ShadowRules(c, ""); }));
  srv.Post("/v1/rules",
           route("rules.submit", Permission::kSubmitRules, [](ApiServer* s, Call& c) { s->SubmitRules(c); }));
  srv.Get(
      absl::StrCat("/v1/rules/", kVersionPattern),
      route("rules.get", Permission::kReadRules, [](ApiServer* s, Call& c) { s->GetRulePack(c, c.req.matches[1]); }));
  srv.Post(absl::StrCat("/v1/rules/", kVersionPattern, "/approve"),
           route("rules.approve", Permission::kApproveRules,
                 [](ApiServer* s, Call& c) { s->ApproveRules(c, c.req.matches[1]); }));
  srv.Post(absl::StrCat("/v1/rules/", kVersionPattern, "/shadow"),
           route("rules.shadow", Permission::kShadowRules,
                 [](ApiServer* s, Call& c) { s->ShadowRules(c, c.req.matches[1]); }));
}

void ApiServer::ListRules(Call& c) {
  if (absl::Status s = OnlyParams(c.req, {}); !s.ok()) return ReplyStatus(c.res, s);
  const rules::PackRegistry& reg = options_.rules->registry();
  v1::RulesOverview o;
  const v1::RulesState st = reg.state();
  o.set_active_version(st.active_version());
  o.set_shadow_version(st.shadow_version());
  *o.mutable_activations() = st.activations();
  auto versions = reg.List();
  if (!versions.ok()) return ReplyStatus(c.res, versions.status());
  for (v1::PackRecord& r : *versions) {
    r.clear_text();
    r.clear_history();
    *o.add_versions() = std::move(r);
  }
  auto reports = reg.Reports();
  if (!reports.ok()) return ReplyStatus(c.res, reports.status());
  for (v1::InstanceReport& r : *reports) *o.add_instances() = std::move(r);
  Reply(c.res, 200, o);
}

void ApiServer::GetRulePack(Call& c, const std::string& raw) {
  if (absl::Status s = OnlyParams(c.req, {}); !s.ok()) return ReplyStatus(c.res, s);
  const rules::PackRegistry& reg = options_.rules->registry();
  const std::string version = raw == "active" ? reg.state().active_version() : raw;
  c.audit.set_target(version);
  auto r = reg.Get(version);
  if (!r.ok()) return ReplyStatus(c.res, r.status());
  if (!*r) return ReplyError(c.res, 404, "not_found", absl::StrCat("no version ", version));
  Reply(c.res, 200, **r);
}

void ApiServer::ValidateRules(Call& c) {
  if (absl::Status s = OnlyParams(c.req, {"source"}); !s.ok()) return ReplyStatus(c.res, s);
  auto pack = BodyPack(c.req);
  v1::ValidateResult r;
  if (!pack.ok()) {
    r.set_ok(false);
    r.set_error(std::string(pack.status().message()));
    return Reply(c.res, 422, r);
  }
  r.set_ok(true);
  r.set_version((*pack)->version());
  r.set_typologies(int((*pack)->typologies().size()));
  r.set_rules(int((*pack)->rules().size()));
  r.set_aggregates(int((*pack)->aggregates().size()));
  c.audit.set_target(r.version());
  Reply(c.res, 200, r);
}

void ApiServer::DiffRules(Call& c) {
  if (absl::Status s = OnlyParams(c.req, {"source", "against"}); !s.ok()) return ReplyStatus(c.res, s);
  auto pack = BodyPack(c.req);
  if (!pack.ok()) {
    v1::ValidateResult r;
    r.set_error(std::string(pack.status().message()));
    return Reply(c.res, 422, r);
  }
  const rules::PackRegistry& reg = options_.rules->registry();
  std::shared_ptr<const rules::RulePack> from;
  if (c.req.has_param("against") && c.req.get_param_value("against") != "active") {
    const std::string v = c.req.get_param_value("against");
    auto rec = reg.Get(v);
    if (!rec.ok()) return ReplyStatus(c.res, rec.status());
    if (!*rec) return ReplyError(c.res, 404, "not_found", absl::StrCat("against: no version ", v), "against");
    auto compiled = rules::RulePack::Parse((*rec)->text(), (*rec)->source());
    if (!compiled.ok()) return ReplyStatus(c.res, compiled.status());
    from = std::move(*compiled);
  } else {
    from = reg.active();
    if (from == nullptr) {
      // Found by fuzz/api/api_request_fuzzer.cc: this dereferenced null.
      return ReplyError(c.res, 409, "no_active_version",
                        "against: no version is active yet; name one with ?against=VERSION", "against");
    }
  }
  auto d = rules::DiffPacks(*from, **pack);
  if (!d.ok()) return ReplyStatus(c.res, d.status());
  v1::PackDiffView v;
  v.set_from_version(d->from_version);
  v.set_to_version(d->to_version);
  for (const rules::PackChange& ch : d->changes) {
    v1::PackChangeView* cv = v.add_changes();
    cv->set_section(ch.section);
    cv->set_name(ch.name);
    cv->set_kind(ch.kind);
    for (const std::string& s : ch.details) cv->add_details(s);
  }
  for (const std::string& w : d->warnings) v.add_warnings(w);
  v.set_text(rules::FormatPackDiff(*d));
  c.audit.set_target(d->to_version);
  Reply(c.res, 200, v);
}

void ApiServer::Deploy(Call& c, v1::RuleControl command, int ok_code) {
  command.set_by(c.who->user);
  auto r = options_.rules->Execute(std::move(command));
  if (!r.ok()) return ReplyStatus(c.res, r.status());
  const rules::PackRegistry& reg = options_.rules->registry();
  v1::DeployResult d;
  d.set_ok(r->ok);
  d.set_error(r->error);
  d.set_version(r->version);
  const v1::RulesState st = reg.state();
  d.set_active_version(st.active_version());
  d.set_shadow_version(st.shadow_version());
  if (c.audit.target().empty()) c.audit.set_target(r->version);
  Reply(c.res, r->ok ? ok_code : 409, d);
}

void ApiServer::SubmitRules(Call& c) {
  if (absl::Status s = OnlyParams(c.req, {"source", "note"}); !s.ok()) return ReplyStatus(c.res, s);
  // Compiled here first: a broken pack never reaches the control topic.
  auto pack = BodyPack(c.req);
  if (!pack.ok()) {
    v1::DeployResult d;
    d.set_ok(false);
    d.set_error(std::string(pack.status().message()));
    return Reply(c.res, 422, d);
  }
  c.audit.set_target((*pack)->version());
  v1::RuleControl cmd;
  v1::PackSubmitted* s = cmd.mutable_submitted();
  s->set_version((*pack)->version());
  s->set_text(c.req.body);
  s->set_source((*pack)->source());
  if (c.req.has_param("note")) s->set_note(c.req.get_param_value("note"));
  Deploy(c, std::move(cmd), 201);
}

void ApiServer::ApproveRules(Call& c, const std::string& version) {
  if (absl::Status s = OnlyParams(c.req, {}); !s.ok()) return ReplyStatus(c.res, s);
  c.audit.set_target(version);
  // Maker-checker, answered here as a 403; every instance checks it again.
  auto rec = options_.rules->registry().Get(version);
  if (!rec.ok()) return ReplyStatus(c.res, rec.status());
  if (!*rec) return ReplyError(c.res, 404, "not_found", absl::StrCat("no submitted version ", version));
  if ((*rec)->author() == c.who->user) {
    return ReplyError(c.res, 403, "forbidden",
                      absl::StrCat("maker-checker: ", c.who->user, " submitted ", version,
                                   " and may not approve it; another supervisor must"));
  }
  v1::RuleControl cmd;
  cmd.mutable_approved()->set_version(version);
  Deploy(c, std::move(cmd), 200);
}

void ApiServer::ShadowRules(Call& c, const std::string& version) {
  if (absl::Status s = OnlyParams(c.req, {}); !s.ok()) return ReplyStatus(c.res, s);
  c.audit.set_target(version);
  v1::RuleControl cmd;
  cmd.mutable_shadow()->set_version(version);
  Deploy(c, std::move(cmd), 200);
}

void ApiServer::RollbackRules(Call& c) {
  if (absl::Status s = OnlyParams(c.req, {"version"}); !s.ok()) return ReplyStatus(c.res, s);
  v1::RuleControl cmd;
  cmd.mutable_rolled_back()->set_version(c.req.has_param("version") ? c.req.get_param_value("version") : "");
  Deploy(c, std::move(cmd), 200);
}

void ApiServer::ShadowReport(Call& c) {
  if (absl::Status s = OnlyParams(c.req, {"from", "to"}); !s.ok()) return ReplyStatus(c.res, s);
  int64_t from = std::numeric_limits<int64_t>::min(), to = std::numeric_limits<int64_t>::max();
  for (const auto& [k, v] : c.req.params) {
    auto t = ParseTimeParam(k, v);
    if (!t.ok()) return ReplyStatus(c.res, t.status());
    // A bare date as `to` means the whole day.
    (k == "from" ? from : to) = k == "to" && v.size() == 10 ? *t + kMicrosPerDay - 1 : *t;
  }
  auto report = BuildShadowReport(*store_, from, to);
  if (!report.ok()) return ReplyStatus(c.res, report.status());
  const v1::RulesState st = options_.rules->registry().state();
  report->set_active_version(st.active_version());
  report->set_shadow_version(st.shadow_version());
  Reply(c.res, 200, *report);
}

}  // namespace centinela::api
