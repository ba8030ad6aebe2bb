// What the `centinela` commands that talk to the engine's API share: the
// client (address and token from flags or the environment), and tables and
// times for terminals. Internal to cli/.
#ifndef CENTINELA_CLI_API_CLIENT_H_
#define CENTINELA_CLI_API_CLIENT_H_

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/proto_json.h"
#include "base/status_macros.h"
#include "base/time_util.h"
#include "centinela/v1/investigation.pb.h"
#include "cli/flags.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/protobuf/util/json_util.h"
#include "httplib.h"

namespace centinela::cli {

inline constexpr char kDefaultApi[] = "http://127.0.0.1:8470";

// Columns padded to their widest cell (in characters, not bytes: names carry
// accents).
class Table {
 public:
  explicit Table(std::vector<std::string> header) { rows_.push_back(std::move(header)); }
  void Add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  void Print() const {
    std::vector<size_t> width;
    for (const auto& r : rows_) {
      width.resize(std::max(width.size(), r.size()));
      for (size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], Chars(r[i]));
    }
    for (const auto& r : rows_) {
      std::string line;
      for (size_t i = 0; i < r.size(); ++i) {
        line += r[i];
        if (i + 1 < r.size()) line += std::string(width[i] - Chars(r[i]) + 2, ' ');
      }
      printf("%s\n", line.c_str());
    }
  }
  size_t rows() const { return rows_.size() - 1; }

 private:
  static size_t Chars(const std::string& s) {
    size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
  }
  std::vector<std::vector<std::string>> rows_;
};

inline std::string Time(const google::protobuf::Timestamp& t) {
  if (t.seconds() == 0 && t.nanos() == 0) return "-";
  const int64_t micros = ToMicros(t);
  const int64_t day = FloorDiv(micros, kMicrosPerDay);
  const int64_t sec = FloorDiv(micros, kMicrosPerSecond) - day * 86400;
  return absl::StrFormat("%s %02d:%02d", FormatIsoDate(day), sec / 3600, sec / 60 % 60);
}

// Where the API is and who asks. Value type.
struct ApiClient {
  std::string url;
  std::string token;
  bool json = false;

  static absl::StatusOr<ApiClient> FromFlags(const Flags& f) {
    ApiClient c;
    const char* env_api = getenv("CENTINELA_API");
    const char* env_token = getenv("CENTINELA_TOKEN");
    c.url = f.Get("api", env_api && *env_api ? env_api : kDefaultApi);
    c.token = f.Get("token", env_token ? env_token : "");
    c.json = f.Has("json");
    if (c.token.empty()) {
      return absl::InvalidArgumentError("no token: pass --token TOKEN or set CENTINELA_TOKEN");
    }
    if (c.url.rfind("http://", 0) != 0) {
      return absl::InvalidArgumentError(absl::StrCat("--api: expected http://HOST:PORT, got \"", c.url, "\""));
    }
    return c;
  }

  // The body of a 2xx answer; otherwise the API's own error message.
  absl::StatusOr<std::string> Call(const std::string& method, const std::string& path, const httplib::Params& params,
                                   const std::string& body = "") const {
    ASSIGN_OR_RETURN(Response r, Raw(method, path, params, body));
    if (r.status / 100 == 2) return r.body;
    return ErrorOf(r);
  }

  struct Response {
    int status = 0;
    std::string body;
  };

  // Any answer of the API; Unavailable when it cannot be reached. POST
  // bodies are YAML (rule packs) or JSON; parameters go in the query.
  absl::StatusOr<Response> Raw(const std::string& method, const std::string& path, const httplib::Params& params,
                               const std::string& body = "") const {
    httplib::Client client(url);
    client.set_connection_timeout(5, 0);
    client.set_read_timeout(60, 0);
    const httplib::Headers auth = {{"Authorization", "Bearer " + token}};
    const std::string target = params.empty() || method == "GET"
                                   ? path
                                   : absl::StrCat(path, "?", httplib::detail::params_to_query_str(params));
    const char* type = !body.empty() && body[0] == '{' ? "application/json" : "application/yaml";
    httplib::Result r = method == "POST"     ? client.Post(target, auth, body, type)
                        : method == "DELETE" ? client.Delete(target, auth)
                                             : client.Get(path, params, auth);
    if (!r) {
      return absl::UnavailableError(absl::StrCat("cannot reach the API at ", url, " (", httplib::to_string(r.error()),
                                                 "): is the engine running with api.listen set?"));
    }
    return Response{r->status, r->body};
  }

  // The API's error message of a non-2xx answer.
  static absl::Status ErrorOf(const Response& r) {
    v1::ApiError e;
    if (google::protobuf::util::JsonStringToMessage(r.body, &e).ok() && !e.message().empty()) {
      return absl::Status(absl::StatusCode::kFailedPrecondition,
                          absl::StrCat("HTTP ", r.status, " ", e.error(), ": ", e.message()));
    }
    return absl::Status(absl::StatusCode::kFailedPrecondition, absl::StrCat("HTTP ", r.status, ": ", r.body));
  }

  template <typename M>
  absl::StatusOr<M> CallInto(const std::string& method, const std::string& path, const httplib::Params& params,
                             const std::string& body = "") const {
    ASSIGN_OR_RETURN(std::string text, Call(method, path, params, body));
    if (json) {
      printf("%s\n", text.c_str());
      return M();
    }
    return Parse<M>(text);
  }

  // An answer of the API as a message (unknown fields ignored: a newer
  // engine may say more).
  template <typename M>
  static absl::StatusOr<M> Parse(const std::string& text) {
    M m;
    google::protobuf::util::JsonParseOptions o;
    o.ignore_unknown_fields = true;
    if (auto s = google::protobuf::util::JsonStringToMessage(text, &m, o); !s.ok()) {
      return absl::DataLossError(absl::StrCat("the API answered what this CLI cannot read: ", s.message().as_string()));
    }
    return m;
  }
};

// Prints `m` as one line of JSON (proto field names) on `out`.
inline absl::Status PrintJson(FILE* out, const google::protobuf::Message& m) {
  ASSIGN_OR_RETURN(const std::string json, ProtoToJson(m));
  fprintf(out, "%s\n", json.c_str());
  return absl::OkStatus();
}

inline const std::set<std::string> kClientFlags = {"api", "token"};

inline std::set<std::string> With(std::set<std::string> a, const std::set<std::string>& b) {
  a.insert(b.begin(), b.end());
  return a;
}

}  // namespace centinela::cli

#endif  // CENTINELA_CLI_API_CLIENT_H_
