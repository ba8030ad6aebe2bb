#include "engine/codec/decoder.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "base/hash.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/util/json_util.h"

namespace centinela {

absl::Status DetectFormat(absl::string_view content_type, absl::string_view payload, WireFormat* out) {
  // Parameters such as "; charset=utf-8" are ignored.
  const absl::string_view base = content_type.substr(0, content_type.find(';'));
  if (base.empty()) {
    *out = (!payload.empty() && payload.front() == '{') ? WireFormat::kJson : WireFormat::kProtobuf;
  } else if (base == kContentTypeJson) {
    *out = WireFormat::kJson;
  } else if (base == kContentTypeProtobuf || base == "application/protobuf") {
    *out = WireFormat::kProtobuf;
  } else {
    return absl::InvalidArgumentError(absl::StrCat("decode: unsupported content-type \"", content_type, "\""));
  }
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> TransactionFingerprint(const v1::Transaction& tx) {
  thread_local std::string canonical;
  canonical.clear();
  bool ok;
  {
    google::protobuf::io::StringOutputStream out(&canonical);
    google::protobuf::io::CodedOutputStream coded(&out);
    coded.SetSerializationDeterministic(true);
    ok = tx.SerializeToCodedStream(&coded) && !coded.HadError();
  }
  if (!ok) return absl::InternalError(absl::StrCat("transaction ", tx.id(), " cannot be serialised"));
  return StableHash64(canonical);
}

absl::Status DecodeTransaction(absl::string_view payload, absl::string_view content_type, v1::Transaction* tx,
                               WireFormat* detected) {
  tx->Clear();
  WireFormat format;
  if (auto s = DetectFormat(content_type, payload, &format); !s.ok()) return s;
  if (detected) *detected = format;
  if (payload.empty()) return absl::InvalidArgumentError("decode: empty record");
  if (format == WireFormat::kProtobuf) {
    if (!tx->ParseFromArray(payload.data(), int(payload.size()))) {
      return absl::InvalidArgumentError(
          absl::StrCat("decode: not a valid protobuf Transaction (", payload.size(), " bytes)"));
    }
    return absl::OkStatus();
  }
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;  // forward compatibility, as binary protobuf
  auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(payload.data(), payload.size()), tx, options);
  if (!status.ok()) {
    // The parser's message draws a caret under the error on extra lines;
    // a dead-letter reason is one line.
    std::string detail = status.message().as_string();
    std::replace(detail.begin(), detail.end(), '\n', ' ');
    return absl::InvalidArgumentError(absl::StrCat("decode: invalid JSON Transaction: ", detail));
  }
  return absl::OkStatus();
}

}  // namespace centinela
