// Converts names in any script to lower-case ASCII Latin, the form every
// comparison works on.
//
// - ASCII and Latin with diacritics (U+00C0..U+024F) use a fold table built
//   once from ICU's Latin-ASCII transform ("Pérez" -> "perez", "Øyvind" ->
//   "oyvind").
// - Hangul is romanised syllable by syllable (Revised Romanisation, with the
//   conventional spelling of the common surnames for a word's first
//   syllable: 김정은 -> "kim jeong eun"), because Korean names are written as
//   one word but romanised as separate syllables.
// - Every other script goes through ICU "Any-Latin; Latin-ASCII" (Cyrillic,
//   Greek, Arabic, Hebrew, Thai, Han as pinyin, kana, ...).
//
// Thread-safe: ICU transliterators are kept per thread.
#ifndef CENTINELA_SCREENING_NAMES_TRANSLITERATE_H_
#define CENTINELA_SCREENING_NAMES_TRANSLITERATE_H_

#include <string>

#include "absl/strings/string_view.h"

namespace centinela::screening {

struct Transliteration {
  std::string latin;  // lower-case ASCII; punctuation kept for the normaliser
  // The text was (partly) in a script that usually omits short vowels
  // (Arabic, Hebrew, Syriac, Thaana, Thai): compare by consonant skeleton.
  bool abjad = false;
  // A script other than Latin was transliterated ("Cyrillic", "Arabic", ...;
  // the first such script). Empty for Latin text.
  std::string script;
};

// `utf8` must be valid UTF-8 (see IsValidUtf8); invalid sequences become '?'.
Transliteration ToLatin(absl::string_view utf8);

// True when `s` is well-formed UTF-8. `*error_offset` receives the byte
// offset of the first bad sequence.
bool IsValidUtf8(absl::string_view s, size_t* error_offset = nullptr);

}  // namespace centinela::screening

#endif  // CENTINELA_SCREENING_NAMES_TRANSLITERATE_H_
