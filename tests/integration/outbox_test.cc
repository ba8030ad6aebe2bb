// The outbox drainer against the embedded broker (the Kafka protocol) and
// RocksDB on disk: records the broker refuses for good are moved aside and
// never block the others; transient failures are retried.
#include "engine/state/outbox.h"

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "centinela/v1/outbox.pb.h"
#include "connectors/kafka/kafka.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/outbox_drainer.h"
#include "tests/testing/kafka_util.h"
#include "tests/testing/test_util.h"

namespace centinela {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class OutboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cluster = kafka::MockCluster::Start(1);
    ASSERT_TRUE(cluster.ok()) << cluster.status();
    cluster_ = std::move(*cluster);
    ASSERT_TRUE(cluster_->CreateTopic("uif.alerts", 1).ok());
    store_ = *Store::Open(dir_.Sub("db"), {});
    auto writer = OutboxWriter::Create(store_.get());
    ASSERT_TRUE(writer.ok());
    writer_ = std::make_unique<OutboxWriter>(std::move(*writer));
  }

  // Commits one outbox record per value, keys "k<seq>".
  void Queue(const std::vector<std::string>& values) {
    rocksdb::WriteBatch batch;
    for (const std::string& v : values) {
      v1::OutboxEntry e;
      e.set_topic("uif.alerts");
      e.set_key(absl::StrCat("k", writer_->next_seq()));
      e.set_value(v);
      e.set_content_type("application/json");
      writer_->Append(e, &batch);
    }
    ASSERT_TRUE(store_->Write(&batch).ok());
  }

  // Waits (bounded) until the drainer has nothing left it can send.
  bool WaitIdle(OutboxDrainer& d, std::chrono::seconds limit = std::chrono::seconds(30)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      d.Notify();
      for (int i = 0; i < 50 && !d.Idle(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
      if (d.Idle()) return true;
    }
    return false;
  }

  std::vector<std::string> Keys() {
    std::vector<std::string> keys;
    for (const auto& r : testing::ReadTopic(cluster_->bootstrap(), "uif.alerts")) keys.push_back(r.key);
    return keys;
  }

  testing::TempDir dir_;
  std::unique_ptr<kafka::MockCluster> cluster_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<OutboxWriter> writer_;
};

// Issue 17, defect 2: one record larger than the producer's message.max.bytes
// was retried in a tight loop forever and no later record was delivered.
TEST_F(OutboxTest, ARecordTheClientRefusesIsParkedAndTheOthersAreDelivered) {
  Queue({"a", "b", std::string(2'000'000, 'x'), "c", "d"});
  auto d = OutboxDrainer::Start(store_.get(), cluster_->bootstrap());
  ASSERT_TRUE(d.ok()) << d.status();
  ASSERT_TRUE(WaitIdle(**d)) << "the drainer never became idle: a record blocks the outbox";
  EXPECT_THAT(Keys(), ElementsAre("k0", "k1", "k3", "k4"));
  EXPECT_EQ((*d)->delivered(), 4);
  EXPECT_EQ((*d)->parked(), 1);
  EXPECT_EQ(*store_->CountOutbox(), 0);
  auto parked = ListParkedOutbox(*store_, 10);
  ASSERT_TRUE(parked.ok()) << parked.status();
  ASSERT_EQ(parked->total, 1);
  EXPECT_EQ(parked->records[0].first, 2);
  EXPECT_EQ(parked->records[0].second.entry().key(), "k2");
  EXPECT_EQ(parked->records[0].second.entry().value().size(), 2'000'000u);
  EXPECT_THAT(parked->records[0].second.error(), HasSubstr("too large"));
  EXPECT_EQ(*store_->GetCounter(kMetaParked), 1);
  EXPECT_EQ((*d)->Stop(), 0);
}

TEST_F(OutboxTest, ARecordTheBrokerRefusesIsParkedAndARetriedOneIsDeliveredOnceItsCauseIsGone) {
  auto d = OutboxDrainer::Start(store_.get(), cluster_->bootstrap());
  ASSERT_TRUE(d.ok()) << d.status();
  Queue({"first"});
  ASSERT_TRUE(WaitIdle(**d));
  // The broker refuses the next produce request for good.
  cluster_->PushRequestErrors(kafka::ApiKey::kProduce, {RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE});
  Queue({"refused"});
  ASSERT_TRUE(WaitIdle(**d));
  Queue({"after"});
  ASSERT_TRUE(WaitIdle(**d));
  EXPECT_THAT(Keys(), ElementsAre("k0", "k2"));
  auto parked = ListParkedOutbox(*store_, 10);
  ASSERT_TRUE(parked.ok());
  ASSERT_EQ(parked->total, 1);
  EXPECT_EQ(parked->records[0].first, 1);
  // Put back (the broker accepts it now) and delivered.
  ASSERT_TRUE(RetryParkedOutbox(store_.get(), 1).ok());
  EXPECT_TRUE(absl::IsNotFound(RetryParkedOutbox(store_.get(), 1)));
  (*d)->Rescan();
  ASSERT_TRUE(WaitIdle(**d));
  EXPECT_THAT(Keys(), ElementsAre("k0", "k2", "k1"));
  EXPECT_EQ(ListParkedOutbox(*store_, 10)->total, 0);
  EXPECT_EQ((*d)->delivered(), 3);
}

TEST_F(OutboxTest, TransientBrokerErrorsAreRetriedUntilDelivered) {
  OutboxDrainerOptions o;
  o.min_backoff = std::chrono::milliseconds(20);
  o.max_backoff = std::chrono::milliseconds(200);
  // The client gives up on a record after 1 s; the drainer sends it again.
  o.producer = {{"message.timeout.ms", "1000"}, {"retry.backoff.ms", "50"}};
  auto d = OutboxDrainer::Start(store_.get(), cluster_->bootstrap(), o);
  ASSERT_TRUE(d.ok()) << d.status();
  Queue({"warm"});
  ASSERT_TRUE(WaitIdle(**d));
  std::vector<rd_kafka_resp_err_t> errors(30, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION);
  cluster_->PushRequestErrors(kafka::ApiKey::kProduce, errors);
  Queue({"a", "b", "c"});
  ASSERT_TRUE(WaitIdle(**d, std::chrono::seconds(60)));
  std::set<std::string> keys;
  for (const auto& k : Keys()) keys.insert(k);
  EXPECT_THAT(keys, ::testing::UnorderedElementsAre("k0", "k1", "k2", "k3"));
  EXPECT_EQ((*d)->parked(), 0);
  EXPECT_EQ(*store_->CountOutbox(), 0);
}

// What a test says the other instances did: whether this one delivers, and
// which keys the topics already hold (server/replica.h does it for real).
class FakeGate : public DeliveryGate {
 public:
  bool Delivering() const override { return delivering.load(); }
  bool Delivered(const v1::OutboxEntry& e) const override {
    std::lock_guard<std::mutex> l(mu);
    return delivered.contains(e.key());
  }
  void Add(const std::string& key) {
    std::lock_guard<std::mutex> l(mu);
    delivered.insert(key);
  }
  std::atomic<bool> delivering{false};
  mutable std::mutex mu;
  std::set<std::string> delivered;
};

// Replicas (docs/instances.md): a standby sends nothing and deletes what the
// topics already hold; once it delivers, it sends only what nobody has.
TEST_F(OutboxTest, AStandbySendsNothingKeepsWhatNobodyDeliveredAndSendsOnlyThatWhenItTakesOver) {
  Queue({"a", "b", "c", "d"});  // keys k0..k3
  FakeGate gate;
  gate.Add("k0");
  gate.Add("k2");
  OutboxDrainerOptions options;
  options.gate = &gate;
  auto d = OutboxDrainer::Start(store_.get(), cluster_->bootstrap(), options);
  ASSERT_TRUE(d.ok()) << d.status();
  auto outbox_size_becomes = [&](int64_t n) {
    for (int i = 0; i < 300; ++i) {  // 30 s
      (*d)->Notify();
      auto count = store_->CountOutbox();
      if (count.ok() && *count == n) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  };
  ASSERT_TRUE(outbox_size_becomes(2)) << "k0 and k2, delivered elsewhere, stay in the standby's outbox";
  EXPECT_FALSE((*d)->Idle()) << "a standby holding undelivered records is not idle";
  gate.Add("k1");  // the delivering instance sent k1 meanwhile
  ASSERT_TRUE(outbox_size_becomes(1));
  EXPECT_TRUE(Keys().empty()) << "a standby sent something";

  gate.delivering = true;  // it takes over
  ASSERT_TRUE(WaitIdle(**d));
  EXPECT_THAT(Keys(), ElementsAre("k3"));
  EXPECT_EQ((*d)->superseded(), 3);
  EXPECT_EQ((*d)->delivered(), 1);
  EXPECT_EQ((*d)->Stop(), 0);
}

}  // namespace
}  // namespace centinela
