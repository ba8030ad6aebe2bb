#include "screening/names/countries.h"

#include <unicode/locid.h>
#include <unicode/unistr.h>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "screening/names/transliterate.h"

namespace centinela::screening {
namespace {

// "Iran (Islamic Republic of)" -> "iran islamic republic of".
std::string Key(absl::string_view name) {
  const std::string latin = ToLatin(name).latin;
  std::string out;
  for (char c : latin) {
    if (absl::ascii_isalnum(static_cast<unsigned char>(c))) {
      out += c;
    } else if (c == '\'') {
      continue;
    } else if (!out.empty() && out.back() != ' ') {
      out += ' ';
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

const absl::flat_hash_map<std::string, std::string>& Table() {
  static const auto* t = [] {
    auto* m = new absl::flat_hash_map<std::string, std::string>();
    for (const char* const* c = icu::Locale::getISOCountries(); *c != nullptr; ++c) {
      const std::string code(*c);
      icu::UnicodeString display;
      icu::Locale("en", *c).getDisplayCountry(icu::Locale::getEnglish(), display);
      std::string name;
      display.toUTF8String(name);
      (*m)[Key(name)] = code;
      (*m)[absl::AsciiStrToLower(code)] = code;
      // ICU's ISO3 code too ("per").
      const char* iso3 = icu::Locale("", *c).getISO3Country();
      if (iso3 != nullptr && *iso3 != '\0') (*m)[absl::AsciiStrToLower(iso3)] = code;
    }
    // Spellings of the UN and OFAC lists and common adjectives.
    static const std::pair<const char*, const char*> kAliases[] = {
        {"iran islamic republic of", "IR"},
        {"iranian", "IR"},
        {"iran", "IR"},
        {"democratic people s republic of korea", "KP"},
        {"democratic peoples republic of korea", "KP"},
        {"north korea", "KP"},
        {"korea north", "KP"},
        {"korean", "KP"},
        {"republic of korea", "KR"},
        {"korea south", "KR"},
        {"south korea", "KR"},
        {"syrian arab republic", "SY"},
        {"syria", "SY"},
        {"syrian", "SY"},
        {"russian federation", "RU"},
        {"russia", "RU"},
        {"russian", "RU"},
        {"democratic republic of the congo", "CD"},
        {"congo democratic republic of the", "CD"},
        {"congo", "CG"},
        {"republic of the congo", "CG"},
        {"united kingdom of great britain and northern ireland", "GB"},
        {"united kingdom", "GB"},
        {"british", "GB"},
        {"united states of america", "US"},
        {"united states", "US"},
        {"american", "US"},
        {"usa", "US"},
        {"venezuela bolivarian republic of", "VE"},
        {"venezuela", "VE"},
        {"venezuelan", "VE"},
        {"bolivia plurinational state of", "BO"},
        {"bolivia", "BO"},
        {"lao people s democratic republic", "LA"},
        {"laos", "LA"},
        {"viet nam", "VN"},
        {"vietnam", "VN"},
        {"united republic of tanzania", "TZ"},
        {"tanzania", "TZ"},
        {"republic of moldova", "MD"},
        {"moldova", "MD"},
        {"turkiye", "TR"},
        {"turkey", "TR"},
        {"turkish", "TR"},
        {"cote d ivoire", "CI"},
        {"ivory coast", "CI"},
        {"state of palestine", "PS"},
        {"palestinian", "PS"},
        {"palestine", "PS"},
        {"west bank", "PS"},
        {"gaza", "PS"},
        {"burma", "MM"},
        {"myanmar", "MM"},
        {"afghan", "AF"},
        {"iraqi", "IQ"},
        {"yemeni", "YE"},
        {"saudi arabia", "SA"},
        {"saudi", "SA"},
        {"saudi arabian", "SA"},
        {"egyptian", "EG"},
        {"libyan", "LY"},
        {"sudanese", "SD"},
        {"somali", "SO"},
        {"pakistani", "PK"},
        {"indian", "IN"},
        {"chinese", "CN"},
        {"china", "CN"},
        {"cuban", "CU"},
        {"mexican", "MX"},
        {"colombian", "CO"},
        {"peruvian", "PE"},
        {"ecuadorian", "EC"},
        {"brazilian", "BR"},
        {"argentine", "AR"},
        {"argentinian", "AR"},
        {"chilean", "CL"},
        {"lebanese", "LB"},
        {"jordanian", "JO"},
        {"kuwaiti", "KW"},
        {"qatari", "QA"},
        {"emirati", "AE"},
        {"uae", "AE"},
        {"tunisian", "TN"},
        {"algerian", "DZ"},
        {"moroccan", "MA"},
        {"malian", "ML"},
        {"nigerian", "NG"},
        {"german", "DE"},
        {"french", "FR"},
        {"spanish", "ES"},
        {"italian", "IT"},
        {"belgian", "BE"},
        {"dutch", "NL"},
        {"ukrainian", "UA"},
        {"belarusian", "BY"},
        {"kazakh", "KZ"},
        {"uzbek", "UZ"},
        {"tajik", "TJ"},
        {"kyrgyz", "KG"},
        {"turkmen", "TM"},
        {"azerbaijani", "AZ"},
        {"georgian", "GE"},
        {"armenian", "AM"},
        {"indonesian", "ID"},
        {"malaysian", "MY"},
        {"filipino", "PH"},
        {"philippine", "PH"},
        {"bangladeshi", "BD"},
        {"sri lankan", "LK"},
        {"nepalese", "NP"},
        {"eritrean", "ER"},
        {"ethiopian", "ET"},
        {"kenyan", "KE"},
        {"ugandan", "UG"},
        {"rwandan", "RW"},
        {"burundian", "BI"},
        {"congolese", "CD"},
        {"central african", "CF"},
        {"south sudanese", "SS"},
        {"chadian", "TD"},
        {"nigerien", "NE"},
        {"mauritanian", "MR"},
        {"bosnian", "BA"},
        {"serbian", "RS"},
        {"kosovo", "XK"},
        {"bahraini", "BH"},
        {"omani", "OM"},
        {"israeli", "IL"},
        {"canadian", "CA"},
        {"australian", "AU"},
        {"swiss", "CH"},
        {"austrian", "AT"},
        {"swedish", "SE"},
        {"danish", "DK"},
        {"norwegian", "NO"},
        {"finnish", "FI"},
        {"polish", "PL"},
        {"greek", "GR"},
        {"cypriot", "CY"},
        {"maltese", "MT"},
        {"panamanian", "PA"},
        {"guatemalan", "GT"},
        {"honduran", "HN"},
        {"salvadoran", "SV"},
        {"nicaraguan", "NI"},
        {"costa rican", "CR"},
        {"dominican", "DO"},
        {"haitian", "HT"},
        {"jamaican", "JM"},
        {"paraguayan", "PY"},
        {"uruguayan", "UY"},
        {"bolivian", "BO"}};
    for (const auto& [name, code] : kAliases) (*m)[name] = code;
    return m;
  }();
  return *t;
}

}  // namespace

std::string CountryCode(absl::string_view name) {
  const std::string key = Key(name);
  if (key.empty()) return "";
  auto it = Table().find(key);
  return it == Table().end() ? "" : it->second;
}

}  // namespace centinela::screening
