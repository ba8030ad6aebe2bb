// Stored input positions against what a broker holds (RocksDB on disk, the
// broker's ranges given).
#include "server/input_offsets.h"

#include "base/keys.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/test_util.h"

namespace centinela {
namespace {

using ::testing::HasSubstr;

class InputOffsetsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = *Store::Open(dir_.Sub("db"), {});
    rocksdb::WriteBatch batch;
    for (const auto& [p, position, high] : {std::tuple{0, 100, 150}, std::tuple{1, 40, 40}}) {
      std::string v;
      PutBigEndian64(&v, uint64_t(position));
      batch.Put(store_->cf(Cf::kOffsets), Store::OffsetKey("in", p), v);
      Store::PutHighWatermark(&batch, store_->cf(Cf::kMeta), "in", p, high);
    }
    ASSERT_TRUE(store_->Write(&batch).ok());
  }
  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(InputOffsetsTest, PositionsTheBrokerHoldsResumeAndOthersAreLossesOrErrors) {
  // The same broker, with more records since: nothing to report.
  auto same = [](int32_t) -> absl::StatusOr<std::pair<int64_t, int64_t>> {
    return std::pair<int64_t, int64_t>{0, 200};
  };
  auto none = ReconcileInputOffsets(store_.get(), "in", same, /*accept=*/false, /*new_broker=*/false);
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_TRUE(none->empty());
  // A recreated topic, without --accept-lost-input: refused, saying how out.
  auto empty = [](int32_t) -> absl::StatusOr<std::pair<int64_t, int64_t>> { return std::pair<int64_t, int64_t>{0, 0}; };
  auto refused = ReconcileInputOffsets(store_.get(), "in", empty, false, false);
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(std::string(refused.status().message()), HasSubstr("partition in/0: the position stored in"));
  EXPECT_THAT(std::string(refused.status().message()), HasSubstr("--accept-lost-input"));
  // Accepted: the losses, with offsets; positions moved; counted.
  auto losses = ReconcileInputOffsets(store_.get(), "in", empty, true, false);
  ASSERT_TRUE(losses.ok()) << losses.status();
  ASSERT_EQ(losses->size(), 2u);
  EXPECT_EQ((*losses)[0].from, 100);
  EXPECT_EQ((*losses)[0].records(), 50);
  EXPECT_EQ((*losses)[1].records(), 0);  // everything of partition 1 was processed
  EXPECT_THAT(DescribeLosses("in", *losses), HasSubstr("in/0: offsets 100 to 149 (50 record(s), as last seen)"));
  EXPECT_THAT(DescribeLosses("in", *losses), HasSubstr("in/1: every record up to offset 39 was processed"));
  EXPECT_EQ(store_->LoadOffsets("in")->at(0), 0);
  EXPECT_EQ(*store_->GetCounter(kMetaLostInput), 50);
  // Once moved, the positions are consistent with the broker.
  EXPECT_TRUE(ReconcileInputOffsets(store_.get(), "in", empty, false, false)->empty());
}

}  // namespace
}  // namespace centinela
