#include "screening/lists/csv_reader.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "screening/names/transliterate.h"

namespace centinela::screening {

std::string CsvReader::Where() const { return absl::StrCat(file_, ":", record_line_); }

bool CsvReader::Next(std::vector<std::string>& fields) {
  fields.clear();
  if (!status_.ok()) return false;
  // Skip blank lines and a trailing DOS EOF byte.
  while (pos_ < text_.size()) {
    const char c = text_[pos_];
    if (c == '\n') {
      ++next_line_;
      ++pos_;
    } else if (c == '\r' || c == '\x1a') {
      ++pos_;
    } else {
      break;
    }
  }
  if (pos_ >= text_.size()) return false;
  record_line_ = next_line_;
  std::string field;
  bool quoted = false;      // inside quotes
  bool was_quoted = false;  // this field started with a quote
  size_t field_start = pos_;
  while (true) {
    if (pos_ >= text_.size()) {
      if (quoted) {
        status_ = absl::InvalidArgumentError(
            absl::StrCat(file_, ":", record_line_, ": unterminated quoted field (the quote opened here never closes)"));
        return false;
      }
      break;
    }
    const char c = text_[pos_];
    if (quoted) {
      if (c == '"') {
        if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '"') {
          field += '"';
          pos_ += 2;
          continue;
        }
        quoted = false;
        ++pos_;
        continue;
      }
      if (c == '\n') ++next_line_;
      field += c;
      ++pos_;
      continue;
    }
    if (c == '"') {
      if (pos_ == field_start) {
        quoted = was_quoted = true;
        ++pos_;
        continue;
      }
      status_ = absl::InvalidArgumentError(
          absl::StrCat(file_, ":", next_line_, ": stray quote inside field ", fields.size() + 1));
      return false;
    }
    const bool eof_byte = c == '\x1a' && pos_ + 1 == text_.size();
    if (c == delimiter_ || c == '\n' || c == '\r' || eof_byte) {
      if (!IsValidUtf8(field)) {
        status_ = absl::InvalidArgumentError(
            absl::StrCat(file_, ":", next_line_, ": field ", fields.size() + 1, " is not valid UTF-8"));
        return false;
      }
      fields.push_back(std::move(field));
      field.clear();
      was_quoted = false;
      if (c == delimiter_) {
        ++pos_;
        field_start = pos_;
        continue;
      }
      // End of record.
      if (c == '\r' || eof_byte) ++pos_;
      if (pos_ < text_.size() && text_[pos_] == '\n') {
        ++pos_;
        ++next_line_;
      }
      return true;
    }
    if (was_quoted && !quoted) {
      // Text after a closing quote: `"abc"def`. OFAC pads with spaces.
      if (c != ' ') {
        status_ = absl::InvalidArgumentError(
            absl::StrCat(file_, ":", next_line_, ": text after the closing quote of field ", fields.size() + 1));
        return false;
      }
      ++pos_;
      continue;
    }
    field += c;
    ++pos_;
  }
  if (!IsValidUtf8(field)) {
    status_ = absl::InvalidArgumentError(
        absl::StrCat(file_, ":", record_line_, ": field ", fields.size() + 1, " is not valid UTF-8"));
    return false;
  }
  fields.push_back(std::move(field));
  return true;
}

std::string CleanOfacField(absl::string_view f) {
  f = absl::StripAsciiWhitespace(f);
  if (f == "-0-") return "";
  return std::string(f);
}

}  // namespace centinela::screening
