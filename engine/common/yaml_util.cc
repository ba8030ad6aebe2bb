#include "engine/common/yaml_util.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace centinela {

absl::StatusOr<std::string> ReadFile(const std::string& path, absl::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open ", what));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

absl::StatusOr<YAML::Node> LoadYaml(const std::string& text, const std::string& source) {
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ":", e.mark.line + 1, ":", e.mark.column + 1, ": YAML syntax error: ", e.msg));
  }
}

std::string YamlWhere(const std::string& source, const YAML::Node& node) {
  const YAML::Mark m = node.Mark();
  return absl::StrCat(source, ":", m.line + 1, ":", m.column + 1);
}

absl::Status YamlError(const std::string& source, const YAML::Node& node, absl::string_view message) {
  return absl::InvalidArgumentError(absl::StrCat(YamlWhere(source, node), ": ", message));
}

absl::Status CheckYamlKeys(const std::string& source, const YAML::Node& map,
                           std::initializer_list<absl::string_view> allowed, absl::string_view where) {
  if (!map.IsMap()) return YamlError(source, map, absl::StrCat(where, " must be a mapping"));
  for (const auto& kv : map) {
    const std::string key = kv.first.as<std::string>();
    bool ok = false;
    for (absl::string_view a : allowed) ok |= (a == key);
    if (!ok) {
      return YamlError(source, kv.first,
                       absl::StrCat("unknown field '", key, "' in ", where,
                                    " (expected one of: ", absl::StrJoin(allowed, ", "), ")"));
    }
  }
  return absl::OkStatus();
}

}  // namespace centinela
