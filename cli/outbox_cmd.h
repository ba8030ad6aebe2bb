// `centinela outbox`: the engine's outbox through its API (docs/api.md,
// "Outbox"): what waits to be sent and what the broker refused for good and
// was moved aside; and a retry of parked records once their cause is fixed.
//
//   outbox status [--limit N] [--json]     GET /v1/outbox        (admin, supervisor)
//   outbox retry SEQ... | --all            POST /v1/outbox/parked/SEQ/retry   (admin)
#ifndef CENTINELA_CLI_OUTBOX_CMD_H_
#define CENTINELA_CLI_OUTBOX_CMD_H_

#include <string>
#include <vector>

namespace centinela::cli {

// `args` are the words after "outbox".
int Outbox(const std::vector<std::string>& args);

}  // namespace centinela::cli

#endif  // CENTINELA_CLI_OUTBOX_CMD_H_
