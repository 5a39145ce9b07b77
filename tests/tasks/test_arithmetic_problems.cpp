#include <set>

#include "test_helpers.hpp"

using namespace eigenformer;

TEST_CASE("Arithmetic problems: exact answers, the stated ranges, and held-out problems never drawn for training") {
  Rng rng(4);
  std::set<std::string> train, held_out;
  for (const Operation operation : {Operation::kAdd, Operation::kMultiply})
    for (int i = 0; i < 2000; ++i) {
      const ProblemSplit split = i % 2 == 0 ? ProblemSplit::kTrain : ProblemSplit::kHeldOut;
      const ArithmeticProblem p = random_problem(operation, split, rng);
      const char op = operation == Operation::kAdd ? '+' : '*';
      const std::size_t at = p.question.find(op);
      REQUIRE(at != std::string::npos);
      const long long a = std::stoll(p.question.substr(0, at)), b = std::stoll(p.question.substr(at + 1));
      CHECK(std::to_string(op == '+' ? a + b : a * b) == p.answer);
      CHECK(Calculator::evaluate(p.question) == p.answer);  // the tool agrees
      const long long low = op == '+' ? 10000 : 100, high = op == '+' ? 99999 : 999;
      CHECK((a >= low && a <= high && b >= low && b <= high));
      CHECK(((a + 7 * b) % 10 == 0) == (split == ProblemSplit::kHeldOut));
      (split == ProblemSplit::kTrain ? train : held_out).insert(p.question);
    }
  for (const std::string& question : held_out) CHECK(train.count(question) == 0);
  const Conversation with_tool = answered_with_calculator({"1+2", "3"});
  REQUIRE(with_tool.size() == 4);
  CHECK(with_tool[1].text == "calculator 1+2");
  CHECK(with_tool[2].role == Role::kToolOutput);
  CHECK(answered_directly({"1+2", "3"}).size() == 2);
  const ArithmeticProblem shown = with_random_answer({"12345+67890", "80235"}, rng);
  CHECK(shown.question == "12345+67890");
  CHECK(shown.answer.size() == 5);
  CHECK(shown.answer[0] != '0');
  CHECK(shown.answer.find_first_not_of("0123456789") == std::string::npos);
  CHECK(std::set<char>(shown.answer.begin(), shown.answer.end()).size() <= 3);  // digits repeat
}

TEST_CASE("People and cities: unique names, moves that change the city, and a file the lookup tool reads") {
  Rng rng(8);
  PeopleAndCities world = PeopleAndCities::make(300, rng);
  std::set<std::string> names;
  for (const Resident& r : world.residents()) names.insert(r.name);
  CHECK(names.size() == 300);
  const PeopleAndCities before = world;
  const std::vector<std::size_t> moved = world.move_people(80, rng);
  CHECK(std::set<std::size_t>(moved.begin(), moved.end()).size() == 80);
  int changed = 0;
  for (std::size_t i = 0; i < 300; ++i) changed += world.residents()[i].city != before.residents()[i].city;
  CHECK(changed == 80);
  const std::size_t first_new = world.add_people(50, rng);
  CHECK(first_new == 300);
  for (std::size_t i = first_new; i < world.residents().size(); ++i) CHECK(names.count(world.residents()[i].name) == 0);
  const Lookup lookup = Lookup::parse(world.as_lookup_file(), "world");
  CHECK(lookup.size() == 350);
  for (const Resident& r : world.residents()) CHECK(lookup.call(r.name) == r.city);
  CHECK(answered_by_lookup(world.residents()[0])[1].text == "lookup " + world.residents()[0].name);
  testing::require_error_mentions([&] { world.move_people(351, rng); }, {"cannot move 351 of 350 people"});
}
