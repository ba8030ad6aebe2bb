// The investigator commands of `centinela`: clients of the engine's HTTP API
// (docs/api.md). They print readable tables by default and the API's JSON
// with --json; the token comes from --token or $CENTINELA_TOKEN, the API's
// address from --api or $CENTINELA_API (default http://127.0.0.1:8470).
//
//   alerts list [filters]            GET /v1/alerts
//   alerts show ID                   GET /v1/alerts/ID
//   alerts transition ID --to S --note TEXT [--expected-version N]
//   subject show account|document ID GET /v1/subjects/...
//   audit list [--from-seq N]        GET /v1/audit
//
// Exit codes: 0 ok, 1 the API refused or failed (its JSON error is printed),
// 2 bad usage.
#ifndef CENTINELA_CLI_INVESTIGATE_H_
#define CENTINELA_CLI_INVESTIGATE_H_

#include <string>
#include <vector>

namespace centinela::cli {

// `args` are the words after "alerts" (list, show, transition ...).
int AlertsApi(const std::vector<std::string>& args);
// After "subject".
int Subject(const std::vector<std::string>& args);
// After "audit list".
int AuditList(const std::vector<std::string>& args);

}  // namespace centinela::cli

#endif  // CENTINELA_CLI_INVESTIGATE_H_
