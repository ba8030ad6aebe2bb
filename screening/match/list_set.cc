#include "screening/match/list_set.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "base/status_macros.h"

namespace centinela::screening {
namespace {

// Cached results kept at most; the cache is cleared when full (parties seen
// often come back at once).
constexpr size_t kMaxCached = 1 << 18;

// The cache key, built in a per-thread buffer (no allocation on a hit).
const std::string& CacheKey(const ScreenQuery& q, const ListIndex& list) {
  thread_local std::string key;
  key.clear();
  absl::StrAppend(&key, list.meta().name, "\x1f", list.meta().version, "\x1f", q.name, "\x1f", q.dob, "\x1f", q.country,
                  "\x1f", q.document, "\x1f", int(q.kind));
  return key;
}

}  // namespace

std::string DescribeHit(const Hit& hit) {
  std::string out = absl::StrFormat("%.2f %s '%s'", hit.score, hit.entry_id, hit.primary_name);
  std::vector<std::string> parts;
  if (hit.matched_name != hit.primary_name) {
    parts.push_back(absl::StrCat(hit.weak_alias ? "weak alias '" : "alias '", hit.matched_name, "'"));
  }
  std::vector<std::string> toks;
  for (const TokenMatch& t : hit.tokens) {
    if (t.how == "unmatched") {
      toks.push_back(absl::StrCat(t.query.empty() ? t.listed : t.query, " unmatched"));
    } else {
      toks.push_back(absl::StrFormat("%s=%s %.2f", t.query, t.listed, t.score));
    }
  }
  if (!toks.empty()) parts.push_back(absl::StrJoin(toks, ", "));
  for (const auto& f : hit.factors) parts.push_back(f);
  parts.push_back(absl::StrCat("evidence: ", EvidenceName(hit.evidence)));
  if (!parts.empty()) absl::StrAppend(&out, " (", absl::StrJoin(parts, "; "), ")");
  return out;
}

void ListSet::SetFileRules(int64_t max_bytes, std::vector<std::string> reload_dirs) {
  MutexLock lock(&mu_);
  max_file_bytes_ = max_bytes;
  reload_dirs_ = std::move(reload_dirs);
}

absl::StatusOr<ListMetadata> ListSet::Load(const ListSpec& spec) {
  ListFileRules rules;
  {
    ReaderMutexLock lock(&mu_);
    rules.max_bytes = max_file_bytes_;
  }
  return LoadWith(spec, rules);
}

absl::StatusOr<ListSet::Reloaded> ListSet::Reload(const std::string& name, const std::string& path,
                                                  const std::string& format, const std::string& category) {
  ASSIGN_OR_RETURN(ListSpec spec, ReloadSpec(name, path, format, category));
  ListFileRules rules;
  {
    ReaderMutexLock lock(&mu_);
    rules.max_bytes = max_file_bytes_;
    // A file the request names is confined; the configured one is not.
    if (!path.empty()) rules.dirs = reload_dirs_;
  }
  if (!path.empty()) {
    if (rules.dirs.empty()) {
      return absl::PermissionDeniedError(absl::StrCat(
          "path: reloads from a named file are off: no list directory is configured (screening.list_dirs)"));
    }
    RETURN_IF_ERROR(CheckInDirs(path, rules.dirs));
  }
  ASSIGN_OR_RETURN(ListMetadata meta, LoadWith(spec, rules));
  return Reloaded{std::move(spec), std::move(meta)};
}

absl::StatusOr<ListMetadata> ListSet::LoadWith(const ListSpec& spec, const ListFileRules& rules) {
  ASSIGN_OR_RETURN(Watchlist list, LoadList(spec, rules));
  std::shared_ptr<const ListIndex> index = ListIndex::Build(std::move(list));
  ListMetadata meta = index->meta();
  {
    MutexLock lock(&mu_);
    specs_[spec.name] = spec;
  }
  Install(std::move(index));
  return meta;
}

absl::Status ListSet::LoadAll(const std::vector<ListSpec>& specs,
                              const std::function<void(const ListMetadata&, size_t)>& progress) {
  for (const ListSpec& spec : specs) {
    ASSIGN_OR_RETURN(const ListMetadata meta, Load(spec));
    if (progress) progress(meta, Get(spec.name)->MemoryBytes());
  }
  return absl::OkStatus();
}

std::vector<std::string> ListSet::Missing(const std::vector<std::string>& wanted) const {
  std::vector<std::string> out;
  const auto all = All();
  for (const auto& w : wanted) {
    bool found = false;
    for (const auto& l : all) found |= l->meta().name == w || ListCategoryName(l->meta().category) == w;
    if (!found) out.push_back(w);
  }
  return out;
}

void ListSet::Install(std::shared_ptr<const ListIndex> index) {
  const std::string name = index->meta().name;
  std::shared_ptr<const ListIndex> old;
  {
    MutexLock lock(&mu_);
    old = std::move(lists_[name]);
    lists_[name] = std::move(index);
  }
  ++swaps_;
  // `old` is released here, outside the lock; screens still holding it keep
  // it alive until they finish.
}

std::shared_ptr<const ListIndex> ListSet::Get(absl::string_view name) const {
  ReaderMutexLock lock(&mu_);
  auto it = lists_.find(name);
  return it == lists_.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<const ListIndex>> ListSet::All() const {
  std::vector<std::shared_ptr<const ListIndex>> out;
  {
    ReaderMutexLock lock(&mu_);
    for (const auto& [name, l] : lists_) out.push_back(l);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a->meta().name < b->meta().name; });
  return out;
}

std::optional<ListSpec> ListSet::SpecOf(absl::string_view name) const {
  ReaderMutexLock lock(&mu_);
  auto it = specs_.find(name);
  if (it == specs_.end()) return std::nullopt;
  return it->second;
}

absl::StatusOr<ListSpec> ListSet::ReloadSpec(const std::string& name, const std::string& path,
                                             const std::string& format, const std::string& category) const {
  std::optional<ListSpec> spec = SpecOf(name);
  if (!spec.has_value()) {
    if (format.empty() || path.empty()) {
      return absl::NotFoundError(
          absl::StrCat("list '", name, "' is not configured; give \"path\" and \"format\" to add it"));
    }
    spec = ListSpec();
    spec->name = name;
  }
  if (!path.empty()) spec->path = path;
  if (!format.empty()) {
    auto f = ParseListFormat(format);
    if (!f.ok()) return absl::InvalidArgumentError(absl::StrCat("format: ", f.status().message()));
    if (*f == ListFormat::kCsv && spec->format != ListFormat::kCsv) {
      return absl::InvalidArgumentError("format: csv lists need a column mapping: configure them in screening.lists");
    }
    spec->format = *f;
  }
  if (!category.empty()) {
    auto cat = ParseListCategory(category);
    if (!cat.ok()) return absl::InvalidArgumentError(absl::StrCat("category: ", cat.status().message()));
    spec->category = *cat;
  }
  return *spec;
}

absl::StatusOr<std::vector<Hit>> ListSet::Screen(const ScreenQuery& q, const std::vector<std::string>& lists,
                                                 const ScreenOptions& options) const {
  ASSIGN_OR_RETURN(const PreparedQuery prepared, PrepareQuery(q));
  std::vector<std::shared_ptr<const ListIndex>> targets;
  if (lists.empty()) {
    targets = All();
  } else {
    for (const auto& name : lists) {
      auto l = Get(name);
      if (l == nullptr) return absl::NotFoundError(absl::StrCat("no list named '", name, "' is loaded"));
      targets.push_back(std::move(l));
    }
  }
  std::vector<Hit> hits;
  for (const auto& l : targets) {
    std::vector<Hit> h = l->Screen(prepared, options);
    hits.insert(hits.end(), std::make_move_iterator(h.begin()), std::make_move_iterator(h.end()));
  }
  std::stable_sort(hits.begin(), hits.end(), [](const Hit& a, const Hit& b) { return a.score > b.score; });
  if (hits.size() > size_t(options.max_hits)) hits.resize(size_t(options.max_hits));
  return hits;
}

std::shared_ptr<const CachedScreen> ListSet::ScreenCached(const ScreenQuery& q, absl::string_view name) const {
  std::shared_ptr<const ListIndex> list = Get(name);
  if (list == nullptr) return nullptr;
  // The key is per thread: a hit looks it up without copying it; a miss
  // copies it before screening.
  const std::string& thread_key = CacheKey(q, *list);
  {
    MutexLock lock(&cache_mu_);
    auto it = cache_.find(thread_key);
    if (it != cache_.end()) {
      ++cache_hits_;
      return it->second;
    }
  }
  ++cache_misses_;
  std::string key = thread_key;
  auto made = std::make_shared<CachedScreen>();
  CachedScreen& r = *made;
  r.list_version = list->meta().version;
  auto prepared = PrepareQuery(q);
  if (!prepared.ok()) {
    // An unusable country or date on the party: screen by name alone.
    ScreenQuery by_name = q;
    by_name.dob.clear();
    by_name.country.clear();
    prepared = PrepareQuery(by_name);
  }
  if (prepared.ok()) {
    ScreenOptions options;
    options.threshold = kCacheFloor;
    options.max_hits = 1 + kCachedRunnersUp;
    std::vector<Hit> hits = list->Screen(*prepared, options);
    for (size_t i = 0; i < hits.size(); ++i) {
      CachedHit& h = i == 0 ? r : r.runners_up.emplace_back();
      h.score = hits[i].score;
      h.entry_id = hits[i].entry_id;
      h.matched_name = hits[i].matched_name;
      h.primary_name = hits[i].primary_name;
      h.explanation = DescribeHit(hits[i]);
      h.evidence = hits[i].evidence;
    }
  }
  MutexLock lock(&cache_mu_);
  if (cache_.size() >= kMaxCached) cache_.clear();
  cache_.emplace(std::move(key), made);
  return made;
}

ListSetStats ListSet::stats() const { return ListSetStats{cache_hits_.load(), cache_misses_.load(), swaps_.load()}; }

}  // namespace centinela::screening
