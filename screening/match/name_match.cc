#include "screening/match/name_match.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "absl/strings/ascii.h"
#include "screening/names/canonical.h"
#include "screening/names/name_frequency.h"
#include "screening/names/similarity.h"

namespace centinela::screening {
namespace {

// A typo in the first letter needs this Jaro-Winkler similarity.
constexpr double kFirstLetterTypoScore = 0.90;

// The first vowel, folded as VowelFold folds it (e, y -> i; o -> u): the
// syllable a transliteration keeps ("mohamed" / "muhammad" u; "munoz" u,
// "manas" a).
char FirstVowelFolded(const std::string& t) {
  for (char c : t) {
    if (c == 'a' || c == 'i' || c == 'u') return c;
    if (c == 'e' || c == 'y') return 'i';
    if (c == 'o') return 'u';
  }
  return 0;
}

// Whether two words start alike, or with letters transliterations swap
// ("zhang" / "chang", "vasquez" / "basquez", "yusuf" / "jusuf").
bool SameSoundStart(const std::string& a, const std::string& b) {
  if (a[0] == b[0]) return true;
  auto affricate = [](const std::string& t) {
    return t.size() >= 2 && (t[1] == 'h' || (t[0] == 't' && (t[1] == 's' || t[1] == 'z'))) &&
           (t[0] == 'c' || t[0] == 'z' || t[0] == 's' || t[0] == 't');
  };
  if (affricate(a) && affricate(b)) return true;
  for (const char* cls : {"ckq", "bv", "gj", "jy", "iy", "sz"}) {
    if (std::strchr(cls, a[0]) != nullptr && std::strchr(cls, b[0]) != nullptr) return true;
  }
  return false;
}

// Similarity of two (possibly joined) tokens, and how it was reached.
std::pair<double, const char*> Similar(const std::string& q, const std::string& c, const std::string& q_skel,
                                       const std::string& c_skel, bool cross_script) {
  double s = TokenSimilarity(q, c);
  const char* how = s >= 1.0 ? "exact" : "fuzzy";
  if (s >= 1.0) return {1.0, how};
  if (cross_script) {
    // Transliteration loses or changes vowels: compare consonant skeletons.
    if (!q_skel.empty() && !c_skel.empty()) {
      const double k = 0.95 * JaroWinkler(q_skel, c_skel);
      if (k > s) return {k, "phonetic"};
    }
    return {s, how};
  }
  // A near-typo stays within the edit budget of the longer word: "mendosa"
  // is "mendoza" mistyped, "mendez" is another surname. One that changes the
  // first letter (but for letters transliterations swap: SameSoundStart)
  // must be closer still: "salas" / "malas" are two names.
  if (s >= kMinTokenScore) {
    const int budget = EditBudget(std::max(q.size(), c.size()));
    if (BoundedEditDistance(q, c, budget) > budget || (!SameSoundStart(q, c) && s < kFirstLetterTypoScore)) s = 0;
    // Two common names a letter apart are two names ("maria" / "mario",
    // "fernandez" / "hernandez"), not one mistyped.
    if (s > 0 && IsCommonName(q) && IsCommonName(c)) s = 0;
  }
  // Spellings of one name across transliterations keep its consonants and
  // its syllables ("mohamed" / "muhammad"); "mendez" / "mendoza" share the
  // consonants but not the syllables.
  if (s < 0.88 && q.size() >= 4 && c.size() >= 4 && q_skel.size() >= 3 && q_skel == c_skel &&
      VowelGroups(q) == VowelGroups(c) && FirstVowelFolded(q) == FirstVowelFolded(c)) {
    return {0.88, "phonetic"};
  }
  // Vowels written as another transliteration writes them: "aly" / "ali",
  // "omar" / "umar".
  if (s < 0.90 && q.size() >= 3 && c.size() >= 3 && VowelFoldEqual(q, c)) return {0.90, "transliteration"};
  // A long skeleton (five consonants or more) identifies the name even when
  // a transliteration adds or drops a vowel: "alexander" / "aleksandr".
  if (s < 0.86 && q_skel.size() >= 5 && q_skel == c_skel && std::abs(VowelGroups(q) - VowelGroups(c)) <= 1) {
    return {0.86, "phonetic"};
  }
  return {s, how};
}

// Tokens [a, b] written together.
std::string Joined(const std::vector<NameToken>& t, int a, int b) {
  std::string s;
  for (int x = a; x <= b; ++x) s += t[size_t(x)].text;
  return s;
}

}  // namespace

double TokenPairScore(const std::string& q, const std::string& c, const std::string& q_skel, const std::string& c_skel,
                      bool cross_script, const char** how) {
  auto [s, h] = Similar(q, c, q_skel, c_skel, cross_script);
  if (how != nullptr) *how = h;
  return s;
}

// CompareNames once a person's names are prepared.
static NameComparison ComparePrepared(const NormalizedName& query, const NormalizedName& listed,
                                      const std::vector<float>* list_weights, bool explain, EntryKind kind) {
  const auto& qt = query.tokens;
  const auto& ct = listed.tokens;
  const int nq = int(qt.size()), nc = int(ct.size());
  auto cw = [&](int j) { return list_weights != nullptr ? (*list_weights)[size_t(j)] : ct[size_t(j)].weight; };
  const bool cross = query.abjad || listed.abjad || !query.script.empty() || !listed.script.empty();

  // Candidate pairings: single-single, single-joined pair, joined pair-single.
  thread_local std::vector<TokenPair> options;
  options.clear();
  auto add = [&](double s, const char* how, int q0, int q1, int c0, int c1) {
    if (s < kMinTokenScore) return;
    options.push_back(TokenPair{s, q0, q1, c0, c1, how});
  };
  // Tokens sharing under half of their distinct letters cannot reach
  // kMinTokenScore (Jaro-Winkler needs most letters in common); outside
  // cross-script comparisons they are skipped before computing it.
  auto may_match = [&](uint32_t a, uint32_t b) {
    if (cross) return true;
    const int common = __builtin_popcount(a & b);
    return 2 * common >= std::min(__builtin_popcount(a), __builtin_popcount(b));
  };
  for (int i = 0; i < nq; ++i) {
    if (qt[size_t(i)].weight <= 0) continue;
    for (int j = 0; j < nc; ++j) {
      if (cw(j) <= 0) continue;
      if (!may_match(qt[size_t(i)].letters, ct[size_t(j)].letters)) continue;
      auto [s, how] =
          Similar(qt[size_t(i)].text, ct[size_t(j)].text, qt[size_t(i)].skeleton, ct[size_t(j)].skeleton, cross);
      add(s, how, i, i, j, j);
    }
  }
  // Joined pairs are worth trying only when a side has a pair to join.
  std::string joined, skel;
  // Outside cross-script comparisons, a joined pair must start like the
  // token it is compared with (Jaro-Winkler rarely reaches kMinTokenScore
  // otherwise), which saves building most joined strings.
  auto may_join = [&](const std::string& a, const std::string& b1, const std::string& b2) {
    // Names split or joined differently have a short part: "al", "abd",
    // "jin ping". Two long words are one only when written exactly
    // together ("sergeilavrov", "iraqitrade").
    const size_t len = b1.size() + b2.size();
    if (!cross && std::min(b1.size(), b2.size()) > 4) {
      return a.size() == len && a.compare(0, b1.size(), b1) == 0 && a.compare(b1.size(), b2.size(), b2) == 0;
    }
    if (len > a.size() + 3 || len + 3 < a.size()) return false;
    return cross || a.empty() || b1.empty() || a[0] == b1[0];
  };
  auto legal = [](const NameToken& t) { return t.kind == TokenKind::kLegalForm; };
  for (int i = 0; i < nq; ++i) {
    for (int j = 0; j + 1 < nc; ++j) {
      if (legal(ct[size_t(j)]) || legal(ct[size_t(j + 1)])) continue;
      if (!may_join(qt[size_t(i)].text, ct[size_t(j)].text, ct[size_t(j + 1)].text)) continue;
      joined = ct[size_t(j)].text + ct[size_t(j + 1)].text;
      skel = Skeleton(joined);
      auto [s, how] = Similar(qt[size_t(i)].text, joined, qt[size_t(i)].skeleton, skel, cross);
      if (!cross && s < kMinJoinedScore) continue;
      add(s, s >= 1.0 ? "joined" : how, i, i, j, j + 1);
    }
  }
  for (int i = 0; i + 1 < nq; ++i) {
    joined.clear();
    if (legal(qt[size_t(i)]) || legal(qt[size_t(i + 1)])) continue;
    for (int j = 0; j < nc; ++j) {
      if (!may_join(ct[size_t(j)].text, qt[size_t(i)].text, qt[size_t(i + 1)].text)) continue;
      if (joined.empty()) {
        joined = qt[size_t(i)].text + qt[size_t(i + 1)].text;
        skel = Skeleton(joined);
      }
      auto [s, how] = Similar(joined, ct[size_t(j)].text, skel, ct[size_t(j)].skeleton, cross);
      if (!cross && s < kMinJoinedScore) continue;
      add(s, s >= 1.0 ? "joined" : how, i, i + 1, j, j);
    }
  }
  const bool entity = kind == EntryKind::kEntity || kind == EntryKind::kVessel || kind == EntryKind::kAircraft;
  if (!entity) AddInitialPairs(query, listed, options);
  if (kind != EntryKind::kPerson) {
    AddAcronymPair(query, listed, false, options);
    AddAcronymPair(listed, query, true, options);
  }
  return ScorePairs(query, listed, list_weights, options, explain);
}

NameComparison CompareNames(const NormalizedName& query, const NormalizedName& listed,
                            const std::vector<float>* list_weights, bool explain, EntryKind kind) {
  if (kind != EntryKind::kPerson) return ComparePrepared(query, listed, list_weights, explain, kind);
  // A person has no legal form, and their middle names weigh half.
  thread_local NormalizedName q, c;
  thread_local std::vector<float> weights;
  q = query;
  c = listed;
  q.legal_families.clear();
  c.legal_families.clear();
  weights.resize(c.tokens.size());
  for (size_t k = 0; k < c.tokens.size(); ++k) {
    weights[k] = list_weights != nullptr ? (*list_weights)[k] : c.tokens[k].weight;
  }
  if (list_weights == nullptr) HalveMiddleNames(c, weights);
  return ComparePrepared(q, c, &weights, explain, EntryKind::kPerson);
}

void AddAcronymPair(const NormalizedName& short_name, const NormalizedName& long_name, bool swapped,
                    std::vector<TokenPair>& pairs) {
  int word = -1;
  for (int i = 0; i < int(short_name.tokens.size()); ++i) {
    if (short_name.tokens[size_t(i)].weight <= 0) continue;
    if (word >= 0) return;  // more than one word: not an acronym
    word = i;
  }
  if (word < 0) return;
  const std::string& acronym = short_name.tokens[size_t(word)].text;
  if (acronym.size() < 3 || acronym.size() > 8) return;
  // The initials of the words, then with the legal forms too ("MSCL":
  // Minab Shipping Company Limited).
  std::string initials, with_forms;
  int first = -1, last = -1, last_form = -1;
  for (int j = 0; j < int(long_name.tokens.size()); ++j) {
    const NameToken& t = long_name.tokens[size_t(j)];
    if (t.kind == TokenKind::kStopword) continue;
    with_forms += t.text[0];
    last_form = j;
    if (t.kind == TokenKind::kLegalForm) continue;
    initials += t.text[0];
    if (first < 0) first = j;
    last = j;
  }
  if (first < 0) return;
  if (initials != acronym) {
    if (with_forms != acronym) return;
    last = last_form;
  }
  pairs.push_back(swapped ? TokenPair{kAcronymScore, first, last, word, word, "acronym"}
                          : TokenPair{kAcronymScore, word, word, first, last, "acronym"});
}

bool IsPatronymic(absl::string_view word) {
  return word == "bin" || word == "ibn" || word == "bint" || word == "binti" || word == "ould";
}

void HalveMiddleNames(const NormalizedName& name, std::vector<float>& weights) {
  if (name.structured) return;
  const auto& toks = name.tokens;
  size_t first = toks.size(), last = 0;
  for (size_t k = 0; k < toks.size(); ++k) {
    if (toks[k].kind != TokenKind::kName) continue;
    first = std::min(first, k);
    last = k;
  }
  for (size_t k = first + 1; k < last; ++k) {
    if (toks[k].kind == TokenKind::kName) weights[k] *= 0.5f;
  }
}

void AddInitialPairs(const NormalizedName& query, const NormalizedName& listed, std::vector<TokenPair>& pairs) {
  const auto& qt = query.tokens;
  const auto& ct = listed.tokens;
  auto initial = [](const NameToken& t) { return t.text.size() == 1 && t.text[0] >= 'a' && t.text[0] <= 'z'; };
  auto word = [](const NameToken& t) { return t.text.size() >= 2 && t.kind == TokenKind::kName; };
  auto has_initial = [&](const std::vector<NameToken>& t) { return std::any_of(t.begin(), t.end(), initial); };
  if (!has_initial(qt) && !has_initial(ct)) return;
  for (size_t i = 0; i < qt.size(); ++i) {
    for (size_t j = 0; j < ct.size(); ++j) {
      const bool q_initial = initial(qt[i]) && word(ct[j]);
      const bool c_initial = initial(ct[j]) && word(qt[i]);
      if ((q_initial || c_initial) && qt[i].text[0] == ct[j].text[0]) {
        pairs.push_back(TokenPair{kInitialScore, int(i), int(i), int(j), int(j), "initial"});
      }
    }
  }
}

NameComparison ScorePairs(const NormalizedName& query, const NormalizedName& listed,
                          const std::vector<float>* list_weights, std::vector<TokenPair>& options, bool explain) {
  NameComparison out;
  const auto& qt = query.tokens;
  const auto& ct = listed.tokens;
  const int nq = int(qt.size()), nc = int(ct.size());
  auto cw = [&](int j) { return list_weights != nullptr ? (*list_weights)[size_t(j)] : ct[size_t(j)].weight; };
  const int n_options = int(options.size());
  std::sort(options.begin(), options.end(), [](const TokenPair& a, const TokenPair& b) {
    if (a.score != b.score) return a.score > b.score;
    // Prefer single-token pairings on ties: "al baghdadi" explains better.
    if ((a.q1 - a.q0 + a.c1 - a.c0) != (b.q1 - b.q0 + b.c1 - b.c0)) {
      return (a.q1 - a.q0 + a.c1 - a.c0) < (b.q1 - b.q0 + b.c1 - b.c0);
    }
    return a.q0 != b.q0 ? a.q0 < b.q0 : a.c0 < b.c0;
  });
  // Per-thread buffers: screening scores many names per query.
  thread_local std::vector<double> q_score, c_score;
  thread_local std::vector<int> q_option, c_used;
  q_score.assign(size_t(nq), 0.0);
  c_score.assign(size_t(nc), 0.0);
  q_option.assign(size_t(nq), -1);
  c_used.assign(size_t(nc), 0);
  for (int k = 0; k < n_options; ++k) {
    const TokenPair& o = options[size_t(k)];
    bool free = true;
    for (int i = o.q0; i <= o.q1 && free; ++i) free = q_option[size_t(i)] < 0;
    for (int j = o.c0; j <= o.c1 && free; ++j) free = !c_used[size_t(j)];
    if (!free) continue;
    for (int i = o.q0; i <= o.q1; ++i) {
      q_option[size_t(i)] = k;
      q_score[size_t(i)] = o.score;
    }
    for (int j = o.c0; j <= o.c1; ++j) {
      c_used[size_t(j)] = k + 1;  // the option that used it, plus one
      c_score[size_t(j)] = o.score;
    }
  }
  // Presence: the share of each side's weight that found a partner.
  // Quality: how well the partners match (weighted mean of their scores).
  double qw = 0, qm = 0, cwsum = 0, cm = 0, sim_sum = 0, sim_w = 0;
  for (int i = 0; i < nq; ++i) {
    const double w = qt[size_t(i)].weight;
    qw += w;
    if (q_option[size_t(i)] >= 0) {
      qm += w;
      sim_sum += w * q_score[size_t(i)];
      sim_w += w;
    }
  }
  for (int j = 0; j < nc; ++j) {
    cwsum += cw(j);
    if (c_used[size_t(j)]) {
      cm += cw(j);
      sim_sum += cw(j) * c_score[size_t(j)];
    }
  }
  // Both sides' partners count: an initial ("a", weightless) paired with
  // "ali" costs on the listed side.
  sim_w += cm;
  const double quality = sim_w > 0 ? sim_sum / sim_w : 0;
  out.query_coverage = qw > 0 ? qm / qw : 0;
  out.list_coverage = cwsum > 0 ? cm / cwsum : 0;
  const double hi = std::max(out.query_coverage, out.list_coverage);
  const double lo = std::min(out.query_coverage, out.list_coverage);
  auto name_tokens = [](const std::vector<NameToken>& t) {
    int n = 0;
    for (const auto& x : t) n += x.kind == TokenKind::kName;
    return n;
  };
  // A name of one distinctive word ("SOL", "TAIPEN") is covered by any
  // query containing a similar word: then both sides must be covered.
  const double presence = (name_tokens(qt) <= 1 || name_tokens(ct) <= 1) ? hi * lo : 0.6 * hi + 0.4 * lo;
  out.score = quality * presence;
  // Companies of the same name and different legal families ("Siemens AG",
  // "Siemens GmbH") are different companies.
  // (A name may carry several: "GMBH & CO. KG", "S.A. LTD"; they differ
  // when no family is shared.)
  const std::string& q_forms = query.legal_families;
  const std::string& c_forms = listed.legal_families;
  const bool forms_differ = !q_forms.empty() && !c_forms.empty() && q_forms.find_first_of(c_forms) == std::string::npos;
  const char q_form = forms_differ ? q_forms[0] : 0, c_form = forms_differ ? c_forms[0] : 0;
  if (forms_differ) out.score *= kLegalFormMismatch;
  // A business word each side has and the other lacks ("... Trading Co" /
  // "... Shipping Co"): a different line of business, a different company.
  // Likewise a number ("99th Division" / "33rd Division").
  auto unmatched_generic = [](const std::vector<NameToken>& t, int j, bool used, double w) {
    const std::string& x = t[size_t(j)].text;
    return !used && w > 0 &&
           (t[size_t(j)].kind == TokenKind::kGeneric || std::all_of(x.begin(), x.end(), absl::ascii_isdigit));
  };
  int q_generic = -1, c_generic = -1;
  for (int i = 0; i < nq && q_generic < 0; ++i) {
    if (unmatched_generic(qt, i, q_option[size_t(i)] >= 0, qt[size_t(i)].weight)) q_generic = i;
  }
  for (int j = 0; j < nc && c_generic < 0; ++j) {
    if (unmatched_generic(ct, j, c_used[size_t(j)], cw(j))) c_generic = j;
  }
  const bool business_differs = q_generic >= 0 && c_generic >= 0;
  if (business_differs) out.score *= kBusinessWordDiffers;
  // The listed words matched prove little when they are all common names
  // ("Miguel Martinez", "Francisco Diaz": a common one counts half, under
  // one and a half rare words' worth) and the party's name says more that
  // the listed one lacks ("Miguel Martinez Chavez"): the score is lowered.
  // A rare listed word matched only approximately by a common word ("doris"
  // for "dolis") counts as common: the party's word is most likely its own
  // name, not a misspelling.
  double proof = 0;
  int listed_names = 0;
  for (int j = 0; j < nc; ++j) {
    if (ct[size_t(j)].kind != TokenKind::kName) continue;
    ++listed_names;
    if (!c_used[size_t(j)]) continue;
    const TokenPair& o = options[size_t(c_used[size_t(j)] - 1)];
    const bool common_partner = o.score < 1.0 && o.q0 == o.q1 && IsCommonName(qt[size_t(o.q0)].text);
    proof += IsCommonName(ct[size_t(j)].text) || common_partner ? kCommonProof : 1.0;
  }
  bool query_says_more = false;
  for (int i = 0; i < nq && !query_says_more; ++i) {
    query_says_more = q_option[size_t(i)] < 0 && qt[size_t(i)].weight > 0 &&
                      (qt[size_t(i)].kind == TokenKind::kName || qt[size_t(i)].kind == TokenKind::kGeneric);
  }
  const bool common_only = listed_names >= 2 && proof > 0 && proof < kMinProof && query_says_more;
  // Spanish surnames in the other order name another family ("Jose Lopez
  // Davila" / "DAVILA LOPEZ, Jose"): the listed name's first two surnames
  // paired in the reverse order, while a given name matched sits where the
  // writing puts given names (before the surnames, or after them in a name
  // written back to front).
  bool surnames_swapped = false;
  if (listed.structured && listed.given_names > 0 && listed.given_names + 1 < size_t(nc)) {
    auto query_of = [&](size_t j) {
      const int k = c_used[j] - 1;
      return k >= 0 && options[size_t(k)].q0 == options[size_t(k)].q1 && options[size_t(k)].c0 == options[size_t(k)].c1
                 ? options[size_t(k)].q0
                 : -1;
    };
    int given = -1;
    for (size_t j = 0; j < listed.given_names && given < 0; ++j) given = query_of(j);
    const int first = query_of(listed.given_names), second = query_of(listed.given_names + 1);
    if (given >= 0 && first >= 0 && second >= 0) {
      const bool natural = given<std::min(first, second), backwards = given> std::max(first, second);
      surnames_swapped = (natural && first > second) || (backwards && first < second);
    }
  }
  if (surnames_swapped) out.score *= kSurnamesSwapped;
  if (common_only) out.score *= kCommonNamesOnly;
  // "X bin Y" / "Y bin X": the son is not the father. The words either
  // side of a patronymic particle paired crosswise.
  auto listed_partner = [&](int i) {
    const int k = i >= 0 && i < nq ? q_option[size_t(i)] : -1;
    return k < 0 ? -1 : options[size_t(k)].c0;
  };
  bool reversed = false;
  for (int i = 1; i + 1 < nq && !reversed; ++i) {
    if (!IsPatronymic(qt[size_t(i)].text)) continue;
    const int before = listed_partner(i - 1), after = listed_partner(i + 1);
    for (int j = 1; j + 1 < nc && !reversed; ++j) {
      reversed = IsPatronymic(ct[size_t(j)].text) && before == j + 1 && after == j - 1;
    }
  }
  if (reversed) out.score *= kPatronymicReversed;
  if (!explain) return out;

  auto span = [](const std::vector<NameToken>& t, int a, int b) {
    std::string s = t[size_t(a)].text;
    for (int x = a + 1; x <= b; ++x) s += " " + t[size_t(x)].text;
    return s;
  };
  for (int i = 0; i < nq; ++i) {
    const int k = q_option[size_t(i)];
    if (qt[size_t(i)].weight <= 0 && k < 0) continue;
    if (k < 0) {
      out.tokens.push_back(TokenMatch{qt[size_t(i)].text, "", 0, "unmatched"});
      continue;
    }
    const TokenPair& o = options[size_t(k)];
    if (i != o.q0) continue;  // joined query pair: reported once
    const char* how = o.how;
    if (how == nullptr) {
      const bool joined = o.q1 > o.q0 || o.c1 > o.c0;
      if (o.score >= 1.0) {
        how = joined ? "joined" : "exact";
      } else {
        const std::string a = Joined(qt, o.q0, o.q1), b = Joined(ct, o.c0, o.c1);
        const bool cross = query.abjad || listed.abjad || !query.script.empty() || !listed.script.empty();
        how = Similar(a, b, Skeleton(a), Skeleton(b), cross).second;
      }
    }
    out.tokens.push_back(TokenMatch{span(qt, o.q0, o.q1), span(ct, o.c0, o.c1), o.score, how});
  }
  for (int j = 0; j < nc; ++j) {
    if (cw(j) > 0 && !c_used[size_t(j)]) out.tokens.push_back(TokenMatch{"", ct[size_t(j)].text, 0, "unmatched"});
  }
  if (business_differs) {
    const std::string& q_word = qt[size_t(q_generic)].text;
    out.tokens.push_back(TokenMatch{q_word, ct[size_t(c_generic)].text, kBusinessWordDiffers,
                                    absl::ascii_isdigit(q_word[0]) ? "number differs" : "business differs"});
  }
  if (reversed) out.tokens.push_back(TokenMatch{"", "", kPatronymicReversed, "patronymic reversed"});
  if (common_only) out.tokens.push_back(TokenMatch{"", "", kCommonNamesOnly, "common names only"});
  if (surnames_swapped) out.tokens.push_back(TokenMatch{"", "", kSurnamesSwapped, "surnames in the other order"});
  if (forms_differ) {
    auto form = [](const std::vector<NameToken>& t, char cls) {
      for (const auto& x : t) {
        if (x.kind == TokenKind::kLegalForm && LegalFormClass(x.text) == cls) return x.text;
      }
      return std::string();
    };
    out.tokens.push_back(TokenMatch{form(qt, q_form), form(ct, c_form), kLegalFormMismatch, "legal form differs"});
  }
  return out;
}

NameComparison CompareNameReadings(absl::string_view a, absl::string_view b, NormalizedName* a_reading,
                                   NormalizedName* b_reading, EntryKind kind) {
  const std::vector<NormalizedName> as = NormalizeNameReadings(a), bs = NormalizeNameReadings(b);
  NameComparison best;
  size_t bi = 0, bj = 0;
  for (size_t i = 0; i < as.size(); ++i) {
    for (size_t j = 0; j < bs.size(); ++j) {
      NameComparison c = CompareNames(as[i], bs[j], nullptr, true, kind);
      if ((i == 0 && j == 0) || c.score > best.score) {
        best = std::move(c);
        bi = i;
        bj = j;
      }
    }
  }
  if (a_reading != nullptr) *a_reading = as[bi];
  if (b_reading != nullptr) *b_reading = bs[bj];
  return best;
}

}  // namespace centinela::screening
