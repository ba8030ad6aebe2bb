#include "api/http_util.h"

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "base/proto_json.h"
#include "base/time_util.h"
#include "centinela/v1/investigation.pb.h"
#include "httplib.h"

namespace centinela::api {

bool ParseJsonBody(const std::string& body, httplib::Response& res, google::protobuf::Message* m,
                   absl::string_view shape, bool allow_empty) {
  if (body.empty() && allow_empty) return true;
  if (absl::Status s = ProtoFromJson(body, m); !s.ok()) {
    ReplyError(res, 400, "bad_request", absl::StrCat("body: expected ", shape, ": ", s.message()), "body");
    return false;
  }
  return true;
}

void Reply(httplib::Response& res, int code, const google::protobuf::Message& body) {
  absl::StatusOr<std::string> json = ProtoToJson(body);
  if (!json.ok()) return ReplyError(res, 500, "internal", json.status().message());
  res.status = code;
  res.set_content(*json, std::string(kJson).c_str());
}

void ReplyError(httplib::Response& res, int code, absl::string_view error, absl::string_view message,
                absl::string_view parameter) {
  v1::ApiError e;
  e.set_code(code);
  e.set_error(ToValidUtf8(error));
  e.set_message(ToValidUtf8(message));
  e.set_parameter(ToValidUtf8(parameter));
  absl::StatusOr<std::string> json = ProtoToJson(e);
  res.status = code;
  // An ApiError of valid UTF-8 always prints; the fallback is for the impossible.
  res.set_content(json.ok() ? *json : R"({"code":500,"error":"internal","message":"the error could not be printed"})",
                  std::string(kJson).c_str());
}

void ReplyStatus(httplib::Response& res, const absl::Status& s) {
  const std::string msg(s.message());
  std::string param;
  if (const size_t colon = msg.find(": "); colon != std::string::npos && colon < 32 && msg.find(' ') > colon) {
    param = msg.substr(0, colon);
  }
  switch (s.code()) {
    case absl::StatusCode::kInvalidArgument:
      return ReplyError(res, 400, "bad_request", msg, param);
    case absl::StatusCode::kNotFound:
      return ReplyError(res, 404, "not_found", msg);
    case absl::StatusCode::kFailedPrecondition:
      return ReplyError(res, 409, "conflict", msg, param);
    case absl::StatusCode::kPermissionDenied:
      return ReplyError(res, 403, "forbidden", msg);
    case absl::StatusCode::kAlreadyExists:
      return ReplyError(res, 409, "conflict", msg);
    case absl::StatusCode::kDeadlineExceeded:
      return ReplyError(res, 504, "timeout", msg);
    case absl::StatusCode::kUnavailable:
      return ReplyError(res, 503, "unavailable", msg);
    default:
      return ReplyError(res, 500, "internal", msg);
  }
}

absl::Status Bad(absl::string_view param, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(param, ": ", what));
}

absl::StatusOr<int64_t> ParseTimeParam(absl::string_view name, const std::string& v) {
  absl::Time t;
  std::string err;
  if (absl::ParseTime(absl::RFC3339_full, v, &t, &err)) return absl::ToUnixMicros(t);
  auto day = ParseIsoDate(v);
  if (day.ok()) return *day * kMicrosPerDay;
  return Bad(name, absl::StrCat("expected RFC 3339 (2026-01-05T10:00:00Z) or a date (2026-01-05), got \"", v, "\""));
}

absl::Status OnlyParams(const httplib::Request& req, std::initializer_list<absl::string_view> allowed) {
  for (const auto& [k, v] : req.params) {
    bool ok = false;
    for (absl::string_view a : allowed) ok |= k == a;
    if (!ok) {
      std::string list;
      for (absl::string_view a : allowed) absl::StrAppend(&list, list.empty() ? "" : ", ", a);
      return Bad(k, absl::StrCat("unknown parameter", list.empty() ? " (none taken)" : absl::StrCat(" (", list, ")")));
    }
  }
  return absl::OkStatus();
}

}  // namespace centinela::api
