// Event-time helpers. Event time is microseconds since the Unix epoch (UTC).
#ifndef CENTINELA_BASE_TIME_UTIL_H_
#define CENTINELA_BASE_TIME_UTIL_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/timestamp.pb.h"

namespace centinela {

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kMicrosPerHour = 3600 * kMicrosPerSecond;
constexpr int64_t kMicrosPerDay = 24 * kMicrosPerHour;

// The range protobuf's Timestamp allows (0001-01-01T00:00:00Z to
// 9999-12-31T23:59:59Z), which its JSON printer enforces.
inline constexpr int64_t kMinTimestampSeconds = -62135596800;
inline constexpr int64_t kMaxTimestampSeconds = 253402300799;

// True when `ts` is in that range with nanos in [0, 999,999,999].
bool IsValidTimestamp(const google::protobuf::Timestamp& ts);

// Microseconds of a valid timestamp, exactly. An invalid one saturates at
// the range's ends (never overflows); validation refuses such input first.
int64_t ToMicros(const google::protobuf::Timestamp& ts);
google::protobuf::Timestamp FromMicros(int64_t micros);

// RFC 3339 in UTC with microseconds: "2026-01-05T12:00:00.000001Z" (or
// seconds only when the microseconds are 0).
std::string FormatRfc3339(int64_t micros);

// Days since 1970-01-01 for a civil date (proleptic Gregorian).
int64_t DaysFromCivil(int y, unsigned m, unsigned d);

// Parses "YYYY-MM-DD" into days since the epoch.
absl::StatusOr<int64_t> ParseIsoDate(absl::string_view text);
std::string FormatIsoDate(int64_t days);
// The civil date of a day number (inverse of DaysFromCivil); no allocation.
void CivilFromDays(int64_t days, int64_t* year, unsigned* month, unsigned* day);

// Parses "30d", "24h", "90m", "45s" into microseconds.
absl::StatusOr<int64_t> ParseDuration(absl::string_view text);

// The inverse for display: "7d", "24h" (whole days or hours), else minutes "90m".
std::string FormatDuration(int64_t micros);

// Floor division that rounds towards negative infinity.
inline int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// ISO weekday of an instant (UTC): 1 Monday .. 7 Sunday. 1970-01-01 was a Thursday.
inline int WeekdayOf(int64_t micros) { return int((FloorDiv(micros, kMicrosPerDay) % 7 + 7 + 3) % 7) + 1; }
// Hour of the day of an instant (UTC), 0..23.
inline int HourOf(int64_t micros) {
  return int(FloorDiv(micros, kMicrosPerHour) - FloorDiv(micros, kMicrosPerDay) * 24);
}

}  // namespace centinela

#endif  // CENTINELA_BASE_TIME_UTIL_H_
