// A loaded list ready to screen against: the Watchlist, every name and alias
// normalised once, and an inverted index from token keys (the token, its
// one-deletion variants, its consonant skeleton, adjacent tokens joined) to
// names, so that a query only scores the few names sharing a similar token,
// never the whole list.
//
// Screening a query:
//   1. its tokens (and adjacent pairs joined) are looked up by key; every
//      indexed token found is scored against the query token, and names
//      holding a token at >= kMinTokenScore accumulate the query token's
//      weight;
//   2. the names covering enough of the query are scored (ScorePairs) from
//      the token pairs the keys found, best accumulations first, at most 32;
//   3. date of birth, nationality/country, document number and entry kind
//      confirm or rule out the name match (ApplyFactors), weak aliases count
//      x0.9, and the best name of each entry at or above the threshold is a
//      hit, explained part by part.
// Immutable after Build; Screen is thread-safe.
#ifndef CENTINELA_SCREENING_MATCH_LIST_INDEX_H_
#define CENTINELA_SCREENING_MATCH_LIST_INDEX_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "screening/lists/watchlist.h"
#include "screening/match/name_match.h"
#include "screening/names/normalize.h"

namespace centinela::screening {

// The default threshold: a name score at or above it is a hit.
inline constexpr double kDefaultThreshold = 0.85;

// What is screened: a party's name and what else is known of it.
struct ScreenQuery {
  std::string name;
  std::string dob;                       // "YYYY", "YYYY-MM" or "YYYY-MM-DD"; optional
  std::string country;                   // ISO alpha-2 (or a country name); optional
  std::string document;                  // document number; optional
  EntryKind kind = EntryKind::kUnknown;  // person or entity when known
};

// A query normalised once and screened against any number of lists.
struct PreparedQuery {
  ScreenQuery raw;
  NormalizedName name;
  std::vector<NormalizedName> readings;  // other readings of a Han name (Japanese, Korean)
  DateOfBirth dob;                       // year 0 when not given
  std::string country;                   // ISO alpha-2 or empty
  std::string document;                  // upper-case letters and digits
};

// Errors only for a bad dob ("dob 'x' is not YYYY, YYYY-MM or YYYY-MM-DD")
// or an unknown country.
absl::StatusOr<PreparedQuery> PrepareQuery(const ScreenQuery& q);

// What a hit rests on besides the name's likeness. Severity follows it: a
// hit on the name alone goes for review, a freeze needs one of the others
// (docs/screening.md, "Severity follows evidence").
enum class Evidence : uint8_t {
  kNameOnly = 0,  // the name alone, however close
  kExactName,     // every part of a strong (not weak) listed name, as written, two distinctive parts at least
  kNationality,   // a strong name match and the listed nationality (an entity: its listed country)
  kDateOfBirth,   // a strong name match and a compatible listed date of birth
  kDocument,      // the party's document number is the listed one
};
// "name only", "exact name", "nationality or country", "date of birth",
// "document".
const char* EvidenceName(Evidence e);

// The name score a corroborating nationality or date of birth needs to
// confirm a hit. A judgement, not yet a measured optimum: setting it by
// measurement needs a labelled set with dates and nationalities
// (docs/screening.md, "Severity follows evidence").
inline constexpr double kStrongNameScore = 0.90;

struct Hit {
  std::string list;          // list name ("un")
  std::string list_version;  // ListMetadata::version
  std::string entry_id;
  EntryKind kind = EntryKind::kUnknown;
  std::string primary_name;
  std::vector<std::string> programs;
  std::string matched_name;  // the listed name or alias that matched
  bool alias = false;
  bool weak_alias = false;
  bool original_script = false;
  double name_score = 0;  // CompareNames
  double query_coverage = 0;
  double list_coverage = 0;
  std::vector<TokenMatch> tokens;
  // Deciding factors beyond the name, each with its effect:
  // "weak alias: x0.90", "DOB 1971 matches listed 1971: +0.05",
  // "DOB 1990 differs from listed 1971: x0.75 (rules out)".
  std::vector<std::string> factors;
  double score = 0;  // final
  Evidence evidence = Evidence::kNameOnly;
  bool confirmed() const { return evidence != Evidence::kNameOnly; }
};

struct ScreenOptions {
  double threshold = kDefaultThreshold;
  int max_hits = 10;
};

class ListIndex {
 public:
  // Normalises and indexes every name of `list`; adds the index time to
  // list->meta.load_micros.
  static std::shared_ptr<const ListIndex> Build(Watchlist list);

  const Watchlist& list() const { return list_; }
  const ListMetadata& meta() const { return list_.meta; }
  // The entry with `id`, or null (the first, should a list repeat an id).
  const ListEntry* FindEntry(absl::string_view id) const;

  // Hits for `q` at or above options.threshold, best first, one per entry.
  std::vector<Hit> Screen(const PreparedQuery& q, const ScreenOptions& options) const;

  // Names compared in full by the last Screen on this thread (for tests and
  // benchmarks that check the index does its job).
  static int LastScoredCount();
  // Bytes held by the index and entries, estimated.
  size_t MemoryBytes() const;
  size_t indexed_names() const { return names_.size(); }

 private:
  struct IndexedName {
    uint32_t entry;
    uint32_t name;  // index into the entry's names
    NormalizedName norm;
    std::vector<float> weights;    // kind weight x rarity
    std::vector<uint32_t> vocab;   // per token: its indexed token id, or kNone
    std::vector<uint32_t> joined;  // per adjacent pair: the joined token's id, or kNone
  };
  static constexpr uint32_t kNone = ~0u;
  // An indexed token similar to a query token, and how similar.
  struct Similar {
    uint32_t id;
    float sim;
  };
  struct Scratch;  // per-thread working memory of Screen (list_index.cc)
  static Scratch& ThreadScratch(size_t names, size_t tokens);

  explicit ListIndex(Watchlist list) : list_(std::move(list)) {}
  // Screens one reading of the query, adding to `hits` (best per entry).
  void ScreenReading(const NormalizedName& name, const PreparedQuery& q, const ScreenOptions& options,
                     absl::flat_hash_map<uint32_t, size_t>& best_of_entry, std::vector<Hit>& hits) const;
  void Index();
  // Appends to `out` the indexed tokens at >= min_sim (and >=
  // kMinTokenScore) to `text` (exact_id: its own id when indexed, else
  // kNone), found through its keys; returns the names they occur in. Uses
  // s's token stamps.
  size_t FindSimilar(const std::string& text, const std::string& skel, uint32_t exact_id, bool cross, double min_sim,
                     Scratch& s, std::vector<Similar>& out) const;
  uint32_t TokenId(const std::string& token);
  float Rarity(absl::string_view token) const;

  Watchlist list_;
  absl::flat_hash_map<std::string, uint32_t> entry_of_id_;  // id -> index in list_.entries
  std::vector<IndexedName> names_;
  absl::flat_hash_map<std::string, uint32_t> vocab_;
  std::vector<std::string> vocab_text_;
  std::vector<std::string> vocab_skeleton_;
  std::vector<uint32_t> vocab_letters_;
  // A name holding an indexed token, and the token's weight in that name.
  struct Posting {
    uint32_t name;
    float weight;
  };
  std::vector<std::vector<Posting>> postings_;  // token id -> names, by name index
  // Token id -> its similar indexed tokens (itself included), as
  // FindSimilar finds them outside cross-script queries:
  // neighbours_[neighbour_start_[id], neighbour_start_[id + 1]), and the
  // names they occur in.
  std::vector<uint32_t> neighbour_start_;
  std::vector<Similar> neighbours_;
  std::vector<size_t> neighbour_postings_;
  std::vector<float> name_weight_;  // name index -> sum of its token weights
  // Key -> the token ids having it: key_ids_[begin, end).
  struct KeyRange {
    uint32_t begin, end;
  };
  absl::flat_hash_map<uint64_t, KeyRange> keys_;
  std::vector<uint32_t> key_ids_;
  // One bit per key hash (2^22 bits, 512 KiB, stays in cache): most probed
  // keys are absent, and the bit answers that without touching keys_.
  std::vector<uint64_t> key_bits_;
  bool MayHaveKey(uint64_t key) const;
};

// Applies date of birth, country, document and kind to a name match at
// `name_score` and returns the final score; with `factors`, appends why each
// factor applied (the text is built only when asked: most candidates scored
// are not hits).
// With `matches`, also says which factors matched, for WeighEvidence.
struct FactorMatches {
  bool document = false;     // the query's document is listed (and a name token is shared)
  bool dob = false;          // a listed date of birth of the person fits the query's
  bool nationality = false;  // the query's country is a listed nationality
  bool address = false;      // the query's country is a listed address country
};
double ApplyFactors(const ListEntry& entry, const EntryName& name, const PreparedQuery& q, double name_score,
                    std::vector<std::string>* factors, FactorMatches* matches = nullptr);

// The strongest evidence beyond the name's likeness for a match with `name`
// of `entry` compared as `cmp`, from the factors ApplyFactors found
// (document, then date of birth, then nationality or an entity's country,
// then an exact strong name).
Evidence WeighEvidence(const ListEntry& entry, const EntryName& name, const FactorMatches& matches,
                       const NameComparison& cmp);

}  // namespace centinela::screening

#endif  // CENTINELA_SCREENING_MATCH_LIST_INDEX_H_
