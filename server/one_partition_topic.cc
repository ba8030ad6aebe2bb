#include "server/one_partition_topic.h"

#include "absl/strings/str_cat.h"

namespace centinela {

absl::Status CheckOnePartitionTopic(const kafka::Endpoint& endpoint, const std::string& topic, absl::string_view what,
                                    absl::string_view setting) {
  auto partitions = kafka::PartitionReader::PartitionCount(endpoint, topic, 10000);
  if (!partitions.ok()) {
    return absl::Status(partitions.status().code(),
                        absl::StrCat(what, ": ", partitions.status().message(),
                                     " (create it with one partition, or set ", setting, ")"));
  }
  if (*partitions != 1) {
    return absl::FailedPreconditionError(absl::StrCat(what, " ", topic, " has ", *partitions,
                                                      " partitions; it needs exactly 1 (one order for all instances)"));
  }
  return absl::OkStatus();
}

}  // namespace centinela
