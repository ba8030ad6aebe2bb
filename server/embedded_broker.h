// Starts the embedded Kafka broker (librdkafka's mock cluster) with the
// engine's topics, and publishes its bootstrap address.
#ifndef CENTINELA_SERVER_EMBEDDED_BROKER_H_
#define CENTINELA_SERVER_EMBEDDED_BROKER_H_

#include <memory>

#include "absl/status/statusor.h"
#include "connectors/kafka/kafka.h"
#include "server/config.h"

namespace centinela {

// Creates the input topic with config.embedded_partitions partitions and the
// DLQ and alert topics with one each; writes the bootstrap address to
// config.bootstrap_file when set. `brokers` > 1 spreads the partitions'
// leaders over several brokers (fault-injection tests move them).
absl::StatusOr<std::unique_ptr<kafka::MockCluster>> StartEmbeddedBroker(const EngineConfig& config, int brokers = 1);

}  // namespace centinela

#endif  // CENTINELA_SERVER_EMBEDDED_BROKER_H_
