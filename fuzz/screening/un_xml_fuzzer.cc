// Fuzz target: a UN consolidated list file (XML).
#include "fuzz/screening/list_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto* spec = new centinela::screening::ListSpec(
      centinela::screening::MakeListSpec("un", centinela::screening::ListFormat::kUn, "fuzz-input"));
  centinela::fuzz::FuzzListFile(*spec, data, size);
  return 0;
}
