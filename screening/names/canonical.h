// Canonical spellings of name words, applied by NormalizeName after
// splitting, so that every comparison and index key sees one form:
//
//   character obfuscation   "ig0r sech1n"               -> igor sechin
//   numbers and ordinals    "forty four", "1st"         -> 44, 1
//                           "first", "primera"          -> 1
//   legal-form phrases      "joint stock company"       -> jsc
//                           "aktiengesellschaft"        -> ag
//                           "sociedad anonima cerrada"  -> sac
//   nicknames, short forms  "bibi" -> benjamin, "pepe" -> jose, "dima" -> dmitry
//
// Nicknames are only those that are never a name or word of their own
// ("ben" is a patronymic particle, "will" a word: not rewritten).
// Legal forms also fall into classes (LegalFormClass) so that a company
// "AG" is not the same as one "GmbH" of the same name.
// Pure functions over static tables, thread-safe.
#ifndef CENTINELA_SCREENING_NAMES_CANONICAL_H_
#define CENTINELA_SCREENING_NAMES_CANONICAL_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace centinela::screening {

// Whether lower-case ASCII words (SplitTokens' output) name an
// organisation: a legal form or a business word among them (initials not
// yet joined: "s a" is "sa").
bool NamesOrganisation(const std::vector<std::string>& words);

// Rewrites lower-case ASCII words (SplitTokens' output) to their canonical
// forms; phrases become one word. In an `organisation`'s name, "one" and
// "second" are numbers; elsewhere they may be names.
std::vector<std::string> CanonicalWords(std::vector<std::string> words, bool organisation);

// The family of a legal form: 'S' share companies (SA, SAC, AG, JSC, PLC,
// Inc), 'L' limited-liability companies (Ltd, LLC, GmbH, SRL, EIRL, OOO),
// 'P' partnerships (KG, LP, LLP), 'C' cooperatives; 0 for a word that says
// only "company" (co, cia) or is no legal form.
char LegalFormClass(absl::string_view token);

}  // namespace centinela::screening

#endif  // CENTINELA_SCREENING_NAMES_CANONICAL_H_
