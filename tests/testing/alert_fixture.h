// Alerts written straight into a store, with their index entries, as the
// alert book writes them: for tests of search, workflow and the API.
#ifndef CENTINELA_TESTS_TESTING_ALERT_FIXTURE_H_
#define CENTINELA_TESTS_TESTING_ALERT_FIXTURE_H_

#include <string>
#include <vector>

#include "base/time_util.h"
#include "centinela/v1/alert.pb.h"
#include "engine/alerts/alert_index.h"
#include "engine/state/store.h"
#include "tests/testing/test_util.h"

namespace centinela::testing {

struct AlertSpec {
  std::string id;
  int day = 0;  // created on kJan5 + day
  double score = 1.0;
  std::string typology = "fan_in";
  std::string account = "ACC-1";
  v1::Severity severity = v1::MEDIUM;
  std::vector<v1::Destination> destinations = {v1::UIF};
  std::string region = "150101";
  bool shadow = false;
  std::string pack_version = "peru@2.3.0+abc";
};

inline absl::Status PutAlert(Store* store, const AlertSpec& s) {
  v1::Alert a;
  a.set_id(s.id);
  a.set_typology_id(s.typology);
  a.set_pack_version(s.pack_version);
  a.mutable_subject()->set_kind("account");
  a.mutable_subject()->set_id(s.account);
  a.set_score(s.score);
  a.set_severity(s.severity);
  for (auto d : s.destinations) a.add_destinations(d);
  a.set_shadow(s.shadow);
  a.set_region_ubigeo(s.region);
  a.add_evidence_transaction_ids("tx-" + s.id);
  v1::TransactionRef* ref = a.add_evidence();
  ref->set_reporting_entity("20100047218");
  ref->set_id("tx-" + s.id);
  *a.mutable_created_event_time() = FromMicros(DayMicros(kJan5 + s.day));
  rocksdb::WriteBatch batch;
  batch.Put(store->cf(Cf::kAlerts), s.id, a.SerializeAsString());
  AlertIndex::AddNew(a, store->cf(Cf::kAlertIndex), &batch);
  return store->Write(&batch);
}

}  // namespace centinela::testing

#endif  // CENTINELA_TESTS_TESTING_ALERT_FIXTURE_H_
