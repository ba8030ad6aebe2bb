// The lists an engine screens against, by name, each replaceable while the
// stream runs: a reload parses and indexes the new file aside, then swaps
// one pointer. Screens in flight finish on the version they started with;
// a file that fails to load leaves the previous version in place.
//
// Screening results are cached per (party, list version), so a party seen
// again costs one hash lookup; a swap changes the version and with it the
// key, so nothing stale is served.
//
// Lifetime: owned by the engine (or a CLI command) for its run.
// Thread-safe: any thread may screen, load and read metadata concurrently.
#ifndef CENTINELA_SCREENING_MATCH_LIST_SET_H_
#define CENTINELA_SCREENING_MATCH_LIST_SET_H_

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "base/mutex.h"
#include "screening/lists/list_loader.h"
#include "screening/match/list_index.h"

namespace centinela::screening {

// One hit of a party on a list, as cached.
struct CachedHit {
  double score = 0;  // 0 when nothing reached kCacheFloor
  std::string entry_id;
  std::string matched_name;
  std::string primary_name;
  // One line for alert explanations: "0.97 UN-QDi.001 'ABU BAKR AL-BAGHDADI'
  // (alias 'Abu Bakr al-Baghdadi'; baghdadi=baghdadi 1.00, ...)".
  std::string explanation;
  Evidence evidence = Evidence::kNameOnly;  // what the hit rests on besides the name
};

// The best hit of one party on one list (its own fields), and the next
// best entries at or above kCacheFloor, for when the best is a suppressed
// false match (screening/suppress).
struct CachedScreen : CachedHit {
  std::string list_version;
  std::vector<CachedHit> runners_up;  // best first, at most kCachedRunnersUp
};
inline constexpr int kCachedRunnersUp = 3;

// Scores below this are cached as "no hit" (rules compare with their own
// threshold, which should not be lower).
inline constexpr double kCacheFloor = 0.80;

struct ListSetStats {
  int64_t cache_hits = 0;
  int64_t cache_misses = 0;
  int64_t swaps = 0;
};

class ListSet {
 public:
  ListSet() = default;
  ListSet(const ListSet&) = delete;
  ListSet& operator=(const ListSet&) = delete;

  // How list files are read (before any load): at most `max_bytes` each,
  // and a reload that names its own file only from `reload_dirs` (canonical,
  // see CanonicalDirs; empty: such reloads are refused).
  void SetFileRules(int64_t max_bytes, std::vector<std::string> reload_dirs);

  // Loads, indexes and swaps in `spec` (a configured list: its files may be
  // anywhere). On error nothing changes and the error names the file and
  // line. Returns the new list's metadata.
  absl::StatusOr<ListMetadata> Load(const ListSpec& spec);
  // Loads every spec in order (startup); `progress` sees each list loaded.
  // Stops at the first error.
  absl::Status LoadAll(const std::vector<ListSpec>& specs,
                       const std::function<void(const ListMetadata&, size_t memory_bytes)>& progress = nullptr);
  // Of `wanted` (list names or categories that rules screen against), the
  // ones no loaded list answers.
  std::vector<std::string> Missing(const std::vector<std::string>& wanted) const;
  // Swaps in an already built list under its own name.
  void Install(std::shared_ptr<const ListIndex> index);

  // The current version of `name`, or null.
  std::shared_ptr<const ListIndex> Get(absl::string_view name) const;
  // All lists, by name.
  std::vector<std::shared_ptr<const ListIndex>> All() const;
  // The spec `name` was last loaded from (for reloads), if any.
  std::optional<ListSpec> SpecOf(absl::string_view name) const;

  // The spec of a reload of list `name`: its spec (SpecOf) with `path`,
  // `format` and `category` replacing those parts when not empty. NotFound
  // for a list never loaded when path or format is missing;
  // InvalidArgument "format: ..." / "category: ..." for a bad value or a
  // csv list without a configured column mapping.
  absl::StatusOr<ListSpec> ReloadSpec(const std::string& name, const std::string& path, const std::string& format,
                                      const std::string& category) const;

  // A reload requested through the API or the control topic: ReloadSpec,
  // then Load, where a `path` given by the request must resolve into the
  // reload directories (PermissionDenied otherwise, naming the path but
  // reading nothing).
  struct Reloaded {
    ListSpec spec;
    ListMetadata meta;
  };
  absl::StatusOr<Reloaded> Reload(const std::string& name, const std::string& path, const std::string& format,
                                  const std::string& category);

  // Hits on the named lists (all when `lists` is empty), best first.
  // NotFound for an unknown list name.
  absl::StatusOr<std::vector<Hit>> Screen(const ScreenQuery& q, const std::vector<std::string>& lists,
                                          const ScreenOptions& options) const;

  // The best hit of `q` on list `name`, cached (shared, never copied); null
  // when no such list is loaded.
  std::shared_ptr<const CachedScreen> ScreenCached(const ScreenQuery& q, absl::string_view name) const;

  ListSetStats stats() const;

 private:
  mutable Mutex mu_;
  absl::flat_hash_map<std::string, std::shared_ptr<const ListIndex>> lists_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, ListSpec> specs_ ABSL_GUARDED_BY(mu_);
  int64_t max_file_bytes_ ABSL_GUARDED_BY(mu_) = kDefaultMaxListBytes;
  std::vector<std::string> reload_dirs_ ABSL_GUARDED_BY(mu_);
  // Loads `spec` with its files read under `rules`.
  absl::StatusOr<ListMetadata> LoadWith(const ListSpec& spec, const ListFileRules& rules);

  mutable Mutex cache_mu_;
  mutable absl::flat_hash_map<std::string, std::shared_ptr<const CachedScreen>> cache_ ABSL_GUARDED_BY(cache_mu_);
  mutable std::atomic<int64_t> cache_hits_{0}, cache_misses_{0};
  std::atomic<int64_t> swaps_{0};
};

// One line describing a hit: "0.97 UN-QDi.001 'NAME' (alias 'X'; a=b 1.00,
// c=d 0.93; DOB ... +0.05)".
std::string DescribeHit(const Hit& hit);

}  // namespace centinela::screening

#endif  // CENTINELA_SCREENING_MATCH_LIST_SET_H_
