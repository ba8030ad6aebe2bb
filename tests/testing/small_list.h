// A list built in memory for tests: named entries of one kind, indexed as a
// loaded list is, to Install in a ListSet.
#ifndef CENTINELA_TESTS_TESTING_SMALL_LIST_H_
#define CENTINELA_TESTS_TESTING_SMALL_LIST_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "screening/match/list_index.h"

namespace centinela::testing {

// List `name` at `version` (category sanctions) holding one person per
// {id, primary name}.
inline std::shared_ptr<const screening::ListIndex> SmallList(
    const std::string& name, const std::string& version,
    const std::vector<std::pair<std::string, std::string>>& people) {
  screening::Watchlist w;
  w.meta.name = name;
  w.meta.version = version;
  w.meta.category = screening::ListCategory::kSanctions;
  for (const auto& [id, primary] : people) {
    screening::ListEntry& e = w.entries.emplace_back();
    e.id = id;
    e.kind = screening::EntryKind::kPerson;
    e.names.push_back({primary});
  }
  return screening::ListIndex::Build(std::move(w));
}

}  // namespace centinela::testing

#endif  // CENTINELA_TESTS_TESTING_SMALL_LIST_H_
