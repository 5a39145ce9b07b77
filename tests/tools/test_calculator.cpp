#include "test_helpers.hpp"

using namespace eigenformer;

TEST_CASE("Calculator: exact 64-bit integers, precedence, parentheses, unary signs and decimals") {
  CHECK(Calculator::evaluate("12345+67890") == "80235");
  CHECK(Calculator::evaluate(" 2 + 3 * 4 ") == "14");
  CHECK(Calculator::evaluate("(2+3)*4") == "20");
  CHECK(Calculator::evaluate("10-4-3") == "3");  // left to right
  CHECK(Calculator::evaluate("100/10/5") == "2");
  CHECK(Calculator::evaluate("-3*-(2+1)") == "9");
  CHECK(Calculator::evaluate("+-+7") == "-7");
  CHECK(Calculator::evaluate("999*999") == "998001");
  CHECK(Calculator::evaluate("9223372036854775807") == "9223372036854775807");
  CHECK(Calculator::evaluate("3037000499*3037000499") == "9223372030926249001");  // exact, no rounding to double
  CHECK(Calculator::evaluate("-9223372036854775807-1") == "-9223372036854775808");
  CHECK(Calculator::evaluate("7/2") == "3.5");
  CHECK(Calculator::evaluate("1/3") == "0.333333333333333");
  CHECK(Calculator::evaluate("0.1+0.2") == "0.3");
  CHECK(Calculator::evaluate("1.5*4") == "6");
  CHECK(Calculator::evaluate("-0.0") == "0");
}

TEST_CASE("Calculator: division by zero, overflow and malformed input are named errors, never a crash") {
  const auto fails = [](const char* expression, const char* message) {
    CAPTURE(expression);
    testing::require_error_mentions([&] { Calculator::evaluate(expression); }, {message});
  };
  fails("1/0", "division by zero");
  fails("1.5/(2-2)", "division by zero");
  fails("9223372036854775807+1", "overflow");
  fails("-9223372036854775807-2", "overflow");
  fails("4611686018427387904*2", "overflow");
  fails("(-9223372036854775807-1)/-1", "overflow");
  fails("99999999999999999999", "exceeds 64-bit integers");
  fails("", "ends where a number was expected");
  fails("2+", "ends where a number was expected");
  fails("2*(3+4", "expected ')'");
  fails("2 3", "unexpected '3'");
  fails("1.", "expected a digit after '.'");
  fails("rm -rf /", "expected a number at character 0, found 'r'");
  fails("system(1)", "found 's'");
  fails("2**3", "found '*'");
  fails(std::string(1001, '1').c_str(), "more than 1000");
  fails((std::string(150, '(') + "1" + std::string(150, ')')).c_str(), "nested more than 100 deep");
  std::string huge(301, '0');  // 1e300 + 0.5: too long for an integer, so a decimal
  huge.front() = '1';
  huge.append(".5");
  CHECK(Calculator::evaluate(huge + "*" + huge) == "1e+600");
}
