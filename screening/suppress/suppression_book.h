// Suppressed false matches: an investigator finds that a party is not the
// person or organisation a list entry names, proposes a suppression with a
// note, and a supervisor other than the proposer confirms it (maker-checker).
// While it is active, screening skips that (party, list entry) pair and says
// so in its explanation. It lapses by itself when the entry changes (its
// digest differs from the one proposed against) or when its period runs out.
// docs/screening.md, "Suppressing a false match".
//
// The book only decides and holds records; where they come from (the control
// topic, so that every instance decides the same in the same order) and
// where they are stored (the rules registry's RocksDB family) is the
// engine's (engine/deploy/pack_registry.h).
#ifndef CENTINELA_SCREENING_SUPPRESS_SUPPRESSION_BOOK_H_
#define CENTINELA_SCREENING_SUPPRESS_SUPPRESSION_BOOK_H_

#include <atomic>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "base/mutex.h"
#include "centinela/v1/screening.pb.h"
#include "screening/lists/watchlist.h"
#include "screening/match/list_index.h"

namespace centinela::screening {

// Who a party is, for suppressions: its document number when it has one
// ("doc:PE:12345678", upper-case letters and digits), else its normalised
// name and country ("name:PE:jose mendoza vargas"). Two transactions of the
// same customer give the same key; a namesake with another document does not.
std::string PartyKey(const ScreenQuery& party);

// A digest of what an entry says (names, dates of birth, nationalities,
// countries, documents, programmes): 16 hex digits. A suppression proposed
// against one digest lapses when the entry's changes.
std::string EntryDigest(const ListEntry& entry);

// The default period a confirmed suppression lasts.
inline constexpr int kDefaultSuppressionDays = 365;
// The longest period a confirmation may give.
inline constexpr int kMaxSuppressionDays = 3 * 366;

// Lifetime: owned by the rules registry for the engine's run. Thread-safe:
// the engine thread decides and puts records; API and scoring threads read.
class SuppressionBook {
 public:
  struct Decision {
    bool ok = false;
    std::string error;       // why the command is refused
    v1::Suppression record;  // when ok: the record to store, then Put
  };
  // What `command`, sent by `by` at `at_micros`, does to the book; changes
  // nothing (store the record, then Put it). Refusals: an unknown id, a
  // confirmation by the proposer, a decision on a suppression that is not
  // proposed, a second suppression of a pair already proposed or active, a
  // missing note, a period outside 1..kMaxSuppressionDays.
  Decision Decide(const v1::SuppressionCommand& command, const std::string& by, int64_t at_micros) const;
  // Stores a decided (or restored) record, replacing the one with its id.
  void Put(const v1::Suppression& record);

  // The active suppression of (party_key, list, entry_id), if any (its
  // lapse is for the caller to check: Lapse).
  std::optional<v1::Suppression> Active(const std::string& party_key, absl::string_view list,
                                        absl::string_view entry_id) const;
  // Whether any suppression is active (a cheap check before building keys).
  bool HasActive() const { return active_count_.load(std::memory_order_relaxed) > 0; }

  std::optional<v1::Suppression> Get(const std::string& id) const;
  struct Filter {
    std::string party;  // a substring of the party's key or name, case-insensitive
    std::string list;
    std::string entry_id;
    v1::SuppressionState state = v1::SUPPRESSION_STATE_UNSPECIFIED;  // any
    std::string by;                                                  // proposed or decided by
    int limit = 100;
  };
  // Records matching `filter`, newest first.
  std::vector<v1::Suppression> Search(const Filter& filter) const;
  size_t size() const;

 private:
  static std::string PairKey(absl::string_view party_key, absl::string_view list, absl::string_view entry_id);
  mutable Mutex mu_;
  std::vector<v1::Suppression> records_ ABSL_GUARDED_BY(mu_);  // by sequence: "S-1" is [0]
  // Pair -> index of its proposed or active record.
  absl::flat_hash_map<std::string, size_t> open_ ABSL_GUARDED_BY(mu_);
  std::atomic<int> active_count_{0};
};

// Why an active suppression no longer applies to an entry whose digest is
// now `entry_digest`, at `at_micros`: "the entry changed since ..." or
// "expired on ...", or empty when it applies.
std::string Lapse(const v1::Suppression& s, absl::string_view entry_digest, int64_t at_micros);

// Whether screening skips the hit of the party `party_key` on `entry_id` of
// `list` (the list as loaded now) at `at_micros`: `skip` with the
// suppression's description in `note`; or not, with `note` saying why an
// active suppression lapsed, or empty when there is none.
struct SuppressionCheck {
  bool skip = false;
  std::string note;
};
SuppressionCheck CheckSuppressed(const SuppressionBook& book, const std::string& party_key, const ListIndex& list,
                                 absl::string_view entry_id, int64_t at_micros);

// One line for explanations: "S-3 (false match, confirmed by ana
// 2026-12-02, until 2027-12-02)".
std::string DescribeSuppression(const v1::Suppression& s);

}  // namespace centinela::screening

#endif  // CENTINELA_SCREENING_SUPPRESS_SUPPRESSION_BOOK_H_
