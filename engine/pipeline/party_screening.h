// The rules' view of list screening for one transaction: screen(originator,
// "un") and screen(beneficiary, "sanctions") read the party's name, country,
// document and kind and ask the engine's ListSet, whose cache makes a party
// seen before cost one lookup. A category ("sanctions", "pep", "other")
// takes the best score over the loaded lists of that category.
//
// Lifetime: one per transaction scored; borrows the ListSet and the
// transaction. Not thread-safe (one scoring thread).
#ifndef CENTINELA_ENGINE_PIPELINE_PARTY_SCREENING_H_
#define CENTINELA_ENGINE_PIPELINE_PARTY_SCREENING_H_

#include <optional>
#include <string>
#include <vector>

#include "centinela/v1/transaction.pb.h"
#include "rules/lang/expr.h"
#include "screening/match/list_set.h"

namespace centinela {

class PartyScreening : public rules::ScreeningSource {
 public:
  // `lists` may be null: every screen() is then null.
  PartyScreening(const screening::ListSet* lists, const v1::Transaction* tx) : lists_(lists), tx_(tx) {}

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
    std::shared_ptr<const screening::CachedScreen> best;  // set when loaded
    std::string best_list;                                // the list that gave `best` (short: no allocation)
  };
  const Result& Lookup(rules::ScreenedParty party, absl::string_view list);

  const screening::ListSet* lists_;
  const v1::Transaction* tx_;
  std::vector<Result> memo_;                          // a handful per transaction
  std::optional<screening::ScreenQuery> queries_[2];  // per party, built on first use
};

}  // namespace centinela

#endif  // CENTINELA_ENGINE_PIPELINE_PARTY_SCREENING_H_
