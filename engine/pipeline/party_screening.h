// The rules' view of list screening for one transaction: screen(originator,
// "un") and screen(beneficiary, "sanctions") read the party's name, country,
// document and kind and ask the engine's ListSet, whose cache makes a party
// seen before cost one lookup. A category ("sanctions", "pep", "other")
// takes the best score over the loaded lists of that category.
//
// A hit that an active suppression marks as a false match for this party
// (screening/suppress) is skipped: the next best entry of the list counts,
// and the explanation names the suppression. A suppression whose entry
// changed or whose period ran out (at the transaction's event time) is
// lapsed: the hit counts, and the explanation says it lapsed.
//
// Lifetime: one per transaction scored; borrows the ListSet, the
// suppression book and the transaction. Not thread-safe (one scoring
// thread).
#ifndef CENTINELA_ENGINE_PIPELINE_PARTY_SCREENING_H_
#define CENTINELA_ENGINE_PIPELINE_PARTY_SCREENING_H_

#include <optional>
#include <string>
#include <vector>

#include "centinela/v1/transaction.pb.h"
#include "rules/lang/expr.h"
#include "screening/match/list_set.h"
#include "screening/suppress/suppression_book.h"

namespace centinela {

class PartyScreening : public rules::ScreeningSource {
 public:
  // `lists` may be null: every screen() is then null. `suppressions` may be
  // null: nothing is suppressed. `event_micros`: the transaction's time.
  PartyScreening(const screening::ListSet* lists, const screening::SuppressionBook* suppressions,
                 const v1::Transaction* tx, int64_t event_micros)
      : lists_(lists), suppressions_(suppressions), tx_(tx), event_micros_(event_micros) {}

  rules::Value Screen(rules::ScreenedParty party, absl::string_view list) override;
  rules::Value Confirmed(rules::ScreenedParty party, absl::string_view list) override;
  std::string Explain(rules::ScreenedParty party, absl::string_view list) override;

 private:
  // The query a party makes: name, country, document number, kind.
  static screening::ScreenQuery QueryOf(const v1::Party& party);

  struct Result {
    rules::ScreenedParty party;
    absl::string_view list;  // owned by the compiled rule, which outlives the transaction
    bool loaded = false;
    std::shared_ptr<const screening::CachedScreen> screen;  // holds `best`
    const screening::CachedHit* best = nullptr;             // set when loaded; null when every hit was skipped
    std::string best_list;                                  // the list that gave `best` (short: no allocation)
    std::string notes;                                      // suppressions skipped or lapsed
  };
  const Result& Lookup(rules::ScreenedParty party, absl::string_view list);
  // The first hit of `s` (on list `list`) that no active suppression skips,
  // or null; appends to `notes` what was skipped or lapsed.
  const screening::CachedHit* Unsuppressed(int party, const screening::CachedScreen& s, const std::string& list,
                                           std::string* notes);

  const screening::ListSet* lists_;
  const screening::SuppressionBook* suppressions_;
  const v1::Transaction* tx_;
  int64_t event_micros_;
  std::string party_keys_[2];                         // PartyKey per party, built on first use
  std::vector<Result> memo_;                          // a handful per transaction
  std::optional<screening::ScreenQuery> queries_[2];  // per party, built on first use
};

}  // namespace centinela

#endif  // CENTINELA_ENGINE_PIPELINE_PARTY_SCREENING_H_
