// Reads what an engine stored, to compare two runs over the same input.
#ifndef CENTINELA_TESTS_TESTING_STORED_ALERTS_H_
#define CENTINELA_TESTS_TESTING_STORED_ALERTS_H_

#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "centinela/v1/alert.pb.h"
#include "engine/state/store.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "gtest/gtest.h"
#include "tests/testing/kafka_util.h"

namespace centinela::testing {

// `a` without the one wall-clock field (detected_at), serialised
// deterministically: two runs' alerts compare byte for byte.
inline std::string CanonicalAlertBytes(v1::Alert a) {
  a.clear_detected_at();
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream sos(&bytes);
    google::protobuf::io::CodedOutputStream cos(&sos);
    cos.SetSerializationDeterministic(true);
    EXPECT_TRUE(a.SerializeToCodedStream(&cos)) << a.id();
  }
  return bytes;
}

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
    out[a.id()] = CanonicalAlertBytes(a);
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
// its destinations, as read with a fresh consumer from `bootstrap`; prints
// how many records each topic held, for a failure to be read against.
inline void ExpectEveryAlertDelivered(const std::map<std::string, std::string>& alerts, const std::string& bootstrap,
                                      const std::string& uif_topic, const std::string& sunat_topic) {
  const std::vector<ConsumedRecord> uif = ReadTopic(bootstrap, uif_topic);
  const std::vector<ConsumedRecord> sunat = ReadTopic(bootstrap, sunat_topic);
  fprintf(stderr, "delivery check: %s %zu records, %s %zu records\n", uif_topic.c_str(), uif.size(),
          sunat_topic.c_str(), sunat.size());
  std::set<std::string> on_uif, on_sunat;
  for (const auto& r : uif) on_uif.insert(r.key);
  for (const auto& r : sunat) on_sunat.insert(r.key);
  for (const auto& [id, bytes] : alerts) {
    v1::Alert a;
    ASSERT_TRUE(a.ParseFromString(bytes)) << id;
    for (int d : a.destinations()) {
      EXPECT_TRUE((d == v1::UIF ? on_uif : on_sunat).count(id)) << id << " not delivered";
    }
  }
}

}  // namespace centinela::testing

#endif  // CENTINELA_TESTS_TESTING_STORED_ALERTS_H_
