// Name normalisation: one name (a list entry's name or alias, or a party
// being screened) becomes the tokens every comparison and index key works on.
//
//   "AL-BAGHDADI, Abu Bakr"         -> abu bakr al baghdadi   (LAST, First)
//   "Inversiones Pérez S.A.C."      -> inversiones perez [sac: legal form]
//   "Владимир Путин"                -> vladimir putin          (Cyrillic)
//
// Steps: transliterate to ASCII (transliterate.h), lower case, punctuation to
// spaces (apostrophes and ayn/hamza marks join: "O'Brien" -> "obrien"),
// "LAST, First" reordered (and weighted, see `structured`), runs of single letters joined ("s a c" -> "sac"),
// and every token classified so that legal forms ("sac", "ltd", "llc") and
// stopwords ("de", "la", "the", titles) do not count, and generic business
// words ("trading", "inversiones", "group") count little.
// Pure functions, thread-safe.
#ifndef CENTINELA_SCREENING_NAMES_NORMALIZE_H_
#define CENTINELA_SCREENING_NAMES_NORMALIZE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace centinela::screening {

enum class TokenKind : uint8_t {
  kName = 0,   // carries the identity: given names, surnames, distinctive words
  kGeneric,    // common business words: count, but little
  kLegalForm,  // S.A., S.A.C., LTD, LLC, GMBH...: ignored
  kStopword,   // de, la, y, the, of, al, titles: ignored
};

struct NameToken {
  std::string text;      // lower-case ASCII
  std::string skeleton;  // Skeleton(text), for phonetic keys and abjad scripts
  TokenKind kind = TokenKind::kName;
  float weight = 1;      // share of the name this token carries
  uint32_t letters = 0;  // bit i: letter 'a' + i occurs (a cheap filter before Jaro-Winkler)
};

// The letter set of a lower-case ASCII token (bits 0..25; digits in 26..31).
uint32_t LetterSet(absl::string_view token);

struct NormalizedName {
  std::vector<NameToken> tokens;  // in written order ("LAST, First" reordered)
  bool abjad = false;             // transliterated from a script without short vowels
  // Written "SURNAMES, Given names": the given names come first after
  // reordering and the first given name and first surname carry full
  // weight, later ones half (a second given name or maternal surname is
  // the part most often left out).
  bool structured = false;
  size_t given_names = 0;  // with `structured`: tokens before the first surname
  std::string script;      // non-Latin script transliterated, or empty
  // The families of its legal forms (LegalFormClass, canonical.h), each
  // once, in written order: "S" for "... S.A.", "LP" for "GMBH & CO. KG".
  std::string legal_families;
  // Tokens joined with single spaces, every kind included: the display form.
  std::string Display() const;
  // Sum of token weights (0 for a name made only of legal forms/stopwords).
  float TotalWeight() const;
  bool Empty() const { return TotalWeight() <= 0; }
};

// Normalises `name` (UTF-8). Names whose every token is generic (e.g.
// "International Trading Company") give generic tokens full weight, so that
// they still match themselves.
NormalizedName NormalizeName(absl::string_view name);

// The name and, when it holds Han ideographs, its other readings
// (han_readings.h: Japanese, Korean) normalised alike; [0] is
// NormalizeName(name).
std::vector<NormalizedName> NormalizeNameReadings(absl::string_view name);

// Classification of one lower-case ASCII token, exposed for tests and docs.
TokenKind ClassifyToken(absl::string_view token);

}  // namespace centinela::screening

#endif  // CENTINELA_SCREENING_NAMES_NORMALIZE_H_
