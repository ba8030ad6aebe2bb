#include "rules/pack/rule_pack.h"

#include "base/time_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace centinela::rules {
namespace {

constexpr const char* kMinimal = R"(pack: test
version: 1.0.0
parameters:
  limit: USD 100.00
lists:
  high_risk: [IR, KP]
aggregates:
  deposits_7d:
    subject: beneficiary.account
    window: 7d
    function: count
    filter: operation == "DEPOSIT"
rules:
  big:
    when: amount_usd > param.limit
  risky:
    when: beneficiary.country in list.high_risk
typologies:
  t1:
    subject: beneficiary.account
    rules: {big: 0.5, risky: 0.5}
    threshold: 1.0
    severity: high
    destinations: [UIF]
    dedup_window: 7d
)";

std::string ErrorOf(const std::string& yaml) {
  auto p = RulePack::Parse(yaml, "pack.yaml");
  return p.ok() ? "" : std::string(p.status().message());
}

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  const size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return s.replace(at, from.size(), to);
}

TEST(RulePack, CompilesAMinimalPack) {
  auto p = RulePack::Parse(kMinimal, "pack.yaml");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ((*p)->rules().size(), 2u);
  EXPECT_EQ((*p)->aggregates().size(), 1u);
  EXPECT_EQ((*p)->aggregates()[0].bucket_micros, kMicrosPerDay);
  EXPECT_EQ((*p)->typologies()[0].destinations, std::vector<v1::Destination>{v1::UIF});
  EXPECT_EQ((*p)->version().substr(0, 11), "test@1.0.0+");
}

// Issue 17, defect 8: a duplicate key was accepted, the last value winning
// (an added `ros_threshold: USD 1.00` was used).
// Found by fuzz/api/api_request_fuzzer.cc (protobuf's "invalid UTF-8" errors
// on a pack's text): a pack in Latin-1 ("a\xf1o" for "año") was accepted,
// though the registry stores its text in a protobuf string field, which
// protobuf refuses to parse back when it is not UTF-8.
TEST(RulePack, TextThatIsNotUtf8IsAnErrorAtItsPosition) {
  std::string text = kMinimal;
  const std::string line = "  limit: USD 100.00\n";
  text.insert(text.find(line) + line.size(), "  note: a\xf1o\n");
  auto pack = RulePack::Parse(text, "latin1.yaml");
  ASSERT_FALSE(pack.ok());
  EXPECT_EQ(pack.status().message(), "latin1.yaml:5:10: not valid UTF-8 (save the file as UTF-8)");
  text.replace(text.find("a\xf1o"), 3, "a\xc3\xb1o");  // the same in UTF-8 gets past the encoding check
  EXPECT_EQ(RulePack::Parse(text, "utf8.yaml").status().message().find("UTF-8"), absl::string_view::npos);
}

TEST(RulePack, ADuplicateKeyIsAnErrorAtItsPosition) {
  std::string text = kMinimal;
  const std::string line = "  limit: USD 100.00\n";
  text.insert(text.find(line) + line.size(), "  limit: USD 1.00\n");
  auto pack = RulePack::Parse(text, "dup.yaml");
  ASSERT_FALSE(pack.ok());
  EXPECT_EQ(pack.status().message(), "dup.yaml:5:3: duplicate key 'limit' (first at line 4, column 3)");
  // Nested deeper too, and in the shipped pack.
  std::string rules = kMinimal;
  rules.insert(rules.find("    when: amount_usd"), "    when: amount_usd > USD 1.00\n");
  EXPECT_THAT(std::string(RulePack::Parse(rules, "dup.yaml").status().message()),
              ::testing::HasSubstr("duplicate key 'when'"));
}

TEST(RulePack, VersionHashChangesWithContent) {
  auto a = RulePack::Parse(kMinimal, "a");
  auto b = RulePack::Parse(Replace(kMinimal, "USD 100.00", "USD 200.00"), "a");
  EXPECT_NE((*a)->version(), (*b)->version());
}

TEST(RulePack, ErrorsPointAtFileLineAndColumn) {
  EXPECT_EQ(ErrorOf(Replace(kMinimal, "amount_usd > param.limit", "amount_usd > param.limt")),
            "pack.yaml:15:24: rule 'big': unknown parameter 'limt'");
  EXPECT_EQ(ErrorOf(Replace(kMinimal, "amount_usd > param.limit", "amount_usd > 100")),
            "pack.yaml:15:22: rule 'big': cannot compare money with number (write money literals as USD(10000) or "
            "PEN(5500.00))");
  EXPECT_EQ(ErrorOf(Replace(kMinimal, "list.high_risk", "list.highrisk")),
            "pack.yaml:17:34: rule 'risky': unknown list 'highrisk'");
  EXPECT_EQ(ErrorOf(Replace(kMinimal, "    function: count", "    function: median")),
            "pack.yaml:11:15: unknown aggregate function 'median' (expected count, sum, min, max, avg, stddev or "
            "count_distinct)");
  EXPECT_EQ(ErrorOf(Replace(kMinimal, "    function: count", "    function: count_distinct")),
            "pack.yaml:9:5: aggregate 'deposits_7d': count_distinct needs 'of' (e.g. of: originator.account)");
  EXPECT_EQ(ErrorOf(Replace(kMinimal, "    function: count", "    function: count_distinct\n    of: amount_usd")),
            "pack.yaml:12:9: aggregate 'deposits_7d' of: expression must be string, got money");
  EXPECT_EQ(ErrorOf(Replace(kMinimal, "    function: count", "    function: count\n    of: originator.account")),
            "pack.yaml:12:9: aggregate 'deposits_7d': 'of' is only for count_distinct");
  EXPECT_EQ(ErrorOf(Replace(kMinimal, "    rules: {big: 0.5, risky: 0.5}", "    rules: {big: 0.5, riskyy: 0.5}")),
            "pack.yaml:21:23: typology 't1': unknown rule 'riskyy'");
  EXPECT_EQ(ErrorOf(Replace(kMinimal, "    severity: high", "    severity: high\n    colour: red")),
            "pack.yaml:24:5: unknown field 'colour' in typology 't1' (expected one of: name, subject, rules, "
            "threshold, severity, destinations, dedup_window, status, description)");
  EXPECT_EQ(ErrorOf(Replace(kMinimal, "[UIF]", "[UIF, FBI]")),
            "pack.yaml:24:25: unknown destination 'FBI' (expected UIF or SUNAT)");
  EXPECT_EQ(ErrorOf(Replace(kMinimal, "threshold: 1.0", "threshold: 1.5")),
            "pack.yaml:22:16: typology 't1': threshold must be > 0 and reachable (the weights sum to 1)");
}

TEST(RulePack, SyntaxErrorsAndMissingSectionsAreReported) {
  EXPECT_EQ(ErrorOf("pack: [unclosed\n").substr(0, 10), "pack.yaml:");
  EXPECT_NE(ErrorOf("pack: [unclosed\n").find("YAML syntax error"), std::string::npos);
  EXPECT_EQ(ErrorOf("- a\n- b\n"), "pack.yaml:1:1: a rule pack is a YAML mapping");
  EXPECT_NE(ErrorOf(Replace(kMinimal, "version: 1.0.0", "version: one")).find("is not semver"), std::string::npos);
  EXPECT_NE(ErrorOf("pack: x\nversion: 1.0.0\n").find("needs a non-empty 'rules'"), std::string::npos);
  // Aggregate filters cannot use aggregates (no cycles).
  EXPECT_NE(ErrorOf(Replace(kMinimal, "filter: operation == \"DEPOSIT\"", "filter: agg.deposits_7d > 1"))
                .find("unknown aggregate 'deposits_7d'"),
            std::string::npos);
}

TEST(RulePack, AggregatesOfOneSubjectWindowAndFilterShareOneState) {
  const std::string yaml = Replace(kMinimal, R"(aggregates:
)",
                                   R"(aggregates:
  deposits_sum_7d:
    subject: beneficiary.account
    window: 7d
    function: sum
    filter: operation == "DEPOSIT"
  depositors_7d:
    subject: beneficiary.account
    window: 7d
    function: count_distinct
    of: originator.account
    filter: operation == "DEPOSIT"
  deposits_30d:
    subject: beneficiary.account
    window: 30d
    function: count
    filter: operation == "DEPOSIT"
  payers_7d:
    subject: originator.account
    window: 7d
    function: count
    filter: operation == "DEPOSIT"
  documents_7d:
    subject: beneficiary.account
    window: 7d
    function: count_distinct
    of: originator.document_number
    filter: operation == "DEPOSIT"
)");
  auto p = RulePack::Parse(yaml, "pack.yaml");
  ASSERT_TRUE(p.ok()) << p.status();
  auto agg = [&](const std::string& name) -> const AggregateSpec& {
    for (const auto& a : (*p)->aggregates()) {
      if (a.name == name) return a;
    }
    ADD_FAILURE() << name;
    return (*p)->aggregates()[0];
  };
  // Sum, count and a count_distinct of one subject, window and filter: one
  // state, folded by the aggregate that counts distinct values.
  const AggregateSpec& owner = agg("depositors_7d");
  EXPECT_EQ(owner.state_owner, owner.index);
  for (const char* sharer : {"deposits_sum_7d", "deposits_7d"}) {
    EXPECT_EQ(agg(sharer).state_id, owner.state_id) << sharer;
    EXPECT_EQ(agg(sharer).state_owner, owner.index) << sharer;
  }
  // Another window, another subject or another `of`: states of their own.
  for (const char* own : {"deposits_30d", "payers_7d", "documents_7d"}) {
    EXPECT_NE(agg(own).state_id, owner.state_id) << own;
    EXPECT_EQ(agg(own).state_owner, agg(own).index) << own;
  }
  EXPECT_NE(agg("deposits_30d").state_id, agg("payers_7d").state_id);
  // The id depends on what the state holds, not on names: a renamed
  // aggregate keeps its history.
  auto renamed = RulePack::Parse(Replace(yaml, "depositors_7d:", "senders_7d:"), "pack.yaml");
  ASSERT_TRUE(renamed.ok()) << renamed.status();
  int renamed_found = 0;
  for (const auto& a : (*renamed)->aggregates()) {
    if (a.name != "senders_7d") continue;
    ++renamed_found;
    EXPECT_EQ(a.state_id, owner.state_id);
  }
  EXPECT_EQ(renamed_found, 1);
}

TEST(RulePack, ShippedPeruPackCompiles) {
  auto p = RulePack::LoadFile(CENTINELA_SOURCE_DIR "/rules/packs/peru.yaml");
  ASSERT_TRUE(p.ok()) << p.status();
  std::vector<std::string> ids;
  for (const auto& t : (*p)->typologies()) ids.push_back(t.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"structuring",
                                           "mining_cash",
                                           "border_cash",
                                           "fatf_outbound",
                                           "fatf_inbound",
                                           "smurfing",
                                           "monthly_register",
                                           "gold_export_new_company",
                                           "vraem_cash",
                                           "human_trafficking_inflows",
                                           "front_company",
                                           "contraband_split_invoices",
                                           "pep_large",
                                           "rapid_pass_through",
                                           "dormant_reactivated",
                                           "profile_deviation",
                                           "fan_in",
                                           "fan_out",
                                           "cycle",
                                           "scatter_gather",
                                           "gather_scatter",
                                           "bipartite",
                                           "stack",
                                           "sanctions_match_originator",
                                           "sanctions_match_beneficiary",
                                           "sanctions_name_match_originator",
                                           "sanctions_name_match_beneficiary",
                                           "pep_list_match_originator",
                                           "pep_list_match_beneficiary"}));
  EXPECT_TRUE((*p)->uses_graph());
  EXPECT_EQ((*p)->screen_lists(), (std::vector<std::string>{"pep", "sanctions"}));
  ASSERT_EQ((*p)->profiles().size(), 1u);
}

TEST(RulePack, ShippedNetworksPackCompiles) {
  auto p = RulePack::LoadFile(CENTINELA_SOURCE_DIR "/rules/packs/networks.yaml");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ((*p)->typologies().size(), 3u);
  EXPECT_EQ((*p)->aggregates()[0].function, AggFunction::kCountDistinct);
  EXPECT_TRUE((*p)->uses_graph());
  EXPECT_EQ((*p)->graph().max_hops, 12);
}

TEST(RulePack, GraphSectionIsValidated) {
  EXPECT_EQ(ErrorOf(Replace(kMinimal, "rules:\n", "graph: {max_hops: 1}\nrules:\n")),
            "pack.yaml:13:19: graph.max_hops must be 2..30");
  EXPECT_EQ(
      ErrorOf(Replace(kMinimal, "rules:\n", "graph: {depth: 3}\nrules:\n")),
      "pack.yaml:13:9: unknown field 'depth' in graph (expected one of: window, max_hops, max_visits, amount_ratio, "
      "pass_through_window, pass_through_ratio, degree_window)");
  EXPECT_EQ(
      ErrorOf(Replace(kMinimal, "amount_usd > param.limit", "graph.cycle_len > 2")),
      "pack.yaml:15:11: rule 'big': unknown graph feature 'cycle_len' (known: cycle_length, pass_through_delay, "
      "gather_paths, originator_in_degree, originator_out_degree, beneficiary_in_degree, beneficiary_out_degree)");
}

TEST(RulePack, RulesMayReadRulesButNotInACycle) {
  // `rule.NAME` reuses another rule's verdict.
  auto p = RulePack::Parse(
      Replace(kMinimal, "beneficiary.country in list.high_risk", "beneficiary.country in list.high_risk and rule.big"),
      "pack.yaml");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(ErrorOf(Replace(Replace(kMinimal, "amount_usd > param.limit", "amount_usd > param.limit and rule.risky"),
                            "beneficiary.country in list.high_risk", "rule.big or rule.risky2")),
            "pack.yaml:17:23: rule 'risky': unknown rule 'risky2'");
  EXPECT_EQ(ErrorOf(Replace(Replace(kMinimal, "amount_usd > param.limit", "amount_usd > param.limit and rule.risky"),
                            "beneficiary.country in list.high_risk", "not rule.big")),
            "pack.yaml:17:15: rule 'risky': cyclic definition big -> risky -> big");
  EXPECT_EQ(ErrorOf(Replace(kMinimal, "amount_usd > param.limit", "rule.big")),
            "pack.yaml:15:11: rule 'big': cyclic definition big -> big");
}

TEST(RulePack, ProfilesSubjectsAndDurationParameters) {
  const std::string with_profile = Replace(Replace(kMinimal, "rules:\n",
                                                   "profiles:\n"
                                                   "  outflows:\n"
                                                   "    subject: counterparty_pair\n"
                                                   "    counterparty: beneficiary.account\n"
                                                   "    counterparty_memory: 90d\n"
                                                   "rules:\n"),
                                           "  limit: USD 100.00", "  limit: USD 100.00\n  quiet: 180d");
  auto p = RulePack::Parse(Replace(with_profile, "amount_usd > param.limit",
                                   "profile.outflows.days_inactive > days(param.quiet) and "
                                   "profile.outflows.new_counterparty"),
                           "pack.yaml");
  ASSERT_TRUE(p.ok()) << p.status();
  ASSERT_EQ((*p)->profiles().size(), 1u);
  EXPECT_EQ((*p)->profiles()[0].subject, SubjectKind::kCounterpartyPair);
  EXPECT_EQ((*p)->profiles()[0].counterparty_memory_micros, 90 * kMicrosPerDay);
  EXPECT_EQ(ErrorOf(Replace(with_profile, "amount_usd > param.limit", "profile.outflow.mean > param.limit")),
            "pack.yaml:21:11: rule 'big': unknown profile 'outflow' (write profile.NAME.FEATURE with NAME from the "
            "pack's profiles)");
  EXPECT_EQ(ErrorOf(Replace(with_profile, "amount_usd > param.limit", "profile.outflows.median > param.limit")),
            "pack.yaml:21:28: rule 'big': unknown profile feature 'median' (known: count, mean, stddev, last_seen, "
            "days_inactive, new_counterparty)");
  EXPECT_EQ(ErrorOf(Replace(with_profile, "amount_usd > param.limit", "profile.outflows.mean > 3")),
            "pack.yaml:21:33: rule 'big': cannot compare money with number (write money literals as USD(10000) or "
            "PEN(5500.00))");
  EXPECT_EQ(ErrorOf(Replace(with_profile, "counterparty_memory: 90d", "counterparty_memory: 900d")),
            "pack.yaml:18:26: counterparty_memory must be a duration between 1h and 400d");
  EXPECT_EQ(ErrorOf(Replace(with_profile, "subject: counterparty_pair", "subject: pair")),
            "pack.yaml:16:14: unknown subject 'pair' (expected originator.account, beneficiary.account, "
            "originator.document, beneficiary.document, branch, reporting_entity or counterparty_pair)");
}

TEST(RulePack, MissingFileIsANamedError) {
  auto p = RulePack::LoadFile("/nonexistent/pack.yaml");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().message(), "/nonexistent/pack.yaml: cannot open rule pack");
}

}  // namespace
}  // namespace centinela::rules
