// Helpers shared by the tests: temporary directories and transaction builders.
#ifndef CENTINELA_TESTS_TESTING_TEST_UTIL_H_
#define CENTINELA_TESTS_TESTING_TEST_UTIL_H_

#include <unistd.h>

#include <filesystem>
#include <map>
#include <string>

#include "base/time_util.h"
#include "centinela/v1/alert.pb.h"
#include "centinela/v1/transaction.pb.h"

namespace centinela::testing {

// A fresh directory under /tmp, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "centinela-test-XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string Sub(const std::string& name) const { return (std::filesystem::path(path_) / name).string(); }

 private:
  std::string path_;
};

// Every value an alert's rule hits saw, by name (a later hit's value wins).
inline std::map<std::string, std::string> ObservedValues(const v1::Alert& a) {
  std::map<std::string, std::string> seen;
  for (const auto& h : a.hits()) {
    for (const auto& v : h.values()) seen[v.name()] = v.value();
  }
  return seen;
}

inline constexpr int64_t kJan5 = 20458;  // 2026-01-05, days since epoch

// A valid PEN transfer between two Peruvian persons; tests adjust fields.
inline v1::Transaction MakeTx(const std::string& id, int64_t micros, int64_t minor = 10000,
                              const std::string& currency = "PEN") {
  v1::Transaction tx;
  tx.set_id(id);
  *tx.mutable_event_time() = FromMicros(micros);
  tx.set_channel(v1::ACH);
  tx.set_operation(v1::TRANSFER);
  tx.mutable_amount()->set_minor_units(minor);
  tx.mutable_amount()->set_currency(currency);
  tx.mutable_reporting_entity()->set_ruc("20100047218");
  auto* o = tx.mutable_originator();
  o->set_kind(v1::PERSON);
  o->set_document_type(v1::DNI);
  o->set_document_number("12345678");
  o->set_account("BCP-1");
  o->set_country("PE");
  auto* b = tx.mutable_beneficiary();
  b->set_kind(v1::PERSON);
  b->set_document_type(v1::DNI);
  b->set_document_number("87654321");
  b->set_account("BCP-2");
  b->set_country("PE");
  return tx;
}

inline int64_t DayMicros(int64_t day, int64_t hour = 12) { return day * kMicrosPerDay + hour * kMicrosPerHour; }

}  // namespace centinela::testing

#endif  // CENTINELA_TESTS_TESTING_TEST_UTIL_H_
