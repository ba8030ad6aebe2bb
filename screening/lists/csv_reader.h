// A strict CSV reader for list files: RFC 4180 quoting (fields may span
// lines), CRLF or LF, the DOS end-of-file byte (0x1A) some OFAC files end
// with, and errors that name "FILE:LINE" — an unterminated quote, a stray
// quote inside a field, invalid UTF-8. Not thread-safe; one reader per file.
#ifndef CENTINELA_SCREENING_LISTS_CSV_READER_H_
#define CENTINELA_SCREENING_LISTS_CSV_READER_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace centinela::screening {

class CsvReader {
 public:
  // `text` must outlive the reader; `file` names it in errors.
  CsvReader(absl::string_view text, std::string file, char delimiter = ',')
      : text_(text), file_(std::move(file)), delimiter_(delimiter) {}

  // Reads the next record into `fields`. Returns false at the end of the
  // text or on error (then status() is not ok). Blank lines are skipped.
  bool Next(std::vector<std::string>& fields);
  const absl::Status& status() const { return status_; }
  // Line where the last record returned started (1-based).
  int line() const { return record_line_; }
  // "FILE:LINE" of the last record, for errors about its content.
  std::string Where() const;

 private:
  absl::string_view text_;
  std::string file_;
  char delimiter_;
  size_t pos_ = 0;
  int next_line_ = 1;
  int record_line_ = 0;
  absl::Status status_;
};

// "-0- " and blank OFAC fields become empty; others are trimmed.
std::string CleanOfacField(absl::string_view f);

}  // namespace centinela::screening

#endif  // CENTINELA_SCREENING_LISTS_CSV_READER_H_
