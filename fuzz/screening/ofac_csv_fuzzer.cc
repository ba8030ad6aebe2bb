// Fuzz target: an OFAC SDN file (sdn.csv).
#include "fuzz/screening/list_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto* spec = new centinela::screening::ListSpec(
      centinela::screening::MakeListSpec("ofac", centinela::screening::ListFormat::kOfac, "fuzz-input"));
  centinela::fuzz::FuzzListFile(*spec, data, size);
  return 0;
}
