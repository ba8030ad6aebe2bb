#include "cli/rules_cmd.h"

#include <filesystem>

#include "absl/strings/ascii.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "base/yaml_util.h"
#include "centinela/v1/rules.pb.h"
#include "cli/api_client.h"
#include "rules/deploy/pack_diff.h"
#include "rules/pack/rule_pack.h"

namespace centinela::cli {
namespace {

absl::StatusOr<std::string> ReadPackFile(const std::string& path) { return ReadFile(path, "rule pack"); }

// "active" for PACK_ACTIVE.
std::string StatusName(v1::PackStatus s) {
  return absl::AsciiStrToLower(absl::StripPrefix(v1::PackStatus_Name(s), "PACK_"));
}

template <typename M>
bool ParseJson(const std::string& text, M* m) {
  google::protobuf::util::JsonParseOptions o;
  o.ignore_unknown_fields = true;
  return google::protobuf::util::JsonStringToMessage(text, m, o).ok();
}

int Validate(const std::vector<std::string>& args) {
  auto f = Flags::Parse("rules validate", args, {}, {});
  if (!f.ok()) return Fail(f.status(), 2);
  if (f->positional().empty()) return Fail(absl::InvalidArgumentError("rules validate: give one or more FILEs"), 2);
  int bad = 0;
  for (const std::string& path : f->positional()) {
    auto pack = rules::RulePack::LoadFile(path);
    if (!pack.ok()) {
      fprintf(stderr, "%s\n", std::string(pack.status().message()).c_str());
      ++bad;
      continue;
    }
    printf("%s: ok: %s (%zu typologies, %zu rules, %zu aggregates, %zu profiles)\n", path.c_str(),
           (*pack)->version().c_str(), (*pack)->typologies().size(), (*pack)->rules().size(),
           (*pack)->aggregates().size(), (*pack)->profiles().size());
  }
  return bad ? 1 : 0;
}

int Diff(const std::vector<std::string>& args) {
  auto f = Flags::Parse("rules diff", args, With({"against"}, kClientFlags), {"json"});
  if (!f.ok()) return Fail(f.status(), 2);
  if (f->positional().size() != 1) return Fail(absl::InvalidArgumentError("rules diff: give one FILE"), 2);
  const std::string path = f->positional()[0];
  const std::string against = f->Get("against", "active");
  if (against != "active" && std::filesystem::exists(against)) {
    // Two files: no engine needed.
    auto from = rules::RulePack::LoadFile(against);
    if (!from.ok()) return Fail(from.status());
    auto to = rules::RulePack::LoadFile(path);
    if (!to.ok()) return Fail(to.status());
    auto d = rules::DiffPacks(**from, **to);
    if (!d.ok()) return Fail(d.status());
    printf("%s", rules::FormatPackDiff(*d).c_str());
    return 0;
  }
  auto text = ReadPackFile(path);
  if (!text.ok()) return Fail(text.status());
  auto client = ApiClient::FromFlags(*f);
  if (!client.ok()) return Fail(client.status(), 2);
  auto r = client->Raw("POST", "/v1/rules/diff", {{"source", path}, {"against", against}}, *text);
  if (!r.ok()) return Fail(r.status());
  if (client->json) {
    printf("%s\n", r->body.c_str());
    return r->status == 200 ? 0 : 1;
  }
  v1::ValidateResult invalid;
  if (r->status == 422 && ParseJson(r->body, &invalid)) {
    fprintf(stderr, "%s\n", invalid.error().c_str());
    return 1;
  }
  if (r->status != 200) return Fail(ApiClient::ErrorOf(*r));
  v1::PackDiffView v;
  if (!ParseJson(r->body, &v)) return Fail(absl::DataLossError("rules diff: unreadable answer"));
  printf("%s", v.text().c_str());
  return 0;
}

// Prints what the engine did with a command; exit 0 when applied.
int PrintDeploy(const ApiClient& client, const absl::StatusOr<ApiClient::Response>& r, absl::string_view what) {
  if (!r.ok()) return Fail(r.status());
  if (client.json) {
    printf("%s\n", r->body.c_str());
    return r->status / 100 == 2 ? 0 : 1;
  }
  // 2xx, 409 (refused by the engine) and 422 (does not compile) carry a
  // DeployResult; anything else is an ApiError (401, 403, 404, ...).
  v1::DeployResult d;
  const bool deploy_answer = r->status / 100 == 2 || r->status == 409 || r->status == 422;
  if (!deploy_answer || !ParseJson(r->body, &d)) return Fail(ApiClient::ErrorOf(*r));
  if (!d.ok()) {
    fprintf(stderr, "centinela: %s refused: %s\n", std::string(what).c_str(), d.error().c_str());
    if (!d.active_version().empty()) fprintf(stderr, "active version unchanged: %s\n", d.active_version().c_str());
    return 1;
  }
  printf("%s: %s\nactive: %s\nshadow: %s\n", std::string(what).c_str(), d.version().c_str(), d.active_version().c_str(),
         d.shadow_version().empty() ? "-" : d.shadow_version().c_str());
  return 0;
}

int Submit(const std::vector<std::string>& args) {
  auto f = Flags::Parse("rules submit", args, With({"note"}, kClientFlags), {"json"});
  if (!f.ok()) return Fail(f.status(), 2);
  if (f->positional().size() != 1) return Fail(absl::InvalidArgumentError("rules submit: give one FILE"), 2);
  auto client = ApiClient::FromFlags(*f);
  if (!client.ok()) return Fail(client.status(), 2);
  const std::string path = f->positional()[0];
  auto text = ReadPackFile(path);
  if (!text.ok()) return Fail(text.status());
  httplib::Params params = {{"source", path}};
  if (f->Has("note")) params.emplace("note", f->Get("note"));
  return PrintDeploy(*client, client->Raw("POST", "/v1/rules", params, *text), "submitted");
}

int VersionCommand(const std::string& name, const std::vector<std::string>& args) {
  const bool shadow = name == "shadow";
  auto f = Flags::Parse("rules " + name, args, kClientFlags,
                        shadow ? std::set<std::string>{"json", "stop"} : std::set<std::string>{"json"});
  if (!f.ok()) return Fail(f.status(), 2);
  const bool stop = f->Has("stop");
  const bool optional = name == "rollback";
  if (f->positional().size() > 1 || (f->positional().empty() && !optional && !stop) ||
      (stop && !f->positional().empty())) {
    return Fail(absl::InvalidArgumentError(absl::StrCat("rules ", name, ": ",
                                                        shadow     ? "give VERSION, or --stop"
                                                        : optional ? "give at most one VERSION"
                                                                   : "give VERSION")),
                2);
  }
  auto client = ApiClient::FromFlags(*f);
  if (!client.ok()) return Fail(client.status(), 2);
  const std::string version = f->positional().empty() ? "" : f->positional()[0];
  if (name == "approve") {
    return PrintDeploy(*client, client->Raw("POST", absl::StrCat("/v1/rules/", version, "/approve"), {}), "approved");
  }
  if (shadow && stop) return PrintDeploy(*client, client->Raw("DELETE", "/v1/rules/shadow", {}), "shadow stopped");
  if (shadow) {
    return PrintDeploy(*client, client->Raw("POST", absl::StrCat("/v1/rules/", version, "/shadow"), {}), "in shadow");
  }
  httplib::Params params;
  if (!version.empty()) params.emplace("version", version);
  return PrintDeploy(*client, client->Raw("POST", "/v1/rules/rollback", params), "rolled back to");
}

int List(const std::vector<std::string>& args) {
  auto f = Flags::Parse("rules list", args, kClientFlags, {"json"});
  if (!f.ok()) return Fail(f.status(), 2);
  auto client = ApiClient::FromFlags(*f);
  if (!client.ok()) return Fail(client.status(), 2);
  auto o = client->CallInto<v1::RulesOverview>("GET", "/v1/rules", {});
  if (!o.ok()) return Fail(o.status());
  if (client->json) return 0;
  Table t({"VERSION", "STATUS", "SHADOW", "AUTHOR", "SUBMITTED", "APPROVED BY", "TYPOLOGIES", "NOTE"});
  for (const v1::PackRecord& r : o->versions()) {
    t.Add({r.version(), StatusName(r.status()), r.shadow() ? "yes" : "-", r.author(), Time(r.submitted_at()),
           r.approved_by().empty() ? "-" : r.approved_by(), absl::StrCat(r.typologies()),
           r.status() == v1::PACK_REFUSED ? r.error().substr(0, 60) : r.note().substr(0, 60)});
  }
  t.Print();
  printf("\n");
  Table i({"INSTANCE", "ACTIVE", "SHADOW", "LAST RECORD", "OUTCOME", "SWITCH LAG"});
  for (const v1::InstanceReport& r : o->instances()) {
    i.Add({r.instance(), r.active_version(), r.shadow_version().empty() ? "-" : r.shadow_version(),
           absl::StrCat(r.control_offset()), r.ok() ? "ok" : absl::StrCat("refused: ", r.error().substr(0, 60)),
           r.switch_lag_ms() > 0 ? absl::StrCat(r.switch_lag_ms(), " ms") : "-"});
  }
  i.Print();
  return 0;
}

int Show(const std::vector<std::string>& args) {
  auto f = Flags::Parse("rules show", args, kClientFlags, {"json", "text"});
  if (!f.ok()) return Fail(f.status(), 2);
  if (f->positional().size() != 1) return Fail(absl::InvalidArgumentError("rules show: give VERSION (or active)"), 2);
  auto client = ApiClient::FromFlags(*f);
  if (!client.ok()) return Fail(client.status(), 2);
  auto r = client->CallInto<v1::PackRecord>("GET", absl::StrCat("/v1/rules/", f->positional()[0]), {});
  if (!r.ok()) return Fail(r.status());
  if (client->json) return 0;
  if (f->Has("text")) {
    printf("%s", r->text().c_str());
    return 0;
  }
  printf("version    %s\nstatus     %s%s\nauthor     %s (%s)\nsource     %s\n", r->version().c_str(),
         StatusName(r->status()).c_str(), r->shadow() ? ", in shadow" : "", r->author().c_str(),
         Time(r->submitted_at()).c_str(), r->source().c_str());
  if (!r->approved_by().empty())
    printf("approved   %s (%s)\n", r->approved_by().c_str(), Time(r->approved_at()).c_str());
  if (!r->error().empty()) printf("error      %s\n", r->error().c_str());
  printf("\nhistory:\n");
  Table t({"WHEN", "ACTION", "BY", "DETAIL"});
  for (const v1::PackEvent& e : r->history()) t.Add({Time(e.at()), e.action(), e.by(), e.detail()});
  t.Print();
  return 0;
}

int ShadowReport(const std::vector<std::string>& args) {
  auto f = Flags::Parse("rules shadow-report", args, With({"from", "to"}, kClientFlags), {"json"});
  if (!f.ok()) return Fail(f.status(), 2);
  auto client = ApiClient::FromFlags(*f);
  if (!client.ok()) return Fail(client.status(), 2);
  httplib::Params params;
  for (const char* k : {"from", "to"}) {
    if (f->Has(k)) params.emplace(k, f->Get(k));
  }
  auto r = client->CallInto<v1::ShadowReport>("GET", "/v1/rules/shadow-report", params);
  if (!r.ok()) return Fail(r.status());
  if (client->json) return 0;
  printf("active %s; shadow %s%s%s\n", r->active_version().c_str(),
         r->shadow_version().empty() ? "-" : r->shadow_version().c_str(),
         r->shadow_versions_seen().empty() ? "" : "; shadow alerts from ",
         absl::StrJoin(r->shadow_versions_seen(), ", ").c_str());
  Table t({"TYPOLOGY", "ACTIVE", "SHADOW", "BOTH", "SHADOW ONLY", "ACTIVE ONLY", "SHADOW ON ALERTED SUBJECTS"});
  for (const v1::ShadowReportRow& row : r->typologies()) {
    t.Add({row.typology_id(), absl::StrCat(row.active()), absl::StrCat(row.shadow()), absl::StrCat(row.both()),
           absl::StrCat(row.shadow_only()), absl::StrCat(row.active_only()),
           absl::StrCat(row.shadow_on_alerted_subjects())});
  }
  t.Print();
  printf("alerts: %ld active, %ld shadow\n", long(r->active_total()), long(r->shadow_total()));
  return 0;
}

}  // namespace

int Rules(const std::vector<std::string>& args) {
  const std::string sub = args.empty() ? "" : args[0];
  const std::vector<std::string> rest(args.begin() + (args.empty() ? 0 : 1), args.end());
  if (sub == "validate") return Validate(rest);
  if (sub == "diff") return Diff(rest);
  if (sub == "submit") return Submit(rest);
  if (sub == "approve" || sub == "shadow" || sub == "rollback") return VersionCommand(sub, rest);
  if (sub == "list") return List(rest);
  if (sub == "show") return Show(rest);
  if (sub == "shadow-report") return ShadowReport(rest);
  return Fail(absl::InvalidArgumentError(
                  absl::StrCat("rules: unknown subcommand '", sub,
                               "' (validate, diff, submit, approve, shadow, shadow-report, rollback, list, show)")),
              2);
}

}  // namespace centinela::cli
