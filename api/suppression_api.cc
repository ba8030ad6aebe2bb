// The suppression endpoints of the API (docs/api.md, "Suppressions"): an
// investigator proposes that a party is not a list entry (a false match),
// a supervisor other than the proposer confirms or rejects it, and a
// supervisor may revoke it. Commands go through the engine's control topic,
// so that every instance decides them alike, in the same order; the answer
// is what this instance decided. Every request is in the audit log.
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "api/http_api.h"
#include "api/http_server.h"
#include "api/http_util.h"
#include "httplib.h"
#include "screening/names/normalize.h"

namespace centinela::api {

void ApiServer::RegisterSuppressionRoutes() {
  httplib::Server& srv = *server_;
  auto route = [this](absl::string_view action, Permission p, RouteBody f) {
    return Guarded(
        action, p, [](const ApiOptions& o) { return o.rules != nullptr && o.lists != nullptr; },
        "suppressions are not available on this server", std::move(f));
  };
  srv.Get("/v1/suppressions", route("suppressions.list", Permission::kReadSuppressions,
                                    [](ApiServer* s, Call& c) { s->ListSuppressions(c); }));
  srv.Get(R"(/v1/suppressions/(S-[0-9]{1,12}))",
          route("suppressions.get", Permission::kReadSuppressions,
                [](ApiServer* s, Call& c) { s->GetSuppression(c, c.req.matches[1]); }));
  srv.Post("/v1/suppressions", route("suppressions.propose", Permission::kProposeSuppressions,
                                     [](ApiServer* s, Call& c) { s->ProposeSuppression(c); }));
  // The audit action names are literals: routes keep them for the server's life.
  for (const auto& decision : {std::pair{"confirm", "suppressions.confirm"}, std::pair{"reject", "suppressions.reject"},
                               std::pair{"revoke", "suppressions.revoke"}}) {
    const char* action = decision.first;
    srv.Post(absl::StrCat(R"(/v1/suppressions/(S-[0-9]{1,12})/)", action),
             route(decision.second, Permission::kDecideSuppressions,
                   [action](ApiServer* s, Call& c) { s->DecideSuppression(c, c.req.matches[1], action); }));
  }
}

void ApiServer::ListSuppressions(Call& c) {
  if (absl::Status s = OnlyParams(c.req, {"party", "list", "entry", "state", "by", "limit"}); !s.ok()) {
    return ReplyStatus(c.res, s);
  }
  screening::SuppressionBook::Filter f;
  f.party = c.req.get_param_value("party");
  f.list = c.req.get_param_value("list");
  f.entry_id = c.req.get_param_value("entry");
  f.by = c.req.get_param_value("by");
  if (c.req.has_param("state")) {
    const std::string name = absl::StrCat("SUPPRESSION_", absl::AsciiStrToUpper(c.req.get_param_value("state")));
    if (!v1::SuppressionState_Parse(name, &f.state) || f.state == v1::SUPPRESSION_STATE_UNSPECIFIED) {
      return ReplyStatus(c.res, Bad("state", "expected proposed, active, rejected or revoked"));
    }
  }
  if (c.req.has_param("limit") &&
      (!absl::SimpleAtoi(c.req.get_param_value("limit"), &f.limit) || f.limit < 1 || f.limit > 1000)) {
    return ReplyStatus(c.res, Bad("limit", "expected 1..1000"));
  }
  v1::SuppressionList out;
  for (v1::Suppression& s : options_.rules->registry().suppressions().Search(f)) {
    *out.add_suppressions() = std::move(s);
  }
  Reply(c.res, 200, out);
}

void ApiServer::GetSuppression(Call& c, const std::string& id) {
  c.audit.set_target(id);
  std::optional<v1::Suppression> s = options_.rules->registry().suppressions().Get(id);
  if (!s) return ReplyError(c.res, 404, "not_found", absl::StrCat("no suppression ", id));
  Reply(c.res, 200, *s);
}

void ApiServer::ProposeSuppression(Call& c) {
  v1::SuppressionRequest r;
  if (!ParseJsonBody(c.req.body, c.res, &r,
                     R"({"party": {"name": NAME, "country": "PE", "document": N}, "list": LIST, )"
                     R"("entry_id": ID, "note": WHY})")) {
    return;
  }
  if (r.party().name().empty()) return ReplyStatus(c.res, Bad("party.name", "the party's name is required"));
  if (r.note().empty()) return ReplyStatus(c.res, Bad("note", "say why this party is not the listed one"));
  std::shared_ptr<const screening::ListIndex> list = options_.lists->Get(r.list());
  if (list == nullptr) {
    return ReplyError(c.res, 404, "not_found", absl::StrCat("no list named '", r.list(), "' is loaded"), "list");
  }
  const screening::ListEntry* entry = list->FindEntry(r.entry_id());
  if (entry == nullptr) {
    return ReplyError(c.res, 404, "not_found",
                      absl::StrCat("no entry '", r.entry_id(), "' on ", r.list(), "@", list->meta().version),
                      "entry_id");
  }
  screening::ScreenQuery q;
  q.name = r.party().name();
  q.country = r.party().country();
  q.document = r.party().document();
  if (screening::NormalizeName(q.name).Empty()) {
    return ReplyStatus(c.res, Bad("party.name", "has no name tokens after normalisation"));
  }
  v1::SuppressionCommand command;
  v1::Suppression* p = command.mutable_propose();
  p->set_party_key(screening::PartyKey(q));
  p->set_party_name(q.name);
  p->set_party_country(q.country);
  p->set_party_document(q.document);
  p->set_list(r.list());
  p->set_entry_id(entry->id);
  p->set_entry_name(entry->primary_name());
  p->set_entry_digest(screening::EntryDigest(*entry));
  p->set_list_version(list->meta().version);
  p->set_note(r.note());
  c.audit.set_target(absl::StrCat(p->party_key(), " / ", r.list(), " ", entry->id));
  RunSuppression(c, std::move(command), 201);
}

void ApiServer::DecideSuppression(Call& c, const std::string& id, const std::string& action) {
  c.audit.set_target(id);
  v1::SuppressionDecision d;
  if (!ParseJsonBody(c.req.body, c.res, &d, R"({"note": WHY})")) return;
  if (d.note().empty()) return ReplyStatus(c.res, Bad("note", "a decision needs a note"));
  if (!options_.rules->registry().suppressions().Get(id)) {
    return ReplyError(c.res, 404, "not_found", absl::StrCat("no suppression ", id));
  }
  v1::SuppressionCommand command;
  if (action == "confirm") {
    command.set_confirm(id);
    command.set_valid_days(options_.suppression_days);
  } else if (action == "reject") {
    command.set_reject(id);
  } else {
    command.set_revoke(id);
  }
  command.set_note(d.note());
  RunSuppression(c, std::move(command), 200);
}

void ApiServer::RunSuppression(Call& c, v1::SuppressionCommand command, int ok_code) {
  v1::RuleControl record;
  *record.mutable_suppression() = std::move(command);
  record.set_by(c.who->user);
  auto r = options_.rules->Execute(std::move(record));
  if (!r.ok()) return ReplyStatus(c.res, r.status());
  v1::SuppressionResult out;
  out.set_ok(r->ok);
  out.set_error(r->error);
  if (r->ok) {
    std::optional<v1::Suppression> s = options_.rules->registry().suppressions().Get(r->version);
    if (s) *out.mutable_suppression() = std::move(*s);
    c.audit.set_target(absl::StrCat(r->version, " ", c.audit.target()));
  }
  Reply(c.res, r->ok ? ok_code : 409, out);
}

}  // namespace centinela::api
