#include "base/yaml_util.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/proto_json.h"

namespace centinela {

absl::StatusOr<std::string> ReadFile(const std::string& path, absl::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open ", what));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

namespace {

// The first mapping key that repeats an earlier key of the same mapping,
// anywhere in the document (iteratively: a hostile file may nest deeply).
absl::Status CheckDuplicateKeys(const YAML::Node& root, const std::string& source) {
  std::vector<YAML::Node> pending = {root};
  while (!pending.empty()) {
    const YAML::Node n = pending.back();
    pending.pop_back();
    if (n.IsMap()) {
      absl::flat_hash_map<std::string, YAML::Mark> seen;
      for (const auto& kv : n) {
        if (kv.first.IsScalar()) {
          const auto [it, fresh] = seen.emplace(kv.first.Scalar(), kv.first.Mark());
          if (!fresh) {
            return YamlError(source, kv.first,
                             absl::StrCat("duplicate key '", kv.first.Scalar(), "' (first at line ",
                                          it->second.line + 1, ", column ", it->second.column + 1, ")"));
          }
        }
        pending.push_back(kv.second);
      }
    } else if (n.IsSequence()) {
      for (const auto& item : n) pending.push_back(item);
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<YAML::Node> LoadYaml(const std::string& text, const std::string& source) {
  // YAML is UTF-8. A Latin-1 "año" would be kept as is, and a pack or
  // setting stored in a protobuf string then fails to parse back.
  if (const size_t bad = FirstInvalidUtf8(text); bad < text.size()) {
    const size_t line_start = text.rfind('\n', bad == 0 ? 0 : bad - 1);
    const size_t column = line_start == std::string::npos ? bad + 1 : bad - line_start;
    return absl::InvalidArgumentError(absl::StrCat(source, ":", std::count(text.begin(), text.begin() + bad, '\n') + 1,
                                                   ":", column, ": not valid UTF-8 (save the file as UTF-8)"));
  }
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ":", e.mark.line + 1, ":", e.mark.column + 1, ": YAML syntax error: ", e.msg));
  }
  if (absl::Status s = CheckDuplicateKeys(root, source); !s.ok()) return s;
  return root;
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
    // Found by fuzz/connectors/csv_mapping_fuzzer.cc: a key that is a
    // sequence or a mapping made as<std::string> throw out of every reader.
    if (!kv.first.IsScalar()) {
      return YamlError(source, kv.first, absl::StrCat("a key in ", where, " must be a plain name"));
    }
    const std::string key = kv.first.Scalar();
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
