// Lesson: knowledge is static. What a model learned in training is frozen in its
// weights; the world is not. A model that reads the facts at answer time keeps up.
//
//   1. A world of 320 people, each living in one of 20 cities (tasks/people_and_cities.hpp),
//      written to a lookup file (tools/lookup.hpp: name<TAB>city).
//   2. Two models of the same size, trained the same steps:
//        closed-book: <|user_start|>where does Kora Velin live?<|user_end|>
//                     <|assistant_start|>Brenna<|assistant_end|>   (the world's facts)
//        tool:        ...<|assistant_start|><|tool_call_start|>lookup Kora Velin<|tool_call_end|>
//                     <|tool_output_start|>Brenna<|tool_output_end|>Brenna<|assistant_end|>
//      The tool model is trained on random names and random answers, so it learns the
//      skill (copy the name into the call, the tool's answer into the reply), not the
//      world; the tool's output is never a target.
//   3. Then 80 people move and 80 new people appear; the file is updated. Exact match,
//      greedy, through the engine (model/engine.hpp) with the lookup tool on the current
//      file: on facts as trained, on changed facts, on new people. The closed-book
//      model's answers to changed facts are also scored against the old city (stale).
//
// Usage: fresh_knowledge [--steps N] [--seed N] [--out DIR] [--facts FILE]
// Writes DIR/world_before.tsv, DIR/world_after.tsv (edit one and pass it as --facts:
// the tool model answers from it), DIR/results.csv (set 0 trained, 1 changed, 2 new;
// model 0 closed-book, 1 closed-book scored against the old city, 2 tool) and the
// training curves DIR/closed_book.csv and DIR/tool.csv.
#include "command_line/fresh_knowledge.hpp"

#include <CLI/CLI.hpp>
#include <array>
#include <cstdio>
#include <eigenformer/analysis/proportion.hpp>
#include <eigenformer/core/binary_file.hpp>
#include <eigenformer/model/engine.hpp>
#include <eigenformer/model/gpt.hpp>
#include <eigenformer/tasks/people_and_cities.hpp>
#include <eigenformer/text/char_tokenizer.hpp>
#include <eigenformer/text/chat_format.hpp>
#include <eigenformer/tools/lookup.hpp>
#include <eigenformer/train/csv_log.hpp>
#include <eigenformer/train/fine_tune.hpp>
#include <filesystem>
#include <string>
#include <vector>

#include "command_line/checks.hpp"

using namespace eigenformer;
using examples::fresh_knowledge::Options;
using Model = GPT<float, LlamaBlock<float>>;

constexpr Index kRows = 16, kTime = 127;
constexpr Index kPeople = 320, kMoved = 80, kNewPeople = 80;

enum class Style { kClosedBook, kTool };

CharTokenizer make_tokenizer() {
  CharTokenizer tokenizer = CharTokenizer::from_text("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ ?'");
  ChatTokens::add_to(tokenizer);
  return tokenizer;
}

/// A training conversation. Closed-book: a fact of the world. Tool: a random name and a
/// random city as the tool's answer (the skill of reading the tool, not the world).
Conversation training_conversation(const PeopleAndCities& world, Style style, Rng& rng) {
  if (style == Style::kClosedBook)
    return answered_from_memory(world.residents()[std::size_t(rng.uniform_int(Index(world.residents().size())))]);
  return answered_by_lookup(PeopleAndCities::make(1, rng).residents()[0]);
}

void train_model(Model& model, const CharTokenizer& tokenizer, const PeopleAndCities& world, Style style,
                 const Options& options, const std::string& name) {
  FineTuneOptions tuning;
  tuning.rows = kRows;
  tuning.time = kTime;
  tuning.seed = options.seed;
  tuning.training.steps = options.steps;
  tuning.training.csv_path = options.out + "/" + name + ".csv";
  fine_tune(
      model, tokenizer, [&](Rng& rng) { return training_conversation(world, style, rng); }, tuning);
}

/// Greedy answers to "where does NAME live?" for each name, through the engine with `tools`.
std::vector<std::string> answers(Model& model, const CharTokenizer& tokenizer, const std::vector<std::string>& names,
                                 const std::vector<const Tool*>& tools) {
  std::vector<Tokens> prompts;
  prompts.reserve(names.size());
  for (const std::string& name : names)
    prompts.push_back(render_prompt(tokenizer, {{Role::kUser, question_about(name)}}, kTime));
  Engine engine(model, tokenizer, tools, {.max_new_tokens = 64, .max_tool_calls = 2, .batch_size = 100});
  Sampler greedy = Sampler::greedy();
  std::vector<std::string> said;
  said.reserve(names.size());
  for (const Reply& reply : engine.generate(prompts, greedy))
    said.push_back(reply.finished ? final_answer(tokenizer, reply) : "(no answer)");
  return said;
}

Proportion agreement(const std::vector<std::string>& said, const std::vector<std::string>& truth) {
  Proportion share;
  for (std::size_t i = 0; i < said.size(); ++i) share.add(said[i] == truth[i]);
  return share;
}

int main(int argc, char** argv) try {
  tune_process_for_speed();  // this program asks for the process-wide speed settings (core/threads.hpp)
  Options options;
  CLI::App app{"Knowledge is static: a closed-book model beside one that looks facts up, as the world changes."};
  examples::fresh_knowledge::add_options(app, options);
  CLI11_PARSE(app, argc, argv);
  std::filesystem::create_directories(options.out);
  const CharTokenizer tokenizer = make_tokenizer();
  Rng world_rng(options.seed * 31337);
  const PeopleAndCities before = PeopleAndCities::make(kPeople, world_rng);
  PeopleAndCities after = before;
  const std::vector<std::size_t> moved = after.move_people(kMoved, world_rng);
  const std::size_t first_new = after.add_people(kNewPeople, world_rng);
  write_text_file(options.out + "/world_before.tsv", before.as_lookup_file());
  write_text_file(options.out + "/world_after.tsv", after.as_lookup_file());

  const GPTConfig config{.vocab_size = tokenizer.vocab_size(),
                         .block_size = kTime + 1,
                         .num_layers = 3,
                         .num_heads = 4,
                         .channels = 64,
                         .bias = false};
  Model closed_book(config, options.seed), tool(config, options.seed);
  std::printf("== A world of %lld people in %d cities; two LLaMA-style GPTs of %lld parameters, %lld steps each\n",
              static_cast<long long>(kPeople), PeopleAndCities::kCityCount,
              static_cast<long long>(closed_book.num_parameters()), static_cast<long long>(options.steps));
  std::printf("\n== 1a. Closed-book: trained on the world's facts\n");
  train_model(closed_book, tokenizer, before, Style::kClosedBook, options, "closed_book");
  std::printf("\n== 1b. Tool: trained to look facts up (random names and answers)\n");
  train_model(tool, tokenizer, before, Style::kTool, options, "tool");

  // The three sets: facts as trained (people who did not move), changed facts, new people.
  std::array<std::vector<std::string>, 3> names, truth;
  std::vector<std::string> old_city;
  for (std::size_t i = 0; i < before.residents().size(); ++i) {
    const bool has_moved = std::find(moved.begin(), moved.end(), i) != moved.end();
    names[has_moved ? 1 : 0].push_back(after.residents()[i].name);
    truth[has_moved ? 1 : 0].push_back(after.residents()[i].city);
    if (has_moved) old_city.push_back(before.residents()[i].city);
  }
  for (std::size_t i = first_new; i < after.residents().size(); ++i) {
    names[2].push_back(after.residents()[i].name);
    truth[2].push_back(after.residents()[i].city);
  }
  const Lookup current = Lookup::load(options.out + "/world_after.tsv");
  CsvLog results(options.out + "/results.csv", {"set", "model", "exact_match", "low_95", "high_95", "prompts"});
  const char* set_names[] = {"facts as trained", "changed facts", "new people"};
  std::printf("\n== 2. After %lld people moved and %lld arrived: exact match on the current facts (95%% intervals)\n",
              static_cast<long long>(kMoved), static_cast<long long>(kNewPeople));
  std::printf("  %-17s %-24s %-24s %-24s\n", "", "closed-book", "closed-book: old city", "tool + current file");
  for (std::size_t set = 0; set < 3; ++set) {
    const std::vector<std::string> closed = answers(closed_book, tokenizer, names[set], {});
    const std::vector<std::string> looked_up = answers(tool, tokenizer, names[set], {&current});
    const Proportion closed_right = agreement(closed, truth[set]), tool_right = agreement(looked_up, truth[set]);
    const Proportion stale = set == 1 ? agreement(closed, old_city) : Proportion{};
    std::printf("  %-17s %-24s %-24s %-24s\n", set_names[set], closed_right.text().c_str(),
                set == 1 ? stale.text().c_str() : "", tool_right.text().c_str());
    const std::array<const Proportion*, 3> by_model{&closed_right, &stale, &tool_right};
    for (std::size_t model = 0; model < by_model.size(); ++model) {
      if (by_model[model]->trials == 0) continue;
      const auto [low, high] = by_model[model]->interval_95();
      results.write({double(set), double(model), by_model[model]->value(), low, high, double(names[set].size())});
    }
    std::printf("    e.g. where does %s live? %s; closed-book: %s; tool: %s\n", names[set][0].c_str(),
                truth[set][0].c_str(), closed[0].c_str(), looked_up[0].c_str());
  }
  std::printf("  (chance: 1 in %d cities)\n", PeopleAndCities::kCityCount);

  if (!options.facts.empty()) {
    const Lookup yours = Lookup::load(options.facts);
    std::printf("\n== Your file %s: the tool model asked about (up to) ten of its people\n", options.facts.c_str());
    std::vector<std::string> people = yours.keys();
    people.resize(std::min<std::size_t>(people.size(), 10));
    const std::vector<std::string> said = answers(tool, tokenizer, people, {&yours});
    for (std::size_t i = 0; i < people.size(); ++i)
      std::printf("  where does %s live? %s\n", people[i].c_str(), said[i].c_str());
  }
  std::printf("\nThe figures are in %s/results.csv; plot them with notebooks/07_tools_and_knowledge.ipynb.\n",
              options.out.c_str());
  examples::check_standard_output();  // a full disk under `> file` is an error, not exit 0
} catch (const std::exception& error) {
  std::fprintf(stderr, "error: %s\n", error.what());
  return 1;
}
