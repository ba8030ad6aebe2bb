// Reads what an engine stored, to compare two runs over the same input.
#ifndef CENTINELA_TESTS_TESTING_STORED_ALERTS_H_
#define CENTINELA_TESTS_TESTING_STORED_ALERTS_H_

#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "centinela/v1/alert.pb.h"
#include "engine/state/store.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "gtest/gtest.h"
#include "tests/testing/kafka_util.h"

namespace centinela::testing {

// The alerts of the (stopped) engine's data directory by id, without the one
// wall-clock field (detected_at), serialised deterministically so that
// contents compare byte for byte; `*consumed` gets the consumed counter.
inline std::map<std::string, std::string> StoredAlertsById(const std::string& dir, int64_t* consumed) {
  StoreOptions o;
  o.read_only = true;
  auto store = Store::Open(dir, o);
  EXPECT_TRUE(store.ok()) << store.status();
  std::map<std::string, std::string> out;
  if (!store.ok()) return out;
  auto counter = (*store)->GetCounter(kMetaConsumed);
  EXPECT_TRUE(counter.ok()) << counter.status();
  *consumed = counter.ok() ? *counter : -1;
  auto it = (*store)->NewIterator(Cf::kAlerts);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    v1::Alert a;
    EXPECT_TRUE(a.ParseFromArray(it->value().data(), int(it->value().size())));
    EXPECT_TRUE(a.has_detected_at());
    a.clear_detected_at();
    std::string bytes;
    {
      google::protobuf::io::StringOutputStream sos(&bytes);
      google::protobuf::io::CodedOutputStream cos(&sos);
      cos.SetSerializationDeterministic(true);
      EXPECT_TRUE(a.SerializeToCodedStream(&cos)) << a.id();
    }
    out[a.id()] = bytes;
  }
  return out;
}

// Expects `actual` to hold exactly the alerts of `reference`, byte for byte;
// `when` ("after crashes") names the run in failures.
inline void ExpectSameAlerts(const std::map<std::string, std::string>& reference,
                             const std::map<std::string, std::string>& actual, const std::string& when) {
  ASSERT_EQ(reference.size(), actual.size()) << when;
  for (const auto& [id, bytes] : reference) {
    auto it = actual.find(id);
    ASSERT_NE(it, actual.end()) << "alert " << id << " missing " << when;
    EXPECT_EQ(it->second, bytes) << "alert " << id << " differs " << when;
  }
}

// Expects every alert of `alerts` (StoredAlertsById) on the topic of each of
// its destinations, as read with a fresh consumer from `bootstrap`. When a
// read misses some, the topics are read once more by another fresh consumer
// (each read is printed), so that a failure says whether the records are
// absent from the topic or one reader stopped short.
inline void ExpectEveryAlertDelivered(const std::map<std::string, std::string>& alerts, const std::string& bootstrap,
                                      const std::string& uif_topic, const std::string& sunat_topic) {
  std::vector<std::pair<std::string, int>> expected;  // alert id, destination
  for (const auto& [id, bytes] : alerts) {
    v1::Alert a;
    ASSERT_TRUE(a.ParseFromString(bytes)) << id;
    for (int d : a.destinations()) expected.emplace_back(id, d);
  }
  std::vector<std::string> missing;
  for (int attempt = 1; attempt <= 2; ++attempt) {
    std::set<std::string> on_uif, on_sunat;
    size_t uif_records = 0, sunat_records = 0;
    for (const auto& r : ReadTopic(bootstrap, uif_topic)) on_uif.insert(r.key), ++uif_records;
    for (const auto& r : ReadTopic(bootstrap, sunat_topic)) on_sunat.insert(r.key), ++sunat_records;
    missing.clear();
    for (const auto& [id, d] : expected) {
      if (!(d == v1::UIF ? on_uif : on_sunat).count(id)) missing.push_back(id);
    }
    fprintf(stderr, "delivery check, read %d: %s %zu records, %s %zu records; %zu of %zu deliveries missing\n", attempt,
            uif_topic.c_str(), uif_records, sunat_topic.c_str(), sunat_records, missing.size(), expected.size());
    if (missing.empty()) break;
  }
  for (const std::string& id : missing) ADD_FAILURE() << id << " not delivered (absent from two reads of its topic)";
}

}  // namespace centinela::testing

#endif  // CENTINELA_TESTS_TESTING_STORED_ALERTS_H_
