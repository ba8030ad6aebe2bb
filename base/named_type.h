// A strong typedef: NamedType<std::string, struct AccountIdTag> is not
// interchangeable with a PartyId that wraps the same representation.
// Modelled on redpanda's utils/named_type.h.
#ifndef CENTINELA_BASE_NAMED_TYPE_H_
#define CENTINELA_BASE_NAMED_TYPE_H_

#include <compare>
#include <string>
#include <utility>

namespace centinela {

template <typename T, typename Tag>
class NamedType {
 public:
  NamedType() = default;
  explicit NamedType(T value) : value_(std::move(value)) {}
  const T& value() const { return value_; }
  auto operator<=>(const NamedType&) const = default;
  template <typename H>
  friend H AbslHashValue(H h, const NamedType& v) {
    return H::combine(std::move(h), v.value_);
  }

 private:
  T value_{};
};

using AccountId = NamedType<std::string, struct AccountIdTag>;
using TransactionId = NamedType<std::string, struct TransactionIdTag>;
using AlertId = NamedType<std::string, struct AlertIdTag>;
using TypologyId = NamedType<std::string, struct TypologyIdTag>;

}  // namespace centinela

#endif  // CENTINELA_BASE_NAMED_TYPE_H_
