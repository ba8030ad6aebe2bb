#include "screening/match/to_proto.h"

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "base/status_macros.h"

namespace centinela::screening {

v1::ListInfo ToProto(const ListIndex& list) {
  const ListMetadata& m = list.meta();
  v1::ListInfo i;
  i.set_name(m.name);
  i.set_format(m.format);
  i.set_category(std::string(ListCategoryName(m.category)));
  i.set_source(m.source);
  for (const auto& f : m.files) i.add_files(f);
  i.set_version(m.version);
  i.set_published(m.published);
  i.set_entries(m.entries);
  i.set_names(m.names);
  i.set_aliases(m.aliases);
  i.set_weak_aliases(m.weak_aliases);
  i.set_loaded_at(
      absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixMicros(m.loaded_at_micros), absl::UTCTimeZone()));
  i.set_load_ms(double(m.load_micros) / 1000.0);
  i.set_memory_bytes(int64_t(list.MemoryBytes()));
  i.set_skipped(m.skipped);
  for (const auto& e : m.skipped_examples) i.add_skipped_examples(e);
  return i;
}

namespace {
void AddTokens(const std::vector<TokenMatch>& tokens, google::protobuf::RepeatedPtrField<v1::TokenScore>* out) {
  for (const TokenMatch& t : tokens) {
    v1::TokenScore* s = out->Add();
    s->set_query(t.query);
    s->set_listed(t.listed);
    s->set_score(t.score);
    s->set_how(t.how);
  }
}
}  // namespace

v1::ScreenHit ToProto(const Hit& hit) {
  v1::ScreenHit h;
  h.set_list(hit.list);
  h.set_list_version(hit.list_version);
  h.set_entry_id(hit.entry_id);
  h.set_kind(std::string(EntryKindName(hit.kind)));
  h.set_primary_name(hit.primary_name);
  for (const auto& p : hit.programs) h.add_programs(p);
  h.set_matched_name(hit.matched_name);
  h.set_alias(hit.alias);
  h.set_weak_alias(hit.weak_alias);
  h.set_original_script(hit.original_script);
  h.set_name_score(hit.name_score);
  h.set_query_coverage(hit.query_coverage);
  h.set_list_coverage(hit.list_coverage);
  AddTokens(hit.tokens, h.mutable_tokens());
  for (const auto& f : hit.factors) h.add_factors(f);
  h.set_score(hit.score);
  return h;
}

v1::CompareResult ToProto(const NameComparison& c, const NormalizedName& a, const NormalizedName& b, double threshold,
                          EntryKind kind) {
  v1::CompareResult r;
  r.set_kind(std::string(EntryKindName(kind)));
  r.set_a_normalized(a.Display());
  r.set_b_normalized(b.Display());
  r.set_score(c.score);
  r.set_query_coverage(c.query_coverage);
  r.set_list_coverage(c.list_coverage);
  AddTokens(c.tokens, r.mutable_tokens());
  r.set_threshold(threshold);
  r.set_match(c.score >= threshold);
  return r;
}

absl::StatusOr<EntryKind> ParseNameKind(absl::string_view kind) {
  if (kind.empty()) return EntryKind::kUnknown;
  if (kind == "person") return EntryKind::kPerson;
  if (kind == "entity" || kind == "organization" || kind == "company") return EntryKind::kEntity;
  return absl::InvalidArgumentError(absl::StrCat("kind '", kind, "' is not person or organization (entity)"));
}

absl::StatusOr<ScreenQuery> FromProto(const v1::ScreenRequest& r) {
  ScreenQuery q;
  q.name = r.name();
  q.dob = r.dob();
  q.country = r.country();
  q.document = r.document();
  absl::StatusOr<EntryKind> kind = ParseNameKind(r.kind());
  if (!kind.ok()) return kind.status();
  q.kind = *kind;
  if (q.name.empty()) return absl::InvalidArgumentError("name is empty");
  if (q.name.size() > 1000) return absl::InvalidArgumentError("name is longer than 1000 bytes");
  return q;
}

absl::StatusOr<ScreenOptions> OptionsFromProto(const v1::ScreenRequest& r) {
  ScreenOptions o;
  if (r.threshold() != 0) {
    if (!(r.threshold() > 0 && r.threshold() <= 1)) {
      return absl::InvalidArgumentError(absl::StrCat("threshold ", r.threshold(), " is not in (0, 1]"));
    }
    o.threshold = r.threshold();
  }
  if (r.max_hits() != 0) {
    if (r.max_hits() < 1 || r.max_hits() > 100) {
      return absl::InvalidArgumentError(absl::StrCat("max_hits ", r.max_hits(), " is not in 1..100"));
    }
    o.max_hits = r.max_hits();
  }
  return o;
}

v1::ScreenResult ScreenOne(const ListSet& lists, const v1::ScreenRequest& request) {
  v1::ScreenResult out;
  out.set_query(request.name());
  const NormalizedName norm = NormalizeName(request.name());
  out.set_normalized(norm.Display());
  out.set_script(norm.script);
  auto q = FromProto(request);
  if (!q.ok()) {
    out.set_error(std::string(q.status().message()));
    return out;
  }
  auto o = OptionsFromProto(request);
  if (!o.ok()) {
    out.set_error(std::string(o.status().message()));
    return out;
  }
  std::vector<std::string> names(request.lists().begin(), request.lists().end());
  auto hits = lists.Screen(*q, names, *o);
  if (!hits.ok()) {
    out.set_error(std::string(hits.status().message()));
    return out;
  }
  for (const Hit& h : *hits) *out.add_hits() = ToProto(h);
  return out;
}

}  // namespace centinela::screening
