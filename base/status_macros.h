// RETURN_IF_ERROR / ASSIGN_OR_RETURN for absl::Status and absl::StatusOr.
// Debian's abseil (20220623) does not ship them; this is the one place they
// are defined.
#ifndef CENTINELA_BASE_STATUS_MACROS_H_
#define CENTINELA_BASE_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define CENTINELA_CONCAT_INNER_(a, b) a##b
#define CENTINELA_CONCAT_(a, b) CENTINELA_CONCAT_INNER_(a, b)

// Evaluates `expr` (an absl::Status); returns it from the caller if not ok.
#define RETURN_IF_ERROR(expr)                              \
  do {                                                     \
    ::absl::Status centinela_status_ = (expr);             \
    if (!centinela_status_.ok()) return centinela_status_; \
  } while (0)

// `ASSIGN_OR_RETURN(auto x, MakeX());` evaluates an absl::StatusOr<T>,
// returns its status if not ok, else moves its value into `lhs`.
#define ASSIGN_OR_RETURN(lhs, rexpr) \
  CENTINELA_ASSIGN_OR_RETURN_IMPL_(CENTINELA_CONCAT_(centinela_sor_, __LINE__), lhs, rexpr)

#define CENTINELA_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                                     \
  if (!tmp.ok()) return std::move(tmp).status();          \
  lhs = std::move(tmp).value()

#endif  // CENTINELA_BASE_STATUS_MACROS_H_
