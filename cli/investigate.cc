#include "cli/investigate.h"

#include <cstdio>
#include <cstdlib>
#include <map>

#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "base/money.h"
#include "base/proto_json.h"
#include "base/status_macros.h"
#include "base/time_util.h"
#include "centinela/v1/investigation.pb.h"
#include "cli/api_client.h"
#include "cli/flags.h"
#include "httplib.h"

namespace centinela::cli {
namespace {

std::string Amount(const v1::Money& m) {
  auto c = Currency::FromCode(m.currency());
  if (!c.ok()) return absl::StrCat(m.currency(), " ", m.minor_units(), " (minor units)");
  return FormatMoney(Money{m.minor_units(), *c});
}

std::string Amounts(const google::protobuf::RepeatedPtrField<v1::Money>& ms) {
  std::vector<std::string> out;
  for (const auto& m : ms) out.push_back(Amount(m));
  return out.empty() ? "-" : absl::StrJoin(out, " + ");
}

std::string SubjectText(const v1::Subject& s) { return absl::StrCat(s.kind(), " ", s.id()); }

std::string Destinations(const google::protobuf::RepeatedField<int>& ds) {
  std::vector<std::string> out;
  for (int d : ds) out.push_back(v1::Destination_Name(v1::Destination(d)));
  return absl::StrJoin(out, ",");
}

std::string Party(const v1::Party& p) {
  std::string s = p.account().empty() ? "(cash)" : p.account();
  if (!p.name().empty()) absl::StrAppend(&s, " ", p.name());
  return s;
}

// ---- alerts list ----------------------------------------------------------

int AlertsList(const std::vector<std::string>& args) {
  // Flags are the API's search parameters, dashes for underscores.
  const std::set<std::string> filters = {"account",   "document",  "typology", "destination", "status", "severity",
                                         "score-min", "score-max", "from",     "to",          "region", "pack-version",
                                         "shadow",    "sort",      "order",    "limit",       "cursor"};
  auto f = Flags::Parse("alerts list", args, With(filters, kClientFlags), {"json"});
  if (!f.ok()) return Fail(f.status(), 2);
  if (!f->positional().empty()) {
    return Fail(absl::InvalidArgumentError(absl::StrCat("alerts list: unexpected argument '", f->positional()[0],
                                                        "' (filters are flags, e.g. --typology fan_in)")),
                2);
  }
  auto client = ApiClient::FromFlags(*f);
  if (!client.ok()) return Fail(client.status(), 2);
  httplib::Params params;
  for (const std::string& name : filters) {
    if (!f->Has(name)) continue;
    std::string param = name;
    for (char& c : param) c = c == '-' ? '_' : c;
    params.emplace(param, f->Get(name));
  }
  auto page = client->CallInto<v1::AlertPage>("GET", "/v1/alerts", params);
  if (!page.ok()) return Fail(page.status());
  if (client->json) return 0;
  Table t({"ID", "TYPOLOGY", "SUBJECT", "SCORE", "SEVERITY", "STATUS", "CREATED", "REGION", "TO"});
  for (const auto& a : page->alerts()) {
    t.Add({a.id(), a.typology_id(), SubjectText(a.subject()), absl::StrFormat("%.2f", a.score()),
           v1::Severity_Name(a.severity()), v1::AlertStatus_Name(a.status()), Time(a.created_event_time()),
           a.region_ubigeo().empty() ? "-" : a.region_ubigeo(), Destinations(a.destinations())});
  }
  t.Print();
  printf("%zu alert(s)", t.rows());
  if (!page->next_cursor().empty()) printf("; more with --cursor %s", page->next_cursor().c_str());
  printf("\n");
  return 0;
}

// ---- alerts show ----------------------------------------------------------

void PrintTransactions(const google::protobuf::RepeatedPtrField<v1::Transaction>& txs) {
  Table t({"TRANSACTION", "EVENT TIME", "AMOUNT", "CHANNEL", "FROM", "TO"});
  for (const auto& tx : txs) {
    t.Add({tx.id(), Time(tx.event_time()), Amount(tx.amount()), v1::Channel_Name(tx.channel()), Party(tx.originator()),
           Party(tx.beneficiary())});
  }
  t.Print();
}

int AlertsShow(const std::vector<std::string>& args) {
  auto f = Flags::Parse("alerts show", args, kClientFlags, {"json"});
  if (!f.ok()) return Fail(f.status(), 2);
  if (f->positional().size() != 1) return Fail(absl::InvalidArgumentError("alerts show: expected one alert ID"), 2);
  auto client = ApiClient::FromFlags(*f);
  if (!client.ok()) return Fail(client.status(), 2);
  auto d = client->CallInto<v1::AlertDetail>("GET", "/v1/alerts/" + f->positional()[0], {});
  if (!d.ok()) return Fail(d.status());
  if (client->json) return 0;
  const v1::Alert& a = d->alert();
  printf("alert      %s\n", a.id().c_str());
  printf("typology   %s (%s)%s\n", a.typology_id().c_str(), a.typology_name().c_str(), a.shadow() ? " [shadow]" : "");
  printf("subject    %s\n", SubjectText(a.subject()).c_str());
  printf("score      %.2f  severity %s  to %s\n", a.score(), v1::Severity_Name(a.severity()).c_str(),
         Destinations(a.destinations()).c_str());
  printf("status     %s  (version %ld: send it back with --expected-version)\n",
         v1::AlertStatus_Name(d->workflow().status()).c_str(), long(d->workflow().version()));
  printf("created    %s (event time), detected %s, region %s\n", Time(a.created_event_time()).c_str(),
         Time(a.detected_at()).c_str(), a.region_ubigeo().empty() ? "-" : a.region_ubigeo().c_str());
  printf("pack       %s; %ld transaction(s) merged\n", a.pack_version().c_str(), long(a.transaction_count()));
  printf("\nrule hits\n");
  Table hits({"RULE", "WEIGHT", "TRANSACTION", "VALUES"});
  for (const auto& h : a.hits()) {
    std::vector<std::string> values;
    for (const auto& v : h.values()) values.push_back(absl::StrCat(v.name(), "=", v.value()));
    hits.Add({h.rule_id(), absl::StrFormat("%g", h.weight()), h.transaction_id(), absl::StrJoin(values, "  ")});
  }
  hits.Print();
  printf("\nevidence (%d retained", d->evidence_size());
  if (d->missing_evidence_size() > 0) {
    printf("; past retention: %s", absl::StrJoin(d->missing_evidence(), ", ").c_str());
  }
  printf(")\n");
  PrintTransactions(d->evidence());
  if (d->workflow().history_size() > 0) {
    printf("\nhistory\n");
    Table h({"AT", "BY", "ROLE", "FROM", "TO", "NOTE"});
    for (const auto& c : d->workflow().history()) {
      h.Add({Time(c.at()), c.by(), c.role(), v1::AlertStatus_Name(c.from()), v1::AlertStatus_Name(c.to()), c.note()});
    }
    h.Print();
  }
  return 0;
}

// ---- alerts transition ----------------------------------------------------

int AlertsTransition(const std::vector<std::string>& args) {
  auto f = Flags::Parse("alerts transition", args, With({"to", "note", "expected-version"}, kClientFlags), {"json"});
  if (!f.ok()) return Fail(f.status(), 2);
  if (f->positional().size() != 1) {
    return Fail(absl::InvalidArgumentError("alerts transition: expected one alert ID"), 2);
  }
  if (!f->Has("to") || !f->Has("note")) {
    return Fail(absl::InvalidArgumentError(
                    "alerts transition: --to (UNDER_REVIEW, ESCALATED_TO_ROS, DISMISSED) and --note are required"),
                2);
  }
  auto client = ApiClient::FromFlags(*f);
  if (!client.ok()) return Fail(client.status(), 2);
  const std::string id = f->positional()[0];
  auto expected = f->GetInt("expected-version", -1, 0, INT64_MAX);
  if (!expected.ok()) return Fail(expected.status(), 2);
  if (*expected < 0) {
    // Not given: the version as of now. A change by someone else between this
    // read and the write is still refused (409), never overwritten.
    ApiClient quiet = *client;
    quiet.json = false;
    auto d = quiet.CallInto<v1::AlertDetail>("GET", "/v1/alerts/" + id, {});
    if (!d.ok()) return Fail(d.status());
    *expected = d->workflow().version();
  }
  v1::TransitionRequest r;
  v1::AlertStatus status;
  if (!v1::AlertStatus_Parse(absl::AsciiStrToUpper(f->Get("to")), &status)) {
    return Fail(absl::InvalidArgumentError(absl::StrCat("alerts transition: --to: unknown status \"", f->Get("to"),
                                                        "\" (UNDER_REVIEW, ESCALATED_TO_ROS, DISMISSED)")),
                2);
  }
  r.set_to(status);
  r.set_note(f->Get("note"));
  r.set_expected_version(*expected);
  auto body = ProtoToJson(r);
  if (!body.ok()) return Fail(body.status());
  auto w = client->CallInto<v1::AlertWorkflow>("POST", "/v1/alerts/" + id + "/transition", {}, *body);
  if (!w.ok()) return Fail(w.status());
  if (client->json) return 0;
  printf("%s: %s (version %ld)\n", id.c_str(), v1::AlertStatus_Name(w->status()).c_str(), long(w->version()));
  return 0;
}

}  // namespace

int AlertsApi(const std::vector<std::string>& args) {
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "list") return AlertsList(rest);
  if (args[0] == "show") return AlertsShow(rest);
  return AlertsTransition(rest);
}

int Subject(const std::vector<std::string>& args) {
  if (args.empty() || args[0] != "show") {
    return Fail(absl::InvalidArgumentError("subject: expected 'show account|document ID'"), 2);
  }
  auto f = Flags::Parse("subject show", std::vector<std::string>(args.begin() + 1, args.end()),
                        With({"alerts", "transactions", "as-of"}, kClientFlags), {"json"});
  if (!f.ok()) return Fail(f.status(), 2);
  const auto& pos = f->positional();
  if (pos.size() != 2 || (pos[0] != "account" && pos[0] != "document")) {
    return Fail(absl::InvalidArgumentError(
                    "subject show: expected 'account ID' or 'document TYPE:NUMBER' (e.g. document DNI:45678912)"),
                2);
  }
  auto client = ApiClient::FromFlags(*f);
  if (!client.ok()) return Fail(client.status(), 2);
  httplib::Params params;
  if (f->Has("alerts")) params.emplace("alerts", f->Get("alerts"));
  if (f->Has("transactions")) params.emplace("transactions", f->Get("transactions"));
  if (f->Has("as-of")) params.emplace("as_of", f->Get("as-of"));
  auto v = client->CallInto<v1::SubjectView>(
      "GET", absl::StrCat("/v1/subjects/", pos[0], "/", httplib::detail::encode_query_param(pos[1])), params);
  if (!v.ok()) return Fail(v.status());
  if (client->json) return 0;
  printf("subject    %s\n", SubjectText(v->subject()).c_str());
  printf("as of      %s (event time; pack %s)\n", Time(v->as_of()).c_str(),
         v->pack_version().empty() ? "-" : v->pack_version().c_str());
  printf("\nalerts (%d%s)\n", v->alerts_size(), v->alerts_next_cursor().empty() ? "" : ", more with alerts list");
  Table alerts({"ID", "TYPOLOGY", "SCORE", "SEVERITY", "STATUS", "CREATED"});
  for (const auto& a : v->alerts()) {
    alerts.Add({a.id(), a.typology_id(), absl::StrFormat("%.2f", a.score()), v1::Severity_Name(a.severity()),
                v1::AlertStatus_Name(a.status()), Time(a.created_event_time())});
  }
  alerts.Print();
  printf("\nrecent transactions (%d)\n", v->recent_transactions_size());
  PrintTransactions(v->recent_transactions());
  printf("\ncounterparties (over the last %ld retained transactions)\n", long(v->counterparty_transactions_examined()));
  Table cps({"COUNTERPARTY", "NAME", "SENT", "SENT TOTAL", "RECEIVED", "RECEIVED TOTAL", "LAST SEEN"});
  for (const auto& c : v->counterparties()) {
    cps.Add({c.counterparty(), c.name().empty() ? "-" : c.name(), absl::StrCat(c.sent_count()), Amounts(c.sent()),
             absl::StrCat(c.received_count()), Amounts(c.received()), Time(c.last_seen())});
  }
  cps.Print();
  printf("\naggregates\n");
  Table aggs({"NAME", "FUNCTION", "WINDOW", "VALUE"});
  for (const auto& a : v->aggregates()) aggs.Add({a.name(), a.function(), a.window(), a.value()});
  aggs.Print();
  printf("\nprofiles\n");
  Table profs({"NAME", "COUNT", "MEAN", "STDDEV", "LAST SEEN"});
  for (const auto& p : v->profiles()) {
    profs.Add({p.name(), absl::StrCat(p.count()), p.has_mean() ? Amount(p.mean()) : "-",
               p.has_stddev() ? Amount(p.stddev()) : "-", Time(p.last_seen())});
  }
  profs.Print();
  return 0;
}

int AuditList(const std::vector<std::string>& args) {
  auto f = Flags::Parse("audit list", args, With({"from-seq", "limit"}, kClientFlags), {"json"});
  if (!f.ok()) return Fail(f.status(), 2);
  auto client = ApiClient::FromFlags(*f);
  if (!client.ok()) return Fail(client.status(), 2);
  httplib::Params params;
  if (f->Has("from-seq")) params.emplace("from_seq", f->Get("from-seq"));
  if (f->Has("limit")) params.emplace("limit", f->Get("limit"));
  auto page = client->CallInto<v1::AuditPage>("GET", "/v1/audit", params);
  if (!page.ok()) return Fail(page.status());
  if (client->json) return 0;
  Table t({"SEQ", "AT", "USER", "ROLE", "ACTION", "TARGET", "HTTP", "QUERY"});
  for (const auto& e : page->entries()) {
    t.Add({absl::StrCat(e.seq()), Time(e.at()), e.user().empty() ? "-" : e.user(), e.role().empty() ? "-" : e.role(),
           e.action(), e.target().empty() ? "-" : e.target(), e.attempt() ? "attempt" : absl::StrCat(e.outcome()),
           e.query()});
  }
  t.Print();
  return 0;
}

}  // namespace centinela::cli
