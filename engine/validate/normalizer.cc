#include "engine/validate/normalizer.h"

#include <chrono>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "base/time_util.h"
#include "engine/validate/peru_ids.h"

namespace centinela {
namespace {

absl::Status FieldError(absl::string_view field, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", what));
}

bool IsDigits(absl::string_view s, size_t n) {
  if (s.size() != n) return false;
  for (char c : s) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// Free-text fields are bounded: a name is screened against every list, and
// the whole record travels in alerts and dead letters.
absl::Status CheckLength(absl::string_view value, size_t max, absl::string_view side, absl::string_view field) {
  if (value.size() <= max) return absl::OkStatus();
  return FieldError(side.empty() ? std::string(field) : absl::StrCat(side, ".", field),
                    absl::StrCat(value.size(), " bytes, longer than ", max));
}

absl::Status ValidateParty(const v1::Party& p, absl::string_view side) {
  RETURN_IF_ERROR(CheckLength(p.name(), 300, side, "name"));
  RETURN_IF_ERROR(CheckLength(p.account(), 64, side, "account"));
  RETURN_IF_ERROR(CheckLength(p.bank(), 128, side, "bank"));
  RETURN_IF_ERROR(CheckLength(p.ciiu(), 8, side, "ciiu"));
  // Field names are built only on error: no allocation for a valid party.
  auto doc_field = [side] { return absl::StrCat(side, ".document_number"); };
  switch (p.document_type()) {
    case v1::DNI:
      if (auto s = ValidateDni(p.document_number()); !s.ok()) return FieldError(doc_field(), s.message());
      break;
    case v1::RUC:
      if (auto s = ValidateRuc(p.document_number()); !s.ok()) return FieldError(doc_field(), s.message());
      break;
    case v1::DOCUMENT_TYPE_UNSPECIFIED:
      if (!p.document_number().empty()) {
        return FieldError(absl::StrCat(side, ".document_type"), "missing while document_number is set");
      }
      break;
    default:
      if (p.document_number().empty() || p.document_number().size() > 20) {
        return FieldError(doc_field(), "must be 1 to 20 characters");
      }
  }
  if (!p.ubigeo().empty() && !IsDigits(p.ubigeo(), 6)) {
    return FieldError(absl::StrCat(side, ".ubigeo"), absl::StrCat("\"", p.ubigeo(), "\" is not a 6-digit ubigeo"));
  }
  if (!p.country().empty() &&
      (p.country().size() != 2 || !absl::ascii_isupper(p.country()[0]) || !absl::ascii_isupper(p.country()[1]))) {
    return FieldError(absl::StrCat(side, ".country"),
                      absl::StrCat("\"", p.country(), "\" is not an ISO 3166 alpha-2 code"));
  }
  if (!p.account_opened().empty()) {
    if (auto d = ParseIsoDate(p.account_opened()); !d.ok()) {
      return FieldError(absl::StrCat(side, ".account_opened"), d.status().message());
    }
  }
  if (p.account().find('\0') != std::string::npos) {
    return FieldError(absl::StrCat(side, ".account"), "contains a NUL byte");
  }
  return absl::OkStatus();
}

int64_t SystemClockMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Normalizer::Normalizer(const FxTable* fx, ValidationOptions options, std::function<int64_t()> wall_clock_micros)
    : fx_(fx), options_(options), clock_(wall_clock_micros ? std::move(wall_clock_micros) : SystemClockMicros) {}

absl::Status Normalizer::CheckEventTime(const google::protobuf::Timestamp& ts) const {
  if (!IsValidTimestamp(ts)) {
    return FieldError("event_time", absl::StrCat("seconds=", ts.seconds(), " nanos=", ts.nanos(),
                                                 " is not a valid timestamp (seconds within years 0001-9999, "
                                                 "nanos 0 to 999,999,999; milliseconds written as seconds?)"));
  }
  const int64_t micros = ToMicros(ts);
  if (micros < options_.min_event_micros) {
    return FieldError("event_time", absl::StrCat(FormatRfc3339(micros), " is before ",
                                                 FormatIsoDate(FloorDiv(options_.min_event_micros, kMicrosPerDay)),
                                                 ", the earliest accepted (validation.event_time_min)"));
  }
  const int64_t now = clock_();
  const int64_t latest =
      now > INT64_MAX - options_.max_event_ahead_micros ? INT64_MAX : now + options_.max_event_ahead_micros;
  if (micros > latest) {
    return FieldError(
        "event_time",
        absl::StrCat(FormatRfc3339(micros), " is more than ", FormatDuration(options_.max_event_ahead_micros),
                     " ahead of the clock (", FormatRfc3339(now), "; validation.event_time_max_ahead)"));
  }
  return absl::OkStatus();
}

absl::StatusOr<NormalizedTx> Normalizer::Normalize(const v1::Transaction& tx) const {
  if (tx.id().empty()) return FieldError("id", "missing");
  if (tx.id().size() > 128) return FieldError("id", "longer than 128 characters");
  RETURN_IF_ERROR(CheckLength(tx.reporting_entity().sector(), 64, "reporting_entity", "sector"));
  if (tx.attributes_size() > 32) {
    return FieldError("attributes", absl::StrCat(tx.attributes_size(), " entries, more than 32"));
  }
  for (const auto& [k, v] : tx.attributes()) {
    if (k.size() > 64 || v.size() > 1024) {
      return FieldError("attributes", "a key longer than 64 bytes or a value longer than 1024");
    }
  }
  if (!tx.has_event_time()) return FieldError("event_time", "missing");
  RETURN_IF_ERROR(CheckEventTime(tx.event_time()));
  if (!tx.has_amount()) return FieldError("amount", "missing");
  if (tx.amount().minor_units() <= 0) {
    return FieldError("amount.minor_units", absl::StrCat("must be > 0, got ", tx.amount().minor_units()));
  }
  auto currency = Currency::FromCode(tx.amount().currency());
  if (!currency.ok()) return FieldError("amount.currency", currency.status().message());
  if (!fx_->Knows(*currency)) {
    return FieldError("amount.currency", absl::StrCat("unknown currency ", currency->code(), " (not in the FX table)"));
  }
  if (tx.channel() == v1::CHANNEL_UNSPECIFIED) return FieldError("channel", "missing");
  if (tx.operation() == v1::OPERATION_UNSPECIFIED) return FieldError("operation", "missing");
  if (!tx.reporting_entity().ruc().empty()) {
    if (auto s = ValidateRuc(tx.reporting_entity().ruc()); !s.ok()) {
      return FieldError("reporting_entity.ruc", s.message());
    }
  }
  if (!tx.branch_ubigeo().empty() && !IsDigits(tx.branch_ubigeo(), 6)) {
    return FieldError("branch_ubigeo", absl::StrCat("\"", tx.branch_ubigeo(), "\" is not a 6-digit ubigeo"));
  }
  RETURN_IF_ERROR(ValidateParty(tx.originator(), "originator"));
  RETURN_IF_ERROR(ValidateParty(tx.beneficiary(), "beneficiary"));

  NormalizedTx n;
  n.tx = &tx;
  n.event_micros = ToMicros(tx.event_time());
  n.event_day = FloorDiv(n.event_micros, kMicrosPerDay);
  n.amount = Money{tx.amount().minor_units(), *currency};
  RETURN_IF_ERROR(CheckAndConvertAmount(n));
  return n;
}

absl::Status Normalizer::CheckAndConvertAmount(NormalizedTx& n) const {
  const auto own = options_.max_amount_minor.find(n.amount.currency.packed());
  if (own != options_.max_amount_minor.end() && n.amount.minor > own->second) {
    return FieldError("amount.minor_units",
                      absl::StrCat(n.amount.minor, " (", FormatMoney(n.amount), ") is above the maximum of ",
                                   FormatMoney({own->second, n.amount.currency}), " (validation.max_amount)"));
  }
  auto usd = fx_->Convert(n.amount, Currency::Usd(), n.event_day);
  if (!usd.ok()) return FieldError("amount.minor_units", usd.status().message());
  if (own == options_.max_amount_minor.end() && *usd > options_.max_amount_usd_minor) {
    return FieldError(
        "amount.minor_units",
        absl::StrCat(n.amount.minor, " (", FormatMoney(n.amount), ", ", FormatMoney({*usd, Currency::Usd()}),
                     " at the day's rate) is above the maximum of ",
                     FormatMoney({options_.max_amount_usd_minor, Currency::Usd()}), " (validation.max_amount_usd)"));
  }
  n.amount_usd = *usd;
  auto pen = fx_->Convert(n.amount, Currency::Pen(), n.event_day);
  if (!pen.ok()) return FieldError("amount.minor_units", pen.status().message());
  n.amount_pen = *pen;
  return absl::OkStatus();
}

}  // namespace centinela
