#include "server/embedded_broker.h"

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"

namespace centinela {

absl::StatusOr<std::unique_ptr<kafka::MockCluster>> StartEmbeddedBroker(const EngineConfig& config, int brokers) {
  ASSIGN_OR_RETURN(std::unique_ptr<kafka::MockCluster> cluster, kafka::MockCluster::Start(brokers));
  RETURN_IF_ERROR(cluster->CreateTopic(config.input_topic, config.embedded_partitions));
  for (const std::string& t :
       {config.dlq_topic, config.uif_topic, config.sunat_topic, config.rules_topic, config.workflow_topic}) {
    RETURN_IF_ERROR(cluster->CreateTopic(t, 1));
  }
  if (!config.bootstrap_file.empty()) {
    const std::string tmp = config.bootstrap_file + ".tmp";
    {
      std::ofstream out(tmp);
      if (!out)
        return absl::PermissionDeniedError(absl::StrCat(config.bootstrap_file, ": cannot write bootstrap file"));
      out << cluster->bootstrap() << "\n";
    }
    std::error_code ec;
    std::filesystem::rename(tmp, config.bootstrap_file, ec);  // atomic: readers never see half a line
    if (ec) return absl::InternalError(absl::StrCat(config.bootstrap_file, ": ", ec.message()));
  }
  fprintf(stderr, "broker: embedded Kafka at %s (topics %s[%d], %s, %s, %s, %s, %s)\n", cluster->bootstrap().c_str(),
          config.input_topic.c_str(), config.embedded_partitions, config.dlq_topic.c_str(), config.uif_topic.c_str(),
          config.sunat_topic.c_str(), config.rules_topic.c_str(), config.workflow_topic.c_str());
  return cluster;
}

}  // namespace centinela
