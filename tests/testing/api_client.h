// A test's HTTP client of the investigator API on 127.0.0.1: requests as a
// user whose bearer token is "token-<user>", answers parsed with protobuf's
// JSON mapping.
#ifndef CENTINELA_TESTS_TESTING_API_CLIENT_H_
#define CENTINELA_TESTS_TESTING_API_CLIENT_H_

#include <string>
#include <utility>

#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "httplib.h"

namespace centinela::testing {

// Lifetime: one test; the server must outlive the requests.
class ApiTestClient {
 public:
  explicit ApiTestClient(const std::string& base_url) : client_(base_url) {}

  static httplib::Headers As(const std::string& user) { return {{"Authorization", "Bearer token-" + user}}; }

  // GET as `user` (no token when empty); status and body.
  std::pair<int, std::string> Get(const std::string& path, const std::string& user = "ana") {
    auto r = client_.Get(path, user.empty() ? httplib::Headers{} : As(user));
    if (!r) return {-1, httplib::to_string(r.error())};
    return {r->status, r->body};
  }
  std::pair<int, std::string> Post(const std::string& path, const std::string& body, const std::string& user,
                                   httplib::Headers extra = {}) {
    httplib::Headers h = As(user);
    h.insert(extra.begin(), extra.end());
    auto r = client_.Post(path, h, body, "application/json");
    if (!r) return {-1, httplib::to_string(r.error())};
    return {r->status, r->body};
  }
  httplib::Client& raw() { return client_; }

  template <typename M>
  static M Parse(const std::string& json) {
    M m;
    EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(json, &m).ok()) << json;
    return m;
  }

 private:
  httplib::Client client_;
};

}  // namespace centinela::testing

#endif  // CENTINELA_TESTS_TESTING_API_CLIENT_H_
