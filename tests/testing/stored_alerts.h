// Reads what an engine stored, to compare two runs over the same input.
#ifndef CENTINELA_TESTS_TESTING_STORED_ALERTS_H_
#define CENTINELA_TESTS_TESTING_STORED_ALERTS_H_

#include <map>
#include <string>

#include "centinela/v1/alert.pb.h"
#include "engine/state/store.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "gtest/gtest.h"

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

}  // namespace centinela::testing

#endif  // CENTINELA_TESTS_TESTING_STORED_ALERTS_H_
