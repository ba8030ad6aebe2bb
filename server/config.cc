#include "server/config.h"

#include <unistd.h>

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "base/time_util.h"
#include "base/yaml_util.h"
#include "connectors/kafka/kafka.h"

namespace centinela {
namespace {

template <typename T>
absl::Status Read(const std::string& source, const YAML::Node& parent, const char* key, const std::string& section,
                  T* out) {
  const YAML::Node n = parent[key];
  if (!n) return absl::OkStatus();
  try {
    *out = n.as<T>();
  } catch (const YAML::Exception&) {
    return YamlError(
        source, n,
        absl::StrCat(section, ".", key, ": invalid value '", n.IsScalar() ? n.Scalar() : "<non-scalar>", "'"));
  }
  return absl::OkStatus();
}

// A configured maximum, in minor units: keeps window sums of a million such
// amounts below int64's range.
constexpr int64_t kMaxConfigurableMinor = 1'000'000'000'000'000LL * 100;

absl::Status ParseValidation(const std::string& source, const YAML::Node& v, ValidationOptions* out) {
  RETURN_IF_ERROR(CheckYamlKeys(source, v, {"event_time_min", "event_time_max_ahead", "max_amount_usd", "max_amount"},
                                "validation"));
  std::string text;
  if (const YAML::Node n = v["event_time_min"]) {
    RETURN_IF_ERROR(Read(source, v, "event_time_min", "validation", &text));
    auto day = ParseIsoDate(text);
    if (!day.ok()) return YamlError(source, n, absl::StrCat("validation.event_time_min: ", day.status().message()));
    out->min_event_micros = *day * kMicrosPerDay;
  }
  if (const YAML::Node n = v["event_time_max_ahead"]) {
    RETURN_IF_ERROR(Read(source, v, "event_time_max_ahead", "validation", &text));
    auto d = ParseDuration(text);
    if (!d.ok() || *d > 366 * kMicrosPerDay) {
      return YamlError(source, n, "validation.event_time_max_ahead: a duration from 1s to 366d, e.g. 1d or 6h");
    }
    out->max_event_ahead_micros = *d;
  }
  if (const YAML::Node n = v["max_amount_usd"]) {
    RETURN_IF_ERROR(Read(source, v, "max_amount_usd", "validation", &text));
    auto minor = ParseDecimalMinor(text, 2);
    if (!minor.ok() || *minor <= 0 || *minor > kMaxConfigurableMinor) {
      return YamlError(source, n,
                       "validation.max_amount_usd: a positive amount in US dollars, at most "
                       "1000000000000000, e.g. \"100000000000\"");
    }
    out->max_amount_usd_minor = *minor;
  }
  if (const YAML::Node m = v["max_amount"]) {
    if (!m.IsMap()) return YamlError(source, m, "validation.max_amount: a mapping of currency code to amount");
    for (const auto& kv : m) {
      const std::string code = kv.first.Scalar();
      auto currency = Currency::FromCode(code);
      if (!currency.ok())
        return YamlError(source, kv.first, absl::StrCat("validation.max_amount: ", currency.status().message()));
      auto minor = kv.second.IsScalar() ? ParseDecimalMinor(kv.second.Scalar(), CurrencyExponent(*currency))
                                        : absl::StatusOr<int64_t>(absl::InvalidArgumentError("not a scalar"));
      if (!minor.ok() || *minor <= 0 || *minor > kMaxConfigurableMinor) {
        return YamlError(source, kv.second,
                         absl::StrCat("validation.max_amount.", code, ": a positive amount in ", code,
                                      " (its own units, e.g. \"500000000000\"), at most 1000000000000000"));
      }
      out->max_amount_minor[currency->packed()] = *minor;
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<EngineConfig> LoadEngineConfig(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadFile(path, "config file"));
  return ParseEngineConfig(text, path);
}

absl::StatusOr<EngineConfig> ParseEngineConfig(const std::string& text, const std::string& source) {
  EngineConfig c;
  c.source = source;
  char host[256] = {};
  if (gethostname(host, sizeof(host) - 1) == 0 && host[0]) c.instance = host;
  ASSIGN_OR_RETURN(YAML::Node root, LoadYaml(text, source));
  if (root.IsNull()) root = YAML::Node(YAML::NodeType::Map);
  RETURN_IF_ERROR(CheckYamlKeys(
      source, root, {"instance", "kafka", "storage", "rules", "fx", "engine", "api", "screening", "validation"},
      "the config"));
  RETURN_IF_ERROR(Read(source, root, "instance", "the config", &c.instance));
  if (c.instance.empty() || c.instance.size() > 128) {
    return YamlError(source, root["instance"], "instance: a name of 1 to 128 characters");
  }
  if (const YAML::Node k = root["kafka"]) {
    RETURN_IF_ERROR(
        CheckYamlKeys(source, k,
                      {"bootstrap", "group_id", "input_topic", "dlq_topic", "uif_topic", "sunat_topic",
                       "embedded_partitions", "bootstrap_file", "rules_topic", "workflow_topic", "properties"},
                      "kafka"));
    if (const YAML::Node props = k["properties"]) {
      if (!props.IsMap()) {
        return YamlError(source, props, "kafka.properties: a mapping of librdkafka property to value");
      }
      for (const auto& kv : props) {
        const std::string name = kv.first.Scalar();
        if (!kv.second.IsScalar()) {
          return YamlError(source, kv.second, absl::StrCat("kafka.properties.", name, ": a scalar value"));
        }
        if (const absl::string_view why = kafka::ReservedProperty(name); !why.empty()) {
          return YamlError(source, kv.first,
                           absl::StrCat("kafka.properties.", name, ": the engine sets this itself: ", why));
        }
        if (absl::Status s = kafka::CheckProperty(name, kv.second.Scalar()); !s.ok()) {
          return YamlError(source, kv.first, absl::StrCat("kafka.properties.", name, ": ", s.message()));
        }
        c.kafka_properties[name] = kv.second.Scalar();
      }
    }
    RETURN_IF_ERROR(Read(source, k, "bootstrap", "kafka", &c.bootstrap));
    RETURN_IF_ERROR(Read(source, k, "group_id", "kafka", &c.group_id));
    RETURN_IF_ERROR(Read(source, k, "input_topic", "kafka", &c.input_topic));
    RETURN_IF_ERROR(Read(source, k, "dlq_topic", "kafka", &c.dlq_topic));
    RETURN_IF_ERROR(Read(source, k, "uif_topic", "kafka", &c.uif_topic));
    RETURN_IF_ERROR(Read(source, k, "sunat_topic", "kafka", &c.sunat_topic));
    RETURN_IF_ERROR(Read(source, k, "embedded_partitions", "kafka", &c.embedded_partitions));
    RETURN_IF_ERROR(Read(source, k, "bootstrap_file", "kafka", &c.bootstrap_file));
    RETURN_IF_ERROR(Read(source, k, "rules_topic", "kafka", &c.rules_topic));
    RETURN_IF_ERROR(Read(source, k, "workflow_topic", "kafka", &c.workflow_topic));
    if (c.embedded_partitions < 1 || c.embedded_partitions > 256) {
      return YamlError(source, k["embedded_partitions"], "kafka.embedded_partitions must be 1..256");
    }
  }
  if (const YAML::Node s = root["storage"]) {
    RETURN_IF_ERROR(CheckYamlKeys(source, s, {"path", "sync", "retention_days", "dedup_days"}, "storage"));
    RETURN_IF_ERROR(Read(source, s, "dedup_days", "storage", &c.dedup_days));
    if (c.dedup_days < 1 || c.dedup_days > 36500) {
      return YamlError(source, s["dedup_days"], "storage.dedup_days must be 1..36500");
    }
    RETURN_IF_ERROR(Read(source, s, "path", "storage", &c.data_dir));
    RETURN_IF_ERROR(Read(source, s, "sync", "storage", &c.sync));
    RETURN_IF_ERROR(Read(source, s, "retention_days", "storage", &c.retention_days));
    if (c.retention_days < 0 || c.retention_days > 36500) {
      return YamlError(source, s["retention_days"],
                       "storage.retention_days must be 0..36500 (0 keeps no transactions)");
    }
  }
  if (const YAML::Node r = root["rules"]) {
    RETURN_IF_ERROR(CheckYamlKeys(source, r, {"pack"}, "rules"));
    RETURN_IF_ERROR(Read(source, r, "pack", "rules", &c.pack_path));
  }
  if (const YAML::Node f = root["fx"]) {
    RETURN_IF_ERROR(CheckYamlKeys(source, f, {"file"}, "fx"));
    RETURN_IF_ERROR(Read(source, f, "file", "fx", &c.fx_path));
  }
  if (const YAML::Node e = root["engine"]) {
    RETURN_IF_ERROR(CheckYamlKeys(source, e,
                                  {"batch_max_records", "batch_max_ms", "dead_letter_raw_max_bytes",
                                   "shutdown_timeout_ms", "allowed_lateness", "idle_timeout_ms"},
                                  "engine"));
    if (const YAML::Node n = e["allowed_lateness"]) {
      std::string text;
      RETURN_IF_ERROR(Read(source, e, "allowed_lateness", "engine", &text));
      auto d = text == "0" ? absl::StatusOr<int64_t>(0) : ParseDuration(text);
      if (!d.ok() || *d > 30 * kMicrosPerDay) {
        return YamlError(source, n, "engine.allowed_lateness: 0 or a duration up to 30d, e.g. 1h or 24h");
      }
      c.allowed_lateness_micros = *d;
    }
    RETURN_IF_ERROR(Read(source, e, "idle_timeout_ms", "engine", &c.idle_timeout_ms));
    if (c.idle_timeout_ms < 0 || c.idle_timeout_ms > 86400000) {
      return YamlError(source, e["idle_timeout_ms"], "engine.idle_timeout_ms must be 0 to 86400000");
    }
    RETURN_IF_ERROR(Read(source, e, "shutdown_timeout_ms", "engine", &c.shutdown_timeout_ms));
    if (c.shutdown_timeout_ms < 1000 || c.shutdown_timeout_ms > 600000) {
      return YamlError(source, e["shutdown_timeout_ms"],
                       "engine.shutdown_timeout_ms must be 1000 to 600000 (keep it below the orchestrator's grace "
                       "period)");
    }
    RETURN_IF_ERROR(Read(source, e, "dead_letter_raw_max_bytes", "engine", &c.dead_letter_raw_max_bytes));
    if (c.dead_letter_raw_max_bytes < 0 || c.dead_letter_raw_max_bytes > (512 << 10)) {
      return YamlError(source, e["dead_letter_raw_max_bytes"],
                       "engine.dead_letter_raw_max_bytes must be 0 to 524288 (a dead letter must fit in a Kafka "
                       "message)");
    }
    RETURN_IF_ERROR(Read(source, e, "batch_max_records", "engine", &c.batch_max_records));
    RETURN_IF_ERROR(Read(source, e, "batch_max_ms", "engine", &c.batch_max_ms));
    if (c.batch_max_records < 1 || c.batch_max_ms < 1) {
      return YamlError(source, e, "engine.batch_max_records and batch_max_ms must be >= 1");
    }
  }
  if (const YAML::Node a = root["api"]) {
    RETURN_IF_ERROR(CheckYamlKeys(source, a,
                                  {"listen", "tokens", "audit_log", "max_body_bytes", "threads", "request_timeout_ms",
                                   "keep_alive_timeout_ms", "max_connections_per_client"},
                                  "api"));
    RETURN_IF_ERROR(Read(source, a, "request_timeout_ms", "api", &c.api_request_timeout_ms));
    RETURN_IF_ERROR(Read(source, a, "keep_alive_timeout_ms", "api", &c.api_keep_alive_timeout_ms));
    RETURN_IF_ERROR(Read(source, a, "max_connections_per_client", "api", &c.api_max_connections_per_client));
    if (c.api_request_timeout_ms < 100 || c.api_request_timeout_ms > 600000 || c.api_keep_alive_timeout_ms < 0 ||
        c.api_keep_alive_timeout_ms > 600000 || c.api_max_connections_per_client < 0) {
      return YamlError(source, a,
                       "api.request_timeout_ms must be 100 to 600000, api.keep_alive_timeout_ms 0 to 600000 and "
                       "api.max_connections_per_client >= 0 (0: threads - 2)");
    }
    RETURN_IF_ERROR(Read(source, a, "listen", "api", &c.api_listen));
    RETURN_IF_ERROR(Read(source, a, "tokens", "api", &c.api_tokens_path));
    RETURN_IF_ERROR(Read(source, a, "audit_log", "api", &c.api_audit_path));
    RETURN_IF_ERROR(Read(source, a, "max_body_bytes", "api", &c.api_max_body_bytes));
    RETURN_IF_ERROR(Read(source, a, "threads", "api", &c.api_threads));
    if (!c.api_listen.empty() && c.api_listen.rfind(':') == std::string::npos) {
      return YamlError(source, a["listen"], "api.listen: expected host:port, e.g. 127.0.0.1:8470");
    }
    if (!c.api_listen.empty() && c.api_tokens_path.empty()) {
      return YamlError(source, a, "api.tokens is required with api.listen (nothing is open without a token)");
    }
    if (c.api_max_body_bytes < 1024 || c.api_threads < 1 || c.api_threads > 256) {
      return YamlError(source, a, "api.max_body_bytes must be >= 1024 and api.threads 1 to 256");
    }
  }
  if (const YAML::Node v = root["validation"]) RETURN_IF_ERROR(ParseValidation(source, v, &c.validation));
  if (const YAML::Node sc = root["screening"]) {
    RETURN_IF_ERROR(
        CheckYamlKeys(source, sc, {"lists", "list_dirs", "max_list_bytes", "suppression_days"}, "screening"));
    RETURN_IF_ERROR(Read(source, sc, "max_list_bytes", "screening", &c.max_list_bytes));
    RETURN_IF_ERROR(Read(source, sc, "suppression_days", "screening", &c.suppression_days));
    if (c.suppression_days < 1 || c.suppression_days > screening::kMaxSuppressionDays) {
      return YamlError(source, sc["suppression_days"],
                       absl::StrCat("screening.suppression_days must be 1 to ", screening::kMaxSuppressionDays));
    }
    if (c.max_list_bytes < 1024 || c.max_list_bytes > (int64_t(16) << 30)) {
      return YamlError(source, sc["max_list_bytes"], "screening.max_list_bytes must be 1024 to 17179869184 (16 GiB)");
    }
    if (const YAML::Node dirs = sc["list_dirs"]) {
      if (!dirs.IsSequence()) return YamlError(source, dirs, "screening.list_dirs must be a list of directories");
      const std::filesystem::path base = std::filesystem::path(source).parent_path();
      for (const YAML::Node& d : dirs) {
        if (!d.IsScalar() || d.Scalar().empty()) return YamlError(source, d, "screening.list_dirs: a directory");
        std::filesystem::path p(d.Scalar());
        c.list_dirs.push_back((p.is_relative() ? base / p : p).lexically_normal().string());
      }
      c.list_dirs_configured = true;
    }
    const YAML::Node lists = sc["lists"];
    if (lists && !lists.IsSequence()) return YamlError(source, lists, "screening.lists must be a list of lists");
    const std::string base = std::filesystem::path(source).parent_path().string();
    for (const YAML::Node& l : lists) {
      ASSIGN_OR_RETURN(screening::ListSpec spec, screening::ParseListSpec(l, source, base));
      for (const auto& other : c.lists) {
        if (other.name == spec.name) {
          return YamlError(source, l, absl::StrCat("screening.lists: list '", spec.name, "' is configured twice"));
        }
      }
      c.lists.push_back(std::move(spec));
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
  resolve(c.api_tokens_path);
  resolve(c.api_audit_path);
  return c;
}

}  // namespace centinela
