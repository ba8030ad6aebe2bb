// Bearer-token authentication and role checks for the investigator API.
// Tokens are never stored: the configuration holds their SHA-256 digests
// (`centinela token hash` prints one).
#ifndef CENTINELA_API_AUTH_H_
#define CENTINELA_API_AUTH_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "base/hash.h"  // Sha256Hex, for token digests

namespace centinela::api {

enum class Role { kInvestigator, kSupervisor, kRuleAuthor, kAdmin };

absl::string_view RoleName(Role r);
std::optional<Role> ParseRole(absl::string_view name);

struct Principal {
  std::string user;
  Role role;
};

// What each role may do (docs/api.md, "Roles").
enum class Permission {
  kReadAlerts,
  kTransitionAlerts,
  kReopenAlerts,
  kReadAudit,
  kReadRules,            // versions, instance reports, shadow report: every role
  kCheckRules,           // validate and diff a pack: rule_author, supervisor
  kSubmitRules,          // rule_author
  kShadowRules,          // start or stop a shadow version: rule_author, supervisor
  kApproveRules,         // supervisor, never the pack's own author (maker-checker)
  kRollbackRules,        // back to an earlier approved version: rule_author, supervisor
  kScreen,               // screen names, compare names, read list metadata: every role
  kLoadLists,            // reload a sanctions/PEP list: admin, supervisor
  kReadOutbox,           // outbox backlog and parked records: admin, supervisor
  kRetryOutbox,          // put a parked outbox record back: admin
  kReadSuppressions,     // list suppressed false matches: investigator, supervisor, admin
  kProposeSuppressions,  // propose one: investigator, supervisor
  kDecideSuppressions,   // confirm, reject or revoke one: supervisor, never the proposer (maker-checker)
};
bool Allows(Role role, Permission p);

// Immutable after construction; thread-safe.
class TokenAuthenticator {
 public:
  struct Entry {
    std::string user;
    Role role;
    std::string sha256_hex;  // of the token
  };

  // Tokens file (YAML): a list of {user, role, sha256}. Errors name
  // file:line:column: unknown role, a digest that is not 64 hex characters,
  // a user listed twice.
  static absl::StatusOr<TokenAuthenticator> FromYamlFile(const std::string& path);
  static absl::StatusOr<TokenAuthenticator> FromYaml(const std::string& text, const std::string& source);
  static absl::StatusOr<TokenAuthenticator> Create(std::vector<Entry> entries);

  // The principal whose digest matches SHA-256(token); compares every digest
  // in constant time.
  std::optional<Principal> Authenticate(absl::string_view token) const;

 private:
  std::vector<Entry> entries_;
};

}  // namespace centinela::api

#endif  // CENTINELA_API_AUTH_H_
