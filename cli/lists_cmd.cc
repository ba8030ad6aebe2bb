#include "cli/lists_cmd.h"

#include <filesystem>
#include <fstream>
#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "base/yaml_util.h"
#include "centinela/v1/screening.pb.h"
#include "cli/api_client.h"
#include "eval/name_pairs.h"
#include "eval/screening_eval.h"
#include "screening/lists/csv_reader.h"
#include "screening/match/to_proto.h"
#include "server/config.h"

namespace centinela::cli {
namespace {

using screening::ListSet;

// The lists of an engine config (--config), loaded with progress on stderr.
absl::StatusOr<std::unique_ptr<ListSet>> LocalLists(const std::string& config_path) {
  ASSIGN_OR_RETURN(EngineConfig config, LoadEngineConfig(config_path));
  if (config.lists.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(config_path, ": no screening.lists configured"));
  }
  auto set = std::make_unique<ListSet>();
  RETURN_IF_ERROR(set->LoadAll(config.lists, [](const screening::ListMetadata& m, size_t bytes) {
    fprintf(stderr, "loaded %s: %lld entries, %lld names in %.0f ms\n", m.name.c_str(),
            static_cast<long long>(m.entries), static_cast<long long>(m.names), m.load_micros / 1000.0);
  }));
  return set;
}

std::string Score(double s) { return absl::StrFormat("%.2f", s); }

void PrintInfo(const v1::ListInfo& i) {
  printf("%s  %s list (%s), %s\n", i.name().c_str(), i.category().c_str(), i.format().c_str(), i.source().c_str());
  printf("  version   %s%s\n", i.version().c_str(),
         i.published().empty() ? "" : absl::StrCat(" (published ", i.published(), ")").c_str());
  printf("  entries   %lld, names %lld (aliases %lld, weak %lld)\n", static_cast<long long>(i.entries()),
         static_cast<long long>(i.names()), static_cast<long long>(i.aliases()),
         static_cast<long long>(i.weak_aliases()));
  printf("  loaded    %s in %.0f ms, ~%.1f MB\n", i.loaded_at().c_str(), i.load_ms(), i.memory_bytes() / 1048576.0);
  printf("  files     %s\n", absl::StrJoin(i.files(), ", ").c_str());
  if (i.skipped() > 0) {
    printf("  skipped   %lld record(s), e.g. %s\n", static_cast<long long>(i.skipped()),
           i.skipped_examples().empty() ? "" : i.skipped_examples(0).c_str());
  }
}

void PrintResult(const v1::ScreenResult& r) {
  printf("%s  [%s]%s: %d hit%s\n", r.query().c_str(), r.normalized().c_str(),
         r.script().empty() ? "" : absl::StrCat(" from ", r.script()).c_str(), r.hits_size(),
         r.hits_size() == 1 ? "" : "s");
  for (const v1::ScreenHit& h : r.hits()) {
    printf("\n  %s  %s %s  %s (%s)%s\n", Score(h.score()).c_str(), h.list().c_str(), h.entry_id().c_str(),
           h.primary_name().c_str(), h.kind().c_str(),
           h.programs().empty() ? "" : absl::StrCat(" [", absl::StrJoin(h.programs(), ", "), "]").c_str());
    if (h.alias()) {
      printf("        matched %salias '%s'%s\n", h.weak_alias() ? "weak " : "", h.matched_name().c_str(),
             h.original_script() ? " (original script)" : "");
    }
    printf("        name %s = quality x coverage (query %s, listed %s)\n", Score(h.name_score()).c_str(),
           Score(h.query_coverage()).c_str(), Score(h.list_coverage()).c_str());
    for (const v1::TokenScore& t : h.tokens()) {
      if (t.how() == "unmatched") {
        printf("          %-18s %s unmatched\n", (t.query().empty() ? "-" : t.query()).c_str(),
               t.query().empty() ? absl::StrCat("(listed ", t.listed(), ")").c_str() : "");
      } else {
        printf("          %-18s ~ %-18s %s %s\n", t.query().c_str(), t.listed().c_str(), Score(t.score()).c_str(),
               t.how().c_str());
      }
    }
    for (const auto& f : h.factors()) printf("        %s\n", f.c_str());
    if (!h.suppression().empty()) printf("        %s\n", h.suppression().c_str());
  }
  for (const v1::ScreenHit& h : r.skipped()) {
    printf("\n  skipped %s %s %s  %s: %s\n", Score(h.score()).c_str(), h.list().c_str(), h.entry_id().c_str(),
           h.primary_name().c_str(), h.suppression().c_str());
  }
}

void PrintCompare(const v1::CompareResult& r) {
  printf("score %s (%s at threshold %s)\n", Score(r.score()).c_str(), r.match() ? "match" : "no match",
         Score(r.threshold()).c_str());
  printf("  a: %s\n  b: %s\n  coverage: a %s, b %s\n", r.a_normalized().c_str(), r.b_normalized().c_str(),
         Score(r.query_coverage()).c_str(), Score(r.list_coverage()).c_str());
  for (const v1::TokenScore& t : r.tokens()) {
    printf("    %-18s ~ %-18s %s %s\n", (t.query().empty() ? "-" : t.query()).c_str(),
           (t.listed().empty() ? "-" : t.listed()).c_str(), Score(t.score()).c_str(), t.how().c_str());
  }
}

absl::StatusOr<v1::ScreenRequest> RequestFromFlags(const Flags& f, const std::string& name) {
  v1::ScreenRequest r;
  r.set_name(name);
  r.set_dob(f.Get("dob"));
  r.set_country(f.Get("country"));
  r.set_document(f.Get("document"));
  r.set_kind(f.Get("kind"));
  for (absl::string_view l : absl::StrSplit(f.Get("list"), ',', absl::SkipEmpty())) r.add_lists(std::string(l));
  if (f.Has("threshold")) {
    double t;
    if (!absl::SimpleAtod(f.Get("threshold"), &t)) {
      return absl::InvalidArgumentError(absl::StrCat("--threshold: not a number: ", f.Get("threshold")));
    }
    r.set_threshold(t);
  }
  ASSIGN_OR_RETURN(const int64_t max_hits, f.GetInt("max-hits", 10, 1, 100));
  r.set_max_hits(int32_t(max_hits));
  return r;
}

// Batch input: one name per line, or CSV "name[,dob[,country]]"; blank
// lines and '#' comments skipped; a header line starting "name," too.
absl::StatusOr<std::vector<v1::ScreenRequest>> ReadBatch(const std::string& path, const v1::ScreenRequest& base,
                                                         std::vector<int>& lines_) {
  ASSIGN_OR_RETURN(const std::string text, ReadFile(path, "batch file"));
  std::vector<v1::ScreenRequest> out;
  screening::CsvReader reader(text, path);
  std::vector<std::string> f;
  while (reader.Next(f)) {
    if (f.empty() || f[0].empty() || f[0][0] == '#') continue;
    if (reader.line() == 1 && absl::AsciiStrToLower(f[0]) == "name" && f.size() > 1) continue;
    if (f.size() > 3) {
      return absl::InvalidArgumentError(
          absl::StrCat(reader.Where(), ": ", f.size(), " fields; expected name[,dob[,country]]"));
    }
    v1::ScreenRequest r = base;
    r.set_name(std::string(absl::StripAsciiWhitespace(f[0])));
    if (f.size() > 1) r.set_dob(std::string(absl::StripAsciiWhitespace(f[1])));
    if (f.size() > 2) r.set_country(std::string(absl::StripAsciiWhitespace(f[2])));
    out.push_back(std::move(r));
    out.back().set_max_hits(base.max_hits());
    lines_.push_back(reader.line());
  }
  RETURN_IF_ERROR(reader.status());
  return out;
}

int Info(const std::vector<std::string>& args) {
  auto f = Flags::Parse("lists info", args, With({"file", "format", "mapping", "category", "config"}, kClientFlags),
                        {"json"});
  if (!f.ok()) return Fail(f.status(), 2);
  const std::string only = f->positional().empty() ? "" : f->positional()[0];
  std::vector<v1::ListInfo> infos;
  if (f->Has("file")) {
    // Offline check of one file: parse, index, print its metadata.
    screening::ListSpec spec;
    spec.name = only.empty() ? "checked" : only;
    spec.path = f->Get("file");
    auto format = screening::ParseListFormat(f->Get("format", "ofac"));
    if (!format.ok()) return Fail(format.status(), 2);
    spec.format = *format;
    if (spec.format == screening::ListFormat::kCsv) {
      if (!f->Has("mapping")) return Fail(absl::InvalidArgumentError("lists info: format csv needs --mapping FILE"), 2);
      auto text = ReadFile(f->Get("mapping"), "CSV list mapping");
      if (!text.ok()) return Fail(text.status(), 2);
      auto doc = LoadYaml(*text, f->Get("mapping"));
      if (!doc.ok()) return Fail(doc.status(), 2);
      auto m = screening::ParseCsvListMapping(*doc, f->Get("mapping"));
      if (!m.ok()) return Fail(m.status(), 2);
      spec.mapping = *m;
    }
    ListSet set;
    auto meta = set.Load(spec);
    if (!meta.ok()) return Fail(meta.status());
    infos.push_back(screening::ToProto(*set.Get(spec.name)));
  } else if (f->Has("config")) {
    auto set = LocalLists(f->Get("config"));
    if (!set.ok()) return Fail(set.status());
    for (const auto& l : (*set)->All()) infos.push_back(screening::ToProto(*l));
  } else {
    auto client = ApiClient::FromFlags(*f);
    if (!client.ok()) return Fail(client.status(), 2);
    auto body = client->Call("GET", "/v1/lists", {});
    if (!body.ok()) return Fail(body.status());
    auto overview = ApiClient::Parse<v1::ListsOverview>(*body);
    if (!overview.ok()) return Fail(overview.status());
    const v1::ListsOverview& o = *overview;
    for (const auto& i : o.lists()) infos.push_back(i);
    if (!f->Has("json") && only.empty()) {
      printf("cache: %lld hits, %lld misses; %lld swaps\n", static_cast<long long>(o.cache_hits()),
             static_cast<long long>(o.cache_misses()), static_cast<long long>(o.swaps()));
    }
  }
  int shown = 0;
  for (const auto& i : infos) {
    if (!only.empty() && !f->Has("file") && i.name() != only) continue;
    ++shown;
    if (f->Has("json")) {
      if (absl::Status s = PrintJson(stdout, i); !s.ok()) return Fail(s);
    } else {
      PrintInfo(i);
    }
  }
  if (!only.empty() && shown == 0) return Fail(absl::NotFoundError(absl::StrCat("no list named '", only, "'")));
  return 0;
}

int Load(const std::vector<std::string>& args) {
  auto f = Flags::Parse("lists load", args, With({"format", "category"}, kClientFlags), {"json"});
  if (!f.ok()) return Fail(f.status(), 2);
  if (f->positional().empty() || f->positional().size() > 2) {
    return Fail(
        absl::InvalidArgumentError("lists load: give NAME and optionally FILE (the configured file by default)"), 2);
  }
  auto client = ApiClient::FromFlags(*f);
  if (!client.ok()) return Fail(client.status(), 2);
  v1::LoadListRequest r;
  if (f->positional().size() == 2) {
    // The engine reads the file: send an absolute path.
    std::error_code ec;
    r.set_path(std::filesystem::absolute(f->positional()[1], ec).lexically_normal().string());
  }
  r.set_format(f->Get("format"));
  r.set_category(f->Get("category"));
  auto request = ProtoToJson(r);
  if (!request.ok()) return Fail(request.status());
  auto resp = client->Raw("POST", absl::StrCat("/v1/lists/", f->positional()[0], "/load"), {}, *request);
  if (!resp.ok()) return Fail(resp.status());
  if (client->json) {
    printf("%s\n", resp->body.c_str());
    return resp->status == 200 ? 0 : 1;
  }
  auto parsed = ApiClient::Parse<v1::LoadListResult>(resp->body);
  if ((resp->status != 200 && resp->status != 422) || !parsed.ok()) return Fail(ApiClient::ErrorOf(*resp));
  const v1::LoadListResult& out = *parsed;
  if (!out.ok()) {
    fprintf(stderr, "centinela: error: %s\n", out.error().c_str());
    if (out.has_active()) {
      fprintf(stderr, "the previous version %s stays active (%lld entries)\n", out.active().version().c_str(),
              static_cast<long long>(out.active().entries()));
    }
    return 1;
  }
  printf("loaded; now active:\n");
  PrintInfo(out.active());
  return 0;
}

int Screen(const std::vector<std::string>& args) {
  auto f = Flags::Parse(
      "lists screen", args,
      With({"dob", "country", "document", "kind", "list", "threshold", "max-hits", "batch", "out", "config"},
           kClientFlags),
      {"json"});
  if (!f.ok()) return Fail(f.status(), 2);
  const bool batch = f->Has("batch");
  if (batch != f->positional().empty() || f->positional().size() > 1) {
    return Fail(absl::InvalidArgumentError("lists screen: give one NAME (quoted) or --batch FILE"), 2);
  }
  auto base = RequestFromFlags(*f, batch ? "" : f->positional()[0]);
  if (!base.ok()) return Fail(base.status(), 2);
  std::unique_ptr<ListSet> local;
  std::optional<ApiClient> client;
  if (f->Has("config")) {
    auto set = LocalLists(f->Get("config"));
    if (!set.ok()) return Fail(set.status());
    local = std::move(*set);
  } else {
    auto c = ApiClient::FromFlags(*f);
    if (!c.ok()) return Fail(c.status(), 2);
    client = *c;
  }
  std::vector<v1::ScreenRequest> requests;
  std::vector<int> lines;
  if (batch) {
    auto rs = ReadBatch(f->Get("batch"), *base, lines);
    if (!rs.ok()) return Fail(rs.status(), 2);
    requests = std::move(*rs);
  } else {
    requests.push_back(*base);
    lines.push_back(0);
  }
  FILE* out = stdout;
  std::unique_ptr<FILE, int (*)(FILE*)> out_file(nullptr, fclose);
  if (f->Has("out")) {
    out_file.reset(fopen(f->Get("out").c_str(), "w"));
    if (!out_file) return Fail(absl::NotFoundError(absl::StrCat(f->Get("out"), ": cannot open for writing")));
    out = out_file.get();
  }
  int64_t with_hits = 0, errors = 0;
  constexpr size_t kChunk = 500;
  for (size_t start = 0; start < requests.size(); start += kChunk) {
    const size_t end = std::min(requests.size(), start + kChunk);
    std::vector<v1::ScreenResult> results;
    if (local) {
      for (size_t i = start; i < end; ++i) results.push_back(screening::ScreenOne(*local, requests[i]));
    } else if (!batch) {
      auto request = ProtoToJson(requests[0]);
      if (!request.ok()) return Fail(request.status());
      auto body = client->Call("POST", "/v1/screen", {}, *request);
      if (!body.ok()) return Fail(body.status());
      auto r = ApiClient::Parse<v1::ScreenResult>(*body);
      if (!r.ok()) return Fail(r.status());
      results.push_back(std::move(*r));
    } else {
      v1::BatchScreenRequest br;
      for (size_t i = start; i < end; ++i) *br.add_queries() = requests[i];
      auto request = ProtoToJson(br);
      if (!request.ok()) return Fail(request.status());
      auto body = client->Call("POST", "/v1/screen/batch", {}, *request);
      if (!body.ok()) return Fail(body.status());
      auto b = ApiClient::Parse<v1::BatchScreenResult>(*body);
      if (!b.ok()) return Fail(b.status());
      for (auto& r : *b->mutable_results()) results.push_back(std::move(r));
    }
    for (size_t k = 0; k < results.size(); ++k) {
      v1::ScreenResult& r = results[k];
      if (batch) r.set_line(lines[start + k]);
      with_hits += r.hits_size() > 0;
      errors += !r.error().empty();
      if (!batch && !r.error().empty()) return Fail(absl::InvalidArgumentError(r.error()), 2);
      if (batch || f->Has("json")) {
        if (absl::Status s = PrintJson(out, r); !s.ok()) return Fail(s);
      } else {
        PrintResult(r);
      }
    }
    if (batch && requests.size() > 2000) {
      fprintf(stderr, "screened %zu of %zu\n", end, requests.size());
    }
  }
  if (batch) {
    fprintf(stderr, "screened %zu names: %lld with hits, %lld errors\n", requests.size(),
            static_cast<long long>(with_hits), static_cast<long long>(errors));
  }
  return 0;
}

int Compare(const std::vector<std::string>& args) {
  auto f = Flags::Parse("lists compare", args, {"kind"}, {"json"});
  if (!f.ok()) return Fail(f.status(), 2);
  if (f->positional().size() != 2) return Fail(absl::InvalidArgumentError("lists compare: give NAME1 NAME2"), 2);
  absl::StatusOr<screening::EntryKind> kind = screening::ParseNameKind(f->Get("kind", ""));
  if (!kind.ok()) return Fail(absl::InvalidArgumentError(absl::StrCat("--kind: ", kind.status().message())), 2);
  screening::NormalizedName a, b;
  const screening::NameComparison c =
      screening::CompareNameReadings(f->positional()[0], f->positional()[1], &a, &b, *kind);
  const v1::CompareResult r = screening::ToProto(c, a, b, screening::kDefaultThreshold, *kind);
  if (f->Has("json")) {
    // Every field, zero ones included: a comparison with no token in common
    // still says score 0, its threshold and match false.
    google::protobuf::util::JsonPrintOptions options = ProtoFieldNames();
    options.always_print_primitive_fields = true;
    absl::StatusOr<std::string> json = ProtoToJson(r, options);
    if (!json.ok()) return Fail(json.status());
    printf("%s\n", json->c_str());
  } else {
    PrintCompare(r);
  }
  return 0;
}

int Evaluate(const std::vector<std::string>& args) {
  auto f = Flags::Parse("lists evaluate", args, {"config", "negatives", "threshold", "pairs"}, {});
  if (!f.ok()) return Fail(f.status(), 2);
  auto set = LocalLists(f->Get("config", "deploy/config/engine.yaml"));
  if (!set.ok()) return Fail(set.status());
  eval::ScreeningEvalOptions o;
  auto negatives = f->GetInt("negatives", 100000, 0, 10000000);
  if (!negatives.ok()) return Fail(negatives.status(), 2);
  o.negatives = *negatives;
  if (f->Has("threshold") && !absl::SimpleAtod(f->Get("threshold"), &o.threshold)) {
    return Fail(absl::InvalidArgumentError("--threshold: not a number"), 2);
  }
  o.progress = [](const std::string& s) { fprintf(stderr, "%s\n", s.c_str()); };
  std::vector<std::string> names;
  for (const auto& l : (*set)->All()) {
    if (l->meta().category == screening::ListCategory::kSanctions) names.push_back(l->meta().name);
  }
  auto r = eval::EvaluateScreening(**set, names, o);
  if (!r.ok()) return Fail(r.status());
  printf("lists: %s; threshold %.2f\n", absl::StrJoin(names, ", ").c_str(), o.threshold);
  for (const auto& k : r->by_kind) {
    printf("  recall %-15s %6lld / %6lld = %6.2f%%\n", k.kind.c_str(), static_cast<long long>(k.found),
           static_cast<long long>(k.total), 100 * k.recall());
  }
  printf("  recall overall         %6lld / %6lld = %6.2f%%\n", static_cast<long long>(r->counts.tp),
         static_cast<long long>(r->positives()), 100 * r->recall());
  printf("  false positives        %6lld / %6lld = %6.3f%% (generated Peruvian names; %lld set aside as listed)\n",
         static_cast<long long>(r->counts.fp), static_cast<long long>(r->negatives()), 100 * r->fp_rate(),
         static_cast<long long>(r->set_aside));
  printf("  precision %.4f  recall %.4f  F1 %.4f  (%.1f s)\n", r->precision(), r->recall(), r->f1(), r->seconds);
  for (const auto& m : r->misses) printf("  miss: %s\n", m.c_str());
  for (const auto& m : r->false_positive_examples) printf("  false positive: %s\n", m.c_str());
  const std::string pairs_path = f->Get("pairs", "../shared/data/lists/cross_script_pairs.csv");
  if (std::filesystem::exists(pairs_path)) {
    auto pairs = eval::LoadCrossScriptPairs(pairs_path);
    if (!pairs.ok()) return Fail(pairs.status());
    int ok = 0;
    for (const auto& p : *pairs) {
      const double s = screening::CompareNameReadings(p.query, p.expected).score;
      ok += s >= p.min_score;
      if (s < p.min_score) {
        printf("  cross-script below minimum: %s ~ %s %.2f (min %.2f)\n", p.query.c_str(), p.expected.c_str(), s,
               p.min_score);
      }
    }
    printf("  cross-script pairs: %d of %zu reach their minimum score\n", ok, pairs->size());
  }
  return 0;
}

int Pairs(const std::vector<std::string>& args) {
  auto f = Flags::Parse("lists pairs", args, {"threshold", "errors"}, {});
  if (!f.ok()) return Fail(f.status(), 2);
  if (f->positional().size() > 1) return Fail(absl::InvalidArgumentError("lists pairs: give at most one FILE"), 2);
  const std::string path = f->positional().empty() ? "eval/data/name_pairs.csv" : f->positional()[0];
  double threshold = screening::kDefaultThreshold;
  if (f->Has("threshold") && (!absl::SimpleAtod(f->Get("threshold"), &threshold) || threshold <= 0 || threshold > 1)) {
    return Fail(absl::InvalidArgumentError("--threshold: not a number in (0, 1]"), 2);
  }
  auto show = f->GetInt("errors", 0, 0, 1000000);
  if (!show.ok()) return Fail(show.status(), 2);
  auto pairs = eval::LoadNamePairs(path);
  if (!pairs.ok()) return Fail(pairs.status());
  const eval::NamePairReport r = eval::EvaluateNamePairs(*pairs, threshold);
  const int64_t same = r.all.tp + r.all.fn;
  printf("name pairs: %s (%zu: %lld same party, %lld different); threshold %.2f\n", path.c_str(), pairs->size(),
         static_cast<long long>(same), static_cast<long long>(r.all.Total() - same), threshold);
  printf("  precision %.4f  recall %.4f  F1 %.4f\n", r.all.Precision(), r.all.Recall(), r.all.F1());
  for (const auto& [kind, c] : r.by_kind) {
    printf("  %-13s precision %.4f  recall %.4f  F1 %.4f  (%lld pairs)\n", kind.c_str(), c.Precision(), c.Recall(),
           c.F1(), static_cast<long long>(c.Total()));
  }
  printf("  by class (same party: found; different parties: wrongly matched)\n");
  for (const auto& [klass, c] : r.by_class) {
    if (c.tp + c.fn > 0) {
      printf("    %-22s found   %5lld / %5lld = %6.2f%%\n", klass.c_str(), static_cast<long long>(c.tp),
             static_cast<long long>(c.tp + c.fn), 100 * c.Recall());
    }
    if (c.fp + c.tn > 0) {
      printf("    %-22s matched %5lld / %5lld = %6.2f%%\n", klass.c_str(), static_cast<long long>(c.fp),
             static_cast<long long>(c.fp + c.tn), 100.0 * double(c.fp) / double(c.fp + c.tn));
    }
  }
  for (size_t i = 0; i < r.errors.size() && i < size_t(*show); ++i) printf("  %s\n", r.errors[i].c_str());
  if (r.errors.size() > size_t(*show)) {
    printf("  (%zu wrong answers; --errors N lists them)\n", r.errors.size());
  }
  return 0;
}

}  // namespace

int Lists(const std::vector<std::string>& args) {
  if (args.empty()) {
    return Fail(absl::InvalidArgumentError("lists: give a subcommand (info, load, screen, compare, evaluate, pairs)"),
                2);
  }
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "info") return Info(rest);
  if (args[0] == "load") return Load(rest);
  if (args[0] == "screen") return Screen(rest);
  if (args[0] == "compare") return Compare(rest);
  if (args[0] == "evaluate") return Evaluate(rest);
  if (args[0] == "pairs") return Pairs(rest);
  return Fail(absl::InvalidArgumentError(absl::StrCat("lists: unknown subcommand '", args[0],
                                                      "' (info, load, screen, compare, evaluate, pairs)")),
              2);
}

}  // namespace centinela::cli
