// The processor with a shadow pack beside the active one: shared state is
// folded once, the shadow never disturbs the active pack's alerts, and packs
// switch only between batches.
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "base/time_util.h"
#include "base/yaml_util.h"
#include "engine/pipeline/processor.h"
#include "gen/feed_generator.h"
#include "gtest/gtest.h"
#include "tests/testing/pack_harness.h"
#include "tests/testing/pack_variants.h"

namespace centinela {
namespace {

std::unique_ptr<rules::RulePack> PeruAs(const std::string& semver,
                                        const std::vector<std::pair<std::string, std::string>>& edits = {}) {
  auto p = rules::RulePack::Parse(testing::PeruVariant(semver, edits), "variant.yaml");
  EXPECT_TRUE(p.ok()) << p.status();
  return std::move(*p);
}

void FeedGenerated(testing::PackHarness& h, int64_t count) {
  gen::GenOptions g;
  g.count = count;
  g.cases_per_typology = 6;
  g.seed = 5;
  int64_t n = 0;
  ASSERT_TRUE(gen::Generate(g, [&](const gen::GeneratedRecord& r) {
                h.FeedRaw(r.payload, r.content_type);
                if (++n % 2000 == 0) {
                  ASSERT_TRUE(h.processor()->Flush().ok());
                }
              }).ok());
}

// What makes two alerts the same case, apart from version and shadow flag.
std::string CaseKey(const v1::Alert& a) {
  return absl::StrCat(a.typology_id(), "|", a.subject().kind(), "|", a.subject().id(), "|", ToMicros(a.window_start()));
}

std::string Content(v1::Alert a) {
  a.clear_id();
  a.clear_pack_version();
  a.clear_shadow();
  return a.SerializeAsString();
}

TEST(ShadowPack, AShadowPackDefiningTheSameStateMirrorsTheActiveAlertsExactly) {
  // Same rules, another version: every state is shared, so the shadow reads
  // what the active lane folded. Were shared state folded twice, counts and
  // sums (and the hits' observed values) would differ.
  testing::PackHarness h(CENTINELA_SOURCE_DIR "/rules/packs/peru.yaml");
  const auto shadow = PeruAs("2.3.1");
  ASSERT_TRUE(h.processor()->SetPacks(&h.pack(), shadow.get()).ok());
  FeedGenerated(h, 8000);
  std::map<std::string, v1::Alert> active, mirrored;
  for (const v1::Alert& a : h.Alerts()) {
    if (a.shadow()) {
      EXPECT_EQ(a.pack_version(), shadow->version());
      mirrored[CaseKey(a)] = a;
    } else {
      EXPECT_EQ(a.pack_version(), h.pack().version());
      active[CaseKey(a)] = a;
    }
  }
  ASSERT_GT(active.size(), 20u);
  ASSERT_EQ(active.size(), mirrored.size());
  for (const auto& [key, a] : active) {
    ASSERT_TRUE(mirrored.contains(key)) << key;
    EXPECT_EQ(Content(a), Content(mirrored[key])) << key;
    EXPECT_NE(a.id(), mirrored[key].id());  // ids include the version
  }
}

TEST(ShadowPack, AShadowPackWithItsOwnStateNeverChangesTheActiveAlerts) {
  // The shadow moves a threshold that an aggregate filter reads: its state
  // id differs, so it folds a state of its own.
  auto edited = PeruAs("2.4.0", {{"near_threshold_low: 0.70", "near_threshold_low: 0.50"}});
  testing::PackHarness alone(CENTINELA_SOURCE_DIR "/rules/packs/peru.yaml");
  testing::PackHarness with_shadow(CENTINELA_SOURCE_DIR "/rules/packs/peru.yaml");
  ASSERT_TRUE(with_shadow.processor()->SetPacks(&with_shadow.pack(), edited.get()).ok());
  uint32_t old_state = 0, new_state = 0;
  for (const auto& s : alone.pack().aggregates()) {
    if (s.name == "near_threshold_cash_in_7d") old_state = s.state_id;
  }
  for (const auto& s : edited->aggregates()) {
    if (s.name == "near_threshold_cash_in_7d") new_state = s.state_id;
  }
  EXPECT_NE(old_state, new_state);
  FeedGenerated(alone, 8000);
  FeedGenerated(with_shadow, 8000);
  std::map<std::string, std::string> a, b;
  int shadow_alerts = 0;
  for (const v1::Alert& x : alone.Alerts()) a[x.id()] = x.SerializeAsString();
  for (const v1::Alert& x : with_shadow.Alerts()) {
    if (x.shadow()) {
      ++shadow_alerts;
    } else {
      b[x.id()] = x.SerializeAsString();
    }
  }
  EXPECT_EQ(a, b);
  EXPECT_GT(shadow_alerts, 0);
}

TEST(ShadowPack, PacksSwitchOnlyBetweenBatches) {
  testing::PackHarness h(CENTINELA_SOURCE_DIR "/rules/packs/peru.yaml");
  const auto next = PeruAs("2.5.0");
  h.Feed(testing::MakeTx("t1", testing::DayMicros(testing::kJan5)));
  const absl::Status s = h.processor()->SetPacks(next.get(), nullptr);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(h.processor()->active_pack(), &h.pack());
  ASSERT_TRUE(h.processor()->Flush().ok());
  ASSERT_TRUE(h.processor()->SetPacks(next.get(), nullptr).ok());
  EXPECT_EQ(h.processor()->active_pack(), next.get());
  EXPECT_EQ(h.processor()->SetPacks(next.get(), next.get()).code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace centinela
