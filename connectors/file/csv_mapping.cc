#include "connectors/file/csv_mapping.h"

#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "base/money.h"
#include "base/status_macros.h"
#include "base/time_util.h"
#include "base/yaml_util.h"

namespace centinela::file {

absl::StatusOr<CsvMapping> CsvMapping::Load(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadFile(path, "column mapping"));
  return Parse(text, path);
}

absl::StatusOr<CsvMapping> CsvMapping::Parse(const std::string& text, const std::string& source) {
  ASSIGN_OR_RETURN(YAML::Node root, LoadYaml(text, source));
  CsvMapping m;
  m.source = source;
  RETURN_IF_ERROR(CheckYamlKeys(source, root,
                                {"name", "description", "header", "time", "columns", "currency", "currencies",
                                 "channel", "channels", "operation"},
                                "the mapping"));
  try {
    if (root["header"]) m.header = root["header"].as<bool>();
    const YAML::Node time = root["time"];
    if (!time) return YamlError(source, root, "the mapping needs 'time: {column, format}'");
    RETURN_IF_ERROR(CheckYamlKeys(source, time, {"column", "format", "base_date"}, "time"));
    m.time_column = time["column"].as<int>();
    const std::string fmt = time["format"].as<std::string>();
    if (fmt == "YYYY/MM/DD HH:MM") {
      m.time_format = TimeFormat::kYmdHm;
    } else if (fmt == "day_step") {
      m.time_format = TimeFormat::kDayStep;
      if (!time["base_date"]) return YamlError(source, time, "time.format day_step needs time.base_date");
      auto d = ParseIsoDate(time["base_date"].as<std::string>());
      if (!d.ok()) return YamlError(source, time["base_date"], d.status().message());
      m.base_day = *d;
    } else {
      return YamlError(source, time["format"],
                       absl::StrCat("unknown time format '", fmt, "' (expected \"YYYY/MM/DD HH:MM\" or day_step)"));
    }
    const YAML::Node cols = root["columns"];
    if (!cols) return YamlError(source, root, "the mapping needs 'columns'");
    RETURN_IF_ERROR(CheckYamlKeys(source, cols,
                                  {"originator.bank", "originator.account", "beneficiary.bank", "beneficiary.account",
                                   "amount", "currency", "channel", "label"},
                                  "columns"));
    auto col = [&](const char* name, int* out) {
      if (cols[name]) *out = cols[name].as<int>();
    };
    col("originator.bank", &m.originator_bank);
    col("originator.account", &m.originator_account);
    col("beneficiary.bank", &m.beneficiary_bank);
    col("beneficiary.account", &m.beneficiary_account);
    col("amount", &m.amount);
    col("currency", &m.currency);
    col("channel", &m.channel);
    col("label", &m.label);
    if (m.originator_account < 0 || m.beneficiary_account < 0 || m.amount < 0) {
      return YamlError(source, cols, "columns needs originator.account, beneficiary.account and amount");
    }
    if (root["currency"]) m.fixed_currency = root["currency"].as<std::string>();
    if (m.currency < 0 && m.fixed_currency.empty()) {
      return YamlError(source, root, "give a currency column or a fixed 'currency: USD'");
    }
    if (const YAML::Node cur = root["currencies"]) {
      for (const auto& kv : cur) {
        const std::string iso = kv.second.as<std::string>();
        if (!Currency::FromCode(iso).ok()) {
          return YamlError(source, kv.second, absl::StrCat("'", iso, "' is not an ISO 4217 code"));
        }
        m.currencies[kv.first.as<std::string>()] = iso;
      }
    }
    auto channel_of = [&](const YAML::Node& n) -> absl::StatusOr<int> {
      v1::Channel c;
      if (!v1::Channel_Parse(n.as<std::string>(), &c) || c == v1::CHANNEL_UNSPECIFIED) {
        return YamlError(source, n, absl::StrCat("unknown channel '", n.as<std::string>(), "'"));
      }
      return int(c);
    };
    if (root["channel"]) {
      ASSIGN_OR_RETURN(m.fixed_channel, channel_of(root["channel"]));
    }
    if (const YAML::Node ch = root["channels"]) {
      for (const auto& kv : ch) {
        ASSIGN_OR_RETURN(m.channels[kv.first.as<std::string>()], channel_of(kv.second));
      }
    }
    if (root["operation"]) {
      v1::OperationType op;
      if (!v1::OperationType_Parse(root["operation"].as<std::string>(), &op)) {
        return YamlError(source, root["operation"], "unknown operation");
      }
      m.operation = op;
    }
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(source, ":", e.mark.line + 1, ":", e.mark.column + 1, ": ", e.msg));
  }
  return m;
}

std::vector<std::string> SplitCsvLine(absl::string_view line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        out.back().push_back('"');
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        out.back().push_back(c);
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.emplace_back();
    } else if (c != '\r') {
      out.back().push_back(c);
    }
  }
  return out;
}

absl::StatusOr<std::string> ExpandScientific(absl::string_view text) {
  const size_t e = text.find_first_of("eE");
  if (e == absl::string_view::npos) return std::string(text);
  const absl::string_view mantissa = text.substr(0, e);
  int shift = 0;
  if (!absl::SimpleAtoi(text.substr(e + 1), &shift) || shift < -30 || shift > 30) {
    return absl::InvalidArgumentError(
        absl::StrCat("amount \"", text, "\": the exponent must be an integer from -30 to 30"));
  }
  // The mantissa's digits and where its decimal point is.
  std::string digits;
  int point = -1;
  for (char c : mantissa) {
    if (c == '.' && point < 0) {
      point = int(digits.size());
    } else if (c >= '0' && c <= '9') {
      digits.push_back(c);
    } else {
      return absl::InvalidArgumentError(absl::StrCat("amount \"", text, "\" is not a number"));
    }
  }
  if (digits.empty()) return absl::InvalidArgumentError(absl::StrCat("amount \"", text, "\" is not a number"));
  if (point < 0) point = int(digits.size());
  point += shift;  // the point moves; pad with zeros on either side
  if (point <= 0) {
    digits.insert(0, size_t(1 - point), '0');
    point = 1;
  } else if (point > int(digits.size())) {
    digits.append(size_t(point) - digits.size(), '0');
  }
  std::string out = digits.substr(0, size_t(point));
  if (size_t(point) < digits.size()) absl::StrAppend(&out, ".", digits.substr(size_t(point)));
  return out;
}

absl::StatusOr<int64_t> ParseAmountRounded(absl::string_view original, int exponent) {
  ASSIGN_OR_RETURN(const std::string expanded, ExpandScientific(original));
  const absl::string_view text = expanded;
  const size_t dot = text.find('.');
  if (dot == absl::string_view::npos || text.size() - dot - 1 <= size_t(exponent)) {
    return ParseDecimalMinor(text, exponent);
  }
  ASSIGN_OR_RETURN(int64_t v, ParseDecimalMinor(text.substr(0, dot + 1 + exponent), exponent));
  const char next = text[dot + 1 + exponent];
  if (next < '0' || next > '9')
    return absl::InvalidArgumentError(absl::StrCat("amount \"", text, "\" is not a number"));
  return next >= '5' ? v + 1 : v;
}

namespace {

absl::Status ColumnError(int column, absl::string_view field, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("column ", column, " (", field, "): ", what));
}

}  // namespace

absl::Status MapRow(const CsvMapping& m, const std::vector<std::string>& f, v1::Transaction* tx, bool* laundering) {
  tx->Clear();
  const int needed = std::max({m.time_column, m.originator_bank, m.originator_account, m.beneficiary_bank,
                               m.beneficiary_account, m.amount, m.currency, m.channel, m.label});
  if (int(f.size()) <= needed) {
    return absl::InvalidArgumentError(absl::StrCat("expected at least ", needed + 1, " columns, got ", f.size()));
  }
  // Time.
  const std::string& t = f[m.time_column];
  int64_t micros = 0;
  if (m.time_format == CsvMapping::TimeFormat::kYmdHm) {
    int y, mo, d, h, mi;
    if (t.size() != 16 || t[4] != '/' || t[7] != '/' || t[10] != ' ' || t[13] != ':' ||
        !absl::SimpleAtoi(t.substr(0, 4), &y) || !absl::SimpleAtoi(t.substr(5, 2), &mo) ||
        !absl::SimpleAtoi(t.substr(8, 2), &d) || !absl::SimpleAtoi(t.substr(11, 2), &h) ||
        !absl::SimpleAtoi(t.substr(14, 2), &mi) || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59) {
      return ColumnError(m.time_column, "time", absl::StrCat("\"", t, "\" is not YYYY/MM/DD HH:MM"));
    }
    micros = DaysFromCivil(y, unsigned(mo), unsigned(d)) * kMicrosPerDay + (h * 60 + mi) * 60 * kMicrosPerSecond;
  } else {
    int64_t step;
    // At most 100 years of steps (found by fuzz/connectors/csv_mapping_fuzzer.cc:
    // a larger step overflowed the time in microseconds).
    if (!absl::SimpleAtoi(t, &step) || step < 0 || step > 36525) {
      return ColumnError(m.time_column, "time", absl::StrCat("\"", t, "\" is not a day step from 0 to 36525"));
    }
    micros = (m.base_day + step) * kMicrosPerDay + 12 * kMicrosPerHour;
  }
  *tx->mutable_event_time() = FromMicros(micros);
  // Accounts: "bank:account" when the file has a bank column (account numbers
  // are only unique within a bank).
  auto account = [&](int bank, int acc) { return bank >= 0 ? absl::StrCat(f[bank], ":", f[acc]) : f[acc]; };
  tx->mutable_originator()->set_account(account(m.originator_bank, m.originator_account));
  tx->mutable_beneficiary()->set_account(account(m.beneficiary_bank, m.beneficiary_account));
  if (m.originator_bank >= 0) tx->mutable_originator()->set_bank(f[m.originator_bank]);
  if (m.beneficiary_bank >= 0) tx->mutable_beneficiary()->set_bank(f[m.beneficiary_bank]);
  // Amount and currency.
  std::string iso = m.fixed_currency;
  if (m.currency >= 0) {
    auto it = m.currencies.find(f[m.currency]);
    if (it != m.currencies.end()) {
      iso = it->second;
    } else if (Currency::FromCode(f[m.currency]).ok()) {
      iso = f[m.currency];
    } else {
      return ColumnError(m.currency, "currency",
                         absl::StrCat("\"", f[m.currency], "\" is not in the mapping's currencies"));
    }
  }
  auto cur = Currency::FromCode(iso);
  if (!cur.ok()) return ColumnError(m.currency, "currency", cur.status().message());
  auto minor = ParseAmountRounded(f[m.amount], CurrencyExponent(*cur));
  if (!minor.ok()) return ColumnError(m.amount, "amount", minor.status().message());
  tx->mutable_amount()->set_minor_units(*minor);
  tx->mutable_amount()->set_currency(iso);
  // Channel and operation.
  int channel = m.fixed_channel;
  if (m.channel >= 0) {
    auto it = m.channels.find(f[m.channel]);
    if (it == m.channels.end()) {
      return ColumnError(m.channel, "channel", absl::StrCat("\"", f[m.channel], "\" is not in the mapping's channels"));
    }
    channel = it->second;
  }
  tx->set_channel(v1::Channel(channel));
  tx->set_operation(v1::OperationType(m.operation));
  if (laundering) *laundering = m.label >= 0 && f[m.label] == "1";
  return absl::OkStatus();
}

absl::StatusOr<std::vector<LaunderingAttempt>> ReadAmlworldPatterns(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open patterns file"));
  std::vector<LaunderingAttempt> out;
  LaunderingAttempt* open = nullptr;
  std::string line;
  int n = 0;
  constexpr absl::string_view kBegin = "BEGIN LAUNDERING ATTEMPT - ", kEnd = "END LAUNDERING ATTEMPT - ";
  while (std::getline(in, line)) {
    ++n;
    absl::string_view l = absl::StripAsciiWhitespace(line);
    if (l.empty()) continue;
    if (absl::ConsumePrefix(&l, kBegin)) {
      if (open)
        return absl::InvalidArgumentError(
            absl::StrCat(path, ":", n, ": BEGIN inside the attempt of line ", open->line));
      LaunderingAttempt& a = out.emplace_back();
      const size_t colon = l.find(':');
      a.type = std::string(absl::StripAsciiWhitespace(l.substr(0, colon)));
      if (colon != absl::string_view::npos) a.qualifier = std::string(absl::StripAsciiWhitespace(l.substr(colon + 1)));
      a.line = n;
      open = &a;
    } else if (absl::ConsumePrefix(&l, kEnd)) {
      if (!open) return absl::InvalidArgumentError(absl::StrCat(path, ":", n, ": END without BEGIN"));
      const std::string type(absl::StripAsciiWhitespace(l));
      if (type != open->type) {
        return absl::InvalidArgumentError(
            absl::StrCat(path, ":", n, ": END ", type, " closes BEGIN ", open->type, " of line ", open->line));
      }
      open = nullptr;
    } else {
      if (!open) return absl::InvalidArgumentError(absl::StrCat(path, ":", n, ": transaction row outside an attempt"));
      open->rows.emplace_back(n, std::string(l));
    }
  }
  if (open)
    return absl::InvalidArgumentError(
        absl::StrCat(path, ":", open->line, ": attempt ", open->type, " is never closed"));
  return out;
}

}  // namespace centinela::file
