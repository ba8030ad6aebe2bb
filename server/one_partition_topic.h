// The engine's own ordered topics (rule control, workflow) have exactly one
// partition: one order that every instance applies.
#ifndef CENTINELA_SERVER_ONE_PARTITION_TOPIC_H_
#define CENTINELA_SERVER_ONE_PARTITION_TOPIC_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "connectors/kafka/kafka.h"

namespace centinela {

// OK when `topic` exists with one partition; otherwise an error that starts
// with `what` ("rules: control topic") and names the setting that chooses
// the topic (`setting`, e.g. "kafka.rules_topic").
absl::Status CheckOnePartitionTopic(const kafka::Endpoint& endpoint, const std::string& topic, absl::string_view what,
                                    absl::string_view setting);

}  // namespace centinela

#endif  // CENTINELA_SERVER_ONE_PARTITION_TOPIC_H_
