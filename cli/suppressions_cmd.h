// `centinela suppressions`: false-match suppressions through the engine's
// API (docs/screening.md, "Suppressing a false match"; docs/api.md,
// "Suppressions").
//
//   suppressions list [--party P] [--list L] [--entry ID] [--state S] [--by USER] [--limit N]
//   suppressions show ID
//   suppressions propose --name NAME [--country CC] [--document N] --list L --entry ID --note TEXT
//   suppressions confirm|reject|revoke ID --note TEXT
#ifndef CENTINELA_CLI_SUPPRESSIONS_CMD_H_
#define CENTINELA_CLI_SUPPRESSIONS_CMD_H_

#include <string>
#include <vector>

namespace centinela::cli {

// `args` are the words after "suppressions".
int Suppressions(const std::vector<std::string>& args);

}  // namespace centinela::cli

#endif  // CENTINELA_CLI_SUPPRESSIONS_CMD_H_
