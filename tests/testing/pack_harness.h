// Runs a rule pack through the real processor on a RocksDB store in a temp
// directory (no Kafka): feed transactions, commit, read the alerts back.
#ifndef CENTINELA_TESTS_TESTING_PACK_HARNESS_H_
#define CENTINELA_TESTS_TESTING_PACK_HARNESS_H_

#include <deque>
#include <map>
#include <string>
#include <vector>

#include "engine/pipeline/processor.h"
#include "gtest/gtest.h"
#include "tests/testing/test_util.h"

namespace centinela::testing {

// Lifetime: one test. Not thread-safe.
class PackHarness {
 public:
  explicit PackHarness(const std::string& pack_path) { Start(rules::RulePack::LoadFile(pack_path)); }
  // A pack written in the test itself.
  struct Inline {
    std::string yaml;
  };
  explicit PackHarness(const Inline& pack) { Start(rules::RulePack::Parse(pack.yaml, "inline.yaml")); }

  const rules::RulePack& pack() const { return *pack_; }
  void Feed(const v1::Transaction& tx) { FeedRaw(tx.SerializeAsString(), "application/x-protobuf"); }
  // Any bytes, as a Kafka record of fiu.transactions partition 0 would carry them.
  void FeedRaw(const std::string& payload, const std::string& content_type) {
    ASSERT_TRUE(
        processor_->Process({"fiu.transactions", 0, offset_++, payloads_.emplace_back(payload), content_type}).ok());
  }

  Processor* processor() { return processor_.get(); }
  Store* store() { return store_.get(); }

  // Commits and returns every stored alert.
  std::vector<v1::Alert> Alerts() {
    EXPECT_TRUE(processor_->Flush().ok());
    std::vector<v1::Alert> out;
    auto it = store_->NewIterator(Cf::kAlerts);
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      out.emplace_back().ParseFromArray(it->value().data(), int(it->value().size()));
    }
    return out;
  }
  std::vector<std::string> Typologies() {
    std::vector<std::string> t;
    for (const auto& a : Alerts()) t.push_back(a.typology_id());
    return t;
  }
  // The values the first stored alert's first rule hit saw, by name.
  std::map<std::string, std::string> FirstHitValues() {
    std::map<std::string, std::string> seen;
    const std::vector<v1::Alert> alerts = Alerts();
    EXPECT_FALSE(alerts.empty());
    if (alerts.empty() || alerts[0].hits().empty()) return seen;
    for (const auto& v : alerts[0].hits(0).values()) seen[v.name()] = v.value();
    return seen;
  }
  // The alerts of one typology.
  std::vector<v1::Alert> AlertsOf(const std::string& typology) {
    std::vector<v1::Alert> out;
    for (auto& a : Alerts()) {
      if (a.typology_id() == typology) out.push_back(std::move(a));
    }
    return out;
  }

 private:
  void Start(absl::StatusOr<std::unique_ptr<rules::RulePack>> pack) {
    ASSERT_TRUE(pack.ok()) << pack.status();
    pack_ = std::move(*pack);
    store_ = std::move(*Store::Open(dir_.Sub("db"), {}));
    ProcessorOptions o;
    o.wall_clock_micros = [] { return int64_t(1); };
    processor_ = std::move(*Processor::Create(store_.get(), pack_.get(), &fx_, o));
  }

  TempDir dir_;
  FxTable fx_ = *FxTable::FromFixed({{"PEN", "3.75"}});
  std::unique_ptr<rules::RulePack> pack_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Processor> processor_;
  std::deque<std::string> payloads_;
  int64_t offset_ = 0;
};

}  // namespace centinela::testing

#endif  // CENTINELA_TESTS_TESTING_PACK_HARNESS_H_
