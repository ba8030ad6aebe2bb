// The engine's configuration file (YAML). Unknown keys and bad values are
// errors naming file:line:column. Relative paths resolve against the config
// file's directory.
#ifndef CENTINELA_SERVER_CONFIG_H_
#define CENTINELA_SERVER_CONFIG_H_

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "engine/validate/normalizer.h"
#include "screening/lists/list_loader.h"
#include "screening/suppress/suppression_book.h"

namespace centinela {

struct EngineConfig {
  std::string source;  // the file it came from
  // This instance's name in rule deployment reports (default: host name).
  std::string instance = "centinela";
  // kafka
  std::string bootstrap = "embedded";  // "embedded" = in-process mock cluster
  std::string group_id = "centinela";
  std::string input_topic = "fiu.transactions";
  std::string dlq_topic = "centinela.dlq";
  std::string uif_topic = "uif.alerts";
  std::string sunat_topic = "sunat.alerts";
  std::string rules_topic = "centinela.rules";  // rule deployment control topic, 1 partition
  // Alert workflow shared by the instances' APIs, 1 partition (docs/instances.md).
  std::string workflow_topic = "centinela.workflow";
  int embedded_partitions = 4;
  std::string bootstrap_file;  // where an embedded broker writes its address
  // librdkafka properties for every client the engine creates (SASL, TLS,
  // client.id, timeouts), as they are; deploy/README.md
  std::map<std::string, std::string> kafka_properties;
  // storage
  std::string data_dir = "data/centinela";
  bool sync = false;
  int retention_days = 400;  // scored transactions kept for investigators (event time); 0 = none
  int dedup_days = 400;      // ids of received transactions remembered: one sent again counts once
  // rules and reference data
  std::string pack_path;
  std::string fx_path;
  // batching
  int batch_max_records = 2000;
  int batch_max_ms = 100;
  // event time (docs/event-time.md): how far a record may trail the newest
  // record of its partition and still be scored in order; and how long a
  // caught-up, silent partition holds the event-time frontier back
  int64_t allowed_lateness_micros = 3600LL * 1000 * 1000;
  int idle_timeout_ms = 30000;
  int dead_letter_raw_max_bytes = 64 << 10;  // of a bad record kept in its dead letter
  // A stop (SIGTERM) finishes within this; what is left is reported.
  int shutdown_timeout_ms = 20000;
  // investigator API (docs/api.md); off unless api.listen is set
  std::string api_listen;                // host:port, loopback by default in the shipped config
  std::string api_tokens_path;           // YAML list of {user, role, sha256}
  std::string api_audit_path;            // empty: <data_dir>/audit.log (after any --data-dir)
  int api_max_body_bytes = 1024 * 1024;  // rule packs are submitted in the body
  int api_threads = 8;
  int api_request_timeout_ms = 10000;      // a request's head and body, in total
  int api_keep_alive_timeout_ms = 5000;    // an idle keep-alive connection
  int api_max_connections_per_client = 0;  // 0: api_threads - 2
  // sanctions and PEP lists screened by screen() in rules (docs/screening.md)
  std::vector<screening::ListSpec> lists;
  // where a reload that names its own file may read it from; unless
  // configured (list_dirs_configured), the directories of `lists`
  // (screening::DirectoriesOf)
  std::vector<std::string> list_dirs;
  bool list_dirs_configured = false;
  int64_t max_list_bytes = screening::kDefaultMaxListBytes;  // any list file larger is refused
  // how long a confirmed false-match suppression lasts (docs/screening.md)
  int suppression_days = screening::kDefaultSuppressionDays;
  // what a transaction must satisfy beyond its schema (docs/delivery.md)
  ValidationOptions validation;
};

absl::StatusOr<EngineConfig> LoadEngineConfig(const std::string& path);
absl::StatusOr<EngineConfig> ParseEngineConfig(const std::string& yaml_text, const std::string& source);

}  // namespace centinela

#endif  // CENTINELA_SERVER_CONFIG_H_
