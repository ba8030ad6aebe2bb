// Pairwise comparison of two normalised names, token by token, with the
// explanation of every part.
//
// Tokens are compared with TokenSimilarity (Jaro-Winkler guarded for short
// tokens); a token may also match two adjacent tokens of the other name
// written together ("jinping" / "jin ping", "albaghdadi" / "al baghdadi").
// When one name was transliterated from another script, tokens also compare
// by consonant skeleton (Arabic "mhmd" / "mohamed"). Pairs are assigned
// greedily, best first, each token used once; pairs below kMinTokenScore
// count as unmatched.
//
// Then, with w the token weights (normalize.h; the list side carries rarity
// and middle-name weights from the index):
//   query_coverage = sum(w of matched query tokens) / sum(w)
//   list_coverage  = the same over the listed name's tokens
//   quality        = weighted mean score of the matched pairs
//   score = quality * (0.6 * max(coverages) + 0.4 * min(coverages))
// so that a dropped middle name or an extra surname costs less than a wrong
// one, and reordered tokens cost nothing. When either name has a single
// distinctive word ("SOL", "Taipe S.R.L."), the product of the coverages
// replaces the blend: one shared word must not make a hit. Legal forms
// never join. Three findings then lower the score, each explained: legal
// forms of different families, a business word on each side that the
// other lacks, and a patronymic reversed (constants below).
// Pure functions, thread-safe.
#ifndef CENTINELA_SCREENING_MATCH_NAME_MATCH_H_
#define CENTINELA_SCREENING_MATCH_NAME_MATCH_H_

#include <string>
#include <vector>

#include "screening/lists/watchlist.h"
#include "screening/names/normalize.h"

namespace centinela::screening {

inline constexpr double kMinTokenScore = 0.85;
// Two words written as one ("montes tacuri" / "montserrat") must match more
// closely than single words (outside cross-script comparisons): the join
// gives Jaro-Winkler a long prefix.
inline constexpr double kMinJoinedScore = 0.92;
// Both names carry a legal form, of different families (canonical.h): the
// score is multiplied by this ("Siemens AG" / "Siemens GmbH" 0.80).
inline constexpr double kLegalFormMismatch = 0.80;
// Each name has a business word (or a number) the other lacks ("Korea Myongdok Trading
// Co" / "Korea Myongdok Shipping Co" 0.89 -> 0.76).
inline constexpr double kBusinessWordDiffers = 0.85;
// "Salman bin Muhammad" / "Muhammad bin Salman": the words either side of a
// patronymic particle swapped name father and son the other way round.
inline constexpr double kPatronymicReversed = 0.70;

// Every listed word matched is a common name (name_frequency.h), there are
// at most three of them ("MARTINEZ, Miguel"), and the party's name has a
// word the listed one lacks ("MARTINEZ CHAVEZ, Miguel"): they prove little.
inline constexpr double kCommonNamesOnly = 0.90;
// What a matched listed word proves: a rare one 1, a common one (or one
// matched only approximately by a common word) this; under kMinProof in all
// is "common names only".
inline constexpr double kCommonProof = 0.45;
inline constexpr double kMinProof = 1.4;
// A listed "SURNAMES, Given" name whose first two surnames the party's name
// writes in the other order ("Jose Lopez Davila" / "DAVILA LOPEZ, Jose").
inline constexpr double kSurnamesSwapped = 0.88;

// "bin", "ibn", "bint", "binti", "ould": "son/daughter of".
bool IsPatronymic(absl::string_view word);

// How one token (or two joined) of the query matched the listed name.
struct TokenMatch {
  std::string query;   // query token(s); empty when a listed token went unmatched
  std::string listed;  // listed token(s); empty when a query token went unmatched
  double score = 0;
  // "exact", "fuzzy", "phonetic" (skeleton), "joined", "unmatched"
  std::string how;
};

struct NameComparison {
  double score = 0;
  double query_coverage = 0;       // share of the query's weight matched
  double list_coverage = 0;        // share of the listed name's weight matched
  std::vector<TokenMatch> tokens;  // query order, then unmatched listed tokens
};

// Similarity of two tokens (either may be two tokens joined) with their
// skeletons; `cross_script` when one side was transliterated. Sets `*how`.
double TokenPairScore(const std::string& q, const std::string& c, const std::string& q_skel, const std::string& c_skel,
                      bool cross_script, const char** how = nullptr);

// A pairing of query tokens [q0, q1] with listed tokens [c0, c1] (one side
// may be two tokens written together) and its similarity.
struct TokenPair {
  double score;
  int q0, q1;
  int c0, c1;
  const char* how;  // "exact", "fuzzy", "phonetic", "joined"; null: worked out when explaining
};

// An initial ("A." / "Ali", "Hans J Friedrich" / "Hans Joachim Friedrich")
// pairs with a word of two letters or more that starts with it, at this score.
inline constexpr double kInitialScore = 0.90;

// An acronym ("IRGC") pairs with the words whose initials it spells
// ("Islamic Revolutionary Guard Corps": names and business words, and
// legal forms when it spells them too; not stopwords) at this score, for
// names not of a person.
inline constexpr double kAcronymScore = 0.90;

// Appends to `pairs` the pairing of `short_name`, when it is one word of 3
// to 8 letters, with all of `long_name`'s words when they spell it.
// `swapped`: `short_name` is the listed name.
void AddAcronymPair(const NormalizedName& short_name, const NormalizedName& long_name, bool swapped,
                    std::vector<TokenPair>& pairs);

// Appends to `pairs` every initial of one name paired with a word of the
// other starting with it (both directions).
void AddInitialPairs(const NormalizedName& query, const NormalizedName& listed, std::vector<TokenPair>& pairs);

// Scores `query` against `listed` from the pairings found, each at least
// kMinTokenScore (CompareNames finds them by comparing every token with
// every token; the index passes the ones its keys found). Assigns them
// greedily, best first, each token once; `pairs` is reordered.
NameComparison ScorePairs(const NormalizedName& query, const NormalizedName& listed,
                          const std::vector<float>* list_weights, std::vector<TokenPair>& pairs, bool explain);

// What both names are known to name. kUnknown compares by the name alone.
//   kPerson: the middle names of a listed name not written "SURNAMES, Given"
//            weigh half (HalveMiddleNames); legal forms are not compared
//            (a person has none).
//   kEntity: initials do not pair with words ("A Trading" is not "Alpha
//            Trading"); everything else as kUnknown.
// (Vessels and aircraft compare as entities.)

// Compares `query` with `listed`. `list_weights`, when given, replaces the
// weights of `listed`'s tokens (same size; rarity-weighted by the index).
NameComparison CompareNames(const NormalizedName& query, const NormalizedName& listed,
                            const std::vector<float>* list_weights = nullptr, bool explain = true,
                            EntryKind kind = EntryKind::kUnknown);

// Multiplies by 0.5 the weights of a person's middle names: the name
// tokens between the first and the last, when the name is not written
// "SURNAMES, Given" (then the normaliser has weighted it). They are the
// part most often left out ("Mohammad Islambouli" for "Mohammad Shawqi
// Islambouli"). `weights` holds one weight per token of `name`.
void HalveMiddleNames(const NormalizedName& name, std::vector<float>& weights);

// The best comparison over the readings of both names
// (NormalizeNameReadings): a Han name is also read in Japanese and Korean.
// `*a_reading` / `*b_reading` receive the readings compared.
NameComparison CompareNameReadings(absl::string_view a, absl::string_view b, NormalizedName* a_reading = nullptr,
                                   NormalizedName* b_reading = nullptr, EntryKind kind = EntryKind::kUnknown);

}  // namespace centinela::screening

#endif  // CENTINELA_SCREENING_MATCH_NAME_MATCH_H_
