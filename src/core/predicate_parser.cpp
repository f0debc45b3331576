#include "dls/core/predicate_parser.h"

#include <cctype>
#include <optional>
#include <vector>

#include "dls/core/suggest.h"

namespace dls {
namespace {

enum class Arg { kString, kBool, kTimestamp };

struct Filter {
  std::string_view name;
  std::vector<Arg> args;       // required arguments
  bool optional_bool = false;  // a single optional boolean (default true)
};

const std::vector<Filter> kFilters = {
    {"by_all", {}},
    {"by_id", {Arg::kString}},
    {"by_destination_type", {Arg::kString}},
    {"by_entity_id", {Arg::kString}},
    {"by_group", {Arg::kString}},
    {"by_has_tag", {Arg::kString}},
    {"by_has_tag_value", {Arg::kString, Arg::kString}},
    {"by_source", {Arg::kString}},
    {"by_destination", {Arg::kString}},
    {"by_is_enabled", {}, true},
    {"by_is_latest", {}, true},
    {"by_created_ts_between", {Arg::kTimestamp, Arg::kTimestamp}},
    {"by_created_by", {Arg::kString}},
    {"by_modified_by", {Arg::kString}},
    {"by_reference_ts", {Arg::kTimestamp}},
    {"by_is_streaming", {}, true},
};

struct Token {
  enum Type { kName, kString, kLParen, kRParen, kComma, kAnd, kOr, kNot, kEnd } type;
  std::string text;
  std::size_t pos;  // 0-based byte offset
};

const char* describe(Token::Type t) {
  switch (t) {
    case Token::kName:
      return "a name";
    case Token::kString:
      return "a string";
    case Token::kLParen:
      return "'('";
    case Token::kRParen:
      return "')'";
    case Token::kComma:
      return "','";
    case Token::kAnd:
      return "'&'";
    case Token::kOr:
      return "'|'";
    case Token::kNot:
      return "'~'";
    case Token::kEnd:
      return "the end of the filter";
  }
  return "";
}

class Parser {
 public:
  Parser(std::string_view text, std::string_view origin) : text_(text), origin_(origin) {}

  Predicate parse() {
    tokenize();
    if (tokens_.front().type == Token::kEnd) fail(0, "empty filter; expected e.g. by_group('g')");
    Predicate p = expr();
    if (peek().type != Token::kEnd) {
      fail(peek().pos, std::string("unexpected ") + shown(peek()) +
                           "; expected '&', '|' or the end of the filter");
    }
    return p;
  }

 private:
  [[noreturn]] void fail(std::size_t pos, const std::string& what) const {
    const std::string line(text_);
    std::string message = std::string(origin_) + ": " + what;
    const auto insert_at = message.find(" (did you mean");
    const std::string at = " at column " + std::to_string(pos + 1);
    if (insert_at != std::string::npos) {
      message.insert(insert_at, at);
    } else {
      message += at;
    }
    message += "\n  " + line + "\n  " + std::string(pos, ' ') + "^";
    throw PredicateSyntaxError(message, static_cast<int>(pos + 1));
  }

  static std::string shown(const Token& t) {
    if (t.type == Token::kName) return "'" + t.text + "'";
    if (t.type == Token::kString) return "string '" + t.text + "'";
    return describe(t.type);
  }

  void tokenize() {
    std::size_t i = 0;
    while (i < text_.size()) {
      const char c = text_[i];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        ++i;
      } else if (c == '(' || c == ')' || c == ',' || c == '&' || c == '|' || c == '~') {
        const Token::Type type = c == '('   ? Token::kLParen
                                 : c == ')' ? Token::kRParen
                                 : c == ',' ? Token::kComma
                                 : c == '&' ? Token::kAnd
                                 : c == '|' ? Token::kOr
                                            : Token::kNot;
        tokens_.push_back({type, std::string(1, c), i++});
      } else if (c == '\'' || c == '"') {
        const std::size_t start = i++;
        std::string value;
        bool closed = false;
        while (i < text_.size()) {
          const char d = text_[i++];
          if (d == c) {
            closed = true;
            break;
          }
          if (d == '\\') {
            if (i >= text_.size()) break;
            const char e = text_[i++];
            value += e == 'n' ? '\n' : e == 't' ? '\t' : e;
          } else {
            value += d;
          }
        }
        if (!closed) fail(start, std::string("unterminated string (missing closing ") + c + ")");
        tokens_.push_back({Token::kString, std::move(value), start});
      } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
        const std::size_t start = i;
        while (i < text_.size() &&
               (std::isalnum(static_cast<unsigned char>(text_[i])) || text_[i] == '_')) {
          ++i;
        }
        tokens_.push_back({Token::kName, std::string(text_.substr(start, i - start)), start});
      } else if (c == '!') {
        fail(i, "unexpected '!'; use '~' for not");
      } else {
        std::string hint;
        if (c == '=') hint = "; filters are functions, e.g. by_group('g'), not comparisons";
        fail(i, std::string("unexpected character '") + c + "'" + hint);
      }
    }
    tokens_.push_back({Token::kEnd, "", text_.size()});
  }

  const Token& peek() const { return tokens_[next_]; }
  const Token& take() { return tokens_[next_++]; }

  void expect(Token::Type type, const std::string& context) {
    if (peek().type != type) {
      fail(peek().pos,
           std::string("expected ") + describe(type) + context + ", got " + shown(peek()));
    }
    ++next_;
  }

  Predicate expr() {
    Predicate p = conjunction();
    while (peek().type == Token::kOr) {
      take();
      p = p | conjunction();
    }
    return p;
  }

  Predicate conjunction() {
    Predicate p = unary();
    while (peek().type == Token::kAnd) {
      take();
      p = p & unary();
    }
    return p;
  }

  Predicate unary() {
    if (peek().type == Token::kNot) {
      take();
      return ~unary();
    }
    return primary();
  }

  Predicate primary() {
    const Token& t = peek();
    if (t.type == Token::kLParen) {
      take();
      Predicate p = expr();
      expect(Token::kRParen, " to close the '(' at column " + std::to_string(t.pos + 1));
      return p;
    }
    if (t.type != Token::kName) {
      fail(t.pos, std::string("expected a filter such as by_group('g'), got ") + shown(t));
    }
    take();
    return call(t);
  }

  Predicate call(const Token& name) {
    if (name.text == "by_predicate") {
      fail(name.pos,
           "by_predicate takes a C++ function and cannot be written as text; use the other by_* "
           "filters");
    }
    const Filter* filter = nullptr;
    for (const auto& f : kFilters) {
      if (f.name == name.text) filter = &f;
    }
    if (!filter) {
      std::vector<std::string_view> names;
      for (const auto& f : kFilters) names.push_back(f.name);
      std::string message = "unknown filter '" + name.text + "'";
      std::string hint = did_you_mean(name.text, names);
      if (hint.empty() && (name.text == "and" || name.text == "or" || name.text == "not")) {
        hint = " (use &, | and ~ to combine filters)";
      }
      fail(name.pos, message + hint);
    }
    expect(Token::kLParen, " after " + name.text);
    struct Value {
      Token token;
      std::optional<bool> boolean;
    };
    std::vector<Value> args;
    if (peek().type != Token::kRParen) {
      while (true) {
        const Token& t = take();
        if (t.type == Token::kString) {
          args.push_back({t, std::nullopt});
        } else if (t.type == Token::kName && (t.text == "true" || t.text == "false")) {
          args.push_back({t, t.text == "true"});
        } else {
          fail(t.pos, "expected an argument (a quoted string, true or false) for " + name.text +
                          ", got " + shown(t));
        }
        if (peek().type != Token::kComma) break;
        take();
      }
    }
    const Token& close = peek();
    expect(Token::kRParen, " to close " + name.text + "(");

    const std::string signature = std::string(filter->name) + "(" + usage(*filter) + ")";
    if (filter->optional_bool) {
      if (args.size() > 1 || (args.size() == 1 && !args[0].boolean)) {
        fail(args.size() > 1 ? args[1].token.pos : args[0].token.pos,
             name.text + " takes at most one argument, true or false: " + signature);
      }
      const bool flag = args.empty() || *args[0].boolean;
      if (name.text == "by_is_enabled") return by_is_enabled(flag);
      if (name.text == "by_is_latest") return by_is_latest(flag);
      return by_is_streaming(flag);
    }
    if (args.size() != filter->args.size()) {
      fail(args.size() > filter->args.size() ? args[filter->args.size()].token.pos : close.pos,
           name.text + " takes " + std::to_string(filter->args.size()) + " argument" +
               (filter->args.size() == 1 ? "" : "s") + ", got " + std::to_string(args.size()) +
               ": " + signature);
    }
    std::vector<std::string> strings;
    std::vector<Timestamp> timestamps;
    for (std::size_t i = 0; i < args.size(); ++i) {
      const Value& a = args[i];
      if (a.boolean) {
        fail(a.token.pos,
             name.text + " expects a quoted string here, got " + a.token.text + ": " + signature);
      }
      if (filter->args[i] == Arg::kTimestamp) {
        auto ts = parse_timestamp(a.token.text);
        if (!ts) {
          fail(a.token.pos, "'" + a.token.text +
                                "' is not a timestamp; use ISO-8601 such as "
                                "'2024-01-02T03:04:05Z' or '2024-01-02'");
        }
        timestamps.push_back(*ts);
      } else {
        strings.push_back(a.token.text);
      }
    }
    const std::string& n = name.text;
    if (n == "by_all") return by_all();
    if (n == "by_id") return by_id(strings[0]);
    if (n == "by_destination_type") return by_destination_type(strings[0]);
    if (n == "by_entity_id") return by_entity_id(strings[0]);
    if (n == "by_group") return by_group(strings[0]);
    if (n == "by_has_tag") return by_has_tag(strings[0]);
    if (n == "by_has_tag_value") return by_has_tag_value(strings[0], strings[1]);
    if (n == "by_source") return by_source(strings[0]);
    if (n == "by_destination") return by_destination(strings[0]);
    if (n == "by_created_ts_between") return by_created_ts_between(timestamps[0], timestamps[1]);
    if (n == "by_created_by") return by_created_by(strings[0]);
    if (n == "by_modified_by") return by_modified_by(strings[0]);
    return by_reference_ts(timestamps[0]);
  }

  static std::string usage(const Filter& f) {
    if (f.optional_bool) return "[true|false]";
    std::string out;
    for (std::size_t i = 0; i < f.args.size(); ++i) {
      out += i ? ", " : "";
      out += f.args[i] == Arg::kTimestamp ? "'timestamp'" : "'string'";
    }
    return out;
  }

  std::string_view text_;
  std::string_view origin_;
  std::vector<Token> tokens_;
  std::size_t next_ = 0;
};

}  // namespace

Predicate parse_predicate(std::string_view text, std::string_view origin) {
  return Parser(text, origin).parse();
}

}  // namespace dls
