#include "engine/sequence/sequencer.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/test_util.h"

namespace centinela {
namespace {

using ::testing::ElementsAre;

constexpr int64_t kHour = 3600LL * 1000 * 1000;

struct Fixture {
  testing::TempDir dir;
  std::unique_ptr<Store> store;
  std::unique_ptr<Sequencer> seq;

  void Open(int64_t lateness = kHour) {
    seq.reset();
    store.reset();
    auto s = Store::Open(dir.path(), {});
    ASSERT_TRUE(s.ok()) << s.status();
    store = std::move(*s);
    auto q = Sequencer::Open(store.get(), lateness);
    ASSERT_TRUE(q.ok()) << q.status();
    seq = std::move(*q);
  }
  // Buffers transaction `id` of event time `t` from partition `p`.
  void Add(const std::string& id, int64_t t, int32_t p, int64_t offset, rocksdb::WriteBatch* batch) {
    seq->Observe("in", p, t);
    std::string key = SequenceKey(t, "RUC", id, 7, "in", p, offset);
    ASSERT_FALSE(seq->IsLate(key));
    seq->Buffer(std::move(key), SequencedRecord{"in", p, offset, "application/x-protobuf", id}, batch);
  }
  std::vector<std::string> Release(int64_t frontier, rocksdb::WriteBatch* batch) {
    std::vector<std::string> out;
    EXPECT_TRUE(seq->Release(frontier, batch,
                             [&out](absl::string_view, const SequencedRecord& r) {
                               out.push_back(r.payload);
                               return absl::OkStatus();
                             })
                    .ok());
    return out;
  }
};

TEST(SequenceKey, OrdersByEventTimeThenEntityAndIdWhateverTheSource) {
  const std::string early = SequenceKey(-5, "Z", "z", 9, "zz", 9, 9);
  const std::string later = SequenceKey(10, "A", "a", 0, "a", 0, 0);
  EXPECT_LT(early, later);  // negative times sort first
  EXPECT_LT(SequenceKey(10, "A", "b", 0, "z", 7, 99), SequenceKey(10, "B", "a", 0, "a", 0, 0));
  EXPECT_LT(SequenceKey(10, "A", "a", 0, "z", 7, 99), SequenceKey(10, "A", "b", 0, "a", 0, 0));
  EXPECT_EQ(SequenceKeyEventMicros(later), 10);
  EXPECT_EQ(SequenceKeyEventMicros(early), -5);
}

TEST(Sequencer, ReleasesInEventTimeOrderWhatTheSlowestPartitionHasPassed) {
  Fixture f;
  f.Open();
  rocksdb::WriteBatch batch;
  // Partition 0 runs ahead; partition 1 is at 2h.
  f.Add("a5", 5 * kHour, 0, 0, &batch);
  f.Add("a1", 1 * kHour, 0, 1, &batch);  // within the lateness of partition 0? no matter: buffered
  f.Add("b2", 2 * kHour, 1, 0, &batch);
  const std::vector<SourceStatus> both = {{"in", 0, false}, {"in", 1, false}};
  // Frontier: min(5h, 2h) - 1h = 1h: nothing before 1h is buffered.
  EXPECT_EQ(f.seq->Frontier(both, 0), 1 * kHour);
  EXPECT_TRUE(f.Release(f.seq->Frontier(both, 0), &batch).empty());
  f.Add("b4", 4 * kHour, 1, 1, &batch);  // partition 1 reaches 4h: frontier 3h
  EXPECT_THAT(f.Release(f.seq->Frontier(both, 0), &batch), ElementsAre("a1", "b2"));
  // A record behind what was released is late; one after it is not.
  EXPECT_TRUE(f.seq->IsLate(SequenceKey(1 * kHour + 1, "RUC", "x", 7, "in", 1, 9)));
  EXPECT_FALSE(f.seq->IsLate(SequenceKey(2 * kHour + 1, "RUC", "x", 7, "in", 1, 9)));
  EXPECT_EQ(f.seq->buffered(), 2u);
}

TEST(Sequencer, APartitionThatNeverDeliveredHoldsTheFrontierUntilItIsIdle) {
  Fixture f;
  f.Open();
  rocksdb::WriteBatch batch;
  f.Add("a", 5 * kHour, 0, 0, &batch);
  EXPECT_EQ(f.seq->Frontier({{"in", 0, false}, {"in", 1, false}}, 100 * kHour), INT64_MIN);
  // Idle: it stands at the wall clock less the lateness.
  EXPECT_EQ(f.seq->Frontier({{"in", 0, false}, {"in", 1, true}}, 100 * kHour), 4 * kHour);
  EXPECT_EQ(f.seq->Frontier({{"in", 0, true}, {"in", 1, true}}, 100 * kHour), 99 * kHour);
  EXPECT_THAT(f.Release(f.seq->Frontier({{"in", 0, true}, {"in", 1, true}}, 100 * kHour), &batch), ElementsAre("a"));
}

TEST(Sequencer, BufferMarksAndReleasedKeySurviveAReopen) {
  Fixture f;
  f.Open();
  {
    rocksdb::WriteBatch batch;
    f.Add("a1", 1 * kHour, 0, 0, &batch);
    f.Add("a2", 2 * kHour, 0, 1, &batch);
    f.Add("a9", 9 * kHour, 0, 2, &batch);
    EXPECT_THAT(f.Release(3 * kHour, &batch), ElementsAre("a1", "a2"));
    f.seq->Persist(&batch);
    ASSERT_TRUE(f.store->Write(&batch).ok());
  }
  {
    // Buffered but not written: a crash forgets it, as it forgets the offset.
    rocksdb::WriteBatch lost;
    f.Add("a7", 7 * kHour, 3, 0, &lost);
  }
  f.Open();
  EXPECT_EQ(f.seq->buffered(), 1u);
  EXPECT_EQ(f.seq->newest("in", 0), 9 * kHour);
  EXPECT_EQ(f.seq->newest("in", 3), INT64_MIN);
  EXPECT_TRUE(f.seq->IsLate(SequenceKey(2 * kHour - 1, "RUC", "x", 7, "in", 0, 9)));
  rocksdb::WriteBatch batch;
  EXPECT_THAT(f.Release(INT64_MAX, &batch), ElementsAre("a9"));
}

TEST(Sequencer, ARecordReleasedInTheSameBatchIsNotWritten) {
  Fixture f;
  f.Open();
  rocksdb::WriteBatch batch;
  f.Add("a1", 1 * kHour, 0, 0, &batch);
  EXPECT_THAT(f.Release(INT64_MAX, &batch), ElementsAre("a1"));
  ASSERT_TRUE(f.store->Write(&batch).ok());
  f.Open();
  EXPECT_EQ(f.seq->buffered(), 0u);
}

TEST(Sequencer, AnErrorStopsTheReleaseAndKeepsTheRecord) {
  Fixture f;
  f.Open();
  rocksdb::WriteBatch batch;
  f.Add("a1", 1 * kHour, 0, 0, &batch);
  f.Add("a2", 2 * kHour, 0, 1, &batch);
  int calls = 0;
  const absl::Status s = f.seq->Release(INT64_MAX, &batch, [&calls](absl::string_view, const SequencedRecord&) {
    return ++calls == 2 ? absl::InternalError("disk") : absl::OkStatus();
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(f.seq->buffered(), 1u);
}

TEST(Sequencer, NegativeLatenessIsRefused) {
  testing::TempDir dir;
  auto store = Store::Open(dir.path(), {});
  ASSERT_TRUE(store.ok());
  EXPECT_EQ(Sequencer::Open(store->get(), -1).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace centinela
