// The list screening endpoints of the API (docs/api.md, "Screening"):
// list metadata and reload, screening one party or a batch, and comparing
// two names. Reloads parse and index aside and swap (screening::ListSet):
// the stream is not paused and a bad file leaves the previous list active.
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "api/http_api.h"
#include "api/http_server.h"
#include "api/http_util.h"
#include "httplib.h"
#include "screening/match/to_proto.h"

namespace centinela::api {
namespace {

// At most this many queries per batch request.
constexpr int kMaxBatch = 1000;

}  // namespace

void ApiServer::RegisterScreeningRoutes() {
  httplib::Server& srv = *server_;
  auto route = [this](absl::string_view action, Permission p, RouteBody f) {
    return Guarded(
        action, p, [](const ApiOptions& o) { return o.lists != nullptr; },
        "list screening is not available on this server", std::move(f));
  };
  srv.Get("/v1/lists", route("lists.list", Permission::kScreen, [](ApiServer* s, Call& c) { s->ListLists(c); }));
  srv.Post(
      R"(/v1/lists/([a-z0-9_]{1,64})/load)",
      route("lists.load", Permission::kLoadLists, [](ApiServer* s, Call& c) { s->LoadList(c, c.req.matches[1]); }));
  srv.Post("/v1/screen", route("screen", Permission::kScreen, [](ApiServer* s, Call& c) { s->Screen(c); }));
  srv.Post("/v1/screen/batch",
           route("screen.batch", Permission::kScreen, [](ApiServer* s, Call& c) { s->ScreenBatch(c); }));
  srv.Post("/v1/screen/compare",
           route("screen.compare", Permission::kScreen, [](ApiServer* s, Call& c) { s->Compare(c); }));
}

void ApiServer::ListLists(Call& c) {
  v1::ListsOverview o;
  for (const auto& l : options_.lists->All()) *o.add_lists() = screening::ToProto(*l);
  const screening::ListSetStats st = options_.lists->stats();
  o.set_cache_hits(st.cache_hits);
  o.set_cache_misses(st.cache_misses);
  o.set_swaps(st.swaps);
  Reply(c.res, 200, o);
}

void ApiServer::LoadList(Call& c, const std::string& name) {
  c.audit.set_target(name);
  v1::LoadListRequest r;
  if (!ParseJsonBody(c.req.body, c.res, &r,
                     R"({"path": FILE, "format": "ofac|un|csv", "category": "sanctions|pep|other"} (all optional))",
                     /*allow_empty=*/true)) {
    return;
  }
  v1::LoadListResult out;
  auto reloaded = options_.lists->Reload(name, r.path(), r.format(), r.category());
  if (!reloaded.ok()) {
    const absl::Status& s = reloaded.status();
    if (absl::IsInvalidArgument(s) &&
        (absl::StartsWith(s.message(), "format: ") || absl::StartsWith(s.message(), "category: "))) {
      return ReplyStatus(c.res, s);  // the request itself is wrong
    }
    out.set_ok(false);
    out.set_error(std::string(s.message()));
    if (auto current = options_.lists->Get(name)) *out.mutable_active() = screening::ToProto(*current);
    const int code = absl::IsNotFound(s) ? 404 : absl::IsPermissionDenied(s) ? 403 : 422;
    return Reply(c.res, code, out);
  }
  const screening::ListSpec* spec = &reloaded->spec;
  const screening::ListMetadata* meta = &reloaded->meta;
  *out.mutable_active() = screening::ToProto(*options_.lists->Get(name));
  if (options_.rules != nullptr) {
    // Loaded here: now every other instance, and any that starts later, loads
    // it too (through the control topic; a broken file never gets there).
    v1::RuleControl command;
    v1::ListLoad* load = command.mutable_list_load();
    load->set_name(name);
    load->set_path(spec->path);
    load->set_format(std::string(screening::ListFormatName(spec->format)));
    load->set_category(std::string(screening::ListCategoryName(spec->category)));
    load->set_version(meta->version);
    command.set_by(c.who->user);
    auto published = options_.rules->Execute(std::move(command));
    if (!published.ok()) {
      out.set_ok(false);
      out.set_error(
          absl::StrCat("loaded on this instance, but not published to the others: ", published.status().message()));
      return Reply(c.res, 503, out);
    }
  }
  out.set_ok(true);
  Reply(c.res, 200, out);
}

void ApiServer::Screen(Call& c) {
  v1::ScreenRequest r;
  if (!ParseJsonBody(c.req.body, c.res, &r,
                     R"({"name": NAME, "dob": "YYYY[-MM[-DD]]", "country": "PE", "document": N, "lists": [..]})")) {
    return;
  }
  c.audit.set_target(r.name());
  v1::ScreenResult out = screening::ScreenOne(*options_.lists, r);
  if (!out.error().empty()) {
    const bool unknown_list = absl::StrContains(out.error(), "no list named");
    return ReplyError(c.res, unknown_list ? 404 : 400, unknown_list ? "not_found" : "bad_request", out.error(),
                      unknown_list ? "lists" : "body");
  }
  ApplySuppressions(r, &out);
  Reply(c.res, 200, out);
}

void ApiServer::ApplySuppressions(const v1::ScreenRequest& r, v1::ScreenResult* out) const {
  if (options_.rules == nullptr || !options_.rules->registry().suppressions().HasActive()) return;
  screening::ScreenQuery q;
  q.name = r.name();
  q.country = r.country();
  q.document = r.document();
  const std::string key = screening::PartyKey(q);
  const int64_t now = clock_();
  google::protobuf::RepeatedPtrField<v1::ScreenHit> kept;
  for (v1::ScreenHit& hit : *out->mutable_hits()) {
    std::shared_ptr<const screening::ListIndex> list = options_.lists->Get(hit.list());
    const screening::SuppressionCheck check =
        list == nullptr
            ? screening::SuppressionCheck{}
            : screening::CheckSuppressed(options_.rules->registry().suppressions(), key, *list, hit.entry_id(), now);
    if (check.skip) {
      hit.set_suppression(absl::StrCat("skipped: ", check.note));
      *out->add_skipped() = std::move(hit);
    } else {
      hit.set_suppression(check.note);
      *kept.Add() = std::move(hit);
    }
  }
  out->mutable_hits()->Swap(&kept);
}

void ApiServer::ScreenBatch(Call& c) {
  v1::BatchScreenRequest r;
  if (!ParseJsonBody(c.req.body, c.res, &r, R"({"queries": [{"name": NAME, ...}, ...]})")) return;
  if (r.queries_size() > kMaxBatch) {
    return ReplyStatus(c.res, Bad("queries", absl::StrCat(r.queries_size(), " queries; at most ", kMaxBatch)));
  }
  c.audit.set_target(absl::StrCat(r.queries_size(), " queries"));
  v1::BatchScreenResult out;
  for (const v1::ScreenRequest& q : r.queries()) {
    v1::ScreenResult* one = out.add_results();
    *one = screening::ScreenOne(*options_.lists, q);
    if (one->error().empty()) ApplySuppressions(q, one);
  }
  Reply(c.res, 200, out);
}

void ApiServer::Compare(Call& c) {
  v1::CompareRequest r;
  if (!ParseJsonBody(c.req.body, c.res, &r, R"({"a": NAME, "b": NAME, "kind": "person"|"organization"})")) return;
  if (r.a().empty() || r.b().empty()) return ReplyStatus(c.res, Bad("body", "both a and b are required"));
  absl::StatusOr<screening::EntryKind> kind = screening::ParseNameKind(r.kind());
  if (!kind.ok()) return ReplyStatus(c.res, Bad("kind", kind.status().message()));
  screening::NormalizedName a, b;
  const screening::NameComparison cmp = screening::CompareNameReadings(r.a(), r.b(), &a, &b, *kind);
  Reply(c.res, 200, screening::ToProto(cmp, a, b, screening::kDefaultThreshold, *kind));
}

}  // namespace centinela::api
