// The flagship lesson: watch a transformer learn to learn from its prompt.
//
// A 2-layer attention-only GPT trains on repeated random sequences
//   [u v w] [q 7 M c ... x] [q 7 M c ... x] [q 7 ...    (fillers, then a period of 8..32)
// The repeats are predictable only by reading the context: find the earlier
// occurrence of the current token and copy what followed it. Partway through
// training the loss drops suddenly (a phase change) as two heads team up into an
// induction circuit (Olsson et al., 2022, arXiv:2209.11895): a previous-token head
// in layer 0 and an induction head in layer 1. Then we check that it is the
// context doing the work: a no-repeat control, head ablation, and typed few-shot
// prompts ("a3 b7 c1 b" -> 7) the model never trained on.
//
// A model learns the cheapest rule its data allows. Beside the general model, a
// second one trains on the same task with every segment starting at position 0:
// it only ever needs to look early in the context, and that is all it learns. The
// table of accuracy by where the pattern first appears shows the shortcut, and the
// general data (a random run of fillers first) as its cure.
//
// Usage: induction_heads [--retrain] [--steps N] [--layers N] [--heads N] [--seed N] [--out DIR]
// Writes to DIR, for the general model (and shortcut_* for the other): training.csv
// (curve and probe scores), position_loss.csv (loss per position over training),
// attention_maps.csv (a sequence whose pattern starts late), and for both:
// offsets.csv (accuracy by where the pattern first appears), prefix_matching_by_key.csv,
// reassigned_key.csv, few_shot.csv, and the models (model.ckpt, shortcut_model.ckpt);
// a rerun loads the models and skips training (--retrain trains again).
#include "command_line/induction_heads.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <eigenformer/analysis/probes.hpp>
#include <eigenformer/analysis/proportion.hpp>
#include <eigenformer/io/checkpoint.hpp>
#include <eigenformer/model/gpt.hpp>
#include <eigenformer/optim/adam.hpp>
#include <eigenformer/optim/schedule.hpp>
#include <eigenformer/tasks/lookup_prompts.hpp>
#include <eigenformer/tasks/repeated_sequence_task.hpp>
#include <eigenformer/train/csv_log.hpp>
#include <eigenformer/train/trainer.hpp>
#include <filesystem>
#include <map>
#include <numeric>
#include <string>
#include <tuple>

#include "command_line/checks.hpp"

using namespace eigenformer;
using Model = GPT<float, AttentionOnlyBlock<float>>;

using examples::induction_heads::Options;

/// Held-out sequences from one distribution, and what we measure on them.
struct Evaluation {
  RepeatedSequenceTask task;
  Batch batch, control;
  std::vector<SequenceLayout> layouts;

  Evaluation(const RepeatedSequenceTask& t, std::uint64_t seed) : task(t) {
    Rng rng(seed);
    batch = task.evaluation_batch(256, rng, layouts);
    control = task.control_batch(128, rng);
  }

  bool copyable(Index b, Index t) const { return layouts[std::size_t(b)].copyable(t); }
  double copy_accuracy(Model& model) const {
    return accuracy(predict(model, batch), [&](Index b, Index t) { return copyable(b, t); });
  }
};

/// Right answers over the positions where keep(b, t) holds, as a count with an interval.
template <class Keep>
Proportion count_correct(const Predictions& predictions, Keep&& keep) {
  Proportion right;
  for (Index b = 0; b < predictions.batch; ++b)
    for (Index t = 0; t < predictions.time; ++t)
      if (keep(b, t)) right.add(predictions.correct[std::size_t(b * predictions.time + t)] == 1);
  return right;
}

struct Snapshot {
  Proportion copyable, boundary, first, control;
  double icl = 0;
  HeadScores best_previous_token, best_prefix_matching;
  PositionCurves positions;
};

Snapshot measure(Model& model, const Evaluation& evaluation) {
  Snapshot s;
  const Predictions predictions = predict(model, evaluation.batch);
  const auto& layouts = evaluation.layouts;
  s.copyable = count_correct(predictions, [&](Index b, Index t) { return layouts[std::size_t(b)].copyable(t); });
  s.boundary = count_correct(predictions, [&](Index b, Index t) { return layouts[std::size_t(b)].boundary(t); });
  s.first = count_correct(predictions, [&](Index b, Index t) {
    return !layouts[std::size_t(b)].copyable(t) && !layouts[std::size_t(b)].boundary(t);
  });
  s.positions = per_position(predictions);
  s.icl = icl_score(s.positions, 1, 8, evaluation.task.length - 16, evaluation.task.length);
  s.control = count_correct(predict(model, evaluation.control), [](Index, Index) { return true; });
  for (const auto& head : head_scores(model, evaluation.batch)) {
    if (head.previous_token > s.best_previous_token.previous_token) s.best_previous_token = head;
    if (head.prefix_matching > s.best_prefix_matching.prefix_matching) s.best_prefix_matching = head;
  }
  return s;
}

/// Trains from scratch on the evaluation's distribution, measuring every 25 steps, and
/// writes the curves under `prefix`. Returns the step of the phase change: the first
/// measurement where accuracy on copyable tokens passes 0.5.
Index train_model(Model& model, const Evaluation& evaluation, const Options& options, const std::string& prefix) {
  AdamWOptions adam;
  adam.lr = 1e-3;
  AdamW<float> optimizer(model.parameter_list(), adam);
  std::vector<std::pair<Index, Snapshot>> snapshots{{0, measure(model, evaluation)}};
  TrainingOptions training;
  training.steps = options.steps;
  training.eval_every = 25;
  const auto history = train(
      model, optimizer, ConstantSchedule{adam.lr},
      [&](Index step, Index) {
        Rng rng(options.seed * 1000003 + std::uint64_t(step));
        return evaluation.task.batch(32, rng);
      },
      training,
      [&] {  // the evaluation loss, and all the probes beside it
        snapshots.emplace_back(optimizer.step_count(), measure(model, evaluation));
        const auto& loss = snapshots.back().second.positions.loss;
        return std::accumulate(loss.begin(), loss.end(), 0.0) / double(loss.size());
      });

  CsvLog curve(options.out + "/" + prefix + "training.csv",
               {"step", "train_loss", "copyable_accuracy", "boundary_accuracy", "first_occurrence_accuracy",
                "control_accuracy", "best_previous_token_score", "best_prefix_matching_score", "icl_score"});
  CsvLog position_loss(options.out + "/" + prefix + "position_loss.csv", {"step", "position", "loss"});
  Index phase_change = -1;
  for (const auto& [step, s] : snapshots) {
    const double train_loss = step > 0 ? history[std::size_t(step - 1)].loss : std::nan("");
    curve.write({double(step), train_loss, s.copyable.value(), s.boundary.value(), s.first.value(), s.control.value(),
                 s.best_previous_token.previous_token, s.best_prefix_matching.prefix_matching, s.icl});
    for (Index t = 0; t < evaluation.task.length; ++t)
      position_loss.write({double(step), double(t), s.positions.loss[std::size_t(t)]});
    if (phase_change < 0 && s.copyable.value() > 0.5) phase_change = step;
  }
  return phase_change;
}

/// Loads `path` into the model, or trains it and saves it there. A saved model of other
/// settings (say --layers 1 over a 2-layer model) or a damaged file is an error, never
/// silently trained over: --retrain replaces it, --out keeps it and writes elsewhere.
void load_or_train(Model& model, const Evaluation& evaluation, const Options& options, const std::string& prefix,
                   const char* description) {
  const std::string path = options.out + "/" + prefix + "model.ckpt";
  if (!options.retrain && std::filesystem::exists(path)) {
    try {
      load_checkpoint(path, model);
    } catch (const Error& error) {
      throw Error(std::string(error.what()) + "\n(--retrain replaces it; --out DIR keeps it and writes to DIR)");
    }
    std::printf("Loaded the %s model from %s (--retrain to train from scratch)\n", description, path.c_str());
    return;
  }
  std::printf("\nTraining the %s model: AdamW lr 1e-3, batch 32, %lld steps\n", description, (long long)options.steps);
  const Index phase_change = train_model(model, evaluation, options, prefix);
  save_checkpoint(path, model, options.steps);
  if (phase_change >= 0)
    std::printf("== Phase change: accuracy on copyable tokens passed 0.5 at step %lld\n", (long long)phase_change);
  else
    std::printf("== No phase change: accuracy on copyable tokens never passed 0.5\n");
  std::printf("   (the curve is in %s/%straining.csv; loss per position over training in %sposition_loss.csv)\n",
              options.out.c_str(), prefix.c_str(), prefix.c_str());
}

void report_context(Model& model, const Evaluation& evaluation) {
  const Snapshot s = measure(model, evaluation);
  std::printf("\n== Is it the context? The general model's next-token accuracy on %lld held-out sequences\n",
              (long long)evaluation.batch.batch);
  std::printf("   (each figure with its 95%% interval; the three kinds of target are scored apart)\n");
  std::printf("  copyable: the current token occurred before, copy what followed it  %s\n", s.copyable.text().c_str());
  std::printf("  boundary: the segment's first token again, after its first copy    %s\n", s.boundary.text().c_str());
  std::printf("            (follows a token seen once: nothing in the context predicts it)\n");
  std::printf("  first occurrences: fillers and the first copy, nothing to copy       %s\n", s.first.text().c_str());
  std::printf("            (never trained: the model guesses a token it has seen, and a new token never is one)\n");
  std::printf("  no-repeat control: independent random tokens (chance 1/%lld = %.3f) %s\n",
              (long long)evaluation.task.vocab_size, 1.0 / double(evaluation.task.vocab_size),
              s.control.text().c_str());
  std::printf("  ICL score (late minus early loss):                                   %+.2f nats\n", s.icl);
}

/// Accuracy on copyable tokens when every sequence is one segment from `start`.
Proportion copy_accuracy_at(Model& model, const RepeatedSequenceTask& task, Index start, Index period) {
  const SequenceLayout layout = SequenceLayout::one_run(start, period);
  Rng rng(std::uint64_t(31337 + 1000 * period + start));
  std::vector<SequenceLayout> layouts;
  const Batch batch = task.evaluation_batch(64, rng, layouts, &layout);
  return count_correct(predict(model, batch), [&](Index, Index t) { return layout.copyable(t); });
}

/// The next token the model predicts after `text`, as a character.
char answer(Model& model, const std::string& text) {
  const Tokens tokens = LookupPrompts::encode(text);
  const auto& logits = model.forward(tokens, 1, Index(tokens.size()));
  Index best = 0;
  logits.row(logits.rows() - 1).maxCoeff(&best);
  return LookupPrompts::decode({int(best)})[0];
}

/// The lesson's table: accuracy against where the pattern first appears, both models
/// side by side; every offset goes to the CSV, every 8th to the screen.
void report_offsets(Model& shortcut, Model& general, const RepeatedSequenceTask& task, const Options& options) {
  std::printf("\n== Where may the pattern first appear? Accuracy on copyable tokens, 64 new sequences per cell\n");
  std::printf(
      "   (never-repeated fillers, then the segment from the given position; every start where two copies fit)\n");
  std::printf("  segment starts at     period 10: shortcut  general     period 16: shortcut  general\n");
  CsvLog csv(options.out + "/offsets.csv", {"period", "start", "first_copy_end", "shortcut", "general"});
  std::map<Index, std::array<std::string, 2>> rows;  // start -> the two periods' cells
  std::map<Index, std::pair<double, double>> worst;  // period -> the lowest accuracy of each model
  for (Index period : {10, 16}) {
    worst[period] = {1, 1};
    for (Index start = 0; start <= task.latest_start(period); ++start) {
      const double a = copy_accuracy_at(shortcut, task, start, period).value();
      const double b = copy_accuracy_at(general, task, start, period).value();
      csv.write({double(period), double(start), double(start + period - 1), a, b});
      worst[period] = {std::min(worst[period].first, a), std::min(worst[period].second, b)};
      char cell[64];
      std::snprintf(cell, sizeof cell, "%19.3f %8.3f", a, b);
      if (start % 8 == 0) rows[start][period == 10 ? 0 : 1] = cell;
    }
  }
  for (const auto& [start, cells] : rows)
    std::printf("  %17lld %s   %s\n", (long long)start, cells[0].c_str(),
                cells[1].empty() ? "         (no room for two copies)" : cells[1].c_str());
  std::printf("  %17s %19.3f %8.3f   %19.3f %8.3f\n", "worst start", worst[10].first, worst[10].second, worst[16].first,
              worst[16].second);
  std::printf("  (the shortcut model trained only on segments starting at 0; the general one on every start)\n");
}

/// The head that prefix-matches most: the induction head.
HeadScores best_induction_head(Model& model, const Batch& batch) {
  const auto scores = head_scores(model, batch);
  return *std::max_element(scores.begin(), scores.end(), [](const HeadScores& x, const HeadScores& y) {
    return x.prefix_matching < y.prefix_matching;
  });
}

/// Prefix matching of each model's best induction head, by where the matching key lies.
void report_key_positions(Model& shortcut, Model& general, const Evaluation& evaluation, const Options& options) {
  const Index bin = 8;
  const auto shortcut_profiles = prefix_matching_by_key_position(shortcut, evaluation.batch, bin);
  const auto general_profiles = prefix_matching_by_key_position(general, evaluation.batch, bin);
  CsvLog csv(options.out + "/prefix_matching_by_key.csv", {"layer", "head", "key_bin_start", "shortcut", "general"});
  for (std::size_t i = 0; i < general_profiles.size(); ++i)
    for (std::size_t k = 0; k < general_profiles[i].by_key_bin.size(); ++k)
      csv.write({double(general_profiles[i].layer), double(general_profiles[i].head), double(Index(k) * bin),
                 shortcut_profiles[i].by_key_bin[k], general_profiles[i].by_key_bin[k]});

  std::printf("\n== Which part of the context can the induction head read? Its attention on the matching key\n");
  std::printf("   (the key after the one earlier occurrence of the current token), by that key's position\n");
  std::printf("   (-: no held-out query has its one match there)\n");
  std::printf("  %-22s", "key positions");
  const long long bins = static_cast<long long>(general_profiles[0].by_key_bin.size());
  for (long long from = 0; from < bins * bin; from += bin) std::printf(" %5lld-%-2lld", from, from + bin - 1);
  std::printf("\n");
  for (const auto& [name, model, profiles] :
       {std::tuple{"shortcut", &shortcut, &shortcut_profiles}, std::tuple{"general", &general, &general_profiles}}) {
    const HeadScores best = best_induction_head(*model, evaluation.batch);
    const auto& profile = *std::find_if(profiles->begin(), profiles->end(), [&](const PrefixMatchingProfile& p) {
      return p.layer == best.layer && p.head == best.head;
    });
    std::printf("  %-8s layer %lld head %lld", name, (long long)best.layer, (long long)best.head);
    for (double score : profile.by_key_bin) std::isnan(score) ? std::printf("        -") : std::printf(" %8.2f", score);
    std::printf("\n");
  }
}

/// How often each model answers a reassigned key's earliest value, and its latest.
void report_reassigned_keys(Model& shortcut, Model& general, const Options& options) {
  std::printf("\n== A key assigned twice (\"a3 b7 c1 b9 d2 b\"): which value is answered? 200 prompts per row\n");
  std::printf("  pairs   shortcut: earliest  latest    general: earliest  latest\n");
  CsvLog csv(options.out + "/reassigned_key.csv",
             {"pairs", "shortcut_earliest", "shortcut_latest", "general_earliest", "general_latest"});
  for (Index pairs : {3, 6, 12}) {
    Proportion earliest[2], latest[2];
    Rng rng(std::uint64_t(500 + pairs));
    for (int i = 0; i < 200; ++i) {
      const auto prompt = LookupPrompts::reassigned_prompt(pairs, rng);
      for (int m = 0; m < 2; ++m) {
        const char said = answer(m == 0 ? shortcut : general, prompt.text);
        earliest[m].add(said == prompt.earliest);
        latest[m].add(said == prompt.latest);
      }
    }
    std::printf("  %5lld %18.2f %7.2f %18.2f %7.2f\n", (long long)pairs, earliest[0].value(), latest[0].value(),
                earliest[1].value(), latest[1].value());
    csv.write({double(pairs), earliest[0].value(), latest[0].value(), earliest[1].value(), latest[1].value()});
  }
}

void few_shot(Model& model, const Options& options) {
  std::printf(
      "\n== The general model on few-shot prompts typed as text (never trained on; letters map to token ids)\n");
  const std::pair<const char*, const char*> prompts[] = {
      {"a3 b7 c1 b", "7: b was followed by 7"},
      {"a3 b9 c1 b", "9: counterfactual, the same prompt with b remapped"},
      {"x5 q2 m8 k4 q", "2"},
      {"x5 q6 m8 k4 q", "6: counterfactual"},
      {"a3 b7 c1 d", "anything: d never occurred, nothing to copy"}};
  for (const auto& [text, expected] : prompts)
    std::printf("  \"%s\" -> '%c'   (expected %s)\n", text, answer(model, text), expected);

  std::printf("\n== Accuracy against the number of examples in the prompt (200 random prompts each)\n");
  std::printf("  examples   key in prompt   key absent   counterfactual\n");
  CsvLog csv(options.out + "/few_shot.csv", {"examples", "key_in_prompt", "key_absent", "counterfactual"});
  Rng rng(7);
  for (Index examples : {1, 2, 3, 4, 6, 8, 12, 16, 20}) {
    Index present = 0, absent = 0, counterfactual = 0;
    for (int i = 0; i < 200; ++i) {
      const auto prompt = LookupPrompts::random_prompt(examples, true, rng);
      present += answer(model, prompt.text) == prompt.answer;
      std::string remapped = prompt.text;  // change the query key's value everywhere it appears
      const char query = remapped.back(), other = char('0' + (prompt.answer - '0' + 1 + rng.uniform_int(9)) % 10);
      for (std::size_t c = 0; c + 1 < remapped.size(); c += 3)
        if (remapped[c] == query) remapped[c + 1] = other;
      counterfactual += answer(model, remapped) == other;
      const auto missing = LookupPrompts::random_prompt(examples, false, rng);
      absent += answer(model, missing.text) == missing.answer;
    }
    std::printf("  %8lld   %13.2f   %10.2f   %14.2f\n", (long long)examples, present / 200.0, absent / 200.0,
                counterfactual / 200.0);
    csv.write({double(examples), present / 200.0, absent / 200.0, counterfactual / 200.0});
  }
  std::printf("  (key absent: the digit is unknowable, chance is 0.10 at best)\n");
}

/// Every head's attention on one sequence whose segment starts late (position 30,
/// period 12): the induction stripes must reach past the middle of the context.
void write_attention_maps(Model& model, const RepeatedSequenceTask& task, const std::string& path) {
  const Index start = 30, period = 12;
  const SequenceLayout late = SequenceLayout::one_run(start, period);
  Rng rng(8);
  std::vector<SequenceLayout> layouts;
  const auto activations = record_activations(model, task.evaluation_batch(1, rng, layouts, &late));
  CsvLog csv(path, {"layer", "head", "query", "key", "weight", "start", "period"});
  const Index T = task.length;
  for (Index layer = 0; layer < model.config().num_layers; ++layer)
    for (Index h = 0; h < model.config().num_heads; ++h) {
      const Matrix<float> map = attention_map(activations.blocks[std::size_t(layer)].attention, 0, h);
      for (Index i = 0; i < T; ++i)
        for (Index j = 0; j <= i; ++j)
          csv.write({double(layer), double(h), double(i), double(j), double(map(i, j)), double(start), double(period)});
    }
}

/// Each head's scores, and what switching it off costs the general model.
void report_heads(Model& model, const Evaluation& evaluation) {
  std::printf("\n== Which heads do what in the general model (attention scores on the held-out sequences)\n");
  const double baseline = evaluation.copy_accuracy(model);
  for (const auto& head : head_scores(model, evaluation.batch)) {
    auto& attention = model.block(head.layer).attention();
    attention.set_head_enabled(head.head, false);
    const double ablated = evaluation.copy_accuracy(model);
    attention.set_head_enabled(head.head, true);
    std::printf("  layer %lld head %lld: previous-token %.2f, prefix-matching %.2f; ablated, accuracy %.3f (%+.3f)\n",
                (long long)head.layer, (long long)head.head, head.previous_token, head.prefix_matching, ablated,
                ablated - baseline);
  }
  // Heads can be redundant: switch off every head that prefix-matches, all at once.
  std::string induction_heads;
  for (const auto& head : head_scores(model, evaluation.batch))
    if (head.prefix_matching >= 0.5) {
      model.block(head.layer).attention().set_head_enabled(head.head, false);
      induction_heads += " " + std::to_string(head.layer) + "." + std::to_string(head.head);
    }
  const double without_induction = evaluation.copy_accuracy(model);
  std::printf("  ablating all induction heads (layer.head:%s) together: accuracy %.3f (%+.3f)\n",
              induction_heads.c_str(), without_induction, without_induction - baseline);
  for (Index layer = 0; layer < model.config().num_layers; ++layer)
    for (Index h = 0; h < model.config().num_heads; ++h) model.block(layer).attention().set_head_enabled(h, true);
}

int main(int argc, char** argv) try {
  tune_process_for_speed();  // this program asks for the process-wide speed settings (core/threads.hpp)
  Options options;
  CLI::App app{"In-context learning: induction heads form, beside a model that learned a shortcut."};
  examples::induction_heads::add_options(app, options);
  CLI11_PARSE(app, argc, argv);
  std::filesystem::create_directories(options.out);
  const RepeatedSequenceTask general_task;  // vocab 64, length 64, periods 8..32, segments start anywhere
  const RepeatedSequenceTask shortcut_task{.start = RepeatedSequenceTask::Start::kAtZero};
  const Evaluation general_evaluation(general_task, 424242), shortcut_evaluation(shortcut_task, 424242);
  Model general(options.config, options.seed), shortcut(options.config, options.seed);

  std::printf("== Two %lld-layer attention-only transformers, %lld heads per layer, %lld parameters each\n",
              (long long)options.config.num_layers, (long long)options.config.num_heads,
              (long long)general.num_parameters());
  std::printf("   the same seed and steps; only the data differs. Where the repeated segment starts:\n");
  std::printf("   general: anywhere, after a random run of never-repeated fillers; shortcut: always at 0\n");
  load_or_train(general, general_evaluation, options, "", "general");
  load_or_train(shortcut, shortcut_evaluation, options, "shortcut_", "shortcut");

  report_context(general, general_evaluation);
  report_offsets(shortcut, general, general_task, options);
  report_key_positions(shortcut, general, general_evaluation, options);
  report_heads(general, general_evaluation);
  write_attention_maps(general, general_task, options.out + "/attention_maps.csv");
  write_attention_maps(shortcut, general_task, options.out + "/shortcut_attention_maps.csv");
  report_reassigned_keys(shortcut, general, options);
  few_shot(general, options);
  std::printf("\nNext: plot the CSVs (notebooks/), or see a single layer fail: --layers 1 --out induction_1_layer\n");
  examples::check_standard_output();     // a full disk under `> file` is an error, not exit 0
} catch (const std::exception& error) {  // a bad flag, file or size: say what, don't crash
  std::fprintf(stderr, "error: %s\n", error.what());
  return 1;
}
