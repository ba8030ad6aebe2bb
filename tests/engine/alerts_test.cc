// Alert indexes, search and workflow (engine/alerts) over a real RocksDB.
#include <set>

#include "base/time_util.h"
#include "engine/alerts/alert_index.h"
#include "engine/alerts/alert_search.h"
#include "engine/alerts/workflow.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/alert_fixture.h"
#include "tests/testing/test_util.h"

namespace centinela {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

class AlertsTest : public ::testing::Test {
 protected:
  void SetUp() override { store_ = *Store::Open(dir_.Sub("db"), {}); }

  void Put(const std::string& id, int day, double score, const std::string& typology = "fan_in",
           const std::string& account = "ACC-1", v1::Severity severity = v1::MEDIUM,
           std::vector<v1::Destination> destinations = {v1::UIF}, const std::string& region = "150101",
           bool shadow = false) {
    ASSERT_TRUE(
        testing::PutAlert(store_.get(), {id, day, score, typology, account, severity, destinations, region, shadow})
            .ok());
  }

  std::vector<std::string> Ids(const AlertQuery& q) {
    auto page = AlertSearch(store_.get()).Search(q);
    EXPECT_TRUE(page.ok()) << page.status();
    std::vector<std::string> ids;
    if (page.ok()) {
      for (const auto& a : page->alerts()) ids.push_back(a.id());
    }
    return ids;
  }

  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(AlertsTest, EachFilterIsAnswered) {
  Put("a1", 1, 1.0, "fan_in", "ACC-1", v1::MEDIUM, {v1::UIF}, "150101");
  Put("a2", 2, 2.0, "structuring", "ACC-2", v1::HIGH, {v1::UIF, v1::SUNAT}, "170101");
  Put("a3", 3, 1.5, "fan_in", "ACC-2", v1::HIGH, {v1::SUNAT}, "150102", /*shadow=*/true);
  AlertQuery q;
  EXPECT_THAT(Ids(q), ElementsAre("a3", "a2", "a1"));  // newest first
  q.ascending = true;
  EXPECT_THAT(Ids(q), ElementsAre("a1", "a2", "a3"));
  auto with = [](auto f) {
    AlertQuery q;
    f(q);
    return q;
  };
  EXPECT_THAT(Ids(with([](AlertQuery& q) { q.subject_kind = "account", q.subject_id = "ACC-2"; })),
              ElementsAre("a3", "a2"));
  EXPECT_THAT(Ids(with([](AlertQuery& q) { q.typology = "fan_in"; })), ElementsAre("a3", "a1"));
  EXPECT_THAT(Ids(with([](AlertQuery& q) { q.destination = v1::SUNAT; })), ElementsAre("a3", "a2"));
  EXPECT_THAT(Ids(with([](AlertQuery& q) { q.severity = v1::HIGH; })), ElementsAre("a3", "a2"));
  EXPECT_THAT(Ids(with([](AlertQuery& q) { q.status = v1::NEW; })), ElementsAre("a3", "a2", "a1"));
  EXPECT_THAT(Ids(with([](AlertQuery& q) { q.status = v1::DISMISSED; })), IsEmpty());
  EXPECT_THAT(Ids(with([](AlertQuery& q) { q.score_min = 1.5; })), ElementsAre("a3", "a2"));
  EXPECT_THAT(Ids(with([](AlertQuery& q) { q.score_min = 1.2, q.score_max = 1.8; })), ElementsAre("a3"));
  EXPECT_THAT(Ids(with([](AlertQuery& q) {
                q.from_micros = testing::DayMicros(testing::kJan5 + 2);
                q.to_micros = testing::DayMicros(testing::kJan5 + 3);
              })),
              ElementsAre("a2"));
  EXPECT_THAT(Ids(with([](AlertQuery& q) { q.region = "15"; })), ElementsAre("a3", "a1"));
  EXPECT_THAT(Ids(with([](AlertQuery& q) { q.region = "1501"; })), ElementsAre("a3", "a1"));
  EXPECT_THAT(Ids(with([](AlertQuery& q) { q.region = "150102"; })), ElementsAre("a3"));
  EXPECT_THAT(Ids(with([](AlertQuery& q) { q.pack_version = "peru@2.3.0+abc"; })), ElementsAre("a3", "a2", "a1"));
  EXPECT_THAT(Ids(with([](AlertQuery& q) { q.pack_version = "peru@2.2.0+def"; })), IsEmpty());
  EXPECT_THAT(Ids(with([](AlertQuery& q) { q.shadow = true; })), ElementsAre("a3"));
  EXPECT_THAT(Ids(with([](AlertQuery& q) { q.shadow = false; })), ElementsAre("a2", "a1"));
  // Combined: the index drives one filter, the others are checked.
  EXPECT_THAT(Ids(with([](AlertQuery& q) { q.typology = "fan_in", q.severity = v1::MEDIUM; })), ElementsAre("a1"));
  // By score, highest first, and lowest first.
  EXPECT_THAT(Ids(with([](AlertQuery& q) { q.sort = AlertIndex::Order::kScore; })), ElementsAre("a2", "a3", "a1"));
  EXPECT_THAT(Ids(with([](AlertQuery& q) { q.sort = AlertIndex::Order::kScore, q.ascending = true; })),
              ElementsAre("a1", "a3", "a2"));
}

TEST_F(AlertsTest, BadParametersAreNamed) {
  AlertSearch search(store_.get());
  AlertQuery q;
  q.limit = 0;
  EXPECT_THAT(std::string(search.Search(q).status().message()), ::testing::StartsWith("limit:"));
  q = {};
  q.region = "153";
  EXPECT_THAT(std::string(search.Search(q).status().message()), ::testing::StartsWith("region:"));
  q = {};
  q.cursor = "not-a-cursor";
  EXPECT_THAT(std::string(search.Search(q).status().message()), ::testing::StartsWith("cursor:"));
}

// Pages continue after the last key returned: alerts arriving between two
// pages neither repeat nor push earlier ones out.
TEST_F(AlertsTest, CursorPagesStayStableWhileAlertsArrive) {
  for (int i = 0; i < 5; ++i) Put("b" + std::to_string(i), i, 1.0);
  AlertSearch search(store_.get());
  AlertQuery q;
  q.limit = 2;
  auto p1 = search.Search(q);
  ASSERT_TRUE(p1.ok());
  ASSERT_EQ(p1->alerts_size(), 2);
  EXPECT_EQ(p1->alerts(0).id(), "b4");
  ASSERT_FALSE(p1->next_cursor().empty());
  Put("b9", 9, 1.0);   // newer than everything
  Put("b25", 2, 1.0);  // between pages
  std::vector<std::string> seen = {p1->alerts(0).id(), p1->alerts(1).id()};
  q.cursor = p1->next_cursor();
  while (!q.cursor.empty()) {
    auto p = search.Search(q);
    ASSERT_TRUE(p.ok()) << p.status();
    for (const auto& a : p->alerts()) seen.push_back(a.id());
    q.cursor = p->next_cursor();
  }
  EXPECT_THAT(seen, ElementsAre("b4", "b3", "b25", "b2", "b1", "b0"));
  // A cursor does not carry over to another search.
  AlertQuery other;
  other.typology = "fan_in";
  other.cursor = p1->next_cursor();
  EXPECT_EQ(search.Search(other).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(AlertsTest, ScoreIndexFollowsScoreUpdates) {
  Put("c1", 1, 1.0);
  Put("c2", 2, 2.0);
  auto a = AlertSearch(store_.get()).Get("c1");
  ASSERT_TRUE(a.ok());
  a->set_score(3.0);
  rocksdb::WriteBatch batch;
  batch.Put(store_->cf(Cf::kAlerts), "c1", a->SerializeAsString());
  AlertIndex::MoveScore(*a, 1.0, store_->cf(Cf::kAlertIndex), &batch);
  ASSERT_TRUE(store_->Write(&batch).ok());
  AlertQuery q;
  q.sort = AlertIndex::Order::kScore;
  EXPECT_THAT(Ids(q), ElementsAre("c1", "c2"));  // once each
}

TEST_F(AlertsTest, WorkflowTransitionsNotesVersionsAndReopen) {
  Put("w1", 1, 1.0);
  WorkflowStore wf(store_.get());
  const WorkflowActor ana{"ana", "investigator", false};
  const WorkflowActor sup{"sofia", "supervisor", true};
  EXPECT_EQ(wf.Transition("w1", v1::UNDER_REVIEW, "  ", 0, ana, 1).status().code(),
            absl::StatusCode::kInvalidArgument);  // a note is required
  EXPECT_EQ(wf.Transition("w1", v1::DISMISSED, "skip review", 0, ana, 1).status().code(),
            absl::StatusCode::kInvalidArgument);  // not a transition from NEW
  EXPECT_EQ(wf.Transition("nope", v1::UNDER_REVIEW, "x", 0, ana, 1).status().code(), absl::StatusCode::kNotFound);
  auto w = wf.Transition("w1", v1::UNDER_REVIEW, "looking into it", 0, ana, 1);
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ(w->version(), 1);
  // A second investigator who loaded version 0 cannot overwrite it.
  auto stale = wf.Transition("w1", v1::DISMISSED, "nothing here", 0, ana, 2);
  EXPECT_EQ(stale.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(stale.status().message()), ::testing::StartsWith("version:"));
  ASSERT_TRUE(wf.Transition("w1", v1::ESCALATED_TO_ROS, "ROS filed", 1, ana, 3).ok());
  EXPECT_EQ(wf.Transition("w1", v1::UNDER_REVIEW, "reopen", 2, ana, 4).status().code(),
            absl::StatusCode::kPermissionDenied);
  auto reopened = wf.Transition("w1", v1::UNDER_REVIEW, "new evidence", 2, sup, 4);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  ASSERT_EQ(reopened->history_size(), 3);
  EXPECT_EQ(reopened->history(2).by(), "sofia");
  EXPECT_EQ(reopened->history(2).note(), "new evidence");
  // The status index follows.
  AlertQuery q;
  q.status = v1::UNDER_REVIEW;
  EXPECT_THAT(Ids(q), ElementsAre("w1"));
  q.status = v1::NEW;
  EXPECT_THAT(Ids(q), IsEmpty());
}

}  // namespace
}  // namespace centinela
