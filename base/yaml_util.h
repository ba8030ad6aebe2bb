// Shared handling of the YAML files users write (engine config, FX table,
// rule packs): loading with located syntax errors, "file:line:column"
// positions, and strict key checking. yaml-cpp exceptions stop here.
#ifndef CENTINELA_BASE_YAML_UTIL_H_
#define CENTINELA_BASE_YAML_UTIL_H_

#include <initializer_list>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "yaml-cpp/yaml.h"

namespace centinela {

// Reads a whole file; NotFound "PATH: cannot open WHAT" when it cannot.
absl::StatusOr<std::string> ReadFile(const std::string& path, absl::string_view what);

// Parses YAML text; a syntax error reads "SOURCE:LINE:COL: YAML syntax error:
// ...", and a key repeated in one mapping (which yaml-cpp accepts, one value
// silently winning) "SOURCE:LINE:COL: duplicate key 'k' (first at line L,
// column C)".
absl::StatusOr<YAML::Node> LoadYaml(const std::string& text, const std::string& source);

// "SOURCE:LINE:COL" of a node (1-based).
std::string YamlWhere(const std::string& source, const YAML::Node& node);

// InvalidArgument "SOURCE:LINE:COL: MESSAGE" at `node`.
absl::Status YamlError(const std::string& source, const YAML::Node& node, absl::string_view message);

// Errors unless `map` is a mapping whose keys are all in `allowed`:
// "SOURCE:LINE:COL: unknown field 'x' in WHERE (expected one of: a, b)".
absl::Status CheckYamlKeys(const std::string& source, const YAML::Node& map,
                           std::initializer_list<absl::string_view> allowed, absl::string_view where);

}  // namespace centinela

#endif  // CENTINELA_BASE_YAML_UTIL_H_
