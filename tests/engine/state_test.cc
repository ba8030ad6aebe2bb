#include "absl/strings/str_cat.h"
#include "base/hash.h"
#include "base/keys.h"
#include "engine/state/expiry_filter.h"
#include "engine/state/graph_store.h"
#include "engine/state/outbox.h"
#include "engine/state/profile_store.h"
#include "engine/state/store.h"
#include "engine/state/transaction_archive.h"
#include "engine/state/window_store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/test_util.h"

namespace centinela {
namespace {

using testing::DayMicros;

TEST(Store, PersistsCountersAndOffsetsAcrossReopen) {
  testing::TempDir dir;
  {
    auto store = Store::Open(dir.path(), {});
    ASSERT_TRUE(store.ok()) << store.status();
    rocksdb::WriteBatch batch;
    Store::PutCounter(&batch, (*store)->cf(Cf::kMeta), kMetaConsumed, 42);
    std::string v;
    PutBigEndian64(&v, 1001);
    batch.Put((*store)->cf(Cf::kOffsets), Store::OffsetKey("fiu.transactions", 3), v);
    ASSERT_TRUE((*store)->Write(&batch).ok());
  }
  auto store = Store::Open(dir.path(), {});
  ASSERT_TRUE(store.ok());
  EXPECT_EQ(*(*store)->GetCounter(kMetaConsumed), 42);
  auto offsets = (*store)->LoadOffsets("fiu.transactions");
  ASSERT_TRUE(offsets.ok());
  EXPECT_EQ(offsets->size(), 1u);
  EXPECT_EQ(offsets->at(3), 1001);
  EXPECT_TRUE((*store)->LoadOffsets("other")->empty());
}

TEST(Store, OpenReportsTheFailingPath) {
  auto store = Store::Open("/proc/centinela-cannot-exist/db", {});
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.status().message().find("/proc/centinela-cannot-exist/db"), std::string::npos);
}

class WindowStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { store_ = std::move(*Store::Open(dir_.Sub("db"), {})); }
  absl::Status Add(WindowStore& w, const std::string& subject, int64_t micros, int64_t amount) {
    auto s = w.Add(7, subject, 7 * kMicrosPerDay, kMicrosPerDay, micros, amount);
    if (!s.ok()) return s;
    rocksdb::WriteBatch batch;
    w.Flush(&batch);
    return store_->Write(&batch);
  }
  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(WindowStoreTest, SumsOnlyTheWindowEndingAtTheEventTime) {
  WindowStore w(store_.get());
  const int64_t d = testing::kJan5;
  ASSERT_TRUE(Add(w, "acc-1", DayMicros(d), 100).ok());
  ASSERT_TRUE(Add(w, "acc-1", DayMicros(d + 3), 200).ok());
  ASSERT_TRUE(Add(w, "acc-2", DayMicros(d + 3), 999).ok());
  auto at4 = w.Read(7, "acc-1", 7 * kMicrosPerDay, kMicrosPerDay, DayMicros(d + 4));
  EXPECT_EQ(at4->count, 2);
  EXPECT_EQ(at4->sum_usd_minor, 300);
  // Eight days after the first: only the second remains in the window.
  auto at8 = w.Read(7, "acc-1", 7 * kMicrosPerDay, kMicrosPerDay, DayMicros(d + 8));
  EXPECT_EQ(at8->count, 1);
  EXPECT_EQ(at8->sum_usd_minor, 200);
  // A late arrival (event time before the newest) reads the subject's
  // current window, which ends at its newest bucket (d+3): both events.
  EXPECT_EQ(w.Read(7, "acc-1", 7 * kMicrosPerDay, kMicrosPerDay, DayMicros(d - 1))->count, 2);
  // A subject never seen: nothing.
  EXPECT_EQ(w.Read(7, "acc-9", 7 * kMicrosPerDay, kMicrosPerDay, DayMicros(d))->count, 0);
}

// Issue 17, defect 3: window sums of huge amounts overflowed (UBSan) and
// wrapped negative.
TEST_F(WindowStoreTest, SumsSaturateInsteadOfWrapping) {
  WindowStore w(store_.get());
  const int64_t d = testing::kJan5;
  const int64_t half = INT64_MAX / 2 + 1;
  ASSERT_TRUE(Add(w, "acc-1", DayMicros(d), half).ok());
  ASSERT_TRUE(Add(w, "acc-1", DayMicros(d), half).ok());      // the same bucket
  ASSERT_TRUE(Add(w, "acc-1", DayMicros(d + 1), half).ok());  // another bucket
  auto t = w.Read(7, "acc-1", 7 * kMicrosPerDay, kMicrosPerDay, DayMicros(d + 1));
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->count, 3);
  EXPECT_EQ(t->sum_usd_minor, INT64_MAX);
  EXPECT_EQ(t->max_usd_minor, half);
}

TEST_F(WindowStoreTest, CountsDistinctValuesAcrossBucketsAndAfterReload) {
  auto add = [&](WindowStore& w, int64_t day, uint64_t value) {
    ASSERT_TRUE(w.Add(9, "acc", 3 * kMicrosPerDay, kMicrosPerDay, DayMicros(day), 1, value).ok());
    rocksdb::WriteBatch batch;
    w.Flush(&batch);
    ASSERT_TRUE(store_->Write(&batch).ok());
  };
  const int64_t d = testing::kJan5;
  {
    WindowStore w(store_.get());
    add(w, d, 11);
    add(w, d, 11);      // same sender again: not a new one
    add(w, d + 1, 11);  // same sender another day: still one
    add(w, d + 1, 22);
    add(w, d + 2, 33);
    EXPECT_EQ(w.Read(9, "acc", 3 * kMicrosPerDay, kMicrosPerDay, DayMicros(d + 2))->distinct, 3);
    EXPECT_EQ(w.Read(9, "acc", 3 * kMicrosPerDay, kMicrosPerDay, DayMicros(d + 2))->count, 5);
  }
  WindowStore fresh(store_.get());
  EXPECT_EQ(fresh.Read(9, "acc", 3 * kMicrosPerDay, kMicrosPerDay, DayMicros(d + 2))->distinct, 3);
  // Day d leaves the window at d+3, but sender 11 also paid on d+1.
  EXPECT_EQ(fresh.Read(9, "acc", 3 * kMicrosPerDay, kMicrosPerDay, DayMicros(d + 3))->distinct, 3);
  // At d+4 only d+2's sender 33 is left.
  EXPECT_EQ(fresh.Read(9, "acc", 3 * kMicrosPerDay, kMicrosPerDay, DayMicros(d + 4))->distinct, 1);
}

TEST_F(WindowStoreTest, KeepsMinMaxAndSquaresAcrossBucketsAndReload) {
  {
    WindowStore w(store_.get());
    ASSERT_TRUE(Add(w, "acc", DayMicros(testing::kJan5), 200).ok());
    ASSERT_TRUE(Add(w, "acc", DayMicros(testing::kJan5 + 1), 400).ok());
    ASSERT_TRUE(Add(w, "acc", DayMicros(testing::kJan5 + 1, 15), 600).ok());
  }
  WindowStore fresh(store_.get());
  auto t = fresh.Read(7, "acc", 7 * kMicrosPerDay, kMicrosPerDay, DayMicros(testing::kJan5 + 2));
  EXPECT_EQ(t->min_usd_minor, 200);
  EXPECT_EQ(t->max_usd_minor, 600);
  EXPECT_EQ(t->sum_usd_minor, 1200);
  EXPECT_DOUBLE_EQ(t->sum_sq, 200.0 * 200 + 400.0 * 400 + 600.0 * 600);
}

TEST_F(WindowStoreTest, StateSurvivesAFreshCacheFromRocksDb) {
  {
    WindowStore w(store_.get());
    ASSERT_TRUE(Add(w, "acc-1", DayMicros(testing::kJan5), 100).ok());
    ASSERT_TRUE(Add(w, "acc-1", DayMicros(testing::kJan5, 15), 50).ok());
  }
  WindowStore fresh(store_.get());
  auto t = fresh.Read(7, "acc-1", 7 * kMicrosPerDay, kMicrosPerDay, DayMicros(testing::kJan5 + 1));
  EXPECT_EQ(t->count, 2);
  EXPECT_EQ(t->sum_usd_minor, 150);
}

int CountKeys(Store& store, Cf cf) {
  int n = 0;
  auto it = store.NewIterator(cf);
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++n;
  return n;
}

TEST_F(WindowStoreTest, WritesEachTouchedBucketOnceAtFlush) {
  WindowStore w(store_.get());
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(w.Add(7, "acc-1", 7 * kMicrosPerDay, kMicrosPerDay, DayMicros(testing::kJan5, i), 10).ok());
  }
  ASSERT_TRUE(w.Add(7, "acc-2", 7 * kMicrosPerDay, kMicrosPerDay, DayMicros(testing::kJan5), 10).ok());
  rocksdb::WriteBatch batch;
  w.Flush(&batch);
  EXPECT_EQ(batch.Count(), 2u);  // one bucket per subject, however many transactions
  ASSERT_TRUE(store_->Write(&batch).ok());
  rocksdb::WriteBatch again;
  w.Flush(&again);
  EXPECT_EQ(again.Count(), 0u);  // nothing changed since
  WindowStore fresh(store_.get());
  EXPECT_EQ(fresh.Read(7, "acc-1", 7 * kMicrosPerDay, kMicrosPerDay, DayMicros(testing::kJan5 + 1))->sum_usd_minor, 50);
}

TEST_F(WindowStoreTest, CompactionDropsBucketsOnceTheWatermarkPassesTheirWindowAndGrace) {
  const int64_t d = testing::kJan5;
  WindowStore w(store_.get());
  ProfileStore profiles(store_.get());
  ASSERT_TRUE(Add(w, "acc-1", DayMicros(d), 100).ok());       // reachable until d+8
  ASSERT_TRUE(Add(w, "acc-2", DayMicros(d + 20), 100).ok());  // reachable until d+28
  ASSERT_TRUE(Add(w, "acc-3", DayMicros(d + 30), 100).ok());
  ASSERT_TRUE(profiles.Add(1, "acc-1", DayMicros(d), 100).ok());
  rocksdb::WriteBatch batch;
  profiles.Flush(&batch);
  ASSERT_TRUE(store_->Write(&batch).ok());
  ASSERT_EQ(CountKeys(*store_, Cf::kState), 4);  // no delete records on the hot path
  auto compact = [&] {
    return store_->db()->CompactRange(rocksdb::CompactRangeOptions(), store_->cf(Cf::kState), nullptr, nullptr);
  };
  // No watermark yet: compaction keeps everything.
  ASSERT_TRUE(compact().ok());
  EXPECT_EQ(CountKeys(*store_, Cf::kState), 4);
  // Watermark d+30 with the default 7-day grace drops what expired before d+23:
  // acc-1's bucket only. acc-2's is within the grace; the profile never expires.
  store_->AdvanceExpiryWatermark(DayMicros(d + 30));
  store_->AdvanceExpiryWatermark(DayMicros(d + 1));  // never moves back
  EXPECT_EQ(store_->expiry_watermark(), DayMicros(d + 30));
  ASSERT_TRUE(compact().ok());
  EXPECT_EQ(CountKeys(*store_, Cf::kState), 3);
  WindowStore fresh(store_.get());
  EXPECT_EQ(fresh.Read(7, "acc-1", 7 * kMicrosPerDay, kMicrosPerDay, DayMicros(d))->count, 0);
  EXPECT_EQ(fresh.Read(7, "acc-2", 7 * kMicrosPerDay, kMicrosPerDay, DayMicros(d + 20))->count, 1);
  ProfileStore fresh_profiles(store_.get());
  EXPECT_EQ(fresh_profiles.Read(1, "acc-1")->count, 1);
}

TEST(EventTimeExpiryFilter, ReadsExpiryOnlyWhereTheLayoutHasIt) {
  using L = EventTimeExpiryFilter::Layout;
  std::string expire_at_10;
  PutOrderedInt64(&expire_at_10, 10);
  std::string profile_key, bucket_key;
  Store::StateKeyPrefix(7, "acc", &profile_key);
  bucket_key = profile_key;
  PutOrderedInt64(&bucket_key, 3);
  const std::string value = expire_at_10 + std::string(40, '\0');
  EXPECT_TRUE(EventTimeExpiryFilter::Expired(L::kState, bucket_key, value, 100, 50));
  EXPECT_FALSE(EventTimeExpiryFilter::Expired(L::kState, bucket_key, value, 100, 95));   // within the grace
  EXPECT_FALSE(EventTimeExpiryFilter::Expired(L::kState, profile_key, value, 100, 0));   // profiles never expire
  EXPECT_FALSE(EventTimeExpiryFilter::Expired(L::kState, bucket_key, "short", 100, 0));  // unreadable: kept
  EXPECT_FALSE(EventTimeExpiryFilter::Expired(L::kState, "\x01", value, 100, 0));
  EXPECT_TRUE(EventTimeExpiryFilter::Expired(L::kEdges, "any edge", expire_at_10, 100, 0));
  EXPECT_FALSE(EventTimeExpiryFilter::Expired(L::kEdges, "any edge", expire_at_10, INT64_MIN + 5, 10));
}

TEST(Store, RefusesADatabaseOfAnotherStorageFormat) {
  testing::TempDir dir;
  {
    auto store = Store::Open(dir.Sub("db"), {});
    ASSERT_TRUE(store.ok()) << store.status();
    rocksdb::WriteBatch batch;
    Store::PutCounter(&batch, (*store)->cf(Cf::kMeta), kMetaStorageFormat, 1);
    ASSERT_TRUE((*store)->Write(&batch).ok());
  }
  auto reopened = Store::Open(dir.Sub("db"), {});
  ASSERT_FALSE(reopened.ok());
  EXPECT_NE(
      reopened.status().message().find(absl::StrCat("storage format 1, this build reads format ", kStorageFormat)),
      std::string::npos)
      << reopened.status();
  EXPECT_NE(reopened.status().message().find(dir.Sub("db")), std::string::npos);
}

TEST(Store, RefusesAnUnversionedDatabaseThatHoldsData) {
  testing::TempDir dir;
  {
    auto store = Store::Open(dir.Sub("db"), {});
    ASSERT_TRUE(store.ok());
    rocksdb::WriteBatch batch;
    batch.Delete((*store)->cf(Cf::kMeta), std::string(kMetaStorageFormat));  // as written before versions
    std::string v;
    PutBigEndian64(&v, 5);
    batch.Put((*store)->cf(Cf::kOffsets), Store::OffsetKey("fiu.transactions", 0), v);
    ASSERT_TRUE((*store)->Write(&batch).ok());
  }
  auto reopened = Store::Open(dir.Sub("db"), {});
  ASSERT_FALSE(reopened.ok());
  EXPECT_NE(reopened.status().message().find("storage format 1"), std::string::npos) << reopened.status();
}

class GraphStoreTest : public WindowStoreTest {
 protected:
  void Edge(GraphStore& g, const std::string& a, const std::string& b, int64_t hour) {
    rocksdb::WriteBatch batch;
    ASSERT_TRUE(g.AddEdge(a, b, DayMicros(testing::kJan5, 0) + hour * kMicrosPerHour, 100,
                          {"20100000001", absl::StrCat(a, "->", b, "@", hour), uint64_t(hour)}, &batch)
                    .ok());
    ASSERT_TRUE(store_->Write(&batch).ok());
  }
  int Path(GraphStore& g, const std::string& from, const std::string& to, int max_hops = 10) {
    return *g.ShortestPath(from, to, DayMicros(testing::kJan5, 0), DayMicros(testing::kJan5 + 5, 0), max_hops, 1000);
  }
};

TEST_F(GraphStoreTest, FindsTheShortestTimeRespectingPath) {
  GraphStore g(store_.get(), 30 * kMicrosPerDay);
  Edge(g, "A", "B", 1);
  Edge(g, "B", "C", 2);
  Edge(g, "C", "D", 3);
  Edge(g, "B", "D", 4);
  EXPECT_EQ(Path(g, "A", "D"), 2);  // A->B->D
  EXPECT_EQ(Path(g, "A", "C"), 2);
  EXPECT_EQ(Path(g, "A", "D", 1), -1);  // hop limit
  EXPECT_EQ(Path(g, "D", "A"), -1);     // no edge back
}

TEST_F(GraphStoreTest, IgnoresPathsThatGoBackInTime) {
  GraphStore g(store_.get(), 30 * kMicrosPerDay);
  Edge(g, "B", "C", 1);  // before A->B: money cannot flow A->B->C
  Edge(g, "A", "B", 2);
  EXPECT_EQ(Path(g, "A", "C"), -1);
  Edge(g, "B", "C", 3);
  EXPECT_EQ(Path(g, "A", "C"), 2);
}

TEST_F(GraphStoreTest, FollowsOnlyEdgesWithinTheAmountBounds) {
  GraphStore g(store_.get(), 30 * kMicrosPerDay);
  Edge(g, "A", "B", 1);  // amount 100
  Edge(g, "B", "C", 2);
  const int64_t since = DayMicros(testing::kJan5, 0), until = DayMicros(testing::kJan5 + 5, 0);
  EXPECT_EQ(*g.ShortestPath("A", "C", since, until, 5, 100, 50, 200), 2);
  EXPECT_EQ(*g.ShortestPath("A", "C", since, until, 5, 100, 101, 200), -1);
}

TEST_F(GraphStoreTest, ATransferToItselfIsNoEdge) {
  GraphStore g(store_.get(), 30 * kMicrosPerDay);
  Edge(g, "A", "A", 1);  // a reinvestment or an exchange within the account
  const int64_t since = DayMicros(testing::kJan5, 0), until = DayMicros(testing::kJan5 + 5, 0);
  EXPECT_EQ(*g.LatestInflow("A", since, until, 0, INT64_MAX), -1);
  EXPECT_EQ(*g.Degree("A", GraphStore::Dir::kOut, since, until), 0);
  EXPECT_EQ(*g.PassThroughHops("A", until, 100, 5 * kMicrosPerDay, 0.9, 5), 0);
  EXPECT_EQ(CountKeys(*store_, Cf::kEdges), 0);
  Edge(g, "B", "A", 2);  // a real inflow still counts
  EXPECT_EQ(*g.LatestInflow("A", since, until, 0, INT64_MAX), DayMicros(testing::kJan5, 0) + 2 * kMicrosPerHour);
  EXPECT_EQ(*g.PassThroughHops("A", until, 100, 5 * kMicrosPerDay, 0.9, 5), 1);
}

// The ids of witness edges, in the order given.
std::vector<std::string> Ids(const GraphStore::Witnesses& w) {
  std::vector<std::string> ids;
  for (const GraphStore::Edge* e : w) ids.push_back(e->tx.id);
  return ids;
}

TEST_F(GraphStoreTest, SearchesNameTheTransfersBehindTheirAnswer) {
  GraphStore g(store_.get(), 30 * kMicrosPerDay);
  Edge(g, "A", "B", 1);
  Edge(g, "B", "C", 2);
  Edge(g, "X", "C", 3);
  Edge(g, "C", "A", 4);
  Edge(g, "C", "D", 5);
  const int64_t since = DayMicros(testing::kJan5, 0), until = DayMicros(testing::kJan5 + 5, 0);
  GraphStore::Witnesses w;
  // The cycle A -> B -> C -> A: the path's legs, last first.
  ASSERT_EQ(*g.ShortestPath("A", "A", since, until, 5, 100, 0, INT64_MAX, &w), 3);
  EXPECT_THAT(Ids(w), ::testing::ElementsAre("C->A@4", "B->C@2", "A->B@1"));
  // What A passes on came from C, which had it from X: two hops.
  w.clear();
  ASSERT_EQ(*g.PassThroughHops("A", until, 100, 5 * kMicrosPerDay, 0.9, 5, &w), 2);
  EXPECT_THAT(Ids(w), ::testing::ElementsAre("C->A@4", "X->C@3"));
  w.clear();
  EXPECT_EQ(*g.LatestInflow("C", since, until, 0, INT64_MAX, &w), since + 3 * kMicrosPerHour);
  EXPECT_THAT(Ids(w), ::testing::ElementsAre("X->C@3"));
  // C's counterparties, each by its latest transfer, in time order.
  Edge(g, "B", "C", 6);
  w.clear();
  EXPECT_EQ(*g.Degree("C", GraphStore::Dir::kIn, since, until, &w), 2);
  EXPECT_THAT(Ids(w), ::testing::ElementsAre("X->C@3", "B->C@6"));
  EXPECT_EQ(w[1]->tx.reporting_entity, "20100000001");
  EXPECT_EQ(w[1]->tx.fingerprint, 6u);
}

TEST_F(GraphStoreTest, EqualTimesKeepTheOrderOfTheDiskWhateverTheArrivalOrder) {
  GraphStore g(store_.get(), 30 * kMicrosPerDay);
  Edge(g, "Y", "C", 3);  // arrives first, sorts after X
  Edge(g, "X", "C", 3);
  const int64_t since = DayMicros(testing::kJan5, 0), until = DayMicros(testing::kJan5 + 5, 0);
  GraphStore::Witnesses live, loaded;
  ASSERT_TRUE(g.Degree("C", GraphStore::Dir::kIn, since, until, &live).ok());
  GraphStore fresh(store_.get(), 30 * kMicrosPerDay);  // as after a restart
  ASSERT_TRUE(fresh.Degree("C", GraphStore::Dir::kIn, since, until, &loaded).ok());
  EXPECT_THAT(Ids(live), ::testing::ElementsAre("X->C@3", "Y->C@3"));
  EXPECT_EQ(Ids(live), Ids(loaded));
}

TEST_F(GraphStoreTest, EdgesWrittenBeforeTheyKeptTheirTransferStillLoad) {
  // The 16-byte value of earlier versions: expire_at, amount.
  std::string value;
  PutOrderedInt64(&value, DayMicros(testing::kJan5 + 30, 0));
  PutBigEndian64(&value, 100);
  rocksdb::WriteBatch batch;
  const int64_t at = DayMicros(testing::kJan5, 1);
  ASSERT_TRUE(batch.Put(store_->cf(Cf::kEdges), GraphStore::EdgeKey(GraphStore::Dir::kIn, "B", at, "A"), value).ok());
  ASSERT_TRUE(store_->Write(&batch).ok());
  GraphStore g(store_.get(), 30 * kMicrosPerDay);
  GraphStore::Witnesses w;
  EXPECT_EQ(*g.LatestInflow("B", 0, DayMicros(testing::kJan5 + 1, 0), 0, INT64_MAX, &w), at);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0]->tx.id, "");  // known to be there, not which transfer it was
  // A value of neither layout is refused, naming the account.
  ASSERT_TRUE(batch.Put(store_->cf(Cf::kEdges), GraphStore::EdgeKey(GraphStore::Dir::kIn, "Z", at, "A"), "short").ok());
  ASSERT_TRUE(store_->Write(&batch).ok());
  g.Evict();  // as after a commit: the next load sees it
  auto bad = g.Degree("Z", GraphStore::Dir::kIn, 0, DayMicros(testing::kJan5 + 1, 0));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("malformed entry of account Z"), std::string::npos) << bad.status();
}

TEST_F(GraphStoreTest, EdgesSurviveAFreshCache) {
  {
    GraphStore g(store_.get(), 30 * kMicrosPerDay);
    Edge(g, "A", "B", 1);
    Edge(g, "B", "C", 2);
  }
  GraphStore fresh(store_.get(), 30 * kMicrosPerDay);
  EXPECT_EQ(Path(fresh, "A", "C"), 2);
}

TEST_F(GraphStoreTest, EdgesLeaveTheDiskByCompactionAfterTheRetention) {
  GraphStore g(store_.get(), 1 * kMicrosPerDay);
  Edge(g, "A", "B", 1);
  Edge(g, "B", "C", 2);
  EXPECT_EQ(CountKeys(*store_, Cf::kEdges), 4);  // out- and in-edge of each
  // A->B expires at day 1 + 1h, B->C at day 1 + 2h. With the 7-day grace a
  // watermark of day 8 + 1h30 drops the first only.
  store_->AdvanceExpiryWatermark(DayMicros(testing::kJan5 + 8, 1) + 30 * 60 * 1000000LL);
  ASSERT_TRUE(
      store_->db()->CompactRange(rocksdb::CompactRangeOptions(), store_->cf(Cf::kEdges), nullptr, nullptr).ok());
  EXPECT_EQ(CountKeys(*store_, Cf::kEdges), 2);  // A->B (expired at day 1 + 1h) went first
  GraphStore fresh(store_.get(), 1 * kMicrosPerDay);
  EXPECT_EQ(Path(fresh, "A", "C"), -1);
  EXPECT_EQ(*fresh.Degree("C", GraphStore::Dir::kIn, 0, DayMicros(testing::kJan5 + 9)), 1);
}

TEST(Outbox, SequenceContinuesAfterReopen) {
  testing::TempDir dir;
  {
    auto store = std::move(*Store::Open(dir.path(), {}));
    auto writer = OutboxWriter::Create(store.get());
    rocksdb::WriteBatch batch;
    v1::OutboxEntry e;
    e.set_topic("uif.alerts");
    writer->Append(e, &batch);
    writer->Append(e, &batch);
    ASSERT_TRUE(store->Write(&batch).ok());
    EXPECT_EQ(writer->next_seq(), 2);
  }
  auto store = std::move(*Store::Open(dir.path(), {}));
  EXPECT_EQ(OutboxWriter::Create(store.get())->next_seq(), 2);
  EXPECT_EQ(*store->CountOutbox(), 2);
}

}  // namespace
}  // namespace centinela

namespace centinela {
namespace {

class TransactionArchiveTest : public ::testing::Test {
 protected:
  void SetUp() override { store_ = *Store::Open(dir_.path(), {}); }
  void Add(const std::string& id, int64_t day, const std::string& from, const std::string& to,
           int64_t retention_days = 400, const std::string& entity = kBank) {
    rocksdb::WriteBatch batch;
    TransactionArchive(store_.get())
        .Add({entity, id}, StableHash64(id + entity), DayMicros(day), retention_days * kMicrosPerDay, 'J',
             "{\"id\":\"" + id + "\"}", from, to, "1:" + from, "1:" + to, &batch);
    ASSERT_TRUE(store_->Write(&batch).ok());
  }
  static constexpr char kBank[] = "20100047218";
  std::vector<std::string> Recent(const std::string& kind, const std::string& id, int limit,
                                  int64_t before = INT64_MAX) {
    std::vector<std::string> ids;
    auto r = TransactionArchive(store_.get()).Recent(kind, id, limit, before);
    EXPECT_TRUE(r.ok()) << r.status();
    if (r.ok()) {
      for (const auto& e : *r) ids.push_back(e.tx_id);
    }
    return ids;
  }
  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(TransactionArchiveTest, KeepsRecordsAsReceivedAndListsASubjectsNewestFirst) {
  const int64_t d = testing::kJan5;
  Add("t1", d, "A", "B");
  Add("t2", d + 2, "B", "C");
  Add("t3", d + 1, "C", "A");  // late arrival: ordered by event time, not arrival
  TransactionArchive archive(store_.get());
  auto t1 = archive.Get({kBank, "t1"});
  ASSERT_TRUE(t1.ok() && t1->has_value());
  EXPECT_EQ((*t1)->payload, "{\"id\":\"t1\"}");
  EXPECT_EQ((*t1)->format, 'J');
  EXPECT_EQ((*t1)->reporting_entity, kBank);
  EXPECT_EQ((*t1)->fingerprint, StableHash64(std::string("t1") + kBank));
  EXPECT_FALSE(archive.Get({kBank, "t9"})->has_value());
  EXPECT_FALSE(archive.Get({"20512333797", "t1"})->has_value());  // another bank's t1 is another transaction
  EXPECT_EQ(Recent("account", "A", 10), (std::vector<std::string>{"t3", "t1"}));
  EXPECT_EQ(Recent("account", "B", 10), (std::vector<std::string>{"t2", "t1"}));
  EXPECT_EQ(Recent("account", "B", 1), (std::vector<std::string>{"t2"}));
  EXPECT_EQ(Recent("account", "B", 10, DayMicros(d + 2)), (std::vector<std::string>{"t1"}));  // paging
  EXPECT_EQ(Recent("document", "1:C", 10), (std::vector<std::string>{"t2", "t3"}));
  EXPECT_TRUE(Recent("account", "AB", 10).empty());  // a prefix of nothing: "A" and "B" stay apart
  auto bad = archive.Recent("branch", "150101", 10);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(TransactionArchiveTest, RetentionEndsInEventTimeAndCompactionDropsTheRecords) {
  const int64_t d = testing::kJan5;
  Add("old", d, "A", "B", /*retention_days=*/30);
  Add("new", d + 20, "A", "B", /*retention_days=*/30);
  ASSERT_EQ(CountKeys(*store_, Cf::kTransactions), 2 * (1 + 4));  // record + 2 accounts + 2 documents
  // Watermark d+40, grace 7 days: "old" (expires d+30) is gone, "new" (d+50) stays.
  store_->AdvanceExpiryWatermark(DayMicros(d + 40));
  EXPECT_EQ(Recent("account", "A", 10), (std::vector<std::string>{"new"}));  // hidden before compaction
  ASSERT_TRUE(
      store_->db()->CompactRange(rocksdb::CompactRangeOptions(), store_->cf(Cf::kTransactions), nullptr, nullptr).ok());
  EXPECT_EQ(CountKeys(*store_, Cf::kTransactions), 5);
  EXPECT_FALSE(TransactionArchive(store_.get()).Get({kBank, "old"})->has_value());
  EXPECT_TRUE(TransactionArchive(store_.get()).Get({kBank, "new"})->has_value());
}

TEST_F(TransactionArchiveTest, IdsAreRememberedPerReportingEntityUntilTheirHorizon) {
  const int64_t d = testing::kJan5;
  TransactionArchive archive(store_.get());
  rocksdb::WriteBatch batch;
  archive.Remember({kBank, "t1"}, 11, DayMicros(d), 30 * kMicrosPerDay, &batch);
  ASSERT_TRUE(store_->Write(&batch).ok());
  Add("t2", d, "A", "B");  // an archived record is remembered too
  EXPECT_EQ(*archive.Seen({kBank, "t1"}), 11u);
  EXPECT_EQ(*archive.Seen({kBank, "t2"}), StableHash64(std::string("t2") + kBank));
  EXPECT_FALSE(archive.Seen({"20512333797", "t1"})->has_value());
  EXPECT_FALSE(archive.Seen({kBank, "t3"})->has_value());
  store_->AdvanceExpiryWatermark(DayMicros(d + 40));  // past 30 days + 7 days' grace
  EXPECT_FALSE(archive.Seen({kBank, "t1"})->has_value());
  EXPECT_TRUE(archive.Seen({kBank, "t2"})->has_value());
}

}  // namespace
}  // namespace centinela
