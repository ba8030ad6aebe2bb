// Fuzz target: a rule pack as a rule author uploads it (YAML), parsed and
// compiled as POST /v1/rules/validate does.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "fuzz/fuzz_util.h"
#include "rules/pack/rule_pack.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  auto pack = centinela::rules::RulePack::Parse(text, "fuzz.yaml");
  centinela::fuzz::CheckError(pack);
  if (!pack.ok()) {
    centinela::fuzz::Require(pack.status().message().find("fuzz.yaml") != absl::string_view::npos,
                             "a pack error names the file: " + std::string(pack.status().message()));
  }
  return 0;
}
