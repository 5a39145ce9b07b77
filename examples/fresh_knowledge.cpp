// Lesson: knowledge is static. What a model learned in training is frozen in its
// weights; the world is not. A model that reads the facts at answer time keeps up.
//
//   1. A world of 320 people, each living in one of 20 cities (tasks/people_and_cities.hpp),
//      written to a lookup file (tools/lookup.hpp: name<TAB>city).
//   2. Two models of the same size, asked in fourteen trained wordings ("where does Kora
//      Velin live?", "Kora Velin lives in which city?", ...). The closed-book model trains
//      twice the steps (memorising 320 facts in fourteen wordings takes longer: at the
//      tool's 1,500 it knew a quarter of them), so the control knows its world:
//        closed-book: <|user_start|>where does Kora Velin live?<|user_end|>
//                     <|assistant_start|>Brenna<|assistant_end|>   (the world's facts)
//        tool:        ...<|assistant_start|><|tool_call_start|>lookup Kora Velin<|tool_call_end|>
//                     <|tool_output_start|>Brenna<|tool_output_end|>Brenna<|assistant_end|>
//      The tool model is trained on random names and random answers, so it learns the
//      skill (copy the name into the call, the tool's answer into the reply), not the
//      world; the tool's output is never a target. One question in five names someone in
//      no file: the tool answers "error: no entry for 'Kora Velin'", and the trained
//      reply is "I have no entry for Kora Velin".
//   3. Then 80 people move and 80 new people appear; the file is updated. Exact match,
//      greedy, through the engine (model/engine.hpp) with the lookup tool on the current
//      file: on facts as trained, on changed facts, on new people; each in the trained
//      wordings and in six held out of training ("where is Kora Velin living?", "Kora
//      Velin: what is their city?", "any idea where Kora Velin lives now?", ...; the last
//      three were added after the first three had guided the choice of trained wordings,
//      so they are the clean check, scored apart in the last table). The
//      closed-book model's answers to changed facts are also scored against the old city
//      (stale). Last, 200 names in no file: who says it has no entry, who names a city.
//
// Usage: fresh_knowledge [--steps N] [--closed-book-steps N] [--seed N] [--out DIR] [--facts FILE]
// Writes DIR/world_before.tsv, DIR/world_after.tsv (edit one and pass it as --facts:
// the tool model answers from it), DIR/results.csv (wording 0 trained, 1 held out; set 0
// trained, 1 changed, 2 new, 3 names in no file (exact_match: the "no entry" reply), 4
// names in no file (the share that names a city); model 0 closed-book, 1 closed-book
// scored against the old city, 2 tool), DIR/frames.csv (facts as trained, by held-out
// wording: form, an index into kWhereQuestions; model 0 closed-book, 2 tool) and the
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

constexpr Index kRows = 12, kTime = 191;  // the longest conversation, an unknown name's, is ~145 tokens
constexpr Index kPeople = 320, kMoved = 80, kNewPeople = 80, kUnknownPeople = 200;

enum class Style { kClosedBook, kTool };

CharTokenizer make_tokenizer() {
  CharTokenizer tokenizer = CharTokenizer::from_text("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ ?':.");
  ChatTokens::add_to(tokenizer);
  return tokenizer;
}

/// A training conversation. Closed-book: a fact of the world, in a trained wording. Tool:
/// lookup_training_conversation (random people: the skill of reading the tool, not the world).
Conversation training_conversation(const PeopleAndCities& world, Style style, Rng& rng) {
  if (style == Style::kTool) return lookup_training_conversation(rng);
  const Resident& resident = world.residents()[std::size_t(rng.uniform_int(Index(world.residents().size())))];
  return answered_from_memory(random_trained_question(resident.name, rng), resident);
}

void train_model(Model& model, const CharTokenizer& tokenizer, const PeopleAndCities& world, Style style,
                 const Options& options, const std::string& name) {
  FineTuneOptions tuning;
  tuning.rows = kRows;
  tuning.time = kTime;
  tuning.seed = options.seed;
  tuning.training.steps = style == Style::kTool ? options.steps : options.closed_book_steps;
  tuning.training.csv_path = options.out + "/" + name + ".csv";
  fine_tune(
      model, tokenizer, [&](Rng& rng) { return training_conversation(world, style, rng); }, tuning);
}

struct Answers {
  std::vector<std::string> said;   // the final answers ("(no answer)" for a reply never finished)
  std::vector<std::string> calls;  // each reply's first tool call, or ""
};

/// Greedy answers to the questions, through the engine with `tools`.
Answers answers(Model& model, const CharTokenizer& tokenizer, const std::vector<std::string>& asked,
                const std::vector<const Tool*>& tools) {
  std::vector<Tokens> prompts;
  prompts.reserve(asked.size());
  for (const std::string& question : asked)
    prompts.push_back(render_prompt(tokenizer, {{Role::kUser, question}}, kTime));
  Engine engine(model, tokenizer, tools, {.max_new_tokens = 120, .max_tool_calls = 2, .batch_size = 100});
  Sampler greedy = Sampler::greedy();
  Answers out;
  for (const Reply& reply : engine.generate(prompts, greedy)) {
    out.said.push_back(reply.finished ? final_answer(tokenizer, reply) : "(no answer)");
    out.calls.push_back(reply.tool_uses.empty() ? "" : reply.tool_uses[0].call);
  }
  return out;
}

struct Asked {
  std::vector<std::string> questions;
  std::vector<std::size_t> forms;  // each question's index in kWhereQuestions
};

/// A question about each name, in a random form of the wording (trained or held out).
Asked questions(const std::vector<std::string>& names, bool held_out, Rng& rng) {
  const Index first = held_out ? Index(kTrainedWhereQuestions) : 0;
  const Index forms = held_out ? Index(kWhereQuestions.size() - kTrainedWhereQuestions) : Index(kTrainedWhereQuestions);
  Asked asked;
  asked.forms.reserve(names.size());
  asked.questions.reserve(names.size());
  for (const std::string& name : names) {
    asked.forms.push_back(std::size_t(first + rng.uniform_int(forms)));
    asked.questions.push_back(question_about(name, asked.forms.back()));
  }
  return asked;
}

/// The share right among the questions asked in `form`.
Proportion agreement_in_form(const std::vector<std::string>& said, const std::vector<std::string>& truth,
                             const Asked& asked, std::size_t form) {
  Proportion share;
  for (std::size_t i = 0; i < said.size(); ++i)
    if (asked.forms[i] == form) share.add(said[i] == truth[i]);
  return share;
}

Proportion agreement(const std::vector<std::string>& said, const std::vector<std::string>& truth) {
  Proportion share;
  for (std::size_t i = 0; i < said.size(); ++i) share.add(said[i] == truth[i]);
  return share;
}

Proportion names_a_city(const std::vector<std::string>& said) {
  Proportion share;
  for (const std::string& answer : said)
    share.add(std::find(std::begin(PeopleAndCities::kCities), std::end(PeopleAndCities::kCities), answer) !=
              std::end(PeopleAndCities::kCities));
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
  PeopleAndCities everyone = after;  // and people in no file: names new to the world
  const std::size_t first_unknown = everyone.add_people(kUnknownPeople, world_rng);
  write_text_file(options.out + "/world_before.tsv", before.as_lookup_file());
  write_text_file(options.out + "/world_after.tsv", after.as_lookup_file());

  const GPTConfig config{.vocab_size = tokenizer.vocab_size(),
                         .block_size = kTime + 1,
                         .num_layers = 3,
                         .num_heads = 4,
                         .channels = 64,
                         .bias = false};
  Model closed_book(config, options.seed), tool(config, options.seed);
  std::printf("== A world of %lld people in %d cities; two LLaMA-style GPTs of %lld parameters\n",
              static_cast<long long>(kPeople), PeopleAndCities::kCityCount,
              static_cast<long long>(closed_book.num_parameters()));
  std::printf("   trained wordings:");
  for (std::size_t form = 0; form < kTrainedWhereQuestions; ++form) std::printf(" \"%s\"", kWhereQuestions[form]);
  std::printf("\n   held out:        ");
  for (std::size_t form = kTrainedWhereQuestions; form < kWhereQuestions.size(); ++form)
    std::printf(" \"%s\"", kWhereQuestions[form]);
  std::printf("\n\n== 1a. Closed-book: trained on the world's facts (%lld steps, so that it knows them)\n",
              static_cast<long long>(options.closed_book_steps));
  train_model(closed_book, tokenizer, before, Style::kClosedBook, options, "closed_book");
  std::printf("\n== 1b. Tool: trained to look facts up (random names and answers; %lld steps)\n",
              static_cast<long long>(options.steps));
  train_model(tool, tokenizer, before, Style::kTool, options, "tool");

  // The sets: facts as trained (people who did not move), changed facts, new people, people in no file.
  std::array<std::vector<std::string>, 4> names, truth;
  std::vector<std::string> old_city;
  for (std::size_t i = 0; i < everyone.residents().size(); ++i) {
    const bool has_moved = std::find(moved.begin(), moved.end(), i) != moved.end();
    const std::size_t set = i >= first_unknown ? 3 : (i >= first_new ? 2 : (has_moved ? 1 : 0));
    names[set].push_back(everyone.residents()[i].name);
    truth[set].push_back(set == 3 ? no_entry_reply(everyone.residents()[i].name) : everyone.residents()[i].city);
    if (has_moved) old_city.push_back(before.residents()[i].city);
  }
  const Lookup current = Lookup::load(options.out + "/world_after.tsv");
  CsvLog results(options.out + "/results.csv",
                 {"wording", "set", "model", "exact_match", "low_95", "high_95", "prompts"});
  const auto write = [&](std::size_t wording, std::size_t set, std::size_t model, const Proportion& share) {
    const auto [low, high] = share.interval_95();
    results.write({double(wording), double(set), double(model), share.value(), low, high, double(share.trials)});
  };
  const char* set_names[] = {"facts as trained", "changed facts", "new people", "names in no file"};
  std::printf("\n== 2. After %lld people moved and %lld arrived: exact match on the current facts (95%% intervals)\n",
              static_cast<long long>(kMoved), static_cast<long long>(kNewPeople));
  std::printf("  %-19s %-24s %-24s %-24s\n", "", "closed-book", "closed-book: old city", "tool + current file");
  Rng rng(options.seed * 7777 + 5);  // wordings drawn apart from every training stream
  struct FrameScore {
    std::size_t form;
    Proportion closed_book, tool;
  };
  std::vector<FrameScore> by_frame;
  for (std::size_t wording = 0; wording < 2; ++wording) {
    std::printf("  %s wordings\n", wording == 0 ? "trained" : "held-out");
    for (std::size_t set = 0; set < 4; ++set) {
      const Asked asked_in = questions(names[set], wording == 1, rng);
      const std::vector<std::string>& asked = asked_in.questions;
      const std::vector<std::string> closed = answers(closed_book, tokenizer, asked, {}).said;
      const Answers tool_answers = answers(tool, tokenizer, asked, {&current});
      const std::vector<std::string>& looked_up = tool_answers.said;
      const Proportion closed_right = agreement(closed, truth[set]), tool_right = agreement(looked_up, truth[set]);
      const Proportion stale = set == 1 ? agreement(closed, old_city) : Proportion{};
      if (wording == 1 && set == 0)
        for (std::size_t form = kTrainedWhereQuestions; form < kWhereQuestions.size(); ++form)
          by_frame.push_back({form, agreement_in_form(closed, truth[set], asked_in, form),
                              agreement_in_form(looked_up, truth[set], asked_in, form)});
      std::printf("    %-17s %-24s %-24s %-24s\n", set_names[set], closed_right.text().c_str(),
                  set == 1 ? stale.text().c_str() : "", tool_right.text().c_str());
      write(wording, set, 0, closed_right);
      if (set == 1) write(wording, set, 1, stale);
      write(wording, set, 2, tool_right);
      if (set == 3) {
        const Proportion closed_city = names_a_city(closed), tool_city = names_a_city(looked_up);
        std::printf("    %-17s %-24s %-24s %-24s\n", "  ... names a city", closed_city.text().c_str(), "",
                    tool_city.text().c_str());
        write(wording, 4, 0, closed_city);
        write(wording, 4, 2, tool_city);
      }
      std::printf("      e.g. \"%s\" %s; closed-book: %s; tool: %s\n", asked[0].c_str(), truth[set][0].c_str(),
                  closed[0].c_str(), looked_up[0].c_str());
      const auto miss = std::mismatch(looked_up.begin(), looked_up.end(), truth[set].begin()).first;
      if (miss != looked_up.end()) {
        const std::size_t i = std::size_t(miss - looked_up.begin());
        std::printf("      the tool's first miss: \"%s\" %s; tool: %s (its call: %s)\n", asked[i].c_str(),
                    truth[set][i].c_str(), looked_up[i].c_str(), tool_answers.calls[i].c_str());
      }
    }
  }
  std::printf("  (chance: 1 in %d cities; the exact match on names in no file is the reply \"%s\")\n",
              PeopleAndCities::kCityCount, no_entry_reply("NAME").c_str());
  std::printf("\n== 3. Facts as trained, by held-out wording\n");
  std::printf("  %-40s %-24s %-24s\n", "", "closed-book", "tool + current file");
  CsvLog frames(options.out + "/frames.csv", {"form", "model", "exact_match", "low_95", "high_95", "prompts"});
  std::array<Proportion, 2> closed_pooled, tool_pooled;  // the first three held-out wordings, the untouched three
  for (const FrameScore& frame : by_frame) {
    std::printf("  %-40s %-24s %-24s\n", kWhereQuestions[frame.form], frame.closed_book.text().c_str(),
                frame.tool.text().c_str());
    const std::size_t untouched = frame.form >= kFirstUntouchedWhereQuestion ? 1 : 0;
    closed_pooled[untouched].successes += frame.closed_book.successes;
    closed_pooled[untouched].trials += frame.closed_book.trials;
    tool_pooled[untouched].successes += frame.tool.successes;
    tool_pooled[untouched].trials += frame.tool.trials;
    for (const auto& [model, share] : {std::pair{0, &frame.closed_book}, std::pair{2, &frame.tool}}) {
      const auto [low, high] = share->interval_95();
      frames.write({double(frame.form), double(model), share->value(), low, high, double(share->trials)});
    }
  }
  for (const std::size_t untouched : {0, 1})
    std::printf("  %-40s %-24s %-24s\n",
                untouched == 1 ? "the last three (untouched by any design)" : "the first three (guided the design)",
                closed_pooled[untouched].text().c_str(), tool_pooled[untouched].text().c_str());

  if (!options.facts.empty()) {
    const Lookup yours = Lookup::load(options.facts);
    std::printf("\n== Your file %s: the tool model asked about (up to) ten of its people\n", options.facts.c_str());
    std::vector<std::string> people = yours.keys();
    people.resize(std::min<std::size_t>(people.size(), 10));
    std::vector<std::string> asked;
    asked.reserve(people.size());
    for (const std::string& person : people) asked.push_back(question_about(person));
    const std::vector<std::string> said = answers(tool, tokenizer, asked, {&yours}).said;
    for (std::size_t i = 0; i < people.size(); ++i) std::printf("  %s %s\n", asked[i].c_str(), said[i].c_str());
  }
  std::printf("\nThe figures are in %s/results.csv; plot them with notebooks/07_tools_and_knowledge.ipynb.\n",
              options.out.c_str());
  examples::check_standard_output();  // a full disk under `> file` is an error, not exit 0
} catch (const std::exception& error) {
  std::fprintf(stderr, "error: %s\n", error.what());
  return 1;
}
