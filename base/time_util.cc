#include "base/time_util.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace centinela {

bool IsValidTimestamp(const google::protobuf::Timestamp& ts) {
  return ts.seconds() >= kMinTimestampSeconds && ts.seconds() <= kMaxTimestampSeconds && ts.nanos() >= 0 &&
         ts.nanos() <= 999'999'999;
}

int64_t ToMicros(const google::protobuf::Timestamp& ts) {
  const int64_t seconds = std::clamp<int64_t>(ts.seconds(), kMinTimestampSeconds, kMaxTimestampSeconds);
  const int32_t nanos = std::clamp<int32_t>(ts.nanos(), 0, 999'999'999);
  return seconds * kMicrosPerSecond + nanos / 1000;
}

std::string FormatRfc3339(int64_t micros) {
  const int64_t seconds = FloorDiv(micros, kMicrosPerSecond);
  const int64_t sub = micros - seconds * kMicrosPerSecond;
  const int64_t days = FloorDiv(seconds, 86400);
  const int64_t in_day = seconds - days * 86400;
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  std::string out =
      absl::StrFormat("%04d-%02d-%02dT%02d:%02d:%02d", y, m, d, in_day / 3600, in_day / 60 % 60, in_day % 60);
  if (sub != 0) absl::StrAppendFormat(&out, ".%06d", sub);
  out.push_back('Z');
  return out;
}

google::protobuf::Timestamp FromMicros(int64_t micros) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(FloorDiv(micros, kMicrosPerSecond));
  ts.set_nanos(int32_t((micros - ts.seconds() * kMicrosPerSecond) * 1000));
  return ts;
}

// Howard Hinnant's days_from_civil.
int64_t DaysFromCivil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = unsigned(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return int64_t(era) * 146097 + int64_t(doe) - 719468;
}

void CivilFromDays(int64_t z, int64_t* year, unsigned* month, unsigned* day) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = unsigned(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t y = int64_t(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *day = doy - (153 * mp + 2) / 5 + 1;
  *month = mp < 10 ? mp + 3 : mp - 9;
  *year = y + (*month <= 2);
}

std::string FormatIsoDate(int64_t z) {
  int64_t y;
  unsigned m, d;
  CivilFromDays(z, &y, &m, &d);
  return absl::StrFormat("%04d-%02d-%02d", y, m, d);
}

absl::StatusOr<int64_t> ParseIsoDate(absl::string_view t) {
  int y, m, d;
  if (t.size() != 10 || t[4] != '-' || t[7] != '-' || !absl::SimpleAtoi(t.substr(0, 4), &y) ||
      !absl::SimpleAtoi(t.substr(5, 2), &m) || !absl::SimpleAtoi(t.substr(8, 2), &d) || m < 1 || m > 12 || d < 1 ||
      d > 31) {
    return absl::InvalidArgumentError(absl::StrCat("\"", t, "\" is not a date YYYY-MM-DD"));
  }
  const int64_t days = DaysFromCivil(y, unsigned(m), unsigned(d));
  if (FormatIsoDate(days) != t) {
    return absl::InvalidArgumentError(absl::StrCat("\"", t, "\" is not a calendar date"));
  }
  return days;
}

absl::StatusOr<int64_t> ParseDuration(absl::string_view t) {
  if (t.size() < 2) return absl::InvalidArgumentError(absl::StrCat("\"", t, "\" is not a duration like 7d, 24h, 30m"));
  int64_t n;
  if (!absl::SimpleAtoi(t.substr(0, t.size() - 1), &n) || n <= 0) {
    return absl::InvalidArgumentError(absl::StrCat("\"", t, "\" is not a duration like 7d, 24h, 30m"));
  }
  int64_t unit;
  switch (t.back()) {
    case 'd':
      unit = kMicrosPerDay;
      break;
    case 'h':
      unit = kMicrosPerHour;
      break;
    case 'm':
      unit = 60 * kMicrosPerSecond;
      break;
    case 's':
      unit = kMicrosPerSecond;
      break;
    default:
      return absl::InvalidArgumentError(absl::StrCat("\"", t, "\" has an unknown unit (use d, h, m or s)"));
  }
  // At most 100 years: a longer one is a typo, and would overflow.
  if (n > 36525 * kMicrosPerDay / unit) {
    return absl::InvalidArgumentError(absl::StrCat("\"", t, "\" is longer than 100 years"));
  }
  return n * unit;
}

std::string FormatDuration(int64_t micros) {
  if (micros % kMicrosPerDay == 0) return absl::StrCat(micros / kMicrosPerDay, "d");
  if (micros % kMicrosPerHour == 0) return absl::StrCat(micros / kMicrosPerHour, "h");
  return absl::StrCat(micros / (60 * kMicrosPerSecond), "m");
}

}  // namespace centinela
