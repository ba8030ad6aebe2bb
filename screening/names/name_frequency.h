// How much a name part proves: the commonest given names and surnames of
// Peru and Latin America, and the commonest Arabic and other given names on
// sanctions lists, are "common" — sharing one says little about identity
// ("Quispe", "Mamani", "Jose", "Muhammad"). Rare parts prove much.
//
// The table (name_frequency.cc) cites its sources. The list-side rarity
// (how many listed names hold a word) is measured from each list when it is
// indexed (list_index.cc); this table adds what the lists cannot know: how
// common a word is among the parties being screened.
// Pure functions over a static table, thread-safe.
#ifndef CENTINELA_SCREENING_NAMES_NAME_FREQUENCY_H_
#define CENTINELA_SCREENING_NAMES_NAME_FREQUENCY_H_

#include "absl/strings/string_view.h"

namespace centinela::screening {

// True for a normalised token (lower-case ASCII) among the commonest given
// names or surnames of the table.
bool IsCommonName(absl::string_view token);

// The weight a name token carries for its frequency: 1 for a rare part,
// kCommonNameWeight for a common one.
inline constexpr float kCommonNameWeight = 0.6f;
float FrequencyWeight(absl::string_view token);

}  // namespace centinela::screening

#endif  // CENTINELA_SCREENING_NAMES_NAME_FREQUENCY_H_
