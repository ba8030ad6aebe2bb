#include "rules/lang/expr.h"

#include <algorithm>
#include <cmath>
#include <functional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "base/time_util.h"
#include "centinela/v1/transaction.pb.h"
#include "google/protobuf/descriptor.h"

namespace centinela::rules {

absl::string_view TypeName(Type t) {
  switch (t) {
    case Type::kBool:
      return "bool";
    case Type::kNumber:
      return "number";
    case Type::kMoney:
      return "money";
    case Type::kString:
      return "string";
    case Type::kEnum:
      return "enum";
    case Type::kStringList:
      return "list";
    case Type::kTime:
      return "time";
    case Type::kDuration:
      return "duration";
  }
  return "?";
}

namespace {

// Limits on one expression (a rule's `when` is a line or two).
constexpr int kMaxDepth = 64;
constexpr size_t kMaxTokens = 4096;

// ---------------------------------------------------------------- lexer

enum class Tok { kNumber, kDuration, kString, kIdent, kOp, kLParen, kRParen, kLBracket, kRBracket, kComma, kEnd };

struct Token {
  Tok kind;
  std::string text;
  size_t offset;
};

absl::Status Err(size_t offset, absl::string_view msg) {
  return absl::InvalidArgumentError(absl::StrCat(offset, ":", msg));
}

absl::StatusOr<std::vector<Token>> Lex(absl::string_view s) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (absl::ascii_isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    const size_t start = i;
    if (absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      while (i < s.size() && (absl::ascii_isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.' || s[i] == '_')) ++i;
      std::string num(s.substr(start, i - start));
      num.erase(std::remove(num.begin(), num.end(), '_'), num.end());
      // A unit right after the digits makes a duration literal: 90m, 24h, 30d.
      if (i < s.size() && (s[i] == 'm' || s[i] == 'h' || s[i] == 'd') &&
          (i + 1 == s.size() || !(absl::ascii_isalnum(static_cast<unsigned char>(s[i + 1])) || s[i + 1] == '_'))) {
        out.push_back({Tok::kDuration, num + s[i], start});
        ++i;
        continue;
      }
      out.push_back({Tok::kNumber, num, start});
    } else if (absl::ascii_isalpha(static_cast<unsigned char>(c)) || c == '_') {
      while (i < s.size() && (absl::ascii_isalnum(static_cast<unsigned char>(s[i])) || s[i] == '_' || s[i] == '.')) ++i;
      out.push_back({Tok::kIdent, std::string(s.substr(start, i - start)), start});
    } else if (c == '"' || c == '\'') {
      ++i;
      std::string text;
      while (i < s.size() && s[i] != c) {
        if (s[i] == '\\' && i + 1 < s.size()) ++i;
        text.push_back(s[i++]);
      }
      if (i >= s.size()) return Err(start, "unterminated string");
      ++i;
      out.push_back({Tok::kString, text, start});
    } else if (c == '(') {
      out.push_back({Tok::kLParen, "(", i++});
    } else if (c == ')') {
      out.push_back({Tok::kRParen, ")", i++});
    } else if (c == '[') {
      out.push_back({Tok::kLBracket, "[", i++});
    } else if (c == ']') {
      out.push_back({Tok::kRBracket, "]", i++});
    } else if (c == ',') {
      out.push_back({Tok::kComma, ",", i++});
    } else {
      static constexpr absl::string_view kTwo[] = {"==", "!=", "<=", ">="};
      bool matched = false;
      for (absl::string_view op : kTwo) {
        if (s.substr(i, 2) == op) {
          out.push_back({Tok::kOp, std::string(op), i});
          i += 2;
          matched = true;
          break;
        }
      }
      if (!matched) {
        if (absl::string_view("<>+-*/").find(c) == absl::string_view::npos) {
          return Err(i, absl::StrCat("unexpected character '", std::string(1, c), "'"));
        }
        out.push_back({Tok::kOp, std::string(1, c), i++});
      }
    }
  }
  out.push_back({Tok::kEnd, "", s.size()});
  return out;
}

// ---------------------------------------------------------------- nodes

class ConstNode : public Node {
 public:
  ConstNode(Type t, Value v) : Node(t), v_(v) {}
  ConstNode(std::string s) : Node(Type::kString), str_(std::move(s)) { v_ = Value::String(str_); }
  ConstNode(std::vector<std::string> list) : Node(Type::kStringList), list_(std::move(list)) {}
  Value Eval(EvalContext&) const override { return v_; }
  const std::vector<std::string>* StringList() const override { return type() == Type::kStringList ? &list_ : nullptr; }
  bool IsConstant() const override { return true; }
  const Value& value() const { return v_; }

 private:
  Value v_;
  std::string str_;
  std::vector<std::string> list_;
};

using Accessor = Value (*)(const NormalizedTx&);

class FieldNode : public Node {
 public:
  FieldNode(Type t, Accessor a, const google::protobuf::EnumDescriptor* d) : Node(t), get_(a), desc_(d) {}
  Value Eval(EvalContext& ctx) const override { return get_(*ctx.tx); }
  int EnumValue(absl::string_view name) const override {
    if (!desc_) return -1;
    const auto* v = desc_->FindValueByName(std::string(name));
    return v ? v->number() : -1;
  }
  std::string EnumName(int value) const override {
    const auto* v = desc_ ? desc_->FindValueByNumber(value) : nullptr;
    return v ? v->name() : absl::StrCat(value);
  }
  std::vector<std::string> EnumNames() const {
    std::vector<std::string> names;
    for (int i = 1; desc_ && i < desc_->value_count(); ++i) names.push_back(desc_->value(i)->name());
    return names;
  }

 private:
  Accessor get_;
  const google::protobuf::EnumDescriptor* desc_;
};

class AggNode : public Node {
 public:
  AggNode(Type t, int index) : Node(t), index_(index) {}
  Value Eval(EvalContext& ctx) const override {
    return ctx.aggregates ? ctx.aggregates->Aggregate(index_) : Value::Null();
  }

 private:
  int index_;
};

class GraphNode : public Node {
 public:
  GraphNode(GraphFeature f, Type t) : Node(t), feature_(f) {}
  Value Eval(EvalContext& ctx) const override {
    return ctx.aggregates ? ctx.aggregates->Graph(feature_) : Value::Null();
  }
  const GraphFeature* graph_feature() const override { return &feature_; }

 private:
  GraphFeature feature_;
};

class NotNode : public Node {
 public:
  explicit NotNode(const Node* a) : Node(Type::kBool), a_(a) {}
  Value Eval(EvalContext& ctx) const override {
    Value v = a_->Eval(ctx);
    return Value::Bool(!v.null && !v.b);
  }

 private:
  const Node* a_;
};

class LogicNode : public Node {
 public:
  LogicNode(bool is_and, const Node* a, const Node* b) : Node(Type::kBool), and_(is_and), a_(a), b_(b) {}
  Value Eval(EvalContext& ctx) const override {
    Value x = a_->Eval(ctx);
    const bool xa = !x.null && x.b;
    if (and_ && !xa) return Value::Bool(false);
    if (!and_ && xa) return Value::Bool(true);
    Value y = b_->Eval(ctx);
    return Value::Bool(!y.null && y.b);
  }

 private:
  bool and_;
  const Node* a_;
  const Node* b_;
};

enum class Cmp { kEq, kNe, kLt, kLe, kGt, kGe };

template <typename T>
bool Compare(Cmp op, const T& a, const T& b) {
  switch (op) {
    case Cmp::kEq:
      return a == b;
    case Cmp::kNe:
      return a != b;
    case Cmp::kLt:
      return a < b;
    case Cmp::kLe:
      return a <= b;
    case Cmp::kGt:
      return a > b;
    case Cmp::kGe:
      return a >= b;
  }
  return false;
}

// Brings two money values to one currency (USD unless they already agree).
bool AlignMoney(EvalContext& ctx, Money& a, Money& b) {
  if (a.currency == b.currency) return true;
  if (!ctx.fx) return false;
  const int64_t day = ctx.tx ? ctx.tx->event_day : 0;
  auto x = ctx.fx->Convert(a, Currency::Usd(), day);
  auto y = ctx.fx->Convert(b, Currency::Usd(), day);
  if (!x.ok() || !y.ok()) return false;
  a = Money{*x, Currency::Usd()};
  b = Money{*y, Currency::Usd()};
  return true;
}

bool CompareValues(EvalContext& ctx, Type t, Cmp op, Value a, Value b) {
  if (a.null || b.null) return false;
  switch (t) {
    case Type::kNumber:
      return Compare(op, a.n, b.n);
    case Type::kMoney:
      if (!AlignMoney(ctx, a.m, b.m)) return false;
      return Compare(op, a.m.minor, b.m.minor);
    case Type::kString:
      return Compare(op, a.s, b.s);
    case Type::kEnum:
      return Compare(op, a.e, b.e);
    case Type::kBool:
      return Compare(op, a.b, b.b);
    case Type::kTime:
    case Type::kDuration:
      return Compare(op, a.t, b.t);
    case Type::kStringList:
      return false;
  }
  return false;
}

class CompareNode : public Node {
 public:
  CompareNode(Cmp op, Type operand, const Node* a, const Node* b)
      : Node(Type::kBool), op_(op), operand_(operand), a_(a), b_(b) {}
  Value Eval(EvalContext& ctx) const override {
    return Value::Bool(CompareValues(ctx, operand_, op_, a_->Eval(ctx), b_->Eval(ctx)));
  }

 private:
  Cmp op_;
  Type operand_;
  const Node* a_;
  const Node* b_;
};

class BetweenNode : public Node {
 public:
  BetweenNode(Type operand, const Node* x, const Node* lo, const Node* hi)
      : Node(Type::kBool), operand_(operand), x_(x), lo_(lo), hi_(hi) {}
  Value Eval(EvalContext& ctx) const override {
    Value x = x_->Eval(ctx);
    return Value::Bool(CompareValues(ctx, operand_, Cmp::kGe, x, lo_->Eval(ctx)) &&
                       CompareValues(ctx, operand_, Cmp::kLe, x, hi_->Eval(ctx)));
  }

 private:
  Type operand_;
  const Node* x_;
  const Node* lo_;
  const Node* hi_;
};

class InStringsNode : public Node {
 public:
  InStringsNode(const Node* x, const std::vector<std::string>& members, bool negate)
      : Node(Type::kBool), x_(x), set_(members.begin(), members.end()), negate_(negate) {}
  Value Eval(EvalContext& ctx) const override {
    Value v = x_->Eval(ctx);
    if (v.null) return Value::Bool(false);
    return Value::Bool(set_.contains(v.s) != negate_);
  }
  bool Contains(absl::string_view s) const { return set_.contains(s); }

 private:
  const Node* x_;
  absl::flat_hash_set<std::string> set_;
  bool negate_;
};

class InEnumsNode : public Node {
 public:
  InEnumsNode(const Node* x, std::vector<int> members, bool negate)
      : Node(Type::kBool), x_(x), members_(std::move(members)), negate_(negate) {}
  Value Eval(EvalContext& ctx) const override {
    Value v = x_->Eval(ctx);
    if (v.null) return Value::Bool(false);
    bool found = std::find(members_.begin(), members_.end(), v.e) != members_.end();
    return Value::Bool(found != negate_);
  }

 private:
  const Node* x_;
  std::vector<int> members_;
  bool negate_;
};

class StartsWithAnyNode : public Node {
 public:
  StartsWithAnyNode(const Node* x, std::vector<std::string> prefixes)
      : Node(Type::kBool), x_(x), prefixes_(std::move(prefixes)) {}
  Value Eval(EvalContext& ctx) const override {
    Value v = x_->Eval(ctx);
    if (v.null) return Value::Bool(false);
    return Value::Bool(Match(v.s) != nullptr);
  }
  // The first prefix `s` starts with, or null.
  const std::string* Match(absl::string_view s) const {
    for (const std::string& p : prefixes_) {
      if (absl::StartsWith(s, p)) return &p;
    }
    return nullptr;
  }

 private:
  const Node* x_;
  std::vector<std::string> prefixes_;
};

// Explains a list test: the entry of a named list that a value matched (the
// value itself for `in`, the prefix for starts_with_any), null when none did.
// Only evaluated when an alert is explained, never by rules.
class MatchedEntryNode : public Node {
 public:
  MatchedEntryNode(const Node* x, const InStringsNode* in) : Node(Type::kString), x_(x), in_(in) {}
  MatchedEntryNode(const Node* x, const StartsWithAnyNode* prefixes)
      : Node(Type::kString), x_(x), prefixes_(prefixes) {}
  Value Eval(EvalContext& ctx) const override {
    Value v = x_->Eval(ctx);
    if (v.null) return Value::Null();
    if (in_) return in_->Contains(v.s) ? v : Value::Null();
    const std::string* p = prefixes_->Match(v.s);
    return p ? Value::String(*p) : Value::Null();
  }

 private:
  const Node* x_;
  const InStringsNode* in_ = nullptr;
  const StartsWithAnyNode* prefixes_ = nullptr;
};

// screen(originator|beneficiary, "list"): the best list match score;
// screen_confirmed(...): whether that match rests on more than the name.
class ScreenNode : public Node {
 public:
  ScreenNode(ScreenedParty party, std::string list, bool confirmed)
      : Node(confirmed ? Type::kBool : Type::kNumber), party_(party), list_(std::move(list)), confirmed_(confirmed) {}
  Value Eval(EvalContext& ctx) const override {
    if (ctx.screening == nullptr) return Value::Null();
    return confirmed_ ? ctx.screening->Confirmed(party_, list_) : ctx.screening->Screen(party_, list_);
  }
  std::string Explain(EvalContext& ctx) const override {
    const Value v = Eval(ctx);
    if (v.null || ctx.screening == nullptr) return FormatValue(*this, v);
    return ctx.screening->Explain(party_, list_);
  }

 private:
  ScreenedParty party_;
  std::string list_;
  bool confirmed_;
};

class ContainsNode : public Node {
 public:
  ContainsNode(const Node* x, const Node* needle) : Node(Type::kBool), x_(x), needle_(needle) {}
  Value Eval(EvalContext& ctx) const override {
    Value v = x_->Eval(ctx);
    Value n = needle_->Eval(ctx);
    if (v.null || n.null) return Value::Bool(false);
    // ASCII case-insensitive search, without allocating.
    const absl::string_view h = v.s, x = n.s;
    for (size_t i = 0; i + x.size() <= h.size(); ++i) {
      size_t j = 0;
      while (j < x.size() && absl::ascii_tolower(static_cast<unsigned char>(h[i + j])) ==
                                 absl::ascii_tolower(static_cast<unsigned char>(x[j]))) {
        ++j;
      }
      if (j == x.size()) return Value::Bool(true);
    }
    return Value::Bool(false);
  }

 private:
  const Node* x_;
  const Node* needle_;
};

class PresentNode : public Node {
 public:
  explicit PresentNode(const Node* x) : Node(Type::kBool), x_(x) {}
  Value Eval(EvalContext& ctx) const override { return Value::Bool(!x_->Eval(ctx).null); }

 private:
  const Node* x_;
};

class AttrNode : public Node {
 public:
  explicit AttrNode(std::string key) : Node(Type::kString), key_(std::move(key)) {}
  Value Eval(EvalContext& ctx) const override {
    const auto& attrs = ctx.tx->tx->attributes();
    auto it = attrs.find(key_);
    return it == attrs.end() ? Value::Null() : Value::String(it->second);
  }

 private:
  std::string key_;
};

enum class Arith { kAdd, kSub, kMul, kDiv };

class ArithNode : public Node {
 public:
  ArithNode(Type result, Arith op, const Node* a, const Node* b) : Node(result), op_(op), a_(a), b_(b) {}
  Value Eval(EvalContext& ctx) const override {
    Value x = a_->Eval(ctx);
    Value y = b_->Eval(ctx);
    if (x.null || y.null) return Value::Null();
    const Type ta = a_->type(), tb = b_->type();
    if (ta == Type::kTime || ta == Type::kDuration || tb == Type::kTime || tb == Type::kDuration) {
      return TimeArith(ta, tb, x, y);
    }
    if (ta == Type::kNumber && tb == Type::kNumber) {
      switch (op_) {
        case Arith::kAdd:
          return Value::Number(x.n + y.n);
        case Arith::kSub:
          return Value::Number(x.n - y.n);
        case Arith::kMul:
          return Value::Number(x.n * y.n);
        case Arith::kDiv:
          return y.n == 0 ? Value::Null() : Value::Number(x.n / y.n);
      }
    }
    if (ta == Type::kMoney && tb == Type::kMoney) {
      if (!AlignMoney(ctx, x.m, y.m)) return Value::Null();
      switch (op_) {
        case Arith::kAdd:
          return Value::Of(Money{SatAdd(x.m.minor, y.m.minor), x.m.currency});
        case Arith::kSub:
          return Value::Of(Money{SatSub(x.m.minor, y.m.minor), x.m.currency});
        case Arith::kDiv:
          return y.m.minor == 0 ? Value::Null() : Value::Number(double(x.m.minor) / double(y.m.minor));
        case Arith::kMul:
          return Value::Null();
      }
    }
    // money * number, number * money, money / number: scaled, rounded to minor units.
    const Money m = ta == Type::kMoney ? x.m : y.m;
    const double f = ta == Type::kMoney ? y.n : x.n;
    if (op_ == Arith::kMul) return Value::Of(Money{SatRound(double(m.minor) * f), m.currency});
    if (op_ == Arith::kDiv) return f == 0 ? Value::Null() : Value::Of(Money{SatRound(double(m.minor) / f), m.currency});
    return Value::Null();
  }

 private:
  // time - time = duration; time +/- duration = time; duration +/- duration;
  // duration * number; duration / number; duration / duration = number.
  Value TimeArith(Type ta, Type tb, const Value& x, const Value& y) const {
    const bool same = ta == tb;
    if (same && op_ == Arith::kSub) return Value::Duration(SatSub(x.t, y.t));
    if (op_ == Arith::kAdd) {
      return type() == Type::kTime ? Value::Time(SatAdd(x.t, y.t)) : Value::Duration(SatAdd(x.t, y.t));
    }
    if (op_ == Arith::kSub) return Value::Time(SatSub(x.t, y.t));  // time - duration
    if (op_ == Arith::kDiv && same) return y.t == 0 ? Value::Null() : Value::Number(double(x.t) / double(y.t));
    if (op_ == Arith::kDiv) return y.n == 0 ? Value::Null() : Value::Duration(SatRound(double(x.t) / y.n));
    const int64_t d = ta == Type::kDuration ? x.t : y.t;  // multiplication
    const double f = ta == Type::kNumber ? x.n : y.n;
    return Value::Duration(SatRound(double(d) * f));
  }

  Arith op_;
  const Node* a_;
  const Node* b_;
};

class NegNode : public Node {
 public:
  explicit NegNode(const Node* a) : Node(a->type()), a_(a) {}
  Value Eval(EvalContext& ctx) const override {
    Value v = a_->Eval(ctx);
    if (v.null) return v;
    v.n = -v.n;
    v.m.minor = SatNeg(v.m.minor);
    v.t = SatNeg(v.t);
    return v;
  }

 private:
  const Node* a_;
};

class ProfileNode : public Node {
 public:
  ProfileNode(Type t, int index, ProfileFeature f) : Node(t), index_(index), feature_(f) {}
  Value Eval(EvalContext& ctx) const override {
    return ctx.aggregates ? ctx.aggregates->Profile(index_, feature_) : Value::Null();
  }

 private:
  int index_;
  ProfileFeature feature_;
};

class RuleRefNode : public Node {
 public:
  explicit RuleRefNode(int index) : Node(Type::kBool), index_(index) {}
  Value Eval(EvalContext& ctx) const override { return ctx.rules ? ctx.rules->Rule(index_) : Value::Null(); }

 private:
  int index_;
};

enum class TimeFn { kWeekday, kHour, kYear, kDaysSince, kDays, kHours };

// weekday(t) 1 (Monday) .. 7 (Sunday), hour(t) 0..23 (UTC), year(t), days_since(t)
// (fractional days from t to the transaction), days(d), hours(d).
class TimeFnNode : public Node {
 public:
  TimeFnNode(TimeFn f, const Node* x) : Node(Type::kNumber), f_(f), x_(x) {}
  Value Eval(EvalContext& ctx) const override {
    const Value v = x_->Eval(ctx);
    if (v.null) return v;
    switch (f_) {
      case TimeFn::kWeekday:
        return Value::Number(double(WeekdayOf(v.t)));
      case TimeFn::kHour:
        return Value::Number(double(HourOf(v.t)));
      case TimeFn::kYear: {
        int64_t year;
        unsigned month, day;
        CivilFromDays(FloorDiv(v.t, kMicrosPerDay), &year, &month, &day);
        return Value::Number(double(year));
      }
      case TimeFn::kDaysSince:
        return Value::Number(double(ctx.tx->event_micros - v.t) / double(kMicrosPerDay));
      case TimeFn::kDays:
        return Value::Number(double(v.t) / double(kMicrosPerDay));
      case TimeFn::kHours:
        return Value::Number(double(v.t) / double(kMicrosPerHour));
    }
    return Value::Null();
  }

 private:
  TimeFn f_;
  const Node* x_;
};

// Reads one character of `s` at `*i` folded for comparison: ASCII letters
// upper-cased, Latin-1 accented letters (UTF-8) to their base letter, runs of
// whitespace, punctuation and other characters to one space (reported before
// the next letter, so trailing gaps vanish). Returns 0 at the end.
char NextFolded(absl::string_view s, size_t* i) {
  bool gap = false;
  while (*i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[*i]);
    if (c == 0xC3 && *i + 1 < s.size()) {  // U+00C0..U+00FF
      // Code point 0xC0 + low 6 bits; | 0x20 folds upper case onto lower case.
      const unsigned d = (0xC0u + (static_cast<unsigned char>(s[*i + 1]) & 0x3Fu)) | 0x20u;
      static constexpr char kBase[] = "AAAAAAACEEEEIIIIDNOOOOO OUUUUY Y";  // U+00E0..U+00FF
      const char b = kBase[d - 0xE0];
      if (b != ' ') {
        if (gap) return ' ';
        *i += 2;
        return b;
      }
      *i += 2;
      gap = true;
      continue;
    }
    if (absl::ascii_isalnum(c)) {
      if (gap) return ' ';
      ++*i;
      return char(absl::ascii_toupper(c));
    }
    ++*i;
    gap = true;
  }
  return 0;
}

// same_text(a, b): equal after case, accent, punctuation and spacing folding
// ("José  Pérez-Soto" == "JOSE PEREZ SOTO"). Leading and trailing gaps ignored.
class SameTextNode : public Node {
 public:
  SameTextNode(const Node* a, const Node* b) : Node(Type::kBool), a_(a), b_(b) {}
  Value Eval(EvalContext& ctx) const override {
    const Value x = a_->Eval(ctx), y = b_->Eval(ctx);
    if (x.null || y.null) return Value::Bool(false);
    size_t i = 0, j = 0;
    SkipGap(x.s, &i);
    SkipGap(y.s, &j);
    while (true) {
      const char p = NextFolded(x.s, &i), q = NextFolded(y.s, &j);
      if (p != q) return Value::Bool(false);
      if (p == 0) return Value::Bool(true);
    }
  }

 private:
  // A leading gap: NextFolded reports it and stops before the next letter.
  static void SkipGap(absl::string_view s, size_t* i) {
    size_t k = *i;
    if (NextFolded(s, &k) == ' ') *i = k;
  }
  const Node* a_;
  const Node* b_;
};

// ---------------------------------------------------------------- fields

struct FieldSpec {
  Type type;
  Accessor get;
  const google::protobuf::EnumDescriptor* desc = nullptr;
};

template <const v1::Party& (v1::Transaction::*kSide)() const>
struct PartyFields {
  static const v1::Party& P(const NormalizedTx& t) { return (t.tx->*kSide)(); }
  static Value Kind(const NormalizedTx& t) { return P(t).kind() ? Value::Enum(P(t).kind()) : Value::Null(); }
  static Value DocType(const NormalizedTx& t) {
    return P(t).document_type() ? Value::Enum(P(t).document_type()) : Value::Null();
  }
  static Value DocNumber(const NormalizedTx& t) { return Value::String(P(t).document_number()); }
  static Value Name(const NormalizedTx& t) { return Value::String(P(t).name()); }
  static Value Account(const NormalizedTx& t) { return Value::String(P(t).account()); }
  static Value Bank(const NormalizedTx& t) { return Value::String(P(t).bank()); }
  static Value Country(const NormalizedTx& t) { return Value::String(P(t).country()); }
  static Value Ubigeo(const NormalizedTx& t) { return Value::String(P(t).ubigeo()); }
  static Value Ciiu(const NormalizedTx& t) { return Value::String(P(t).ciiu()); }
  static Value Pep(const NormalizedTx& t) { return Value::Bool(P(t).pep()); }
  static Value AccountOpened(const NormalizedTx& t) {
    if (P(t).account_opened().empty()) return Value::Null();
    auto d = ParseIsoDate(P(t).account_opened());
    return d.ok() ? Value::Time(*d * kMicrosPerDay) : Value::Null();
  }
  static Value AccountAgeDays(const NormalizedTx& t) {
    if (P(t).account_opened().empty()) return Value::Null();
    auto d = ParseIsoDate(P(t).account_opened());
    return d.ok() ? Value::Number(double(t.event_day - *d)) : Value::Null();
  }
  static void Register(absl::flat_hash_map<std::string, FieldSpec>& m, const std::string& side) {
    m[side + ".kind"] = {Type::kEnum, &Kind, v1::PartyKind_descriptor()};
    m[side + ".document_type"] = {Type::kEnum, &DocType, v1::DocumentType_descriptor()};
    m[side + ".document_number"] = {Type::kString, &DocNumber};
    m[side + ".name"] = {Type::kString, &Name};
    m[side + ".account"] = {Type::kString, &Account};
    m[side + ".bank"] = {Type::kString, &Bank};
    m[side + ".country"] = {Type::kString, &Country};
    m[side + ".ubigeo"] = {Type::kString, &Ubigeo};
    m[side + ".ciiu"] = {Type::kString, &Ciiu};
    m[side + ".pep"] = {Type::kBool, &Pep};
    m[side + ".account_age_days"] = {Type::kNumber, &AccountAgeDays};
    m[side + ".account_opened"] = {Type::kTime, &AccountOpened};
  }
};

const absl::flat_hash_map<std::string, FieldSpec>& Fields() {
  static const auto* fields = [] {
    auto* m = new absl::flat_hash_map<std::string, FieldSpec>;
    (*m)["id"] = {Type::kString, [](const NormalizedTx& t) { return Value::String(t.tx->id()); }};
    (*m)["channel"] = {Type::kEnum, [](const NormalizedTx& t) { return Value::Enum(t.tx->channel()); },
                       v1::Channel_descriptor()};
    (*m)["operation"] = {Type::kEnum, [](const NormalizedTx& t) { return Value::Enum(t.tx->operation()); },
                         v1::OperationType_descriptor()};
    (*m)["amount"] = {Type::kMoney, [](const NormalizedTx& t) { return Value::Of(t.amount); }};
    (*m)["amount_usd"] = {Type::kMoney, [](const NormalizedTx& t) {
                            return Value::Of(Money{t.amount_usd, Currency::Usd()});
                          }};
    (*m)["amount_pen"] = {Type::kMoney, [](const NormalizedTx& t) {
                            return Value::Of(Money{t.amount_pen, Currency::Pen()});
                          }};
    (*m)["currency"] = {Type::kString, [](const NormalizedTx& t) { return Value::String(t.tx->amount().currency()); }};
    (*m)["branch_ubigeo"] = {Type::kString, [](const NormalizedTx& t) { return Value::String(t.tx->branch_ubigeo()); }};
    (*m)["reporting_entity.ruc"] = {
        Type::kString, [](const NormalizedTx& t) { return Value::String(t.tx->reporting_entity().ruc()); }};
    (*m)["reporting_entity.sector"] = {
        Type::kString, [](const NormalizedTx& t) { return Value::String(t.tx->reporting_entity().sector()); }};
    (*m)["hour_of_day"] = {Type::kNumber,
                           [](const NormalizedTx& t) { return Value::Number(double(HourOf(t.event_micros))); }};
    (*m)["event_time"] = {Type::kTime, [](const NormalizedTx& t) { return Value::Time(t.event_micros); }};
    (*m)["weekday"] = {Type::kNumber,
                       [](const NormalizedTx& t) { return Value::Number(double(WeekdayOf(t.event_micros))); }};
    PartyFields<&v1::Transaction::originator>::Register(*m, "originator");
    PartyFields<&v1::Transaction::beneficiary>::Register(*m, "beneficiary");
    return m;
  }();
  return *fields;
}

// ---------------------------------------------------------------- parser

class Parser {
 public:
  Parser(absl::string_view text, std::vector<Token> toks, const Symbols& symbols, CompiledExpr* out)
      : text_(text), toks_(std::move(toks)), sym_(symbols), out_(out) {}

  absl::StatusOr<const Node*> ParseAll() {
    auto n = ParseOr();
    if (!n.ok()) return n;
    if (Peek().kind != Tok::kEnd) return Err(Peek().offset, absl::StrCat("unexpected '", Peek().text, "'"));
    return n;
  }

 private:
  const Token& Peek(int ahead = 0) const { return toks_[std::min(pos_ + ahead, toks_.size() - 1)]; }
  const Token& Next() { return toks_[std::min(pos_++, toks_.size() - 1)]; }
  bool IsWord(const Token& t, absl::string_view w) const { return t.kind == Tok::kIdent && t.text == w; }
  bool IsOp(const Token& t, absl::string_view o) const { return t.kind == Tok::kOp && t.text == o; }

  template <typename T, typename... Args>
  const T* Make(Args&&... args) {
    auto node = std::make_unique<T>(std::forward<Args>(args)...);
    const T* raw = node.get();
    out_->owned.push_back(std::move(node));
    return raw;
  }
  // The source text in [from, to), without surrounding blanks and commas.
  std::string Source(size_t from, size_t to) const {
    absl::string_view s = text_.substr(std::min(from, text_.size()), to > from ? to - from : 0);
    while (!s.empty() && (s.back() == ' ' || s.back() == ',' || s.back() == '\t')) s.remove_suffix(1);
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    return std::string(s);
  }
  // For a test against a named list (list.X or a list parameter), explains
  // hits with the entry matched: "originator.country in list.fatf" = "AE".
  template <typename Test>
  void ObserveListMatch(const Node* x, const std::string& x_text, absl::string_view verb, const Node* list,
                        const Test* test, bool negated) {
    auto name = list_names_.find(list);
    if (negated || name == list_names_.end()) return;
    Observe(absl::StrCat(x_text, " ", verb, " ", name->second), Make<MatchedEntryNode>(x, test));
  }

  void Observe(const std::string& name, const Node* n) {
    for (const auto& o : out_->observed) {
      if (o.name == name) return;
    }
    out_->observed.push_back({name, n});
  }

  absl::Status ExpectBool(const Node* n, size_t at, absl::string_view what) {
    if (n->type() != Type::kBool) {
      return Err(at, absl::StrCat(what, " needs a bool, got ", TypeName(n->type())));
    }
    return absl::OkStatus();
  }

  // Nesting (parentheses, lists, calls, 'not', unary '-') is bounded: found
  // by fuzz/rules/expr_fuzzer.cc, thousands of '(' overflowed the stack.
  struct Nest {
    explicit Nest(int& depth) : depth_(++depth) {}
    ~Nest() { --depth_; }
    int& depth_;
  };
  absl::Status CheckDepth() const {
    if (depth_ < kMaxDepth) return absl::OkStatus();
    return Err(Peek().offset, absl::StrCat("expression nested deeper than ", kMaxDepth, " levels"));
  }

  absl::StatusOr<const Node*> ParseOr() {
    if (absl::Status s = CheckDepth(); !s.ok()) return s;
    Nest nest(depth_);
    auto lhs = ParseAnd();
    if (!lhs.ok()) return lhs;
    while (IsWord(Peek(), "or")) {
      const size_t at = Next().offset;
      auto rhs = ParseAnd();
      if (!rhs.ok()) return rhs;
      if (auto s = ExpectBool(*lhs, at, "'or'"); !s.ok()) return s;
      if (auto s = ExpectBool(*rhs, at, "'or'"); !s.ok()) return s;
      lhs = Make<LogicNode>(false, *lhs, *rhs);
    }
    return lhs;
  }

  absl::StatusOr<const Node*> ParseAnd() {
    auto lhs = ParseNot();
    if (!lhs.ok()) return lhs;
    while (IsWord(Peek(), "and")) {
      const size_t at = Next().offset;
      auto rhs = ParseNot();
      if (!rhs.ok()) return rhs;
      if (auto s = ExpectBool(*lhs, at, "'and'"); !s.ok()) return s;
      if (auto s = ExpectBool(*rhs, at, "'and'"); !s.ok()) return s;
      lhs = Make<LogicNode>(true, *lhs, *rhs);
    }
    return lhs;
  }

  absl::StatusOr<const Node*> ParseNot() {
    if (IsWord(Peek(), "not")) {
      if (absl::Status s = CheckDepth(); !s.ok()) return s;
      Nest nest(depth_);
      const size_t at = Next().offset;
      auto x = ParseNot();
      if (!x.ok()) return x;
      if (auto s = ExpectBool(*x, at, "'not'"); !s.ok()) return s;
      return Make<NotNode>(*x);
    }
    return ParseComparison();
  }

  // Resolves a string literal against an enum-typed operand, at compile time.
  absl::StatusOr<const Node*> CoerceToEnum(const Node* enum_node, const Node* other, size_t at) {
    if (other->type() == Type::kEnum) return other;
    if (other->type() != Type::kString || !other->IsConstant()) {
      return Err(at, absl::StrCat("cannot compare enum with ", TypeName(other->type())));
    }
    EvalContext none;
    const std::string name(other->Eval(none).s);
    const int v = enum_node->EnumValue(name);
    if (v < 0) {
      const auto* f = dynamic_cast<const FieldNode*>(enum_node);
      return Err(at, absl::StrCat("\"", name, "\" is not a valid value here; expected one of ",
                                  f ? absl::StrJoin(f->EnumNames(), ", ") : "the enum's names"));
    }
    return Make<ConstNode>(Type::kEnum, Value::Enum(v));
  }

  absl::Status CheckComparable(const Node* a, const Node* b, size_t at) {
    if (a->type() == b->type() && a->type() != Type::kStringList) return absl::OkStatus();
    std::string hint;
    if ((a->type() == Type::kMoney && b->type() == Type::kNumber) ||
        (a->type() == Type::kNumber && b->type() == Type::kMoney)) {
      hint = " (write money literals as USD(10000) or PEN(5500.00))";
    }
    return Err(at, absl::StrCat("cannot compare ", TypeName(a->type()), " with ", TypeName(b->type()), hint));
  }

  // screen() reads scores under kScreenFloor as 0: a threshold between 0 and
  // the floor would silently act as the floor.
  absl::Status CheckScreenThreshold(const Node* a, const Node* b, size_t at) {
    if (dynamic_cast<const ScreenNode*>(a) == nullptr) std::swap(a, b);
    if (dynamic_cast<const ScreenNode*>(a) == nullptr) return absl::OkStatus();
    const auto* c = dynamic_cast<const ConstNode*>(b);
    if (c == nullptr || c->type() != Type::kNumber) return absl::OkStatus();
    const double v = c->value().n;
    if (v <= 0 || v >= kScreenFloor) return absl::OkStatus();
    return Err(at, absl::StrFormat("screen() reads scores under %.2f as 0, so comparing it with %g would act as %.2f: "
                                   "use a threshold from %.2f to 1, or > 0 for any match",
                                   kScreenFloor, v, kScreenFloor, kScreenFloor));
  }

  absl::StatusOr<const Node*> ParseComparison() {
    const size_t lhs_at = Peek().offset;
    auto lhs = ParseAdd();
    if (!lhs.ok()) return lhs;
    const Token& t = Peek();
    static const std::pair<absl::string_view, Cmp> kOps[] = {{"==", Cmp::kEq}, {"!=", Cmp::kNe}, {"<", Cmp::kLt},
                                                             {"<=", Cmp::kLe}, {">", Cmp::kGt},  {">=", Cmp::kGe}};
    for (const auto& [text, op] : kOps) {
      if (!IsOp(t, text)) continue;
      const size_t at = Next().offset;
      const size_t rhs_at = Peek().offset;
      auto rhs = ParseAdd();
      if (!rhs.ok()) return rhs;
      const Node* a = *lhs;
      const Node* b = *rhs;
      if (a->type() == Type::kEnum) {
        auto c = CoerceToEnum(a, b, rhs_at);
        if (!c.ok()) return c;
        b = *c;
      } else if (b->type() == Type::kEnum) {
        auto c = CoerceToEnum(b, a, lhs_at);
        if (!c.ok()) return c;
        a = *c;
      }
      if (auto s = CheckComparable(a, b, at); !s.ok()) return s;
      if (auto s = CheckScreenThreshold(a, b, at); !s.ok()) return s;
      if (a->type() == Type::kBool && op != Cmp::kEq && op != Cmp::kNe) {
        return Err(at, "bools can only be compared with == and !=");
      }
      return Make<CompareNode>(op, a->type(), a, b);
    }
    const bool negated_in = IsWord(t, "not") && IsWord(Peek(1), "in");
    if (IsWord(t, "in") || negated_in) {
      const size_t at = Next().offset;
      if (negated_in) Next();
      auto rhs = ParseAdd();
      if (!rhs.ok()) return rhs;
      const std::vector<std::string>* members = (*rhs)->StringList();
      if (!members) return Err(at, absl::StrCat("'in' needs a list on its right, got ", TypeName((*rhs)->type())));
      if ((*lhs)->type() == Type::kEnum) {
        std::vector<int> values;
        for (const std::string& m : *members) {
          const int v = (*lhs)->EnumValue(m);
          if (v < 0) return Err(at, absl::StrCat("\"", m, "\" is not a valid value of the left-hand enum"));
          values.push_back(v);
        }
        return Make<InEnumsNode>(*lhs, std::move(values), negated_in);
      }
      if ((*lhs)->type() != Type::kString) {
        return Err(at, absl::StrCat("'in' needs a string on its left, got ", TypeName((*lhs)->type())));
      }
      const InStringsNode* in = Make<InStringsNode>(*lhs, *members, negated_in);
      ObserveListMatch(*lhs, Source(lhs_at, at), "in", *rhs, in, negated_in);
      return in;
    }
    if (IsWord(t, "between")) {
      const size_t at = Next().offset;
      auto lo = ParseAdd();
      if (!lo.ok()) return lo;
      if (!IsWord(Peek(), "and")) return Err(Peek().offset, "'between' needs 'and': x between LOW and HIGH");
      Next();
      auto hi = ParseAdd();
      if (!hi.ok()) return hi;
      if (auto s = CheckComparable(*lhs, *lo, at); !s.ok()) return s;
      if (auto s = CheckComparable(*lhs, *hi, at); !s.ok()) return s;
      const Type bt = (*lhs)->type();
      if (bt != Type::kNumber && bt != Type::kMoney && bt != Type::kTime && bt != Type::kDuration) {
        return Err(at, "'between' works on numbers, money, times and durations");
      }
      return Make<BetweenNode>((*lhs)->type(), *lhs, *lo, *hi);
    }
    return lhs;
  }

  absl::StatusOr<const Node*> MakeArith(Arith op, const Node* a, const Node* b, size_t at) {
    const Type ta = a->type(), tb = b->type();
    const char* sym = op == Arith::kAdd ? "+" : op == Arith::kSub ? "-" : op == Arith::kMul ? "*" : "/";
    if (ta == Type::kNumber && tb == Type::kNumber) return Make<ArithNode>(Type::kNumber, op, a, b);
    if (ta == Type::kMoney && tb == Type::kMoney) {
      if (op == Arith::kAdd || op == Arith::kSub) return Make<ArithNode>(Type::kMoney, op, a, b);
      if (op == Arith::kDiv) return Make<ArithNode>(Type::kNumber, op, a, b);
    }
    if (ta == Type::kMoney && tb == Type::kNumber && (op == Arith::kMul || op == Arith::kDiv)) {
      return Make<ArithNode>(Type::kMoney, op, a, b);
    }
    if (ta == Type::kNumber && tb == Type::kMoney && op == Arith::kMul) {
      return Make<ArithNode>(Type::kMoney, op, a, b);
    }
    const bool add_sub = op == Arith::kAdd || op == Arith::kSub;
    if (ta == Type::kTime && tb == Type::kTime && op == Arith::kSub) return Make<ArithNode>(Type::kDuration, op, a, b);
    if (ta == Type::kTime && tb == Type::kDuration && add_sub) return Make<ArithNode>(Type::kTime, op, a, b);
    if (ta == Type::kDuration && tb == Type::kTime && op == Arith::kAdd) return Make<ArithNode>(Type::kTime, op, a, b);
    if (ta == Type::kDuration && tb == Type::kDuration) {
      if (add_sub) return Make<ArithNode>(Type::kDuration, op, a, b);
      if (op == Arith::kDiv) return Make<ArithNode>(Type::kNumber, op, a, b);
    }
    if (ta == Type::kDuration && tb == Type::kNumber && (op == Arith::kMul || op == Arith::kDiv)) {
      return Make<ArithNode>(Type::kDuration, op, a, b);
    }
    if (ta == Type::kNumber && tb == Type::kDuration && op == Arith::kMul) {
      return Make<ArithNode>(Type::kDuration, op, a, b);
    }
    return Err(at, absl::StrCat("cannot apply '", sym, "' to ", TypeName(ta), " and ", TypeName(tb)));
  }

  absl::StatusOr<const Node*> ParseAdd() {
    auto lhs = ParseMul();
    if (!lhs.ok()) return lhs;
    while (IsOp(Peek(), "+") || IsOp(Peek(), "-")) {
      const Token& op = Next();
      auto rhs = ParseMul();
      if (!rhs.ok()) return rhs;
      lhs = MakeArith(op.text == "+" ? Arith::kAdd : Arith::kSub, *lhs, *rhs, op.offset);
      if (!lhs.ok()) return lhs;
    }
    return lhs;
  }

  absl::StatusOr<const Node*> ParseMul() {
    auto lhs = ParseUnary();
    if (!lhs.ok()) return lhs;
    while (IsOp(Peek(), "*") || IsOp(Peek(), "/")) {
      const Token& op = Next();
      auto rhs = ParseUnary();
      if (!rhs.ok()) return rhs;
      lhs = MakeArith(op.text == "*" ? Arith::kMul : Arith::kDiv, *lhs, *rhs, op.offset);
      if (!lhs.ok()) return lhs;
    }
    return lhs;
  }

  absl::StatusOr<const Node*> ParseUnary() {
    if (IsOp(Peek(), "-")) {
      if (absl::Status s = CheckDepth(); !s.ok()) return s;
      Nest nest(depth_);
      const size_t at = Next().offset;
      auto x = ParseUnary();
      if (!x.ok()) return x;
      if ((*x)->type() != Type::kNumber && (*x)->type() != Type::kMoney && (*x)->type() != Type::kDuration) {
        return Err(at, absl::StrCat("cannot negate ", TypeName((*x)->type())));
      }
      return Make<NegNode>(*x);
    }
    return ParsePrimary();
  }

  absl::StatusOr<std::vector<std::pair<const Node*, size_t>>> ParseArgs() {
    std::vector<std::pair<const Node*, size_t>> args;
    Next();  // (
    if (Peek().kind == Tok::kRParen) {
      Next();
      return args;
    }
    while (true) {
      const size_t at = Peek().offset;
      auto a = ParseOr();
      if (!a.ok()) return a.status();
      args.push_back({*a, at});
      if (Peek().kind == Tok::kComma) {
        Next();
        continue;
      }
      if (Peek().kind != Tok::kRParen) return Err(Peek().offset, "expected ',' or ')' in argument list");
      Next();
      return args;
    }
  }

  // screen(originator|beneficiary, "list"): the party is not a value of the
  // language, so the arguments are read here rather than as expressions.
  absl::StatusOr<const Node*> ParseScreen(const Token& name) {
    const bool confirmed = name.text == "screen_confirmed";
    const std::string sig = absl::StrCat(name.text, "(originator|beneficiary, \"list or category\")");
    Next();  // (
    const Token& party = Next();
    if (party.kind != Tok::kIdent || (party.text != "originator" && party.text != "beneficiary")) {
      return Err(party.offset,
                 absl::StrCat("first argument of ", name.text, " must be originator or beneficiary: ", sig));
    }
    if (Peek().kind != Tok::kComma) return Err(Peek().offset, absl::StrCat("expected ',' after the party: ", sig));
    Next();
    const Token& list = Next();
    bool valid = list.kind == Tok::kString && !list.text.empty();
    for (char c : list.text)
      valid &= absl::ascii_islower(static_cast<unsigned char>(c)) ||
               absl::ascii_isdigit(static_cast<unsigned char>(c)) || c == '_';
    if (!valid) {
      return Err(list.offset, absl::StrCat("second argument of ", name.text,
                                           " must name a list (\"un\", \"ofac\") or a "
                                           "category (\"sanctions\", \"pep\") in lower case: ",
                                           sig));
    }
    if (Peek().kind != Tok::kRParen) return Err(Peek().offset, absl::StrCat("expected ')': ", sig));
    Next();
    const Node* n = Make<ScreenNode>(
        party.text == "originator" ? ScreenedParty::kOriginator : ScreenedParty::kBeneficiary, list.text, confirmed);
    Observe(absl::StrCat(name.text, "(", party.text, ", \"", list.text, "\")"), n);
    out_->screen_lists.push_back(list.text);
    return n;
  }

  absl::StatusOr<const Node*> ParseCall(const Token& name) {
    if (name.text == "screen" || name.text == "screen_confirmed") return ParseScreen(name);
    auto args_or = ParseArgs();
    if (!args_or.ok()) return args_or.status();
    auto& args = *args_or;
    auto want = [&](size_t n, absl::string_view signature) -> absl::Status {
      if (args.size() != n) {
        return Err(name.offset, absl::StrCat(name.text, " takes ", n, " argument", n == 1 ? "" : "s", ": ", signature));
      }
      return absl::OkStatus();
    };
    auto arg_type = [&](size_t i, Type t, absl::string_view signature) -> absl::Status {
      if (args[i].first->type() != t) {
        return Err(args[i].second, absl::StrCat("argument ", i + 1, " of ", name.text, " must be ", TypeName(t),
                                                ", got ", TypeName(args[i].first->type()), ": ", signature));
      }
      return absl::OkStatus();
    };
    const std::string& f = name.text;
    if (f == "USD" || f == "PEN" || f == "EUR") {
      if (auto s = want(1, absl::StrCat(f, "(10000.00)")); !s.ok()) return s;
      const Token& lit = toks_[pos_ - 2];
      if (lit.kind != Tok::kNumber || lit.offset != args[0].second) {
        return Err(args[0].second, absl::StrCat(f, "(...) takes a number literal"));
      }
      const Currency c = *Currency::FromCode(f);
      auto minor = ParseDecimalMinor(lit.text, CurrencyExponent(c));
      if (!minor.ok()) return Err(args[0].second, minor.status().message());
      return Make<ConstNode>(Type::kMoney, Value::Of(Money{*minor, c}));
    }
    if (f == "starts_with_any") {
      constexpr absl::string_view sig = "starts_with_any(string, list)";
      if (auto s = want(2, sig); !s.ok()) return s;
      if (auto s = arg_type(0, Type::kString, sig); !s.ok()) return s;
      if (auto s = arg_type(1, Type::kStringList, sig); !s.ok()) return s;
      const StartsWithAnyNode* n = Make<StartsWithAnyNode>(args[0].first, *args[1].first->StringList());
      ObserveListMatch(args[0].first, Source(args[0].second, args[1].second), "prefix in", args[1].first, n, false);
      return n;
    }
    if (f == "starts_with") {
      constexpr absl::string_view sig = "starts_with(string, \"prefix\")";
      if (auto s = want(2, sig); !s.ok()) return s;
      if (auto s = arg_type(0, Type::kString, sig); !s.ok()) return s;
      if (auto s = arg_type(1, Type::kString, sig); !s.ok()) return s;
      if (!args[1].first->IsConstant()) return Err(args[1].second, "starts_with needs a constant prefix");
      EvalContext none;
      return Make<StartsWithAnyNode>(args[0].first, std::vector<std::string>{std::string(args[1].first->Eval(none).s)});
    }
    if (f == "contains") {
      constexpr absl::string_view sig = "contains(string, string)";
      if (auto s = want(2, sig); !s.ok()) return s;
      if (auto s = arg_type(0, Type::kString, sig); !s.ok()) return s;
      if (auto s = arg_type(1, Type::kString, sig); !s.ok()) return s;
      return Make<ContainsNode>(args[0].first, args[1].first);
    }
    if (f == "present") {
      if (auto s = want(1, "present(x)"); !s.ok()) return s;
      return Make<PresentNode>(args[0].first);
    }
    if (f == "attr") {
      constexpr absl::string_view sig = "attr(\"key\")";
      if (auto s = want(1, sig); !s.ok()) return s;
      if (auto s = arg_type(0, Type::kString, sig); !s.ok()) return s;
      if (!args[0].first->IsConstant()) return Err(args[0].second, "attr needs a constant key");
      EvalContext none;
      const Node* n = Make<AttrNode>(std::string(args[0].first->Eval(none).s));
      Observe(absl::StrCat("attr(\"", args[0].first->Eval(none).s, "\")"), n);
      return n;
    }
    static const std::pair<absl::string_view, std::pair<TimeFn, Type>> kTimeFns[] = {
        {"weekday", {TimeFn::kWeekday, Type::kTime}}, {"hour", {TimeFn::kHour, Type::kTime}},
        {"year", {TimeFn::kYear, Type::kTime}},       {"days_since", {TimeFn::kDaysSince, Type::kTime}},
        {"days", {TimeFn::kDays, Type::kDuration}},   {"hours", {TimeFn::kHours, Type::kDuration}}};
    for (const auto& [fname, spec] : kTimeFns) {
      if (f != fname) continue;
      const std::string sig = absl::StrCat(fname, "(", TypeName(spec.second), ")");
      if (auto s = want(1, sig); !s.ok()) return s;
      if (auto s = arg_type(0, spec.second, sig); !s.ok()) return s;
      return Make<TimeFnNode>(spec.first, args[0].first);
    }
    if (f == "same_text") {
      constexpr absl::string_view sig = "same_text(string, string)";
      if (auto s = want(2, sig); !s.ok()) return s;
      if (auto s = arg_type(0, Type::kString, sig); !s.ok()) return s;
      if (auto s = arg_type(1, Type::kString, sig); !s.ok()) return s;
      return Make<SameTextNode>(args[0].first, args[1].first);
    }
    return Err(name.offset, absl::StrCat("unknown function '", f,
                                         "' (known: USD, PEN, EUR, starts_with, starts_with_any, contains, same_text, "
                                         "present, attr, weekday, hour, year, days_since, days, hours, screen, "
                                         "screen_confirmed)"));
  }

  absl::StatusOr<const Node*> ParseIdent(const Token& t) {
    const std::string& id = t.text;
    if (id == "true" || id == "false") return Make<ConstNode>(Type::kBool, Value::Bool(id == "true"));
    if (absl::StartsWith(id, "param.")) {
      auto it = sym_.params.find(id.substr(6));
      if (it == sym_.params.end()) return Err(t.offset, absl::StrCat("unknown parameter '", id.substr(6), "'"));
      const ParamValue& p = it->second;
      const Node* n = p.type == Type::kStringList ? Make<ConstNode>(p.list)
                      : p.type == Type::kString   ? Make<ConstNode>(p.text)
                                                  : Make<ConstNode>(p.type, p.value);
      if (p.type != Type::kStringList) Observe(id, n);
      if (p.type == Type::kStringList) list_names_[n] = id;
      return n;
    }
    if (absl::StartsWith(id, "list.")) {
      auto it = sym_.lists.find(id.substr(5));
      if (it == sym_.lists.end()) return Err(t.offset, absl::StrCat("unknown list '", id.substr(5), "'"));
      const Node* n = Make<ConstNode>(it->second);
      list_names_[n] = id;
      return n;
    }
    if (absl::StartsWith(id, "agg.")) {
      const std::string name = id.substr(4);
      auto it = sym_.aggregates.find(name);
      if (it == sym_.aggregates.end()) return Err(t.offset, absl::StrCat("unknown aggregate '", name, "'"));
      const Node* n = Make<AggNode>(sym_.aggregate_types.at(name), it->second);
      Observe(id, n);
      return n;
    }
    if (absl::StartsWith(id, "graph.")) {
      static const std::tuple<absl::string_view, GraphFeature, Type> kGraph[] = {
          {"cycle_length", GraphFeature::kCycleLength, Type::kNumber},
          {"pass_through_delay", GraphFeature::kPassThroughDelay, Type::kDuration},
          {"gather_paths", GraphFeature::kGatherPaths, Type::kNumber},
          {"originator_in_degree", GraphFeature::kOriginatorInDegree, Type::kNumber},
          {"originator_out_degree", GraphFeature::kOriginatorOutDegree, Type::kNumber},
          {"beneficiary_in_degree", GraphFeature::kBeneficiaryInDegree, Type::kNumber},
          {"beneficiary_out_degree", GraphFeature::kBeneficiaryOutDegree, Type::kNumber},
          {"pass_through_hops", GraphFeature::kPassThroughHops, Type::kNumber},
          {"bipartite_senders", GraphFeature::kBipartiteSenders, Type::kNumber}};
      for (const auto& [fname, feature, type] : kGraph) {
        if (id.substr(6) != fname) continue;
        const Node* n = Make<GraphNode>(feature, type);
        out_->uses_graph = true;
        Observe(id, n);
        return n;
      }
      return Err(t.offset, absl::StrCat("unknown graph feature '", id.substr(6),
                                        "' (known: cycle_length, pass_through_delay, gather_paths, "
                                        "originator_in_degree, originator_out_degree, beneficiary_in_degree, "
                                        "beneficiary_out_degree)"));
    }
    if (absl::StartsWith(id, "profile.")) {
      const size_t dot = id.rfind('.');
      const std::string name = id.substr(8, dot > 8 ? dot - 8 : 0), feature = id.substr(dot + 1);
      auto it = sym_.profiles.find(name);
      if (dot <= 8 || it == sym_.profiles.end()) {
        return Err(t.offset, absl::StrCat("unknown profile '", dot > 8 ? name : id.substr(8),
                                          "' (write profile.NAME.FEATURE with NAME from the pack's profiles)"));
      }
      static const std::tuple<absl::string_view, ProfileFeature, Type> kProfile[] = {
          {"count", ProfileFeature::kCount, Type::kNumber},
          {"mean", ProfileFeature::kMean, Type::kMoney},
          {"stddev", ProfileFeature::kStddev, Type::kMoney},
          {"last_seen", ProfileFeature::kLastSeen, Type::kTime},
          {"days_inactive", ProfileFeature::kDaysInactive, Type::kNumber},
          {"new_counterparty", ProfileFeature::kNewCounterparty, Type::kBool}};
      for (const auto& [fname, pf, type] : kProfile) {
        if (feature != fname) continue;
        const Node* n = Make<ProfileNode>(type, it->second, pf);
        Observe(id, n);
        return n;
      }
      return Err(t.offset + dot + 1,
                 absl::StrCat("unknown profile feature '", feature,
                              "' (known: count, mean, stddev, last_seen, days_inactive, new_counterparty)"));
    }
    if (absl::StartsWith(id, "rule.")) {
      auto it = sym_.rules.find(id.substr(5));
      if (it == sym_.rules.end()) return Err(t.offset, absl::StrCat("unknown rule '", id.substr(5), "'"));
      out_->rule_refs.push_back({it->second, t.offset});
      return Make<RuleRefNode>(it->second);
    }
    auto f = Fields().find(id);
    if (f == Fields().end()) {
      return Err(t.offset, absl::StrCat("unknown name '", id,
                                        "' (fields such as amount_usd, channel, originator.country; or param.X, "
                                        "list.X, agg.X, profile.X.Y, graph.X, rule.X)"));
    }
    const Node* n = Make<FieldNode>(f->second.type, f->second.get, f->second.desc);
    Observe(id, n);
    return n;
  }

  absl::StatusOr<const Node*> ParsePrimary() {
    const Token& t = Next();
    switch (t.kind) {
      case Tok::kNumber: {
        double v;
        if (!absl::SimpleAtod(t.text, &v)) return Err(t.offset, absl::StrCat("bad number '", t.text, "'"));
        return Make<ConstNode>(Type::kNumber, Value::Number(v));
      }
      case Tok::kString:
        return Make<ConstNode>(t.text);
      case Tok::kDuration: {
        auto d = ParseDuration(t.text);
        if (!d.ok()) return Err(t.offset, absl::StrCat("bad duration '", t.text, "'"));
        return Make<ConstNode>(Type::kDuration, Value::Duration(*d));
      }
      case Tok::kLParen: {
        auto x = ParseOr();
        if (!x.ok()) return x;
        if (Peek().kind != Tok::kRParen) return Err(Peek().offset, "expected ')'");
        Next();
        return x;
      }
      case Tok::kLBracket: {
        std::vector<std::string> items;
        while (Peek().kind != Tok::kRBracket) {
          const Token& item = Next();
          if (item.kind != Tok::kString) return Err(item.offset, "list literals hold strings: [\"a\", \"b\"]");
          items.push_back(item.text);
          if (Peek().kind == Tok::kComma)
            Next();
          else if (Peek().kind != Tok::kRBracket)
            return Err(Peek().offset, "expected ',' or ']'");
        }
        Next();
        return Make<ConstNode>(std::move(items));
      }
      case Tok::kIdent:
        if (Peek().kind == Tok::kLParen) return ParseCall(t);
        return ParseIdent(t);
      case Tok::kEnd:
        return Err(t.offset, "unexpected end of expression");
      default:
        return Err(t.offset, absl::StrCat("unexpected '", t.text, "'"));
    }
  }

  absl::string_view text_;  // the source, for names in explanations
  std::vector<Token> toks_;
  size_t pos_ = 0;
  int depth_ = 0;
  const Symbols& sym_;
  CompiledExpr* out_;
  absl::flat_hash_map<const Node*, std::string> list_names_;  // list nodes by their name in the source
};

}  // namespace

absl::StatusOr<CompiledExpr> CompileExpr(absl::string_view text, const Symbols& symbols, Type expected) {
  auto toks = Lex(text);
  if (!toks.ok()) return toks.status();
  // Bounded, like the nesting below, so that evaluating and explaining the
  // tree (recursive) stays shallow whatever a pack says.
  if (toks->size() > kMaxTokens) {
    return Err(0, absl::StrCat("expression has ", toks->size(), " tokens, more than ", kMaxTokens));
  }
  CompiledExpr out;
  Parser parser(text, std::move(*toks), symbols, &out);
  auto root = parser.ParseAll();
  if (!root.ok()) return root.status();
  if ((*root)->type() != expected) {
    return Err(0, absl::StrCat("expression must be ", TypeName(expected), ", got ", TypeName((*root)->type())));
  }
  // Transfer ownership of the root: it is one of `owned`; keep a non-owning view.
  for (auto& n : out.owned) {
    if (n.get() == *root) {
      out.root = std::move(n);
      break;
    }
  }
  std::erase_if(out.owned, [](const auto& p) { return p == nullptr; });
  return out;
}

ExprError SplitExprError(const absl::Status& status) {
  absl::string_view msg = status.message();
  const size_t colon = msg.find(':');
  size_t offset = 0;
  if (colon != absl::string_view::npos && absl::SimpleAtoi(msg.substr(0, colon), &offset)) {
    return {offset, std::string(msg.substr(colon + 1))};
  }
  return {0, std::string(msg)};
}

std::string Node::Explain(EvalContext& ctx) const { return FormatValue(*this, Eval(ctx)); }

std::string FormatValue(const Node& node, const Value& v) {
  if (v.null) return "null";
  switch (node.type()) {
    case Type::kBool:
      return v.b ? "true" : "false";
    case Type::kNumber:
      if (v.n == std::floor(v.n) && std::fabs(v.n) < 1e15) return absl::StrCat(int64_t(v.n));
      return absl::StrFormat("%.4g", v.n);
    case Type::kMoney:
      return FormatMoney(v.m);
    case Type::kString:
      return std::string(v.s);
    case Type::kEnum:
      return node.EnumName(v.e);
    case Type::kStringList:
      return "[list]";
    case Type::kTime: {
      const int64_t day = FloorDiv(v.t, kMicrosPerDay), sec = FloorDiv(v.t, kMicrosPerSecond) - day * 86400;
      return absl::StrFormat("%sT%02d:%02d:%02dZ", FormatIsoDate(day), sec / 3600, sec / 60 % 60, sec % 60);
    }
    case Type::kDuration:
      return FormatDuration(v.t);
  }
  return "?";
}

}  // namespace centinela::rules
