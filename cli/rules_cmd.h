// `centinela rules ...`: the rule author's and supervisor's commands.
//   rules validate FILE...            compile locally; errors as FILE:LINE:COL
//   rules diff FILE [--against V|F]   against the active version (API) or a file
//   rules submit FILE [--note TEXT]   rule_author            POST /v1/rules
//   rules approve VERSION             supervisor, not the author
//   rules shadow VERSION | --stop     run a version in shadow beside the active one
//   rules shadow-report [--from D] [--to D]
//   rules rollback [VERSION]          back to an earlier approved version
//   rules list | show VERSION
// API commands take --api, --token (or $CENTINELA_API, $CENTINELA_TOKEN) and
// --json. Exit codes: 0 ok, 1 refused or failed (the reason is printed),
// 2 bad usage.
#ifndef CENTINELA_CLI_RULES_CMD_H_
#define CENTINELA_CLI_RULES_CMD_H_

#include <string>
#include <vector>

namespace centinela::cli {

// `args` are the words after "rules".
int Rules(const std::vector<std::string>& args);

}  // namespace centinela::cli

#endif  // CENTINELA_CLI_RULES_CMD_H_
