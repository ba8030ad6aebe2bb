#include "cli/suppressions_cmd.h"

#include <cstdio>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "centinela/v1/screening.pb.h"
#include "cli/api_client.h"
#include "cli/flags.h"

namespace centinela::cli {
namespace {

std::string StateName(v1::SuppressionState s) {
  std::string n = v1::SuppressionState_Name(s);
  return absl::AsciiStrToLower(absl::StripPrefix(n, "SUPPRESSION_"));
}

std::string Day(const std::string& rfc3339) { return rfc3339.empty() ? "-" : rfc3339.substr(0, 10); }

void PrintOne(const v1::Suppression& s) {
  printf("%s  %s\n", s.id().c_str(), StateName(s.state()).c_str());
  printf("  party    %s (%s)\n", s.party_name().c_str(), s.party_key().c_str());
  printf("  entry    %s %s '%s' (list version %s)\n", s.list().c_str(), s.entry_id().c_str(), s.entry_name().c_str(),
         s.list_version().c_str());
  printf("  proposed %s by %s: %s\n", s.proposed_at().c_str(), s.proposed_by().c_str(), s.note().c_str());
  if (!s.decided_by().empty()) {
    printf("  %s %s by %s: %s\n", s.state() == v1::SUPPRESSION_REJECTED ? "rejected" : "confirmed",
           s.decided_at().c_str(), s.decided_by().c_str(), s.decision_note().c_str());
  }
  if (!s.expires_at().empty()) printf("  lapses   %s, or when the entry changes\n", s.expires_at().c_str());
  if (!s.revoked_by().empty()) {
    printf("  revoked  %s by %s: %s\n", s.revoked_at().c_str(), s.revoked_by().c_str(), s.revoke_note().c_str());
  }
}

int List(const std::vector<std::string>& args) {
  auto f = Flags::Parse("suppressions list", args,
                        With({"party", "list", "entry", "state", "by", "limit"}, kClientFlags), {"json"});
  if (!f.ok()) return Fail(f.status(), 2);
  auto client = ApiClient::FromFlags(*f);
  if (!client.ok()) return Fail(client.status(), 2);
  httplib::Params params;
  for (const char* p : {"party", "list", "entry", "state", "by", "limit"}) {
    if (f->Has(p)) params.emplace(p, f->Get(p));
  }
  auto l = client->CallInto<v1::SuppressionList>("GET", "/v1/suppressions", params);
  if (!l.ok()) return Fail(l.status());
  if (client->json) return 0;
  if (l->suppressions_size() == 0) {
    printf("no suppressions\n");
    return 0;
  }
  Table t({"ID", "STATE", "PARTY", "LIST", "ENTRY", "PROPOSED BY", "DECIDED BY", "LAPSES"});
  for (const v1::Suppression& s : l->suppressions()) {
    t.Add({s.id(), StateName(s.state()), s.party_name(), s.list(), s.entry_id(), s.proposed_by(),
           s.decided_by().empty() ? "-" : s.decided_by(), Day(s.expires_at())});
  }
  t.Print();
  return 0;
}

int Show(const std::vector<std::string>& args) {
  auto f = Flags::Parse("suppressions show", args, kClientFlags, {"json"});
  if (!f.ok()) return Fail(f.status(), 2);
  if (f->positional().size() != 1) return Fail(absl::InvalidArgumentError("suppressions show: give one ID"), 2);
  auto client = ApiClient::FromFlags(*f);
  if (!client.ok()) return Fail(client.status(), 2);
  auto s = client->CallInto<v1::Suppression>("GET", absl::StrCat("/v1/suppressions/", f->positional()[0]), {});
  if (!s.ok()) return Fail(s.status());
  if (!client->json) PrintOne(*s);
  return 0;
}

// A POST answered with a SuppressionResult (409 included: a refusal).
int Command(const ApiClient& client, const std::string& path, const std::string& body) {
  auto r = client.Raw("POST", path, {}, body);
  if (!r.ok()) return Fail(r.status());
  if (r->status / 100 != 2 && r->status != 409) return Fail(ApiClient::ErrorOf(*r));
  if (client.json) {
    printf("%s\n", r->body.c_str());
    return r->status / 100 == 2 ? 0 : 1;
  }
  auto out = ApiClient::Parse<v1::SuppressionResult>(r->body);
  if (!out.ok()) return Fail(out.status());
  if (!out->ok()) {
    fprintf(stderr, "centinela: refused: %s\n", out->error().c_str());
    return 1;
  }
  PrintOne(out->suppression());
  return 0;
}

absl::StatusOr<std::string> Json(const google::protobuf::Message& m) { return ProtoToJson(m); }

int Propose(const std::vector<std::string>& args) {
  auto f = Flags::Parse("suppressions propose", args,
                        With({"name", "country", "document", "list", "entry", "note"}, kClientFlags), {"json"});
  if (!f.ok()) return Fail(f.status(), 2);
  for (const char* required : {"name", "list", "entry", "note"}) {
    if (!f->Has(required)) {
      return Fail(absl::InvalidArgumentError(absl::StrCat("suppressions propose: --", required, " is required")), 2);
    }
  }
  auto client = ApiClient::FromFlags(*f);
  if (!client.ok()) return Fail(client.status(), 2);
  v1::SuppressionRequest r;
  r.mutable_party()->set_name(f->Get("name"));
  r.mutable_party()->set_country(f->Get("country"));
  r.mutable_party()->set_document(f->Get("document"));
  r.set_list(f->Get("list"));
  r.set_entry_id(f->Get("entry"));
  r.set_note(f->Get("note"));
  auto body = Json(r);
  if (!body.ok()) return Fail(body.status());
  return Command(*client, "/v1/suppressions", *body);
}

int Decide(const std::string& action, const std::vector<std::string>& args) {
  auto f = Flags::Parse(absl::StrCat("suppressions ", action), args, With({"note"}, kClientFlags), {"json"});
  if (!f.ok()) return Fail(f.status(), 2);
  if (f->positional().size() != 1 || !f->Has("note")) {
    return Fail(absl::InvalidArgumentError(absl::StrCat("suppressions ", action, ": give ID and --note TEXT")), 2);
  }
  auto client = ApiClient::FromFlags(*f);
  if (!client.ok()) return Fail(client.status(), 2);
  v1::SuppressionDecision d;
  d.set_note(f->Get("note"));
  auto body = Json(d);
  if (!body.ok()) return Fail(body.status());
  return Command(*client, absl::StrCat("/v1/suppressions/", f->positional()[0], "/", action), *body);
}

}  // namespace

int Suppressions(const std::vector<std::string>& args) {
  if (args.empty()) {
    return Fail(absl::InvalidArgumentError("suppressions: expected list, show, propose, confirm, reject or revoke"), 2);
  }
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "list") return List(rest);
  if (args[0] == "show") return Show(rest);
  if (args[0] == "propose") return Propose(rest);
  if (args[0] == "confirm" || args[0] == "reject" || args[0] == "revoke") return Decide(args[0], rest);
  return Fail(absl::InvalidArgumentError(absl::StrCat("suppressions: unknown subcommand '", args[0],
                                                      "' (list, show, propose, confirm, reject, revoke)")),
              2);
}

}  // namespace centinela::cli
