#include "screening/match/list_index.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string_view>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "base/status_macros.h"
#include "screening/lists/list_loader.h"
#include "screening/names/countries.h"
#include "screening/names/name_frequency.h"
#include "screening/names/similarity.h"

namespace centinela::screening {
namespace {

// Names compared in full per query, at most: the best accumulations.
constexpr size_t kMaxScored = 32;
// A query word found as written in this many listed names or more is not
// looked up by its one-letter variants.
constexpr size_t kCommonPostings = 100;

// Factors other than the name add at most this much (DOB +0.05, country
// +0.02).
constexpr double kMaxFactorBonus = 0.07;

// The smaller of the two coverages a name needs to reach `threshold`:
// score = 0.6 * hi + 0.4 * lo <= 0.6 + 0.4 * lo.
double MinCoverage(double threshold) { return std::max(0.0, (threshold - kMaxFactorBonus - 0.6) / 0.4); }

// The bit of ListIndex::key_bits_ for a key.
constexpr uint64_t kKeyBits = uint64_t(1) << 22;
uint64_t KeyBit(uint64_t key) { return (key * 0x9E3779B97F4A7C15ull) >> (64 - 22); }

uint64_t KeyHash(char kind, absl::string_view s) {
  return std::hash<std::string_view>()(std::string_view(s.data(), s.size())) * 31 + uint64_t(kind);
}

// Calls `f` with the key of every one-letter deletion of `t` (tokens of
// four letters or more), built on the stack.
template <typename F>
void ForEachDeletionKey(absl::string_view t, F&& f) {
  if (t.size() < 4 || t.size() > 64) return;
  char buf[64];
  for (size_t i = 0; i < t.size(); ++i) {
    std::memcpy(buf, t.data(), i);
    std::memcpy(buf + i, t.data() + i + 1, t.size() - i - 1);
    f(KeyHash('d', absl::string_view(buf, t.size() - 1)));
  }
}

thread_local int last_scored = 0;

// Two adjacent words that may have been written as one ("al baghdadi",
// "jin ping", "sergei lavrov"), no legal form (as CompareNames joins them;
// two long words join only exactly, which the pairing checks).
bool JoinsWith(const NameToken& a, const NameToken& b) {
  return a.kind != TokenKind::kLegalForm && b.kind != TokenKind::kLegalForm;
}

// Two words longer than 4 letters: written together, they are the same name
// only exactly ("sergei lavrov" / "sergeilavrov").
bool LongPair(const NameToken& a, const NameToken& b) { return std::min(a.text.size(), b.text.size()) > 4; }

}  // namespace

// Per-thread working memory of a screen, reused across screens and lists
// (sized to the largest). Stamps tell "seen in this pass" without clearing.
struct ListIndex::Scratch {
  std::vector<float> acc;    // name -> query weight covered
  std::vector<float> acc_c;  // name -> listed weight covered (upper bound)
  std::vector<uint32_t> stamp;
  std::vector<uint32_t> touched;
  uint32_t generation = 0;
  std::vector<uint32_t> token_stamp;  // indexed token id -> lookup (or unit) that saw it
  std::vector<uint32_t> token_rank;   // indexed token id -> its position in the unit's matches
  uint32_t lookup = 0;
  std::vector<Similar> pool;  // the matches of every unit of a screen

  void Fit(size_t names, size_t tokens) {
    if (acc.size() < names) {
      acc.assign(names, 0);
      acc_c.assign(names, 0);
      stamp.assign(names, 0);
      generation = 0;
    }
    if (token_stamp.size() < tokens) {
      token_stamp.assign(tokens, 0);
      token_rank.assign(tokens, 0);
      lookup = 0;
    }
  }
  // The next name pass; clears the stamps when the counter wraps.
  uint32_t NextGeneration() {
    if (++generation == 0) {
      std::fill(stamp.begin(), stamp.end(), 0);
      generation = 1;
    }
    return generation;
  }
  // The next token pass; clears the stamps when the counter wraps.
  uint32_t NextLookup() {
    if (++lookup == 0) {
      std::fill(token_stamp.begin(), token_stamp.end(), 0);
      lookup = 1;
    }
    return lookup;
  }
};

ListIndex::Scratch& ListIndex::ThreadScratch(size_t names, size_t tokens) {
  thread_local Scratch s;
  s.Fit(names, tokens);
  return s;
}

namespace {

bool DobCompatible(const DateOfBirth& listed, const DateOfBirth& q, bool* exact) {
  *exact = false;
  const int slack = listed.approximate ? 2 : 0;
  const int lo = listed.year - slack - (listed.year_to > 0 ? 1 : 0);
  const int hi = (listed.year_to > listed.year ? listed.year_to + 1 : listed.year) + slack;
  if (q.year < lo || q.year > hi) return false;
  if (listed.year_to == 0 && !listed.approximate && listed.month > 0 && q.month > 0) {
    if (listed.month != q.month) return false;
    if (listed.day > 0 && q.day > 0) {
      if (listed.day != q.day) return false;
      *exact = true;
    }
  }
  return true;
}

}  // namespace

absl::StatusOr<PreparedQuery> PrepareQuery(const ScreenQuery& q) {
  PreparedQuery p;
  p.raw = q;
  std::vector<NormalizedName> readings = NormalizeNameReadings(q.name);
  p.name = std::move(readings[0]);
  p.readings.assign(std::make_move_iterator(readings.begin() + 1), std::make_move_iterator(readings.end()));
  if (!q.dob.empty() && !ParseDateOfBirth(q.dob, p.dob)) {
    return absl::InvalidArgumentError(absl::StrCat("dob '", q.dob, "' is not YYYY, YYYY-MM or YYYY-MM-DD"));
  }
  if (!q.country.empty()) {
    p.country = CountryCode(q.country);
    if (p.country.empty()) return absl::InvalidArgumentError(absl::StrCat("unknown country '", q.country, "'"));
  }
  for (char c : q.document) {
    if (absl::ascii_isalnum(static_cast<unsigned char>(c)))
      p.document += absl::ascii_toupper(static_cast<unsigned char>(c));
  }
  return p;
}

double ApplyFactors(const ListEntry& entry, const EntryName& name, const PreparedQuery& q, double name_score,
                    std::vector<std::string>* factors, FactorMatches* matches) {
  FactorMatches found;
  double score = name_score;
  if (name.weak) {
    score *= 0.9;
    if (factors != nullptr) factors->push_back("weak (low-quality) alias: x0.90");
  }
  if (!q.document.empty()) {
    for (const IdDocument& d : entry.documents) {
      if (d.Key() != q.document) continue;
      if (name_score >= 0.25) {  // a name token in common at least
        found.document = true;
        score = std::max(score, 0.99);
        if (factors != nullptr) {
          factors->push_back(absl::StrCat("document ", d.number, " matches listed ", d.type,
                                          d.country.empty() ? "" : absl::StrCat(" (", d.country, ")"),
                                          ": confirms, score >= 0.99"));
        }
      }
      break;
    }
  }
  if (q.dob.year > 0 && !entry.dobs.empty() && entry.kind == EntryKind::kPerson) {
    bool any = false, exact = false;
    for (const DateOfBirth& d : entry.dobs) {
      bool e = false;
      if (DobCompatible(d, q.dob, &e)) {
        any = true;
        exact |= e;
      }
    }
    found.dob = any;
    std::string listed_text;
    if (factors != nullptr) {
      std::vector<std::string> listed;
      for (const DateOfBirth& d : entry.dobs) listed.push_back(d.ToString());
      listed_text = absl::StrJoin(listed, ", ");
    }
    if (exact) {
      score += 0.05;
      if (factors != nullptr) {
        factors->push_back(absl::StrCat("DOB ", q.dob.ToString(), " matches listed ", listed_text, ": +0.05"));
      }
    } else if (any) {
      score += 0.02;
      if (factors != nullptr) {
        factors->push_back(absl::StrCat("DOB ", q.dob.ToString(), " fits listed ", listed_text, ": +0.02"));
      }
    } else {
      score *= 0.75;
      if (factors != nullptr) {
        factors->push_back(
            absl::StrCat("DOB ", q.dob.ToString(), " differs from listed ", listed_text, ": x0.75 (rules out)"));
      }
    }
  }
  if (!q.country.empty() && (!entry.nationalities.empty() || !entry.countries.empty())) {
    const bool nat =
        std::find(entry.nationalities.begin(), entry.nationalities.end(), q.country) != entry.nationalities.end();
    const bool lives = std::find(entry.countries.begin(), entry.countries.end(), q.country) != entry.countries.end();
    found.nationality = nat;
    found.address = lives;
    if (nat || lives) {
      score += 0.02;
      if (factors != nullptr) {
        factors->push_back(
            absl::StrCat("country ", q.country, " matches listed ", nat ? "nationality" : "address", ": +0.02"));
      }
    } else {
      score -= 0.03;
      if (factors != nullptr) {
        std::vector<std::string> all = entry.nationalities;
        all.insert(all.end(), entry.countries.begin(), entry.countries.end());
        factors->push_back(
            absl::StrCat("country ", q.country, " not among listed ", absl::StrJoin(all, ", "), ": -0.03"));
      }
    }
  }
  if (q.raw.kind != EntryKind::kUnknown && entry.kind != EntryKind::kUnknown && q.raw.kind != entry.kind &&
      !(q.raw.kind == EntryKind::kEntity && (entry.kind == EntryKind::kVessel || entry.kind == EntryKind::kAircraft))) {
    score *= 0.8;
    if (factors != nullptr) {
      factors->push_back(
          absl::StrCat("party is a ", EntryKindName(q.raw.kind), ", entry a ", EntryKindName(entry.kind), ": x0.80"));
    }
  }
  if (matches != nullptr) *matches = found;
  return std::clamp(score, 0.0, 1.0);
}

const char* EvidenceName(Evidence e) {
  switch (e) {
    case Evidence::kNameOnly:
      return "name only";
    case Evidence::kExactName:
      return "exact name";
    case Evidence::kNationality:
      return "nationality or country";
    case Evidence::kDateOfBirth:
      return "date of birth";
    case Evidence::kDocument:
      return "document";
  }
  return "name only";
}

Evidence WeighEvidence(const ListEntry& entry, const EntryName& name, const FactorMatches& matches,
                       const NameComparison& cmp) {
  if (matches.document) return Evidence::kDocument;
  const bool strong = cmp.score >= kStrongNameScore && !name.weak;
  if (strong && matches.dob) return Evidence::kDateOfBirth;
  if (strong && (entry.kind == EntryKind::kPerson ? matches.nationality : matches.address)) {
    return Evidence::kNationality;
  }
  if (name.weak || cmp.score < 0.99 || cmp.query_coverage < 0.999 || cmp.list_coverage < 0.999) {
    return Evidence::kNameOnly;
  }
  int distinctive = 0;
  for (const TokenMatch& t : cmp.tokens) {
    if (t.how != "exact" && t.how != "joined") return Evidence::kNameOnly;
    distinctive += !IsCommonName(t.query);
  }
  return distinctive >= 2 || (distinctive >= 1 && entry.kind != EntryKind::kPerson) ? Evidence::kExactName
                                                                                    : Evidence::kNameOnly;
}

std::shared_ptr<const ListIndex> ListIndex::Build(Watchlist list) {
  const absl::Time start = absl::Now();
  std::shared_ptr<ListIndex> index(new ListIndex(std::move(list)));
  index->Index();
  index->list_.meta.load_micros += absl::ToInt64Microseconds(absl::Now() - start);
  return index;
}

uint32_t ListIndex::TokenId(const std::string& token) {
  auto [it, fresh] = vocab_.emplace(token, uint32_t(vocab_text_.size()));
  if (fresh) {
    vocab_text_.push_back(token);
    vocab_skeleton_.push_back(Skeleton(token));
    vocab_letters_.push_back(LetterSet(token));
    postings_.emplace_back();
  }
  return it->second;
}

float ListIndex::Rarity(absl::string_view token) const {
  auto it = vocab_.find(token);
  if (it == vocab_.end()) return 1.0f;
  const double df = double(postings_[it->second].size());
  return float(1.0 / (1.0 + std::log10(1.0 + df / 20.0)));
}

void ListIndex::Index() {
  entry_of_id_.reserve(list_.entries.size());
  for (uint32_t e = 0; e < list_.entries.size(); ++e) {
    const ListEntry& entry = list_.entries[e];
    entry_of_id_.emplace(entry.id, e);
    for (uint32_t n = 0; n < entry.names.size(); ++n) {
      IndexedName in{e, n, NormalizeName(entry.names[n].text), {}, {}, {}};
      if (in.norm.Empty()) continue;
      names_.push_back(std::move(in));
    }
  }
  for (uint32_t i = 0; i < names_.size(); ++i) {
    IndexedName& in = names_[i];
    const auto& toks = in.norm.tokens;
    auto post = [&](const std::string& t) {
      const uint32_t id = TokenId(t);
      auto& p = postings_[id];
      if (p.empty() || p.back().name != i) p.push_back(Posting{i, 0});
      return id;
    };
    in.vocab.assign(toks.size(), kNone);
    in.joined.assign(toks.size() > 0 ? toks.size() - 1 : 0, kNone);
    for (size_t k = 0; k < toks.size(); ++k) {
      if (toks[k].weight > 0) in.vocab[k] = post(toks[k].text);
      if (k + 1 < toks.size() && JoinsWith(toks[k], toks[k + 1])) in.joined[k] = post(toks[k].text + toks[k + 1].text);
    }
  }
  // Keys: one-deletion variants and skeletons of every indexed token, as
  // (key, token) pairs sorted into one array of token ids per key.
  std::vector<std::pair<uint64_t, uint32_t>> pairs;
  for (uint32_t id = 0; id < vocab_text_.size(); ++id) {
    const std::string& t = vocab_text_[id];
    pairs.push_back({KeyHash('d', t), id});
    ForEachDeletionKey(t, [&](uint64_t key) { pairs.push_back({key, id}); });
    if (vocab_skeleton_[id].size() >= 2) pairs.push_back({KeyHash('s', vocab_skeleton_[id]), id});
  }
  std::sort(pairs.begin(), pairs.end());
  pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
  key_ids_.reserve(pairs.size());
  key_bits_.assign(kKeyBits / 64, 0);
  for (size_t k = 0; k < pairs.size();) {
    const uint64_t key = pairs[k].first;
    const uint32_t begin = uint32_t(key_ids_.size());
    for (; k < pairs.size() && pairs[k].first == key; ++k) key_ids_.push_back(pairs[k].second);
    keys_.emplace(key, KeyRange{begin, uint32_t(key_ids_.size())});
    const uint64_t b = KeyBit(key);
    key_bits_[b >> 6] |= uint64_t(1) << (b & 63);
  }
  name_weight_.assign(names_.size(), 0);
  auto set_weight = [&](uint32_t id, uint32_t name, float w) {
    auto& p = postings_[id];
    auto it = std::lower_bound(p.begin(), p.end(), name, [](const Posting& x, uint32_t n) { return x.name < n; });
    if (it != p.end() && it->name == name) it->weight = std::max(it->weight, w);
  };
  for (uint32_t i = 0; i < names_.size(); ++i) {
    IndexedName& in = names_[i];
    const auto& toks = in.norm.tokens;
    in.weights.resize(toks.size());
    for (size_t k = 0; k < toks.size(); ++k) in.weights[k] = toks[k].weight * Rarity(toks[k].text);
    if (list_.entries[in.entry].kind == EntryKind::kPerson) HalveMiddleNames(in.norm, in.weights);
    for (size_t k = 0; k < toks.size(); ++k) name_weight_[i] += in.weights[k];
    for (size_t k = 0; k < toks.size(); ++k) {
      if (in.vocab[k] != kNone) set_weight(in.vocab[k], i, in.weights[k]);
      if (k < in.joined.size() && in.joined[k] != kNone) set_weight(in.joined[k], i, in.weights[k] + in.weights[k + 1]);
    }
  }
  // Every listed word's similar listed words, found as a query word would
  // find them: a query word that is a listed word (most are) then needs no
  // key lookups and no similarity computations.
  Scratch scratch;
  scratch.Fit(0, vocab_text_.size());
  neighbour_start_.assign(vocab_text_.size() + 1, 0);
  neighbour_postings_.assign(vocab_text_.size(), 0);
  for (uint32_t id = 0; id < vocab_text_.size(); ++id) {
    neighbour_postings_[id] =
        FindSimilar(vocab_text_[id], vocab_skeleton_[id], id, /*cross=*/false, kMinTokenScore, scratch, neighbours_);
    neighbour_start_[id + 1] = uint32_t(neighbours_.size());
  }
  neighbours_.shrink_to_fit();
}

size_t ListIndex::FindSimilar(const std::string& text, const std::string& skel, uint32_t exact_id, bool cross,
                              double min_sim, Scratch& s, std::vector<Similar>& out) const {
  const uint32_t pass = s.NextLookup();
  const uint32_t letters = LetterSet(text);
  size_t postings = 0;
  // Each indexed token found is scored once, as it is found.
  auto consider = [&](uint32_t id) {
    if (s.token_stamp[id] == pass) return;
    s.token_stamp[id] = pass;
    if (!cross) {
      const uint32_t v = vocab_letters_[id];
      if (2 * __builtin_popcount(letters & v) < std::min(__builtin_popcount(letters), __builtin_popcount(v))) {
        return;  // too few letters in common to reach kMinTokenScore
      }
    }
    const double sim = TokenPairScore(text, vocab_text_[id], skel, vocab_skeleton_[id], cross);
    if (sim < min_sim) return;
    out.push_back(Similar{id, float(sim)});
    postings += postings_[id].size();
  };
  if (exact_id != kNone) consider(exact_id);
  // The keys to look up, in order. Each probe is a cache miss or two, so all
  // are prefetched first and then looked up: the misses overlap.
  uint64_t keys[68];
  size_t n = 0;
  // A word many listed names hold ("muhammad", "state") is matched as
  // written; its one-letter variants are looked up only for rarer words.
  if (exact_id == kNone || postings_[exact_id].size() < kCommonPostings) {
    keys[n++] = KeyHash('d', text);
    ForEachDeletionKey(text, [&](uint64_t key) { keys[n++] = key; });
  }
  // Short skeletons ("rs", "mr") are shared by thousands of tokens; they
  // only decide matches across scripts (CompareNames), so only then are
  // they looked up.
  if (skel.size() >= (cross ? 2u : 3u)) keys[n++] = KeyHash('s', skel);
  for (size_t k = 0; k < n; ++k) __builtin_prefetch(&key_bits_[KeyBit(keys[k]) >> 6]);
  size_t present = 0;
  for (size_t k = 0; k < n; ++k) {
    if (MayHaveKey(keys[k])) keys[present++] = keys[k];
  }
  for (size_t k = 0; k < present; ++k) keys_.prefetch(keys[k]);
  for (size_t k = 0; k < present; ++k) {
    if (auto it = keys_.find(keys[k]); it != keys_.end()) {
      for (uint32_t i = it->second.begin; i < it->second.end; ++i) consider(key_ids_[i]);
    }
  }
  return postings;
}

int ListIndex::LastScoredCount() { return last_scored; }

bool ListIndex::MayHaveKey(uint64_t key) const {
  const uint64_t b = KeyBit(key);
  return (key_bits_[b >> 6] >> (b & 63)) & 1;
}

size_t ListIndex::MemoryBytes() const {
  size_t b = 0;
  for (const auto& e : list_.entries) {
    b += sizeof(ListEntry);
    for (const auto& n : e.names) b += sizeof(EntryName) + n.text.capacity();
    b += e.dobs.capacity() * sizeof(DateOfBirth) + e.documents.size() * (sizeof(IdDocument) + 32);
    for (const auto& a : e.addresses) b += a.capacity() + sizeof(std::string);
    b += (e.programs.size() + e.nationalities.size() + e.countries.size()) * (sizeof(std::string) + 8);
    b += sizeof(std::pair<std::string, uint32_t>) + 1 + e.id.capacity();  // entry_of_id_
  }
  for (const auto& n : names_) {
    b += sizeof(IndexedName) + n.weights.capacity() * sizeof(float) +
         (n.vocab.capacity() + n.joined.capacity()) * sizeof(uint32_t);
    for (const auto& t : n.norm.tokens) b += sizeof(NameToken) + t.text.capacity() + t.skeleton.capacity();
  }
  for (size_t i = 0; i < vocab_text_.size(); ++i) {
    b += 2 * (sizeof(std::string) + vocab_text_[i].capacity()) + sizeof(std::string) + vocab_skeleton_[i].capacity() +
         16 + postings_[i].capacity() * sizeof(Posting) + sizeof(postings_[i]);
  }
  b += keys_.capacity() * (sizeof(uint64_t) + sizeof(KeyRange) + 1) + key_ids_.capacity() * sizeof(uint32_t);
  b += key_bits_.capacity() * sizeof(uint64_t);
  b += neighbours_.capacity() * sizeof(Similar) + neighbour_start_.capacity() * sizeof(uint32_t) +
       neighbour_postings_.capacity() * sizeof(size_t) + name_weight_.capacity() * sizeof(float);
  return b;
}

std::vector<Hit> ListIndex::Screen(const PreparedQuery& q, const ScreenOptions& options) const {
  std::vector<Hit> hits;
  last_scored = 0;
  absl::flat_hash_map<uint32_t, size_t> best_of_entry;
  ScreenReading(q.name, q, options, best_of_entry, hits);
  for (const NormalizedName& reading : q.readings) ScreenReading(reading, q, options, best_of_entry, hits);
  std::sort(hits.begin(), hits.end(), [](const Hit& a, const Hit& b) {
    return a.score > b.score || (a.score == b.score && a.entry_id < b.entry_id);
  });
  if (hits.size() > size_t(options.max_hits)) hits.resize(size_t(options.max_hits));
  return hits;
}

void ListIndex::ScreenReading(const NormalizedName& qname, const PreparedQuery& q, const ScreenOptions& options,
                              absl::flat_hash_map<uint32_t, size_t>& best_of_entry, std::vector<Hit>& hits) const {
  const auto& qt = qname.tokens;
  if (qname.Empty() || names_.empty()) return;
  const bool query_cross = qname.abjad || !qname.script.empty();
  Scratch& s = ThreadScratch(names_.size(), vocab_text_.size());
  s.touched.clear();
  // Query token weights as normalised (rarity weights only the listed side:
  // an extra surname on the query is no evidence against a match).
  std::vector<float> qw(qt.size());
  double total_w = 0;
  for (size_t i = 0; i < qt.size(); ++i) {
    qw[i] = qt[i].weight;
    total_w += qw[i];
  }
  // 1. Every query token (and short pair written together) finds the
  //    indexed tokens similar enough, through its keys.
  struct Unit {
    int q0, q1;  // query tokens
    float weight;
    uint32_t first, last;  // its matches: s.pool[first, last)
    size_t postings;       // names they occur in
  };
  std::vector<Unit> units;
  s.pool.clear();
  // `skel`: the text's skeleton, or null to compute it only if the keys are
  // probed (a listed word needs none).
  std::string joined_skel;
  auto lookup = [&](int q0, int q1, const std::string& text, const std::string* skel, float weight) {
    Unit u{q0, q1, weight, uint32_t(s.pool.size()), 0, 0};
    auto exact = vocab_.find(text);
    const uint32_t exact_id = exact == vocab_.end() ? kNone : exact->second;
    // Words written together pair with a listed word only at >=
    // kMinJoinedScore (as CompareNames), outside cross-script queries.
    const bool joined = q1 > q0 && !query_cross;
    if (exact_id != kNone && !query_cross) {
      // A listed word: its similar words were found when the list loaded.
      const auto first = neighbours_.begin() + neighbour_start_[exact_id];
      const auto last = neighbours_.begin() + neighbour_start_[exact_id + 1];
      if (!joined) {
        s.pool.insert(s.pool.end(), first, last);
        u.postings = neighbour_postings_[exact_id];
      } else {
        for (auto it = first; it != last; ++it) {
          if (it->sim < kMinJoinedScore) continue;
          s.pool.push_back(*it);
          u.postings += postings_[it->id].size();
        }
      }
    } else {
      if (skel == nullptr) skel = &(joined_skel = Skeleton(text));
      u.postings =
          FindSimilar(text, *skel, exact_id, query_cross, joined ? kMinJoinedScore : kMinTokenScore, s, s.pool);
    }
    u.last = uint32_t(s.pool.size());
    if (u.last > u.first) units.push_back(u);
  };
  for (size_t i = 0; i < qt.size(); ++i) {
    if (qw[i] <= 0 && qt.size() > 1) continue;
    lookup(int(i), int(i), qt[i].text, &qt[i].skeleton, std::max(qw[i], 0.01f));
  }
  for (size_t i = 0; i + 1 < qt.size(); ++i) {
    if (!query_cross && !JoinsWith(qt[i], qt[i + 1])) continue;
    const std::string joined = qt[i].text + qt[i + 1].text;
    if (!query_cross && LongPair(qt[i], qt[i + 1])) {
      // Two long words are one listed word only exactly.
      auto exact = vocab_.find(joined);
      if (exact == vocab_.end()) continue;
      const uint32_t first = uint32_t(s.pool.size());
      s.pool.push_back(Similar{exact->second, 1.0f});
      units.push_back(Unit{int(i), int(i) + 1, std::max(qw[i] + qw[i + 1], 0.01f), first, first + 1,
                           postings_[exact->second].size()});
      continue;
    }
    lookup(int(i), int(i) + 1, joined, nullptr, std::max(qw[i] + qw[i + 1], 0.01f));
  }
  // Every (indexed token, unit, similarity) found, by token, for scoring.
  struct Found {
    uint32_t id;
    int q0, q1;
    float sim;
  };
  std::vector<Found> by_token;
  for (const Unit& u : units) {
    for (uint32_t m = u.first; m < u.last; ++m) by_token.push_back(Found{s.pool[m].id, u.q0, u.q1, s.pool[m].sim});
  }
  std::sort(by_token.begin(), by_token.end(), [](const Found& a, const Found& b) { return a.id < b.id; });
  // 2. Names accumulate the weight of the units they hold, rarest units
  //    first. Once the units left weigh less than a candidate needs, a name
  //    not touched yet cannot become one: common tokens ("state",
  //    "muhammad") then only add to the names already touched.
  const double min_cov = q.document.empty() ? MinCoverage(options.threshold) : 0.0;
  const float floor = float(min_cov * total_w);
  std::sort(units.begin(), units.end(), [](const Unit& a, const Unit& b) { return a.postings < b.postings; });
  // (by_token holds query ranges, not unit positions: the sort is safe.)
  float remaining = 0;
  for (const Unit& u : units) remaining += u.weight;
  for (const Unit& u : units) {
    const uint32_t generation = s.NextGeneration();
    const bool may_add = remaining >= floor;
    remaining -= u.weight;
    auto credit = [&](uint32_t n, float listed_weight, float sim) {
      if (s.stamp[n] == generation) return;  // one credit per unit and name
      s.stamp[n] = generation;
      if (s.acc[n] == 0) s.touched.push_back(n);
      s.acc[n] += u.weight * sim;
      s.acc_c[n] += listed_weight * sim;
    };
    // Walking the postings costs their length; looking through the tokens
    // of each touched name costs ~6 per name (tokens and joined pairs).
    if (may_add || u.postings <= s.touched.size() * 6) {
      for (uint32_t m = u.first; m < u.last; ++m) {
        const float sim = s.pool[m].sim;
        if (may_add) {
          for (const Posting& p : postings_[s.pool[m].id]) credit(p.name, p.weight, sim);
        } else {
          // A touched name has acc > 0 (every unit weighs >= 0.01).
          for (const Posting& p : postings_[s.pool[m].id]) {
            if (s.acc[p.name] != 0) credit(p.name, p.weight, sim);
          }
        }
      }
    } else {
      // Common words ("muhammad", "state") once no new name can become a
      // candidate: only the names already touched can gain. Each is
      // credited for the unit's first match it holds, as the walk above.
      const uint32_t pass = s.NextLookup();
      for (uint32_t m = u.first; m < u.last; ++m) {
        s.token_stamp[s.pool[m].id] = pass;
        s.token_rank[s.pool[m].id] = m;
      }
      const size_t touched = s.touched.size();
      for (size_t k = 0; k < touched; ++k) {
        const uint32_t n = s.touched[k];
        const IndexedName& in = names_[n];
        uint32_t best = ~0u;
        float listed_weight = 0;
        auto consider = [&](uint32_t id, float w) {
          if (id == kNone || s.token_stamp[id] != pass) return;
          const uint32_t rank = s.token_rank[id];
          if (rank < best) {
            best = rank;
            listed_weight = w;
          } else if (rank == best) {
            listed_weight = std::max(listed_weight, w);  // as the posting's weight: the most of its places
          }
        };
        for (size_t j = 0; j < in.vocab.size(); ++j) consider(in.vocab[j], in.weights[j]);
        for (size_t j = 0; j < in.joined.size(); ++j) consider(in.joined[j], in.weights[j] + in.weights[j + 1]);
        if (best != ~0u) credit(n, listed_weight, s.pool[best].sim);
      }
    }
  }
  // 3. Candidates: names that could still reach the threshold on both
  // coverages, most weight first. A document number can lift any name
  // match, so then only a token in common is needed.
  std::vector<std::pair<float, uint32_t>> cands;
  for (uint32_t n : s.touched) {
    if (s.acc[n] >= floor && s.acc_c[n] >= float(min_cov) * name_weight_[n] * 0.999f) {
      cands.push_back({s.acc[n] / float(total_w) + s.acc_c[n] / std::max(name_weight_[n], 1e-6f), n});
    }
    s.acc[n] = 0;
    s.acc_c[n] = 0;
  }
  const size_t keep = std::min(cands.size(), kMaxScored);
  std::partial_sort(cands.begin(), cands.begin() + long(keep), cands.end(), [](const auto& a, const auto& b) {
    return a.first > b.first || (a.first == b.first && a.second < b.second);
  });
  cands.resize(keep);
  last_scored += int(keep);
  std::vector<TokenPair> pairs;
  auto found_for = [&](uint32_t id) {
    return std::equal_range(by_token.begin(), by_token.end(), Found{id, 0, 0, 0},
                            [](const Found& a, const Found& b) { return a.id < b.id; });
  };
  // The pairs the keys found between the query and name n: listed token (or
  // pair written as one) and query token (or pair), as CompareNames would
  // pair them.
  auto pairs_of = [&](const IndexedName& in) {
    pairs.clear();
    for (size_t j = 0; j < in.vocab.size(); ++j) {
      if (in.vocab[j] == kNone) continue;
      auto [lo, hi] = found_for(in.vocab[j]);
      for (auto f = lo; f != hi; ++f) {
        if (f->q1 > f->q0 && !query_cross && f->sim < kMinJoinedScore) continue;
        pairs.push_back(TokenPair{f->sim, f->q0, f->q1, int(j), int(j), nullptr});
      }
    }
    for (size_t j = 0; j < in.joined.size(); ++j) {
      if (in.joined[j] == kNone) continue;
      auto [lo, hi] = found_for(in.joined[j]);
      for (auto f = lo; f != hi; ++f) {
        if (f->q1 > f->q0 || (!query_cross && f->sim < kMinJoinedScore)) continue;
        if (!query_cross && f->sim < 1 && LongPair(in.norm.tokens[j], in.norm.tokens[j + 1])) continue;
        pairs.push_back(TokenPair{f->sim, f->q0, f->q0, int(j), int(j) + 1, nullptr});
      }
    }
    // Initials pair with words only in the names of people (CompareNames).
    const EntryKind kind = list_.entries[in.entry].kind;
    if (kind == EntryKind::kPerson || kind == EntryKind::kUnknown) AddInitialPairs(qname, in.norm, pairs);
  };
  // Scores first, the best name of each entry; explanations only for the
  // hits that can be returned (the best max_hits entries of this reading).
  struct Scored {
    double score;
    uint32_t name;
  };
  std::vector<Scored> scored;
  absl::flat_hash_map<uint32_t, size_t> scored_of_entry;
  // Each candidate's name is spread over a few heap blocks: fetch the next
  // ones while scoring this one.
  auto prefetch = [&](size_t k) {
    if (k >= cands.size()) return;
    const IndexedName& in = names_[cands[k].second];
    __builtin_prefetch(in.vocab.data());
    __builtin_prefetch(in.weights.data());
    __builtin_prefetch(in.norm.tokens.data());
    if (!in.joined.empty()) __builtin_prefetch(in.joined.data());
  };
  for (size_t k = 0; k < cands.size() && k < 4; ++k) __builtin_prefetch(&names_[cands[k].second]);
  prefetch(0);
  prefetch(1);
  for (size_t c = 0; c < cands.size(); ++c) {
    const uint32_t n = cands[c].second;
    if (c + 4 < cands.size()) __builtin_prefetch(&names_[cands[c + 4].second]);
    prefetch(c + 2);
    const IndexedName& in = names_[n];
    pairs_of(in);
    const double name_score = ScorePairs(qname, in.norm, &in.weights, pairs, /*explain=*/false).score;
    // Factors add at most 0.05 (DOB) + 0.02 (country), or a document lifts to 0.99.
    if (name_score + kMaxFactorBonus < options.threshold && q.document.empty()) continue;
    const ListEntry& entry = list_.entries[in.entry];
    const double score = ApplyFactors(entry, entry.names[in.name], q, name_score, nullptr);
    if (score < options.threshold) continue;
    auto [it, fresh] = scored_of_entry.emplace(in.entry, scored.size());
    if (fresh) {
      scored.push_back(Scored{score, n});
    } else if (score > scored[it->second].score) {
      scored[it->second] = Scored{score, n};
    }
  }
  const size_t explained = std::min(scored.size(), size_t(std::max(options.max_hits, 0)));
  std::partial_sort(
      scored.begin(), scored.begin() + long(explained), scored.end(), [&](const Scored& a, const Scored& b) {
        return a.score > b.score ||
               (a.score == b.score && list_.entries[names_[a.name].entry].id < list_.entries[names_[b.name].entry].id);
      });
  for (size_t k = 0; k < explained; ++k) {
    const double score = scored[k].score;
    const IndexedName& in = names_[scored[k].name];
    const ListEntry& entry = list_.entries[in.entry];
    const EntryName& en = entry.names[in.name];
    pairs_of(in);
    NameComparison cmp = ScorePairs(qname, in.norm, &in.weights, pairs, /*explain=*/true);
    Hit hit;
    hit.name_score = cmp.score;
    FactorMatches matches;
    ApplyFactors(entry, en, q, cmp.score, &hit.factors, &matches);
    hit.evidence = WeighEvidence(entry, en, matches, cmp);
    hit.list = list_.meta.name;
    hit.list_version = list_.meta.version;
    hit.entry_id = entry.id;
    hit.kind = entry.kind;
    hit.primary_name = entry.primary_name();
    hit.programs = entry.programs;
    hit.matched_name = en.text;
    hit.alias = en.alias;
    hit.weak_alias = en.weak;
    hit.original_script = en.original_script;
    hit.query_coverage = cmp.query_coverage;
    hit.list_coverage = cmp.list_coverage;
    hit.tokens = std::move(cmp.tokens);
    hit.score = score;
    auto [it, fresh] = best_of_entry.emplace(in.entry, hits.size());
    if (fresh) {
      hits.push_back(std::move(hit));
    } else if (score > hits[it->second].score) {
      hits[it->second] = std::move(hit);
    }
  }
}

const ListEntry* ListIndex::FindEntry(absl::string_view id) const {
  auto it = entry_of_id_.find(id);
  return it == entry_of_id_.end() ? nullptr : &list_.entries[it->second];
}

}  // namespace centinela::screening
