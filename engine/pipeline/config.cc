#include "engine/pipeline/config.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "yaml-cpp/yaml.h"

namespace centinela {
namespace {

std::string Where(const std::string& source, const YAML::Node& n) {
  return absl::StrCat(source, ":", n.Mark().line + 1, ":", n.Mark().column + 1);
}

absl::Status CheckKeys(const std::string& source, const YAML::Node& map, std::initializer_list<const char*> allowed,
                       const std::string& section) {
  if (!map.IsMap()) return absl::InvalidArgumentError(absl::StrCat(Where(source, map), ": ", section, " must be a mapping"));
  for (const auto& kv : map) {
    const std::string key = kv.first.as<std::string>();
    bool ok = false;
    for (const char* a : allowed) ok |= key == a;
    if (!ok) {
      return absl::InvalidArgumentError(absl::StrCat(Where(source, kv.first), ": unknown key '", key, "' in ",
                                                     section, " (expected: ", absl::StrJoin(allowed, ", "), ")"));
    }
  }
  return absl::OkStatus();
}

template <typename T>
absl::Status Read(const std::string& source, const YAML::Node& parent, const char* key, const std::string& section,
                  T* out) {
  const YAML::Node n = parent[key];
  if (!n) return absl::OkStatus();
  try {
    *out = n.as<T>();
  } catch (const YAML::Exception&) {
    return absl::InvalidArgumentError(absl::StrCat(Where(source, n), ": ", section, ".", key, ": invalid value '",
                                                   n.IsScalar() ? n.Scalar() : "<non-scalar>", "'"));
  }
  return absl::OkStatus();
}

#define CFG_RETURN_IF_ERROR(expr)      \
  do {                                 \
    absl::Status s_ = (expr);          \
    if (!s_.ok()) return s_;           \
  } while (0)

}  // namespace

absl::StatusOr<EngineConfig> LoadEngineConfig(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open config file"));
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseEngineConfig(ss.str(), path);
}

absl::StatusOr<EngineConfig> ParseEngineConfig(const std::string& text, const std::string& source) {
  EngineConfig c;
  c.source = source;
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ":", e.mark.line + 1, ":", e.mark.column + 1, ": YAML syntax error: ", e.msg));
  }
  if (root.IsNull()) root = YAML::Node(YAML::NodeType::Map);
  CFG_RETURN_IF_ERROR(CheckKeys(source, root, {"kafka", "storage", "rules", "fx", "engine"}, "the config"));
  if (const YAML::Node k = root["kafka"]) {
    CFG_RETURN_IF_ERROR(CheckKeys(source, k,
                                  {"bootstrap", "group_id", "input_topic", "dlq_topic", "uif_topic", "sunat_topic",
                                   "embedded_partitions", "bootstrap_file"},
                                  "kafka"));
    CFG_RETURN_IF_ERROR(Read(source, k, "bootstrap", "kafka", &c.bootstrap));
    CFG_RETURN_IF_ERROR(Read(source, k, "group_id", "kafka", &c.group_id));
    CFG_RETURN_IF_ERROR(Read(source, k, "input_topic", "kafka", &c.input_topic));
    CFG_RETURN_IF_ERROR(Read(source, k, "dlq_topic", "kafka", &c.dlq_topic));
    CFG_RETURN_IF_ERROR(Read(source, k, "uif_topic", "kafka", &c.uif_topic));
    CFG_RETURN_IF_ERROR(Read(source, k, "sunat_topic", "kafka", &c.sunat_topic));
    CFG_RETURN_IF_ERROR(Read(source, k, "embedded_partitions", "kafka", &c.embedded_partitions));
    CFG_RETURN_IF_ERROR(Read(source, k, "bootstrap_file", "kafka", &c.bootstrap_file));
    if (c.embedded_partitions < 1 || c.embedded_partitions > 256) {
      return absl::InvalidArgumentError(
          absl::StrCat(Where(source, k["embedded_partitions"]), ": kafka.embedded_partitions must be 1..256"));
    }
  }
  if (const YAML::Node s = root["storage"]) {
    CFG_RETURN_IF_ERROR(CheckKeys(source, s, {"path", "sync"}, "storage"));
    CFG_RETURN_IF_ERROR(Read(source, s, "path", "storage", &c.data_dir));
    CFG_RETURN_IF_ERROR(Read(source, s, "sync", "storage", &c.sync));
  }
  if (const YAML::Node r = root["rules"]) {
    CFG_RETURN_IF_ERROR(CheckKeys(source, r, {"pack"}, "rules"));
    CFG_RETURN_IF_ERROR(Read(source, r, "pack", "rules", &c.pack_path));
  }
  if (const YAML::Node f = root["fx"]) {
    CFG_RETURN_IF_ERROR(CheckKeys(source, f, {"file"}, "fx"));
    CFG_RETURN_IF_ERROR(Read(source, f, "file", "fx", &c.fx_path));
  }
  if (const YAML::Node e = root["engine"]) {
    CFG_RETURN_IF_ERROR(CheckKeys(source, e, {"batch_max_records", "batch_max_ms"}, "engine"));
    CFG_RETURN_IF_ERROR(Read(source, e, "batch_max_records", "engine", &c.batch_max_records));
    CFG_RETURN_IF_ERROR(Read(source, e, "batch_max_ms", "engine", &c.batch_max_ms));
    if (c.batch_max_records < 1 || c.batch_max_ms < 1) {
      return absl::InvalidArgumentError(absl::StrCat(Where(source, e), ": engine.batch_max_records and batch_max_ms must be >= 1"));
    }
  }
  if (c.pack_path.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": rules.pack is required (path to a rule pack)"));
  }
  if (c.fx_path.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": fx.file is required (path to the FX rate table)"));
  }
  const std::filesystem::path base = std::filesystem::path(source).parent_path();
  auto resolve = [&](std::string& p) {
    if (!p.empty() && std::filesystem::path(p).is_relative()) p = (base / p).lexically_normal().string();
  };
  resolve(c.pack_path);
  resolve(c.fx_path);
  resolve(c.data_dir);
  resolve(c.bootstrap_file);
  return c;
}

}  // namespace centinela
