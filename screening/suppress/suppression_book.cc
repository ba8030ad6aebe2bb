#include "screening/suppress/suppression_book.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "base/hash.h"
#include "base/time_util.h"
#include "screening/names/countries.h"
#include "screening/names/normalize.h"

namespace centinela::screening {
namespace {

std::string DayOf(const std::string& rfc3339) { return rfc3339.substr(0, 10); }

bool IsOpen(v1::SuppressionState s) { return s == v1::SUPPRESSION_PROPOSED || s == v1::SUPPRESSION_ACTIVE; }

// The sequence number of an id "S-N" (N >= 1), or 0 when it is not one.
int64_t SeqOf(absl::string_view id) {
  int64_t seq = 0;
  if (!absl::ConsumePrefix(&id, "S-") || !absl::SimpleAtoi(id, &seq) || seq < 1) return 0;
  return seq;
}

}  // namespace

std::string PartyKey(const ScreenQuery& party) {
  std::string country = CountryCode(party.country);
  if (country.empty()) country = absl::AsciiStrToUpper(absl::StripAsciiWhitespace(party.country));
  std::string document;
  for (char c : party.document) {
    if (absl::ascii_isalnum(static_cast<unsigned char>(c)))
      document += absl::ascii_toupper(static_cast<unsigned char>(c));
  }
  if (!document.empty()) return absl::StrCat("doc:", country, ":", document);
  return absl::StrCat("name:", country, ":", NormalizeName(party.name).Display());
}

std::string EntryDigest(const ListEntry& entry) {
  // Length-prefixed fields, so that no two entries serialise alike.
  std::string s;
  auto add = [&s](absl::string_view tag, absl::string_view v) { absl::StrAppend(&s, tag, v.size(), ":", v, ";"); };
  add("k", std::to_string(int(entry.kind)));
  for (const EntryName& n : entry.names) add(n.alias ? (n.weak ? "w" : "a") : "n", n.text);
  for (const DateOfBirth& d : entry.dobs) add("b", d.ToString());
  for (const std::string& c : entry.nationalities) add("c", c);
  for (const std::string& c : entry.countries) add("r", c);
  for (const IdDocument& d : entry.documents) add("d", absl::StrCat(d.type, "|", d.Key(), "|", d.country));
  for (const std::string& p : entry.programs) add("p", p);
  return absl::StrFormat("%016x", StableHash64(s));
}

std::string SuppressionBook::PairKey(absl::string_view party_key, absl::string_view list, absl::string_view entry_id) {
  return absl::StrCat(party_key, "\x1f", list, "\x1f", entry_id);
}

SuppressionBook::Decision SuppressionBook::Decide(const v1::SuppressionCommand& command, const std::string& by,
                                                  int64_t at_micros) const {
  Decision d;
  auto refuse = [&d](std::string why) {
    d.ok = false;
    d.error = std::move(why);
    return d;
  };
  const std::string at = FormatRfc3339(at_micros);
  MutexLock lock(&mu_);
  if (command.has_propose()) {
    const v1::Suppression& p = command.propose();
    if (p.party_key().empty() || p.list().empty() || p.entry_id().empty()) {
      return refuse("a suppression needs a party, a list and an entry");
    }
    if (absl::StripAsciiWhitespace(p.note()).empty()) return refuse("a suppression needs a note saying why");
    auto open = open_.find(PairKey(p.party_key(), p.list(), p.entry_id()));
    if (open != open_.end()) {
      const v1::Suppression& o = records_[open->second];
      return refuse(absl::StrCat("this party and ", p.list(), " entry ", p.entry_id(), " already have ", o.id(), " (",
                                 v1::SuppressionState_Name(o.state()), ")"));
    }
    d.record = p;
    d.record.set_id(absl::StrCat("S-", records_.size() + 1));
    d.record.set_state(v1::SUPPRESSION_PROPOSED);
    d.record.set_proposed_by(by);
    d.record.set_proposed_at(at);
    d.ok = true;
    return d;
  }
  const std::string& id = command.has_confirm()  ? command.confirm()
                          : command.has_reject() ? command.reject()
                                                 : command.revoke();
  if (command.action_case() == v1::SuppressionCommand::ACTION_NOT_SET) return refuse("an empty suppression command");
  const int64_t seq = SeqOf(id);
  if (seq == 0 || size_t(seq) > records_.size()) return refuse(absl::StrCat("no suppression ", id));
  d.record = records_[size_t(seq - 1)];
  if (absl::StripAsciiWhitespace(command.note()).empty()) return refuse("a decision needs a note");
  if (command.has_confirm() || command.has_reject()) {
    if (d.record.state() != v1::SUPPRESSION_PROPOSED) {
      return refuse(absl::StrCat(id, " is ", v1::SuppressionState_Name(d.record.state()), ", not proposed"));
    }
    if (d.record.proposed_by() == by) {
      return refuse(absl::StrCat("maker-checker: ", by, " proposed ", id, "; another supervisor must decide it"));
    }
    d.record.set_decided_by(by);
    d.record.set_decided_at(at);
    d.record.set_decision_note(command.note());
    if (command.has_confirm()) {
      const int64_t days = command.valid_days() == 0 ? kDefaultSuppressionDays : command.valid_days();
      if (days < 1 || days > kMaxSuppressionDays) {
        return refuse(absl::StrCat("valid_days ", days, ": between 1 and ", kMaxSuppressionDays));
      }
      d.record.set_state(v1::SUPPRESSION_ACTIVE);
      d.record.set_expires_micros(at_micros + days * kMicrosPerDay);
      d.record.set_expires_at(FormatRfc3339(d.record.expires_micros()));
    } else {
      d.record.set_state(v1::SUPPRESSION_REJECTED);
    }
  } else {
    if (!IsOpen(d.record.state())) {
      return refuse(absl::StrCat(id, " is ", v1::SuppressionState_Name(d.record.state()), ": nothing to revoke"));
    }
    d.record.set_state(v1::SUPPRESSION_REVOKED);
    d.record.set_revoked_by(by);
    d.record.set_revoked_at(at);
    d.record.set_revoke_note(command.note());
  }
  d.ok = true;
  return d;
}

void SuppressionBook::Put(const v1::Suppression& record) {
  const int64_t seq = SeqOf(record.id());
  if (seq == 0) return;
  MutexLock lock(&mu_);
  if (records_.size() < size_t(seq)) records_.resize(size_t(seq));
  v1::Suppression& slot = records_[size_t(seq - 1)];
  const std::string pair = PairKey(record.party_key(), record.list(), record.entry_id());
  if (slot.state() == v1::SUPPRESSION_ACTIVE) active_count_.fetch_sub(1, std::memory_order_relaxed);
  if (IsOpen(slot.state())) open_.erase(PairKey(slot.party_key(), slot.list(), slot.entry_id()));
  slot = record;
  if (slot.state() == v1::SUPPRESSION_ACTIVE) active_count_.fetch_add(1, std::memory_order_relaxed);
  if (IsOpen(slot.state())) open_[pair] = size_t(seq - 1);
}

std::optional<v1::Suppression> SuppressionBook::Active(const std::string& party_key, absl::string_view list,
                                                       absl::string_view entry_id) const {
  MutexLock lock(&mu_);
  auto it = open_.find(PairKey(party_key, list, entry_id));
  if (it == open_.end() || records_[it->second].state() != v1::SUPPRESSION_ACTIVE) return std::nullopt;
  return records_[it->second];
}

std::optional<v1::Suppression> SuppressionBook::Get(const std::string& id) const {
  const int64_t seq = SeqOf(id);
  if (seq == 0) return std::nullopt;
  MutexLock lock(&mu_);
  if (size_t(seq) > records_.size() || records_[size_t(seq - 1)].id().empty()) return std::nullopt;
  return records_[size_t(seq - 1)];
}

std::vector<v1::Suppression> SuppressionBook::Search(const Filter& f) const {
  const std::string party = absl::AsciiStrToLower(f.party);
  std::vector<v1::Suppression> out;
  MutexLock lock(&mu_);
  for (auto it = records_.rbegin(); it != records_.rend() && int(out.size()) < f.limit; ++it) {
    const v1::Suppression& s = *it;
    if (s.id().empty()) continue;
    if (!party.empty() && !absl::StrContains(absl::AsciiStrToLower(s.party_key()), party) &&
        !absl::StrContains(absl::AsciiStrToLower(s.party_name()), party)) {
      continue;
    }
    if (!f.list.empty() && s.list() != f.list) continue;
    if (!f.entry_id.empty() && s.entry_id() != f.entry_id) continue;
    if (f.state != v1::SUPPRESSION_STATE_UNSPECIFIED && s.state() != f.state) continue;
    if (!f.by.empty() && s.proposed_by() != f.by && s.decided_by() != f.by && s.revoked_by() != f.by) continue;
    out.push_back(s);
  }
  return out;
}

size_t SuppressionBook::size() const {
  MutexLock lock(&mu_);
  return records_.size();
}

std::string Lapse(const v1::Suppression& s, absl::string_view entry_digest, int64_t at_micros) {
  if (s.entry_digest() != entry_digest) {
    return absl::StrCat(s.id(), " lapsed: ", s.list(), " entry ", s.entry_id(), " changed since it was proposed on ",
                        DayOf(s.proposed_at()));
  }
  if (at_micros >= s.expires_micros()) return absl::StrCat(s.id(), " lapsed: expired on ", DayOf(s.expires_at()));
  return "";
}

SuppressionCheck CheckSuppressed(const SuppressionBook& book, const std::string& party_key, const ListIndex& list,
                                 absl::string_view entry_id, int64_t at_micros) {
  SuppressionCheck c;
  std::optional<v1::Suppression> s = book.Active(party_key, list.meta().name, entry_id);
  if (!s) return c;
  const ListEntry* entry = list.FindEntry(entry_id);
  if (entry == nullptr) {
    c.note = absl::StrCat(s->id(), " lapsed: ", entry_id, " is no longer on ", list.meta().name);
    return c;
  }
  c.note = Lapse(*s, EntryDigest(*entry), at_micros);
  if (c.note.empty()) {
    c.skip = true;
    c.note = DescribeSuppression(*s);
  }
  return c;
}

std::string DescribeSuppression(const v1::Suppression& s) {
  return absl::StrCat(s.id(), " (false match proposed by ", s.proposed_by(), ", confirmed by ", s.decided_by(), " ",
                      DayOf(s.decided_at()), ", until ", DayOf(s.expires_at()), ")");
}

}  // namespace centinela::screening
