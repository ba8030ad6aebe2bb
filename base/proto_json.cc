#include "base/proto_json.h"

#include <algorithm>
#include <cstdint>

#include "absl/strings/str_cat.h"

namespace centinela {

google::protobuf::util::JsonPrintOptions ProtoFieldNames() {
  google::protobuf::util::JsonPrintOptions o;
  o.preserve_proto_field_names = true;
  return o;
}

absl::StatusOr<std::string> ProtoToJson(const google::protobuf::Message& m,
                                        const google::protobuf::util::JsonPrintOptions& options) {
  std::string out;
  const auto status = google::protobuf::util::MessageToJsonString(m, &out, options);
  if (!status.ok()) {
    return absl::InternalError(
        absl::StrCat("cannot print ", m.GetTypeName(), " as JSON: ", status.message().as_string()));
  }
  return out;
}

absl::Status ProtoFromJson(absl::string_view json, google::protobuf::Message* m,
                           const google::protobuf::util::JsonParseOptions& options) {
  m->Clear();
  const auto status =
      google::protobuf::util::JsonStringToMessage(google::protobuf::StringPiece(json.data(), json.size()), m, options);
  if (status.ok()) return absl::OkStatus();
  // The parser draws a caret under the error on extra lines: keep one line.
  std::string why = status.message().as_string();
  std::replace(why.begin(), why.end(), '\n', ' ');
  return absl::InvalidArgumentError(why);
}

std::string ToValidUtf8(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    size_t n = 0;  // continuation bytes
    uint32_t min = 0;
    if (c < 0x80) {
      out.push_back(char(c));
      ++i;
      continue;
    } else if (c >= 0xC2 && c <= 0xDF) {
      n = 1, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 2, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3, min = 0x10000;
    }
    bool ok = n > 0;
    uint32_t cp = n == 1 ? (c & 0x1F) : n == 2 ? (c & 0x0F) : (c & 0x07);
    for (size_t k = 1; ok && k <= n; ++k) {
      if (i + k >= text.size()) {
        ok = false;
        break;
      }
      const unsigned char cc = static_cast<unsigned char>(text[i + k]);
      if ((cc & 0xC0) != 0x80) ok = false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (ok && (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))) ok = false;
    if (ok) {
      out.append(text.data() + i, n + 1);
      i += n + 1;
    } else {
      out.append("\xEF\xBF\xBD");  // U+FFFD
      ++i;
    }
  }
  return out;
}

size_t FirstInvalidUtf8(absl::string_view text) {
  const std::string valid = ToValidUtf8(text);  // equal up to the first invalid byte
  return size_t(std::mismatch(text.begin(), text.end(), valid.begin(), valid.end()).first - text.begin());
}

}  // namespace centinela
