// The loaded form of a sanctions, PEP or national list: entries with their
// names and aliases, identifying data (dates of birth, nationalities,
// documents) and the list's metadata. Every loader (OFAC, UN, generic CSV)
// produces a Watchlist; the matcher indexes it (screening/match).
// Value types; a Watchlist is immutable once loaded and shared read-only.
#ifndef CENTINELA_SCREENING_LISTS_WATCHLIST_H_
#define CENTINELA_SCREENING_LISTS_WATCHLIST_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace centinela::screening {

enum class EntryKind : uint8_t { kUnknown = 0, kPerson, kEntity, kVessel, kAircraft };
absl::string_view EntryKindName(EntryKind k);

// What a hit on the list means; the shipped typologies route on it.
enum class ListCategory : uint8_t { kSanctions = 0, kPep, kOther };
absl::string_view ListCategoryName(ListCategory c);

// A listed date of birth: exact day, month or year, "circa" a year, or a
// range of years.
struct DateOfBirth {
  int year = 0;
  int month = 0;    // 0 when unknown
  int day = 0;      // 0 when unknown
  int year_to = 0;  // > year for "1960 to 1962" / BETWEEN
  bool approximate = false;
  std::string ToString() const;
};

struct IdDocument {
  std::string type;         // "Passport", "National ID No.", "Cedula No."
  std::string number;       // as listed
  std::string country;      // ISO alpha-2 when known, else as listed
  std::string Key() const;  // number, upper-case letters and digits only
};

struct EntryName {
  std::string text;
  bool alias = false;            // not the primary name
  bool weak = false;             // low-quality alias ("Low" in the UN list)
  bool original_script = false;  // listed in the original script
};

struct ListEntry {
  std::string id;  // "OFAC-2674", "UN-QDi.001", or the CSV's id column
  EntryKind kind = EntryKind::kUnknown;
  std::vector<EntryName> names;       // names[0] is the primary name
  std::vector<std::string> programs;  // "SDGT", "DRC", a PEP's position
  std::vector<DateOfBirth> dobs;
  std::vector<std::string> nationalities;  // ISO alpha-2
  std::vector<std::string> countries;      // of address or residence, ISO alpha-2
  std::vector<IdDocument> documents;
  std::vector<std::string> addresses;
  std::string listed_on;  // ISO date when the list says
  const std::string& primary_name() const;
};

struct ListMetadata {
  std::string name;                // the name rules use: "un", "ofac", "pep_pe"
  std::string format;              // "ofac", "un", "csv"
  std::string source;              // "OFAC SDN", "UN Security Council consolidated list", or the CSV's label
  std::vector<std::string> files;  // what was read
  std::string version;             // 16 hex digits of a hash of the files' bytes
  std::string published;           // the list's own date when it has one ("2026-02-27")
  ListCategory category = ListCategory::kSanctions;
  int64_t entries = 0;
  int64_t names = 0;  // primary names + aliases
  int64_t aliases = 0;
  int64_t weak_aliases = 0;
  // Records left out, and why (the first few): OFAC aliases or addresses
  // whose entry sdn.csv does not list.
  int64_t skipped = 0;
  std::vector<std::string> skipped_examples;
  int64_t loaded_at_micros = 0;  // wall clock
  int64_t load_micros = 0;       // parse + index time
};

struct Watchlist {
  ListMetadata meta;
  std::vector<ListEntry> entries;
};

}  // namespace centinela::screening

#endif  // CENTINELA_SCREENING_LISTS_WATCHLIST_H_
