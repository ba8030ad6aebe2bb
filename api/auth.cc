#include "api/auth.h"

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "base/yaml_util.h"

namespace centinela::api {

absl::string_view RoleName(Role r) {
  switch (r) {
    case Role::kInvestigator:
      return "investigator";
    case Role::kSupervisor:
      return "supervisor";
    case Role::kRuleAuthor:
      return "rule_author";
    case Role::kAdmin:
      return "admin";
  }
  return "?";
}

std::optional<Role> ParseRole(absl::string_view name) {
  for (Role r : {Role::kInvestigator, Role::kSupervisor, Role::kRuleAuthor, Role::kAdmin}) {
    if (RoleName(r) == name) return r;
  }
  return std::nullopt;
}

bool Allows(Role role, Permission p) {
  switch (p) {
    case Permission::kReadAlerts:
    case Permission::kTransitionAlerts:
      return role == Role::kInvestigator || role == Role::kSupervisor;
    case Permission::kReopenAlerts:
      return role == Role::kSupervisor;
    case Permission::kReadAudit:
      return role == Role::kAdmin;
    case Permission::kReadRules:
    case Permission::kScreen:
      return true;
    case Permission::kLoadLists:
    case Permission::kReadOutbox:
      return role == Role::kAdmin || role == Role::kSupervisor;
    case Permission::kRetryOutbox:
      return role == Role::kAdmin;
    case Permission::kReadSuppressions:
      return role == Role::kInvestigator || role == Role::kSupervisor || role == Role::kAdmin;
    case Permission::kProposeSuppressions:
      return role == Role::kInvestigator || role == Role::kSupervisor;
    case Permission::kDecideSuppressions:
      return role == Role::kSupervisor;
    case Permission::kSubmitRules:
      return role == Role::kRuleAuthor;
    case Permission::kApproveRules:
      return role == Role::kSupervisor;
    case Permission::kCheckRules:
    case Permission::kShadowRules:
    case Permission::kRollbackRules:
      return role == Role::kRuleAuthor || role == Role::kSupervisor;
  }
  return false;
}

namespace {

// A lowercase SHA-256 digest: 64 hex characters.
bool IsSha256Hex(absl::string_view s) {
  return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == absl::string_view::npos;
}

}  // namespace

absl::StatusOr<TokenAuthenticator> TokenAuthenticator::Create(std::vector<Entry> entries) {
  absl::flat_hash_set<std::string> users;
  for (Entry& e : entries) {
    e.sha256_hex = absl::AsciiStrToLower(e.sha256_hex);
    if (!IsSha256Hex(e.sha256_hex)) {
      return absl::InvalidArgumentError(absl::StrCat("token of '", e.user, "': sha256 must be 64 hex characters"));
    }
    if (e.user.empty()) return absl::InvalidArgumentError("token: user must not be empty");
    if (!users.insert(e.user).second) {
      return absl::InvalidArgumentError(absl::StrCat("user '", e.user, "' listed twice"));
    }
  }
  TokenAuthenticator a;
  a.entries_ = std::move(entries);
  return a;
}

absl::StatusOr<TokenAuthenticator> TokenAuthenticator::FromYaml(const std::string& text, const std::string& source) {
  ASSIGN_OR_RETURN(YAML::Node root, LoadYaml(text, source));
  if (!root.IsMap() || !root["tokens"] || !root["tokens"].IsSequence()) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": expected a map with a 'tokens' list"));
  }
  RETURN_IF_ERROR(CheckYamlKeys(source, root, {"tokens"}, "the tokens file"));
  std::vector<Entry> entries;
  absl::flat_hash_set<std::string> users;
  for (const YAML::Node& n : root["tokens"]) {
    if (!n.IsMap()) return YamlError(source, n, "each token is a map of user, role, sha256");
    RETURN_IF_ERROR(CheckYamlKeys(source, n, {"user", "role", "sha256"}, "a token"));
    if (!n["user"] || !n["role"] || !n["sha256"]) return YamlError(source, n, "user, role and sha256 are required");
    Entry e;
    e.user = n["user"].as<std::string>();
    const auto role = ParseRole(n["role"].as<std::string>());
    if (!role) {
      return YamlError(source, n["role"],
                       absl::StrCat("unknown role '", n["role"].as<std::string>(),
                                    "'; expected investigator, supervisor, rule_author or admin"));
    }
    e.role = *role;
    e.sha256_hex = absl::AsciiStrToLower(n["sha256"].as<std::string>());
    if (!IsSha256Hex(e.sha256_hex)) {
      return YamlError(source, n["sha256"], "expected the SHA-256 of the token: 64 hex characters");
    }
    if (e.user.empty()) return YamlError(source, n["user"], "user must not be empty");
    if (!users.insert(e.user).second) {
      return YamlError(source, n["user"], absl::StrCat("user '", e.user, "' listed twice"));
    }
    entries.push_back(std::move(e));
  }
  return Create(std::move(entries));
}

absl::StatusOr<TokenAuthenticator> TokenAuthenticator::FromYamlFile(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadFile(path, "tokens file"));
  return FromYaml(text, path);
}

std::optional<Principal> TokenAuthenticator::Authenticate(absl::string_view token) const {
  if (token.empty()) return std::nullopt;
  const std::string digest = Sha256Hex(token);
  const Entry* match = nullptr;
  for (const Entry& e : entries_) {
    unsigned char diff = 0;
    for (size_t i = 0; i < 64; ++i) diff |= static_cast<unsigned char>(e.sha256_hex[i] ^ digest[i]);
    if (diff == 0) match = &e;
  }
  if (!match) return std::nullopt;
  return Principal{match->user, match->role};
}

}  // namespace centinela::api
