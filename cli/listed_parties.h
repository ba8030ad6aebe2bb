// `gen --listed FILE`: the listed parties to inject, read from a CSV with the
// header name,kind,country,document,list[,source] (kind person or company;
// list sanctions or pep). Errors name FILE:LINE.
#ifndef CENTINELA_CLI_LISTED_PARTIES_H_
#define CENTINELA_CLI_LISTED_PARTIES_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "gen/feed_generator.h"

namespace centinela::cli {

absl::StatusOr<std::vector<gen::ListedParty>> LoadListedParties(const std::string& path);

}  // namespace centinela::cli

#endif  // CENTINELA_CLI_LISTED_PARTIES_H_
