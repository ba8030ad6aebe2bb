// Shared by the list loader fuzz targets: loads the input as a list file of
// one format, then indexes what loaded and screens its first name, as a
// list reload through the API does.
#ifndef CENTINELA_FUZZ_SCREENING_LIST_FUZZ_H_
#define CENTINELA_FUZZ_SCREENING_LIST_FUZZ_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

#include "absl/strings/string_view.h"
#include "fuzz/fuzz_util.h"
#include "screening/lists/list_loader.h"
#include "screening/match/list_index.h"

namespace centinela::fuzz {

inline void FuzzListFile(const screening::ListSpec& spec, const uint8_t* data, size_t size) {
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  auto list = screening::LoadListFromText(spec, text, "fuzz-input");
  CheckError(list);
  if (!list.ok()) {
    Require(list.status().message().find("fuzz-input") != absl::string_view::npos,
            "a list error names the file: " + std::string(list.status().message()));
    return;
  }
  if (list->entries.empty()) return;
  screening::ScreenQuery query;
  query.name = list->entries.front().primary_name();
  auto index = screening::ListIndex::Build(*std::move(list));
  auto prepared = screening::PrepareQuery(query);
  CheckError(prepared);
  if (prepared.ok()) index->Screen(*prepared, {});
}

}  // namespace centinela::fuzz

#endif  // CENTINELA_FUZZ_SCREENING_LIST_FUZZ_H_
