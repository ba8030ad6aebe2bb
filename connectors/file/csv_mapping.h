// Transaction files: CSV rows mapped to Transactions by a column mapping
// (YAML, e.g. connectors/file/mappings/amlworld.yaml), and IBM AMLworld's
// *_Patterns.txt laundering attempts.
#ifndef CENTINELA_CONNECTORS_FILE_CSV_MAPPING_H_
#define CENTINELA_CONNECTORS_FILE_CSV_MAPPING_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "centinela/v1/transaction.pb.h"

namespace centinela::file {

// How the columns of one CSV dialect become Transaction fields.
// Immutable after Load; value type.
struct CsvMapping {
  enum class TimeFormat { kYmdHm, kDayStep };  // "2022/09/01 00:03" | integer day since base_date
  std::string source;
  bool header = false;
  int time_column = -1;
  TimeFormat time_format = TimeFormat::kYmdHm;
  int64_t base_day = 0;  // for kDayStep
  int originator_bank = -1, originator_account = -1, beneficiary_bank = -1, beneficiary_account = -1;
  int amount = -1, currency = -1, channel = -1, label = -1;
  std::string fixed_currency;                     // when there is no currency column
  std::map<std::string, std::string> currencies;  // file name -> ISO 4217 ("US Dollar" -> USD)
  std::map<std::string, int> channels;            // file name -> v1::Channel
  int fixed_channel = v1::WIRE;
  int operation = v1::TRANSFER;

  static absl::StatusOr<CsvMapping> Load(const std::string& path);
  static absl::StatusOr<CsvMapping> Parse(const std::string& yaml_text, const std::string& source);
};

// Splits one CSV line (double quotes may wrap fields, "" escapes a quote).
std::vector<std::string> SplitCsvLine(absl::string_view line);

// Parses "58702.10" into minor units of `exponent` digits, rounding half up
// any extra decimals (source files carry more precision than the currency).
// Scientific notation ("3.4e-05", "1.2E+3", as AMLworld writes small
// amounts) is read exactly, as the decimal it stands for; its exponent must
// be within +-30.
absl::StatusOr<int64_t> ParseAmountRounded(absl::string_view text, int exponent);

// "3.4e-05" -> "0.000034", "1.2E+3" -> "1200": the plain decimal, exactly
// (digits moved, no floating point). Text without 'e'/'E' is returned as is.
absl::StatusOr<std::string> ExpandScientific(absl::string_view text);

// Maps one row. Errors read "column N (field): what". `*laundering` gets the
// label column when the mapping has one.
absl::Status MapRow(const CsvMapping& mapping, const std::vector<std::string>& fields, v1::Transaction* tx,
                    bool* laundering);

// One "BEGIN LAUNDERING ATTEMPT - TYPE[: qualifier]" ... "END ..." block.
struct LaunderingAttempt {
  std::string type;                               // FAN-IN, CYCLE, ...
  std::string qualifier;                          // "Max 3-degree Fan-In", or empty
  int line = 0;                                   // of the BEGIN line
  std::vector<std::pair<int, std::string>> rows;  // (line number, CSV row)
};

// Reads a *_Patterns.txt file. Errors name file:line (unclosed or mismatched
// blocks, rows outside a block).
absl::StatusOr<std::vector<LaunderingAttempt>> ReadAmlworldPatterns(const std::string& path);

}  // namespace centinela::file

#endif  // CENTINELA_CONNECTORS_FILE_CSV_MAPPING_H_
