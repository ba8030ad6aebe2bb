#include "engine/pipeline/party_screening.h"

#include "absl/strings/str_cat.h"

namespace centinela {

static_assert(rules::kScreenFloor == screening::kCacheFloor,
              "screen() in the rules and the screening cache must agree on the floor");

screening::ScreenQuery PartyScreening::QueryOf(const v1::Party& party) {
  screening::ScreenQuery q;
  q.name = party.name();
  q.country = party.country();
  q.document = party.document_number();
  q.kind = party.kind() == v1::PERSON    ? screening::EntryKind::kPerson
           : party.kind() == v1::COMPANY ? screening::EntryKind::kEntity
                                         : screening::EntryKind::kUnknown;
  return q;
}

const PartyScreening::Result& PartyScreening::Lookup(rules::ScreenedParty party, absl::string_view list) {
  for (const Result& r : memo_) {
    if (r.party == party && r.list == list) return r;
  }
  Result r;
  r.party = party;
  r.list = list;
  const v1::Party& p = party == rules::ScreenedParty::kOriginator ? tx_->originator() : tx_->beneficiary();
  if (lists_ != nullptr && !p.name().empty()) {
    auto& cached_query = queries_[party == rules::ScreenedParty::kOriginator ? 0 : 1];
    if (!cached_query.has_value()) cached_query = QueryOf(p);
    const screening::ScreenQuery& q = *cached_query;
    if (auto one = lists_->ScreenCached(q, list)) {
      r.loaded = true;
      r.best = std::move(one);
      r.best_list = std::string(r.list);
    } else if (list == "sanctions" || list == "pep" || list == "other") {
      for (const auto& l : lists_->All()) {
        if (screening::ListCategoryName(l->meta().category) != list) continue;
        auto s = lists_->ScreenCached(q, l->meta().name);
        if (!s) continue;
        if (!r.loaded || s->score > r.best->score) {
          r.best = std::move(s);
          r.best_list = l->meta().name;
        }
        r.loaded = true;
      }
    }
  }
  memo_.push_back(std::move(r));
  return memo_.back();
}

rules::Value PartyScreening::Screen(rules::ScreenedParty party, absl::string_view list) {
  const Result& r = Lookup(party, list);
  if (!r.loaded) return rules::Value::Null();
  return rules::Value::Number(r.best->score);
}

rules::Value PartyScreening::Confirmed(rules::ScreenedParty party, absl::string_view list) {
  const Result& r = Lookup(party, list);
  if (!r.loaded) return rules::Value::Null();
  return rules::Value::Bool(r.best->score > 0 && r.best->evidence != screening::Evidence::kNameOnly);
}

std::string PartyScreening::Explain(rules::ScreenedParty party, absl::string_view list) {
  const Result& r = Lookup(party, list);
  if (!r.loaded) return "null";
  if (r.best->score <= 0) return "0 (no match)";
  return absl::StrCat(r.best->explanation, " on ", r.best_list, "@", r.best->list_version);
}

}  // namespace centinela
