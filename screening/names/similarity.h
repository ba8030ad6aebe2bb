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

// Consonant skeleton: vowels (and y) dropped, doubled letters collapsed and
// look-alike sounds folded (ph->f, ck/c/q->k, z->s, w->v, x->ks, dh->d,
// th->t, gh->g, kh->k). "mohammed", "muhammad" and Arabic "mhmd" all give
// "mhmd". Empty for a token of vowels only.
std::string Skeleton(absl::string_view token);

}  // namespace centinela::screening

#endif  // CENTINELA_SCREENING_NAMES_SIMILARITY_H_
