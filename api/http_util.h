// Helpers shared by the API's handlers: JSON replies, errors mapped from
// absl::Status onto HTTP, and parameter parsing. Internal to api/.
#ifndef CENTINELA_API_HTTP_UTIL_H_
#define CENTINELA_API_HTTP_UTIL_H_

#include <cstdint>
#include <initializer_list>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace centinela::api {

inline constexpr absl::string_view kJson = "application/json";

// `body` in protobuf's JSON mapping with the proto field names; a body
// protobuf cannot print becomes a 500 naming why (never a truncated 200).
void Reply(httplib::Response& res, int code, const google::protobuf::Message& body);
// An ApiError body: {code, error, message, parameter}.
void ReplyError(httplib::Response& res, int code, absl::string_view error, absl::string_view message,
                absl::string_view parameter = "");
// Maps a module error onto HTTP (400, 403, 404, 409, 503, 504, else 500). Messages of
// the form "name: ..." name the parameter or field at fault.
void ReplyStatus(httplib::Response& res, const absl::Status& s);
// InvalidArgument "PARAM: WHAT".
absl::Status Bad(absl::string_view param, absl::string_view what);
// Parses a JSON request body (unknown fields refused) into `m`; on error
// answers 400 "body: expected SHAPE: why" and returns false. An empty body
// is accepted as an empty message when `allow_empty`.
bool ParseJsonBody(const std::string& body, httplib::Response& res, google::protobuf::Message* m,
                   absl::string_view shape, bool allow_empty = false);
// Parameters of a request that takes only `allowed` ones: InvalidArgument
// naming the first other one.
absl::Status OnlyParams(const httplib::Request& req, std::initializer_list<absl::string_view> allowed);
// RFC 3339 or a date (2026-01-05), as Unix micros.
absl::StatusOr<int64_t> ParseTimeParam(absl::string_view name, const std::string& v);

}  // namespace centinela::api

#endif  // CENTINELA_API_HTTP_UTIL_H_
