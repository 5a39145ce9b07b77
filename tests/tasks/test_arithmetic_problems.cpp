#include <set>

#include "test_helpers.hpp"

using namespace eigenformer;

TEST_CASE("Arithmetic problems: exact answers the calculator agrees with, operand lengths, held-out problems") {
  Rng rng(4);
  std::set<std::string> train, held_out;
  std::set<Index> lengths;
  for (const Operation operation : kOperations)
    for (int i = 0; i < 2000; ++i) {
      const ProblemSplit split = i % 2 == 0 ? ProblemSplit::kTrain : ProblemSplit::kHeldOut;
      const ArithmeticProblem p = random_problem(operation, split, rng);
      CHECK(Calculator::evaluate(p.expression()) == p.answer());  // whole quotients: the tool agrees exactly
      const std::int64_t operand = operation == Operation::kDivide ? p.a / p.b : p.a;  // a divisor's quotient
      for (const std::int64_t x : {operand, p.b}) {
        const Index digits = Index(std::to_string(x).size());
        CHECK((digits >= 1 && digits <= 5));
        lengths.insert(digits);
      }
      CHECK(((p.a + 7 * p.b) % 10 == 0) == (split == ProblemSplit::kHeldOut));
      (split == ProblemSplit::kTrain ? train : held_out).insert(p.expression());
    }
  CHECK(lengths.size() == 5);  // every length from 1 to 5 is drawn
  for (const std::string& expression : held_out) CHECK(train.count(expression) == 0);
  const ArithmeticProblem six = random_problem(Operation::kAdd, ProblemSplit::kHeldOut, rng, 6, 6);
  CHECK(std::to_string(six.a).size() == 6);
  CHECK(std::to_string(six.b).size() == 6);
  testing::require_error_mentions([&] { random_problem(Operation::kAdd, ProblemSplit::kTrain, rng, 3, 2); },
                                  {"operand digits", "got 3 and 2"});
}

TEST_CASE("Arithmetic questions: every form names its operands, subtraction's words reverse them, held-out cells") {
  const ArithmeticProblem sub{Operation::kSubtract, 12, 345};
  CHECK(sub.expression() == "12-345");
  CHECK(sub.answer() == "-333");
  CHECK(sub.question(QuestionForm::kCompact) == "12-345");
  CHECK(sub.question(QuestionForm::kSpaced) == "12 - 345");
  CHECK(sub.question(QuestionForm::kWhatIs) == "what is 12 minus 345?");
  CHECK(sub.question(QuestionForm::kVerb) == "subtract 345 from 12");
  CHECK(sub.question(QuestionForm::kNoun) == "the difference of 12 and 345");
  // A hand-made problem the calculator refuses is its named error, never a wrapped number or a crash.
  testing::require_error_mentions(
      [] {
        (void)ArithmeticProblem{Operation::kDivide, 5, 0}.answer();
      },
      {"division by zero"});
  testing::require_error_mentions(
      [] {
        (void)ArithmeticProblem{Operation::kMultiply, 9223372036854775807, 2}.answer();
      },
      {"overflow"});
  CHECK(ArithmeticProblem{Operation::kDivide, 1035, 345}.question(QuestionForm::kHowMuchIs) ==
        "how much is 1035 divided by 345?");
  // The held-out cells: each frame is trained with two operations, the noun form with none.
  CHECK(trained_on(QuestionForm::kWhatIs, Operation::kAdd));
  CHECK_FALSE(trained_on(QuestionForm::kWhatIs, Operation::kMultiply));
  CHECK(trained_on(QuestionForm::kHowMuchIs, Operation::kDivide));
  CHECK_FALSE(trained_on(QuestionForm::kHowMuchIs, Operation::kSubtract));
  for (const Operation operation : kOperations) CHECK_FALSE(trained_on(QuestionForm::kNoun, operation));
  Rng rng(9);
  for (int i = 0; i < 500; ++i) {  // tuning never asks a held-out cell
    const Conversation c = calculator_training_conversation(rng);
    REQUIRE(c.size() == 4);
    CHECK(c[1].text.starts_with("calculator "));
    CHECK(c[0].text.find("sum") == std::string::npos);
    CHECK(c[0].text.find("product") == std::string::npos);
    CHECK_FALSE((c[0].text.starts_with("what is") && c[0].text.find("times") != std::string::npos));
    CHECK_FALSE((c[0].text.starts_with("how much") && c[0].text.find("plus") != std::string::npos));
    CHECK(c[3].text == c[2].text);  // the answer copies the tool's output
  }
  const std::string shown = random_answer_like("-80235", rng);
  CHECK(shown.size() == 6);
  CHECK(shown[0] == '-');
  CHECK(shown[1] != '0');
  CHECK(shown.find_first_not_of("0123456789", 1) == std::string::npos);
  CHECK(std::set<char>(shown.begin() + 1, shown.end()).size() <= 3);  // digits repeat
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
  const std::string& name = world.residents()[0].name;
  const Conversation found = answered_by_lookup(question_about(name), name, lookup);
  CHECK(found[1].text == "lookup " + name);
  CHECK(found[2].text == world.residents()[0].city);
  CHECK(found[3].text == world.residents()[0].city);
  const Conversation missing =
      answered_by_lookup(question_about("Nobody Here", kTrainedWhereQuestions), "Nobody Here", lookup);
  CHECK(missing[0].text == "where is Nobody Here living?");
  CHECK(missing[2].text == "error: no entry for 'Nobody Here'");  // what the engine shows the model
  CHECK(missing[3].text == "I have no entry for Nobody Here");
  testing::require_error_mentions([&] { world.move_people(351, rng); }, {"cannot move 351 of 350 people"});
  testing::require_error_mentions([&] { question_about(name, kWhereQuestions.size()); },
                                  {"question form 20 is not one of the 20"});
}

TEST_CASE("Lookup training conversations: trained wordings only, one in five names in no file, answered so") {
  Rng rng(12);
  int missing = 0;
  const int total = 1000;
  for (int i = 0; i < total; ++i) {
    const Conversation c = lookup_training_conversation(rng);
    REQUIRE(c.size() == 4);
    const std::string name = c[1].text.substr(7);  // after "lookup "
    bool trained_wording = false;
    for (std::size_t form = 0; form < kTrainedWhereQuestions; ++form)
      trained_wording = trained_wording || c[0].text == question_about(name, form);
    CHECK(trained_wording);
    const bool absent = c[2].text.starts_with("error: ");
    missing += absent ? 1 : 0;
    CHECK(c[3].text == (absent ? no_entry_reply(name) : c[2].text));
  }
  CHECK(missing > total / 7);
  CHECK(missing < total / 4);
}
