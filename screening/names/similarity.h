// String similarity for names: Jaro-Winkler on lower-case ASCII tokens, and
// the phonetic "skeleton" used both as an index key and to compare names
// transliterated from scripts that omit vowels (Arabic, Hebrew, Thai).
// Pure functions, thread-safe.
#ifndef CENTINELA_SCREENING_NAMES_SIMILARITY_H_
#define CENTINELA_SCREENING_NAMES_SIMILARITY_H_

#include <string>

#include "absl/strings/string_view.h"

namespace centinela::screening {

// Jaro-Winkler similarity in [0, 1] (prefix scale 0.1, prefix up to 4).
// Inputs are byte strings; names are compared after normalisation to ASCII.
double JaroWinkler(absl::string_view a, absl::string_view b);

// Similarity of two name tokens, guarded for short tokens: tokens of one or
// two letters only match exactly, and a difference between tokens of up to
// four letters costs more than Jaro-Winkler alone says ("ana"/"ann"), and
// so does a large difference in length ("trans"/"transportes"; under half
// the length is 0).
double TokenSimilarity(absl::string_view a, absl::string_view b);

// Edits a near-typo of a word of `length` letters (the longer of the two)
// may have: 0 up to three letters, 1 up to seven, 2 up to eleven, 3 beyond. "mendosa"/"mendoza" (1
// edit) is a typo; "mendez"/"mendoza" (2) and "castro"/"castillo" (3) are
// different names, however close Jaro-Winkler finds them.
int EditBudget(size_t length);

// Optimal-string-alignment distance (insertions, deletions, substitutions and
// adjacent transpositions each cost 1) when it is at most `limit`;
// otherwise limit + 1. Banded: O(length * limit).
int BoundedEditDistance(absl::string_view a, absl::string_view b, int limit);

// Number of vowel groups (a, e, i, o, u, y runs): the syllables a
// transliteration keeps ("mohamed" and "muhammad" have 3, "mendez" 2 and
// "mendoza" 3).
int VowelGroups(absl::string_view token);

// The word with vowels folded as transliterations vary them (e, y -> i;
// o -> u) and doubled letters collapsed: "aly" and "ali", "omar" and
// "umar", "yousef" and "yusif" fold alike.
std::string VowelFold(absl::string_view token);

// VowelFold(a) == VowelFold(b), without building either.
bool VowelFoldEqual(absl::string_view a, absl::string_view b);

// Consonant skeleton: vowels (and y) dropped, doubled letters collapsed and
// look-alike sounds folded (ph->f, ck/c/q->k, z->s, w->v, x->ks, dh->d,
// th->t, gh->g, kh->k). "mohammed", "muhammad" and Arabic "mhmd" all give
// "mhmd". Empty for a token of vowels only.
std::string Skeleton(absl::string_view token);

}  // namespace centinela::screening

#endif  // CENTINELA_SCREENING_NAMES_SIMILARITY_H_
