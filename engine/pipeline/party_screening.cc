#include "engine/pipeline/party_screening.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

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

const screening::CachedHit* PartyScreening::Unsuppressed(int party, const screening::CachedScreen& s,
                                                         const std::string& list, std::string* notes) {
  if (s.score <= 0) return nullptr;
  if (suppressions_ == nullptr || !suppressions_->HasActive()) return &s;
  std::string& key = party_keys_[party];
  if (key.empty()) key = screening::PartyKey(*queries_[party]);
  std::shared_ptr<const screening::ListIndex> index;
  for (size_t i = 0; i <= s.runners_up.size(); ++i) {
    const screening::CachedHit& hit = i == 0 ? s : s.runners_up[i - 1];
    if (index == nullptr) index = lists_->Get(list);
    if (index == nullptr) return &hit;
    const screening::SuppressionCheck check =
        screening::CheckSuppressed(*suppressions_, key, *index, hit.entry_id, event_micros_);
    if (check.note.empty()) return &hit;
    absl::StrAppend(notes, notes->empty() ? "" : "; ");
    if (!check.skip) {
      absl::StrAppend(notes, check.note);
      return &hit;
    }
    absl::StrAppend(notes, "skipped ", hit.entry_id, " '", hit.primary_name, "' ", absl::StrFormat("%.2f", hit.score),
                    ": ", check.note);
  }
  return nullptr;
}

const PartyScreening::Result& PartyScreening::Lookup(rules::ScreenedParty party, absl::string_view list) {
  for (const Result& r : memo_) {
    if (r.party == party && r.list == list) return r;
  }
  Result r;
  r.party = party;
  r.list = list;
  const v1::Party& p = party == rules::ScreenedParty::kOriginator ? tx_->originator() : tx_->beneficiary();
  const int side = party == rules::ScreenedParty::kOriginator ? 0 : 1;
  if (lists_ != nullptr && !p.name().empty()) {
    auto& cached_query = queries_[side];
    if (!cached_query.has_value()) cached_query = QueryOf(p);
    const screening::ScreenQuery& q = *cached_query;
    if (auto one = lists_->ScreenCached(q, list)) {
      r.loaded = true;
      r.best_list = std::string(r.list);
      r.best = Unsuppressed(side, *one, r.best_list, &r.notes);
      r.screen = std::move(one);
    } else if (list == "sanctions" || list == "pep" || list == "other") {
      for (const auto& l : lists_->All()) {
        if (screening::ListCategoryName(l->meta().category) != list) continue;
        auto s = lists_->ScreenCached(q, l->meta().name);
        if (!s) continue;
        r.loaded = true;
        const screening::CachedHit* hit = Unsuppressed(side, *s, l->meta().name, &r.notes);
        if (hit != nullptr && (r.best == nullptr || hit->score > r.best->score)) {
          r.best = hit;
          r.screen = std::move(s);
          r.best_list = l->meta().name;
        }
      }
    }
  }
  memo_.push_back(std::move(r));
  return memo_.back();
}

rules::Value PartyScreening::Screen(rules::ScreenedParty party, absl::string_view list) {
  const Result& r = Lookup(party, list);
  if (!r.loaded) return rules::Value::Null();
  return rules::Value::Number(r.best != nullptr ? r.best->score : 0);
}

rules::Value PartyScreening::Confirmed(rules::ScreenedParty party, absl::string_view list) {
  const Result& r = Lookup(party, list);
  if (!r.loaded) return rules::Value::Null();
  return rules::Value::Bool(r.best != nullptr && r.best->evidence != screening::Evidence::kNameOnly);
}

std::string PartyScreening::Explain(rules::ScreenedParty party, absl::string_view list) {
  const Result& r = Lookup(party, list);
  if (!r.loaded) return "null";
  const std::string notes = r.notes.empty() ? "" : absl::StrCat(" (", r.notes, ")");
  if (r.best == nullptr) return absl::StrCat("0 (no match)", notes);
  return absl::StrCat(r.best->explanation, " on ", r.best_list, "@", r.screen->list_version, notes);
}

}  // namespace centinela
