// A calculator tool: arithmetic a small model cannot do reliably in its weights (five-
// digit sums, three-digit products), done exactly by a parser the model writes into.
//
// Grammar (recursive descent, one function per rule, precedence by nesting):
//   expression := term   (('+' | '-') term)*
//   term       := factor (('*' | '/') factor)*
//   factor     := ('+' | '-') factor | number | '(' expression ')'
//   number     := digits ['.' digits]
// Spaces are ignored. Integers are exact 64-bit: 9223372036854775807 + 1 is an overflow
// error, never a wrapped or rounded number. A quotient that is not whole, or any number
// written with a decimal point, makes the result a decimal (long double, printed with up
// to 15 significant digits). Division by zero, overflow, a malformed expression, an
// expression over 1000 characters or nested over 100 deep: an Error naming the problem,
// which the engine gives to the model as its answer. Nothing is ever evaluated as code.
#pragma once

#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>
#include <string_view>

#include "eigenformer/core/error.hpp"
#include "eigenformer/tools/tool.hpp"

namespace eigenformer {

class Calculator : public Tool {
 public:
  static constexpr std::size_t kMaxLength = 1000;
  static constexpr int kMaxDepth = 100;

  std::string name() const override { return "calculator"; }
  std::string call(std::string_view argument) const override { return evaluate(argument); }

  /// The value of an arithmetic expression, as text: "80235", "-2.5".
  static std::string evaluate(std::string_view expression) {
    EF_CHECK(expression.size() <= kMaxLength,
             "the expression has " << expression.size() << " characters, more than " << kMaxLength);
    Parser parser{expression};
    const Number result = parser.expression(0);
    parser.skip_spaces();
    EF_CHECK(parser.at_end(), "unexpected '" << parser.peek() << "' at character " << parser.position);
    return result.text();
  }

 private:
  /// An exact integer, or a decimal once a fraction appears.
  struct Number {
    bool exact = true;
    std::int64_t integer = 0;
    long double decimal = 0;

    long double value() const { return exact ? static_cast<long double>(integer) : decimal; }

    static Number of_decimal(long double x) {
      EF_CHECK(std::isfinite(x), "overflow: the result is too large");
      return {false, 0, x};
    }

    std::string text() const {
      if (exact) return std::to_string(integer);
      char buffer[64];
      std::snprintf(buffer, sizeof buffer, "%.15Lg", decimal == 0 ? 0.0L : decimal);  // never "-0"
      return buffer;
    }
  };

  struct Parser {
    std::string_view text;
    std::size_t position = 0;

    bool at_end() const { return position >= text.size(); }
    char peek() const { return at_end() ? '\0' : text[position]; }
    void skip_spaces() {
      while (!at_end() && text[position] == ' ') ++position;
    }
    /// Consumes `c` (after spaces) if it is next.
    bool take(char c) {
      skip_spaces();
      if (peek() != c) return false;
      ++position;
      return true;
    }

    Number expression(int depth) {
      Number left = term(depth);
      for (;;) {
        if (take('+'))
          left = add(left, term(depth), +1);
        else if (take('-'))
          left = add(left, term(depth), -1);
        else
          return left;
      }
    }

    Number term(int depth) {
      Number left = factor(depth);
      for (;;) {
        if (take('*'))
          left = multiply(left, factor(depth));
        else if (take('/'))
          left = divide(left, factor(depth));
        else
          return left;
      }
    }

    Number factor(int depth) {
      EF_CHECK(depth < kMaxDepth, "the expression is nested more than " << kMaxDepth << " deep");
      if (take('+')) return factor(depth + 1);
      if (take('-')) return add(Number{}, factor(depth + 1), -1);
      if (take('(')) {
        const Number inside = expression(depth + 1);
        EF_CHECK(take(')'), "expected ')' at character " << position);
        return inside;
      }
      skip_spaces();
      EF_CHECK(std::isdigit(static_cast<unsigned char>(peek())),
               (at_end() ? std::string("the expression ends where a number was expected")
                         : "expected a number at character " + std::to_string(position) + ", found '" + peek() + "'"));
      return number();
    }

    Number number() {
      const std::size_t start = position;
      std::int64_t integer = 0;
      bool fits = true;
      while (std::isdigit(static_cast<unsigned char>(peek()))) {
        const int digit = text[position++] - '0';
        fits =
            fits && !__builtin_mul_overflow(integer, 10, &integer) && !__builtin_add_overflow(integer, digit, &integer);
      }
      if (peek() != '.') {
        EF_CHECK(fits, "the number " << text.substr(start, position - start) << " exceeds 64-bit integers");
        return {true, integer, 0};
      }
      ++position;
      EF_CHECK(std::isdigit(static_cast<unsigned char>(peek())),
               "expected a digit after '.' at character " << position);
      while (std::isdigit(static_cast<unsigned char>(peek()))) ++position;
      return Number::of_decimal(std::stold(std::string(text.substr(start, position - start))));
    }

    static Number add(const Number& a, const Number& b, int sign) {
      if (a.exact && b.exact) {
        std::int64_t result = 0;
        const bool overflow = sign > 0 ? __builtin_add_overflow(a.integer, b.integer, &result)
                                       : __builtin_sub_overflow(a.integer, b.integer, &result);
        EF_CHECK(!overflow, "overflow: the result exceeds 64-bit integers");
        return {true, result, 0};
      }
      return Number::of_decimal(a.value() + sign * b.value());
    }

    static Number multiply(const Number& a, const Number& b) {
      if (a.exact && b.exact) {
        std::int64_t result = 0;
        EF_CHECK(!__builtin_mul_overflow(a.integer, b.integer, &result),
                 "overflow: the result exceeds 64-bit integers");
        return {true, result, 0};
      }
      return Number::of_decimal(a.value() * b.value());
    }

    static Number divide(const Number& a, const Number& b) {
      EF_CHECK(b.value() != 0, "division by zero");
      if (a.exact && b.exact) {
        EF_CHECK(!(a.integer == std::numeric_limits<std::int64_t>::min() && b.integer == -1),
                 "overflow: the result exceeds 64-bit integers");
        if (a.integer % b.integer == 0) return {true, a.integer / b.integer, 0};
      }
      return Number::of_decimal(a.value() / b.value());
    }
  };
};

}  // namespace eigenformer
