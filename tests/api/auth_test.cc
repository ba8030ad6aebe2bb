// Tokens files and role permissions (api/auth).
#include "api/auth.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace centinela::api {
namespace {

using ::testing::StartsWith;

TEST(TokenAuthenticator, MatchesTheDigestOfTheTokenOnly) {
  const std::string yaml = "tokens:\n  - {user: ana, role: investigator, sha256: " + Sha256Hex("s3cret") + "}\n";
  auto a = TokenAuthenticator::FromYaml(yaml, "tokens.yaml");
  ASSERT_TRUE(a.ok()) << a.status();
  auto who = a->Authenticate("s3cret");
  ASSERT_TRUE(who.has_value());
  EXPECT_EQ(who->user, "ana");
  EXPECT_EQ(who->role, Role::kInvestigator);
  EXPECT_FALSE(a->Authenticate("s3cret ").has_value());
  EXPECT_FALSE(a->Authenticate(Sha256Hex("s3cret")).has_value());  // the digest is not a token
  EXPECT_FALSE(a->Authenticate("").has_value());
  // Known SHA-256 test vector.
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(TokenAuthenticator, BadFilesNameLineAndColumn) {
  const std::string digest = Sha256Hex("x");
  auto role = TokenAuthenticator::FromYaml("tokens:\n  - {user: ana, role: boss, sha256: " + digest + "}\n", "t.yaml");
  EXPECT_THAT(std::string(role.status().message()), StartsWith("t.yaml:2:23: unknown role 'boss'"));
  auto hex = TokenAuthenticator::FromYaml("tokens:\n  - {user: ana, role: admin, sha256: abc}\n", "t.yaml");
  EXPECT_THAT(std::string(hex.status().message()), StartsWith("t.yaml:2:38: expected the SHA-256"));
  auto twice = TokenAuthenticator::FromYaml("tokens:\n  - {user: ana, role: admin, sha256: " + digest +
                                                "}\n  - {user: ana, role: supervisor, sha256: " + digest + "}\n",
                                            "t.yaml");
  EXPECT_THAT(std::string(twice.status().message()), StartsWith("t.yaml:3:12: user 'ana' listed twice"));
  auto field = TokenAuthenticator::FromYaml("tokens:\n  - {user: ana, role: admin, token: x}\n", "t.yaml");
  EXPECT_THAT(std::string(field.status().message()), StartsWith("t.yaml:2:30: unknown field 'token'"));
  // Issue 17, defect 8: a duplicate key (here, a second role) is an error.
  auto dup = TokenAuthenticator::FromYaml(
      "tokens:\n  - {user: ana, role: investigator, role: admin, sha256: " + digest + "}\n", "t.yaml");
  EXPECT_THAT(std::string(dup.status().message()), StartsWith("t.yaml:2:37: duplicate key 'role'"));
}

TEST(Roles, LeastPrivilege) {
  EXPECT_TRUE(Allows(Role::kInvestigator, Permission::kReadAlerts));
  EXPECT_TRUE(Allows(Role::kInvestigator, Permission::kTransitionAlerts));
  EXPECT_FALSE(Allows(Role::kInvestigator, Permission::kReopenAlerts));
  EXPECT_TRUE(Allows(Role::kSupervisor, Permission::kReopenAlerts));
  EXPECT_FALSE(Allows(Role::kRuleAuthor, Permission::kReadAlerts));
  EXPECT_FALSE(Allows(Role::kAdmin, Permission::kReadAlerts));
  EXPECT_TRUE(Allows(Role::kAdmin, Permission::kReadAudit));
  EXPECT_FALSE(Allows(Role::kSupervisor, Permission::kReadAudit));
}

}  // namespace
}  // namespace centinela::api
