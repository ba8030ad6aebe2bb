// Peruvian given names and surnames for generated parties, drawn with
// frequencies that fall with rank as real name frequencies do (Zipf-like:
// weight 1 / (rank + 10)), so that QUISPE, FLORES and MAMANI are common and
// the long tail is rare, as in RENIEC's published rankings. The tables list
// names in rough order of frequency, as ranked by RENIEC and INEI
// publications (recalled, not transcribed: this machine cannot fetch them);
// they are for generating realistic traffic, not for matching (the matcher's
// own table of common names is screening/names/name_frequency.cc).
// Pure functions over constant tables; thread-safe.
#ifndef CENTINELA_GEN_PERUVIAN_NAMES_H_
#define CENTINELA_GEN_PERUVIAN_NAMES_H_

#include <cstdint>
#include <string>
#include <vector>

namespace centinela::gen {

const std::vector<std::string>& PeruvianSurnames();    // upper case, most frequent first
const std::vector<std::string>& PeruvianGivenNames();  // upper case, most frequent first

// Picks an index into a table of `size` names by rank frequency, from a
// uniform 64-bit draw.
size_t PickByRank(size_t size, uint64_t draw);

// "SURNAME SURNAME, Given [Given]" from four uniform draws (the second
// given name one time in three).
std::string PeruvianPersonName(uint64_t d1, uint64_t d2, uint64_t d3, uint64_t d4);

}  // namespace centinela::gen

#endif  // CENTINELA_GEN_PERUVIAN_NAMES_H_
