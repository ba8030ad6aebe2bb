// Protobuf's JSON mapping with its status checked: every message the engine
// prints as JSON (alerts, dead letters, API bodies, audit entries) goes
// through here, so that a message protobuf refuses to print (a timestamp
// outside years 0001-9999, say) is an error, never an empty or truncated
// string.
#ifndef CENTINELA_BASE_PROTO_JSON_H_
#define CENTINELA_BASE_PROTO_JSON_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "google/protobuf/util/json_util.h"

namespace centinela {

// Field names as in the .proto files (snake_case).
google::protobuf::util::JsonPrintOptions ProtoFieldNames();

// The JSON text of `m`; Internal "cannot print TYPE as JSON: WHY" when
// protobuf refuses it.
absl::StatusOr<std::string> ProtoToJson(const google::protobuf::Message& m,
                                        const google::protobuf::util::JsonPrintOptions& options = ProtoFieldNames());

// Parses `json` into `m` (cleared first); InvalidArgument with protobuf's
// reason on one line.
absl::Status ProtoFromJson(absl::string_view json, google::protobuf::Message* m,
                           const google::protobuf::util::JsonParseOptions& options = {});

// `text` with every byte that is not part of well-formed UTF-8 replaced by
// U+FFFD, so that it can travel in a protobuf string field and in JSON.
std::string ToValidUtf8(absl::string_view text);
// The offset of the first byte of `text` that is not valid UTF-8, or
// text.size() when it all is.
size_t FirstInvalidUtf8(absl::string_view text);

}  // namespace centinela

#endif  // CENTINELA_BASE_PROTO_JSON_H_
