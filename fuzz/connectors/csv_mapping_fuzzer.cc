// Fuzz target: transaction files. The first byte picks what the rest is:
// rows of a CSV file mapped by the shipped AMLworld or AMLSim mapping (as
// `centinela replay` and `centinela eval` read them), or a mapping file
// itself, which then maps one row.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "connectors/file/csv_mapping.h"
#include "fuzz/fuzz_util.h"

namespace {

using centinela::file::CsvMapping;

const CsvMapping& Shipped(const char* name) {
  auto load = [](const char* n) {
    auto m = CsvMapping::Load(std::string(CENTINELA_SOURCE_DIR "/connectors/file/mappings/") + n + ".yaml");
    if (!m.ok()) {
      std::fprintf(stderr, "%s\n", m.status().ToString().c_str());
      std::abort();
    }
    return new CsvMapping(*std::move(m));
  };
  static const CsvMapping* amlworld = load("amlworld");
  static const CsvMapping* amlsim = load("amlsim");
  return absl::string_view(name) == "amlworld" ? *amlworld : *amlsim;
}

void MapRows(const CsvMapping& mapping, absl::string_view text) {
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    const std::vector<std::string> fields = centinela::file::SplitCsvLine(line);
    centinela::v1::Transaction tx;
    bool laundering = false;
    centinela::fuzz::CheckError(centinela::file::MapRow(mapping, fields, &tx, &laundering));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const absl::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 3) {
    case 0:
      MapRows(Shipped("amlworld"), rest);
      break;
    case 1:
      MapRows(Shipped("amlsim"), rest);
      break;
    default: {
      auto mapping = CsvMapping::Parse(std::string(rest), "fuzz.yaml");
      centinela::fuzz::CheckError(mapping);
      if (mapping.ok())
        MapRows(*mapping, "2022/09/01 00:03,011,8000ECA70,011,8000ECA70,12.5,US Dollar,12.5,US Dollar,ACH,0");
    }
  }
  return 0;
}
