// Fuzz target: a generic CSV list (a national PEP list) under a mapping
// that uses every column kind.
#include "fuzz/screening/list_fuzz.h"

namespace {

centinela::screening::ListSpec CsvSpec() {
  using centinela::screening::ListFormat;
  centinela::screening::ListSpec spec = centinela::screening::MakeListSpec("pep_pe", ListFormat::kCsv, "fuzz-input",
                                                                           centinela::screening::ListCategory::kPep);
  auto& m = spec.mapping;
  m.header = true;
  m.source = "fuzz";
  m.id = "id";
  m.name = "nombre";
  m.aliases = "alias";
  m.kind = "tipo";
  m.dob = "nacimiento";
  m.nationality = "nacionalidad";
  m.country = "pais";
  m.document = "documento";
  m.document_type = "tipo_documento";
  m.program = "cargo";
  return spec;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto* spec = new centinela::screening::ListSpec(CsvSpec());
  centinela::fuzz::FuzzListFile(*spec, data, size);
  return 0;
}
