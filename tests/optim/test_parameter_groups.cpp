#include "test_helpers.hpp"

using namespace eigenformer;

TEST_CASE("default_parameter_groups: matrices decay, vectors do not") {
  GPT<float> model(GPTConfig::nano());
  const auto groups = default_parameter_groups(model.parameter_list(), 0.1);
  REQUIRE(groups.size() == 2);
  CHECK(groups[0].weight_decay == 0.1);
  CHECK(groups[1].weight_decay == 0.0);
  REQUIRE_FALSE(groups[0].parameters.empty());
  REQUIRE_FALSE(groups[1].parameters.empty());
  for (auto* p : groups[0].parameters) CHECK(p->is_matrix());
  for (auto* p : groups[1].parameters) {
    CHECK_FALSE(p->is_matrix());
    CHECK((p->name.find("bias") != std::string::npos || p->name.find("norm") != std::string::npos));
  }
  CHECK(groups[0].parameters.size() + groups[1].parameters.size() == model.parameter_list().size());
  CHECK(groups[0].parameters.front()->name == "wte.weight");
}
