// A small strict flag parser for the `centinela` subcommands: --name value or
// --name=value; unknown flags, missing values and bad numbers are errors that
// name the flag. And Fail(), the one way a subcommand reports an error.
#ifndef CENTINELA_CLI_FLAGS_H_
#define CENTINELA_CLI_FLAGS_H_

#include <cstdint>
#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace centinela::cli {

// Prints "centinela: error: <message>" on stderr; returns the exit code
// (2 usage or config, 1 runtime).
inline int Fail(const absl::Status& s, int code = 1) {
  fprintf(stderr, "centinela: error: %s\n", std::string(s.message()).c_str());
  return code;
}

// Parsed flags of one subcommand. Value type.
class Flags {
 public:
  // `valued` take a value, `booleans` do not.
  static absl::StatusOr<Flags> Parse(const std::string& command, const std::vector<std::string>& args,
                                     const std::set<std::string>& valued, const std::set<std::string>& booleans) {
    Flags f;
    f.command_ = command;
    for (size_t i = 0; i < args.size(); ++i) {
      const std::string& a = args[i];
      if (a.rfind("--", 0) != 0) {
        f.positional_.push_back(a);
        continue;
      }
      std::string name = a.substr(2), value;
      const size_t eq = name.find('=');
      const bool has_eq = eq != std::string::npos;
      if (has_eq) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
      }
      if (booleans.count(name)) {
        if (has_eq) return absl::InvalidArgumentError(absl::StrCat(command, ": flag --", name, " takes no value"));
        f.values_[name] = "true";
      } else if (valued.count(name)) {
        if (!has_eq) {
          if (i + 1 >= args.size()) {
            return absl::InvalidArgumentError(absl::StrCat(command, ": flag --", name, " needs a value"));
          }
          value = args[++i];
        }
        f.values_[name] = value;
      } else {
        std::vector<std::string> known;
        for (const auto& v : valued) known.push_back("--" + v);
        for (const auto& b : booleans) known.push_back("--" + b);
        return absl::InvalidArgumentError(
            absl::StrCat(command, ": unknown flag --", name, " (known: ", absl::StrJoin(known, " "), ")"));
      }
    }
    return f;
  }

  bool Has(const std::string& name) const { return values_.count(name) > 0; }
  std::string Get(const std::string& name, const std::string& fallback = "") const {
    auto it = values_.find(name);
    return it == values_.end() ? fallback : it->second;
  }
  absl::StatusOr<int64_t> GetInt(const std::string& name, int64_t fallback, int64_t min, int64_t max) const {
    auto it = values_.find(name);
    if (it == values_.end()) return fallback;
    int64_t v;
    if (!absl::SimpleAtoi(it->second, &v) || v < min || v > max) {
      return absl::InvalidArgumentError(absl::StrCat(command_, ": --", name, " must be an integer in [", min, ", ", max,
                                                     "], got \"", it->second, "\""));
    }
    return v;
  }
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::string command_;
  std::map<std::string, std::string> values_;
  std::vector<std::string> positional_;
};

}  // namespace centinela::cli

#endif  // CENTINELA_CLI_FLAGS_H_
