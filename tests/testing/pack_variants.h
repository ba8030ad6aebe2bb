// rules/packs/peru.yaml as another version: the semver replaced and, where
// given, exact text edits applied (each must occur). For tests of versions,
// shadow packs and deployments.
#ifndef CENTINELA_TESTS_TESTING_PACK_VARIANTS_H_
#define CENTINELA_TESTS_TESTING_PACK_VARIANTS_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "base/yaml_util.h"
#include "gtest/gtest.h"

namespace centinela::testing {

inline std::string PeruVariant(const std::string& semver,
                               const std::vector<std::pair<std::string, std::string>>& edits = {}) {
  auto text = ReadFile(CENTINELA_SOURCE_DIR "/rules/packs/peru.yaml", "rule pack");
  EXPECT_TRUE(text.ok()) << text.status();
  // Whatever version the shipped pack has: its one top-level version line.
  std::string out = *text;
  const size_t at = out.find("\nversion: ");
  EXPECT_NE(at, std::string::npos) << "peru.yaml has no version line";
  if (at != std::string::npos) out.replace(at + 1, out.find('\n', at + 1) - at - 1, absl::StrCat("version: ", semver));
  for (const auto& [from, to] : edits) {
    EXPECT_NE(out.find(from), std::string::npos) << from;
    out = absl::StrReplaceAll(out, {{from, to}});
  }
  return out;
}

}  // namespace centinela::testing

#endif  // CENTINELA_TESTS_TESTING_PACK_VARIANTS_H_
