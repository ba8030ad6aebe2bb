// The rule pack registry applying control records: submit, approve with
// maker-checker, shadow, rollback, refusals, persistence across a reopen.
#include "engine/deploy/pack_registry.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "base/time_util.h"
#include "base/yaml_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rules/deploy/pack_diff.h"
#include "tests/testing/pack_variants.h"
#include "tests/testing/test_util.h"

namespace centinela::rules {
namespace {

using ::testing::HasSubstr;

std::string Peru(const std::string& semver, const std::string& from = "", const std::string& to = "") {
  if (from.empty()) return testing::PeruVariant(semver);
  return testing::PeruVariant(semver, {{from, to}});
}

std::string VersionOf(const std::string& text) { return (*RulePack::Parse(text, "p.yaml"))->version(); }

class PackRegistryTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }
  void Reopen() {
    registry_.reset();
    store_.reset();
    store_ = std::move(*Store::Open(dir_.Sub("db"), {}));
    auto r = PackRegistry::Open(store_.get());
    ASSERT_TRUE(r.ok()) << r.status();
    registry_ = std::move(*r);
  }
  ApplyResult Apply(v1::RuleControl c, const std::string& by) {
    c.set_by(by);
    c.set_request_id(absl::StrCat("r", offset_));
    auto r = registry_->Apply(c, offset_++);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : ApplyResult{};
  }
  ApplyResult Submit(const std::string& text, const std::string& by, bool bootstrap = false) {
    v1::RuleControl c;
    v1::PackSubmitted* s = bootstrap ? c.mutable_bootstrap() : c.mutable_submitted();
    s->set_version(VersionOf(text));
    s->set_text(text);
    s->set_source("p.yaml");
    return Apply(c, by);
  }
  ApplyResult Approve(const std::string& version, const std::string& by) {
    v1::RuleControl c;
    c.mutable_approved()->set_version(version);
    return Apply(c, by);
  }
  ApplyResult Rollback(const std::string& version, const std::string& by) {
    v1::RuleControl c;
    c.mutable_rolled_back()->set_version(version);
    return Apply(c, by);
  }
  ApplyResult Shadow(const std::string& version, const std::string& by) {
    v1::RuleControl c;
    c.mutable_shadow()->set_version(version);
    return Apply(c, by);
  }
  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<PackRegistry> registry_;
  int64_t offset_ = 0;
};

TEST_F(PackRegistryTest, LifecycleWithMakerCheckerShadowAndRollback) {
  const std::string v1 = Peru("2.3.0"), v2 = Peru("2.4.0", "pep_large_min: USD 10000.00", "pep_large_min: USD 9000.00");
  EXPECT_TRUE(Submit(v1, "config", /*bootstrap=*/true).switched);
  EXPECT_EQ(registry_->active()->version(), VersionOf(v1));
  // A second bootstrap offer (another instance) changes nothing.
  EXPECT_FALSE(Submit(Peru("2.3.9"), "config", true).switched);
  EXPECT_EQ(registry_->active()->version(), VersionOf(v1));

  ASSERT_TRUE(Submit(v2, "rita").ok);
  ApplyResult again = Submit(v2, "rita");
  EXPECT_FALSE(again.ok);
  EXPECT_THAT(again.error, HasSubstr("already submitted"));
  ApplyResult self = Approve(VersionOf(v2), "rita");
  EXPECT_FALSE(self.ok);
  EXPECT_THAT(self.error, HasSubstr("maker-checker"));
  EXPECT_EQ(registry_->active()->version(), VersionOf(v1));

  ApplyResult shadow = Shadow(VersionOf(v2), "rita");
  EXPECT_TRUE(shadow.ok && shadow.switched);
  EXPECT_EQ(registry_->shadow()->version(), VersionOf(v2));

  ApplyResult ok = Approve(VersionOf(v2), "sofia");
  EXPECT_TRUE(ok.ok && ok.switched);
  EXPECT_EQ(registry_->active()->version(), VersionOf(v2));
  EXPECT_EQ(registry_->shadow(), nullptr);  // the shadow version went live

  // Persisted: a reopened registry runs the same versions.
  Reopen();
  EXPECT_EQ(registry_->active()->version(), VersionOf(v2));
  EXPECT_EQ(registry_->next_control_offset(), offset_);

  ApplyResult back = Rollback("", "rita");
  EXPECT_TRUE(back.ok && back.switched) << back.error;
  EXPECT_EQ(registry_->active()->version(), VersionOf(v1));
  auto rec = registry_->Get(VersionOf(v2));
  ASSERT_TRUE(rec.ok() && *rec);
  EXPECT_EQ((*rec)->status(), v1::PACK_RETIRED);
  EXPECT_EQ((*rec)->approved_by(), "sofia");
  // Only approved versions are rollback targets.
  const std::string v3 = Peru("2.7.0");
  ASSERT_TRUE(Submit(v3, "rita").ok);
  ApplyResult never = Rollback(VersionOf(v3), "rita");
  EXPECT_FALSE(never.ok);
  EXPECT_THAT(never.error, HasSubstr("was never active"));
  auto list = registry_->List();
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->size(), 3u);
}

TEST_F(PackRegistryTest, APackThatDoesNotCompileIsKeptAsRefusedAndNothingSwitches) {
  ASSERT_TRUE(Submit(Peru("2.3.0"), "config", true).switched);
  v1::RuleControl c;
  c.mutable_submitted()->set_version("x@1.0.0+00000000");
  c.mutable_submitted()->set_text("pack: x\nversion: 1.0.0\nrules:\n  r:\n    when: amount_usd >\n");
  c.mutable_submitted()->set_source("x.yaml");
  ApplyResult r = Apply(c, "rita");
  EXPECT_FALSE(r.ok);
  EXPECT_THAT(r.error, ::testing::StartsWith("x.yaml:5:"));
  EXPECT_FALSE(Approve("x@1.0.0+00000000", "sofia").switched);
  EXPECT_EQ(registry_->active()->version(), VersionOf(Peru("2.3.0")));
  auto rec = registry_->Get("x@1.0.0+00000000");
  ASSERT_TRUE(rec.ok() && *rec);
  EXPECT_EQ((*rec)->status(), v1::PACK_REFUSED);
}

TEST_F(PackRegistryTest, SuppressionsAreDecidedInTopicOrderAndSurviveAReopen) {
  v1::RuleControl propose;
  v1::Suppression* p = propose.mutable_suppression()->mutable_propose();
  p->set_party_key("doc:PE:40000001");
  p->set_list("ofac");
  p->set_entry_id("OFAC-1");
  p->set_entry_digest("0123456789abcdef");
  p->set_note("another man");
  *propose.mutable_at() = FromMicros(1764633600LL * kMicrosPerSecond);
  const ApplyResult proposed = Apply(propose, "ana");
  ASSERT_TRUE(proposed.ok) << proposed.error;
  EXPECT_EQ(proposed.version, "S-1");
  v1::RuleControl confirm;
  confirm.mutable_suppression()->set_confirm("S-1");
  confirm.mutable_suppression()->set_note("agreed");
  *confirm.mutable_at() = propose.at();
  const ApplyResult self = Apply(confirm, "ana");
  EXPECT_FALSE(self.ok);
  EXPECT_THAT(self.error, HasSubstr("maker-checker"));
  ASSERT_TRUE(Apply(confirm, "sofia").ok);
  const int64_t next = registry_->next_control_offset();
  EXPECT_EQ(next, 3);
  Reopen();
  EXPECT_EQ(registry_->next_control_offset(), next);
  std::optional<v1::Suppression> s = registry_->suppressions().Active("doc:PE:40000001", "ofac", "OFAC-1");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->decided_by(), "sofia");
  EXPECT_EQ(s->expires_at(), "2026-12-02T00:00:00Z");
  // The next proposal continues the sequence.
  p->set_entry_id("OFAC-2");
  EXPECT_EQ(Apply(propose, "ana").version, "S-2");
}

TEST(PackDiff, NamesAddedRemovedAndChangedEntriesAndStateThatRestarts) {
  auto a = RulePack::Parse(Peru("2.3.0"), "a.yaml");
  std::string text = Peru("2.4.0", "near_threshold_low: 0.70", "near_threshold_low: 0.60");
  text = absl::StrReplaceAll(
      text, {{"    items: [KP, IR, MM]", "    items: [KP, IR, MM, SY]"},
             {"    threshold: 1.0\n    severity: high\n    destinations: [UIF]\n    dedup_window: 7d",
              "    threshold: 0.9\n    severity: high\n    destinations: [UIF]\n    dedup_window: 7d"}});
  auto b = RulePack::Parse(text, "b.yaml");
  ASSERT_TRUE(a.ok() && b.ok()) << b.status();
  auto d = DiffPacks(**a, **b);
  ASSERT_TRUE(d.ok()) << d.status();
  const std::string out = FormatPackDiff(*d);
  EXPECT_THAT(out, HasSubstr("~ parameters/near_threshold_low:\n    0.70 -> 0.60"));
  EXPECT_THAT(out, HasSubstr("~ lists/fatf_call_for_action:\n    items: +SY"));
  EXPECT_THAT(out, HasSubstr("~ typologies/structuring:\n    threshold: 1.0 -> 0.9"));
  EXPECT_THAT(out, HasSubstr("warning: aggregate near_threshold_cash_in_7d starts with an empty 7d window"));
  auto none = DiffPacks(**a, **a);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->changes.empty());
  EXPECT_TRUE(none->warnings.empty());
}

}  // namespace
}  // namespace centinela::rules
