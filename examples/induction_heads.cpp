// The flagship lesson: watch a transformer learn to learn from its prompt.
//
// A 2-layer attention-only GPT trains on repeated random sequences
//   [q 7 M c ... x] [q 7 M c ... x] [q 7 ...        (a random period of 8..32 tokens)
// The repeats are predictable only by reading the context: find the earlier
// occurrence of the current token and copy what followed it. Partway through
// training the loss drops suddenly (a phase change) as two heads team up into an
// induction circuit (Olsson et al., 2022, arXiv:2209.11895): a previous-token head
// in layer 0 and an induction head in layer 1. Then we check that it is the
// context doing the work: a no-repeat control, head ablation, and typed few-shot
// prompts ("a3 b7 c1 b" -> 7) the model never trained on.
//
// Usage: induction_heads [--retrain] [--steps N] [--layers N] [--heads N] [--seed N] [--out DIR]
// Writes DIR/training.csv (curve and probe scores), DIR/position_loss.csv (loss per
// position over training), DIR/attention_maps.csv, DIR/few_shot.csv and
// DIR/model.ckpt; a rerun loads the model and skips training (--retrain trains again).
#include <cstdio>
#include <cstdlib>
#include <eigenformer/analysis/probes.hpp>
#include <eigenformer/data/lookup_prompts.hpp>
#include <eigenformer/data/repeated_sequence_task.hpp>
#include <eigenformer/io/checkpoint.hpp>
#include <eigenformer/model/gpt.hpp>
#include <eigenformer/optim/adam.hpp>
#include <eigenformer/optim/schedule.hpp>
#include <eigenformer/train/csv_log.hpp>
#include <eigenformer/train/trainer.hpp>
#include <filesystem>
#include <numeric>
#include <string>

using namespace eigenformer;
using Model = GPT<float, AttentionOnlyBlock<float>>;

struct Options {
  bool retrain = false;
  Index steps = 1500;
  GPTConfig config = GPTConfig::induction();
  std::uint64_t seed = 1;
  std::string out = "induction_output";
};

Options parse(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    const bool has_value = i + 1 < argc;
    if (flag == "--retrain")
      options.retrain = true;
    else if (flag == "--steps" && has_value)
      options.steps = std::atol(argv[++i]);
    else if (flag == "--layers" && has_value)
      options.config.num_layers = std::atol(argv[++i]);
    else if (flag == "--heads" && has_value)
      options.config.num_heads = std::atol(argv[++i]);
    else if (flag == "--seed" && has_value)
      options.seed = std::strtoull(argv[++i], nullptr, 10);
    else if (flag == "--out" && has_value)
      options.out = argv[++i];
    else {
      std::fprintf(stderr, "usage: %s [--retrain] [--steps N] [--layers N] [--heads N] [--seed N] [--out DIR]\n",
                   argv[0]);
      std::exit(2);
    }
  }
  return options;
}

/// A fixed set of held-out sequences, and what we measure on them.
struct Evaluation {
  RepeatedSequenceTask task;
  Batch batch, control;
  std::vector<Index> periods;

  Evaluation(const RepeatedSequenceTask& t, std::uint64_t seed) : task(t) {
    Rng rng(seed);
    batch = task.evaluation_batch(128, rng, periods);
    control = task.control_batch(128, rng);
  }

  /// Is the target of position t of sequence b a repeat (predictable from context)?
  bool repeat(Index b, Index t) const {
    return RepeatedSequenceTask::earlier_occurrences(t, periods[std::size_t(b)]) > 0;
  }
  double repeated_accuracy(Model& model) const {
    return accuracy(predict(model, batch), [&](Index b, Index t) { return repeat(b, t); });
  }
};

struct Snapshot {
  double repeated = 0, first = 0, control = 0, icl = 0;
  HeadScores best_previous_token, best_prefix_matching;
  PositionCurves positions;
};

Snapshot measure(Model& model, const Evaluation& evaluation) {
  Snapshot s;
  const Predictions predictions = predict(model, evaluation.batch);
  s.repeated = accuracy(predictions, [&](Index b, Index t) { return evaluation.repeat(b, t); });
  s.first = accuracy(predictions, [&](Index b, Index t) { return !evaluation.repeat(b, t); });
  s.positions = per_position(predictions);
  s.icl = icl_score(s.positions, 1, 8, evaluation.task.length - 16, evaluation.task.length);
  s.control = accuracy(predict(model, evaluation.control));
  for (const auto& head : head_scores(model, evaluation.batch)) {
    if (head.previous_token > s.best_previous_token.previous_token) s.best_previous_token = head;
    if (head.prefix_matching > s.best_prefix_matching.prefix_matching) s.best_prefix_matching = head;
  }
  return s;
}

/// Trains from scratch, measuring every 25 steps. Returns the step of the phase
/// change: the first measurement where accuracy on repeats passes 0.5.
Index train_model(Model& model, const Evaluation& evaluation, const Options& options) {
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

  CsvLog curve(options.out + "/training.csv",
               {"step", "train_loss", "repeated_accuracy", "first_occurrence_accuracy", "control_accuracy",
                "best_previous_token_score", "best_prefix_matching_score", "icl_score"});
  CsvLog position_loss(options.out + "/position_loss.csv", {"step", "position", "loss"});
  Index phase_change = -1;
  for (const auto& [step, s] : snapshots) {
    const double train_loss = step > 0 ? history[std::size_t(step - 1)].loss : std::nan("");
    curve.write({double(step), train_loss, s.repeated, s.first, s.control, s.best_previous_token.previous_token,
                 s.best_prefix_matching.prefix_matching, s.icl});
    for (Index t = 0; t < evaluation.task.length; ++t)
      position_loss.write({double(step), double(t), s.positions.loss[std::size_t(t)]});
    if (phase_change < 0 && s.repeated > 0.5) phase_change = step;
  }
  return phase_change;
}

/// The next token the model predicts after `text`, as a character.
char answer(Model& model, const std::string& text) {
  const Tokens tokens = LookupPrompts::encode(text);
  const auto& logits = model.forward(tokens, 1, Index(tokens.size()));
  Index best = 0;
  logits.row(logits.rows() - 1).maxCoeff(&best);
  return LookupPrompts::decode({int(best)})[0];
}

void few_shot(Model& model, const Options& options) {
  std::printf("\n== Few-shot prompts typed as text (never trained on; letters map to token ids)\n");
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

void write_attention_maps(Model& model, const Evaluation& evaluation, const std::string& path) {
  predict(model, evaluation.batch);
  CsvLog csv(path, {"layer", "head", "query", "key", "weight", "period"});
  const Index T = evaluation.task.length;
  for (Index layer = 0; layer < model.config().num_layers; ++layer)
    for (Index h = 0; h < model.config().num_heads; ++h) {
      const Matrix<float> map = attention_map(model.block(layer).attention(), 0, h, T);
      for (Index i = 0; i < T; ++i)
        for (Index j = 0; j <= i; ++j)
          csv.write({double(layer), double(h), double(i), double(j), double(map(i, j)), double(evaluation.periods[0])});
    }
}

int main(int argc, char** argv) try {
  const Options options = parse(argc, argv);
  std::filesystem::create_directories(options.out);
  const RepeatedSequenceTask task;  // vocab 64, length 64, periods 8..32
  const Evaluation evaluation(task, 424242);
  Model model(options.config, options.seed);
  const std::string checkpoint = options.out + "/model.ckpt";

  std::printf("== A %lld-layer attention-only transformer, %lld heads per layer, %lld parameters\n",
              (long long)options.config.num_layers, (long long)options.config.num_heads,
              (long long)model.num_parameters());
  bool loaded = false;
  if (!options.retrain && std::filesystem::exists(checkpoint)) {
    try {
      load_checkpoint(checkpoint, model);
      loaded = true;
      std::printf("Loaded %s (--retrain to train from scratch)\n", checkpoint.c_str());
    } catch (const Error& error) {
      std::printf("Cannot reuse %s (%s): training\n", checkpoint.c_str(), error.what());
    }
  }
  if (!loaded) {
    std::printf("Training on repeated random sequences: AdamW lr 1e-3, batch 32, %lld steps\n",
                (long long)options.steps);
    const Index phase_change = train_model(model, evaluation, options);
    save_checkpoint(checkpoint, model, options.steps);
    if (phase_change >= 0)
      std::printf("\n== Phase change: accuracy on repeated tokens passed 0.5 at step %lld\n", (long long)phase_change);
    else
      std::printf("\n== No phase change: accuracy on repeated tokens never passed 0.5\n");
    std::printf("   (the curve is in %s/training.csv; loss per position over training in position_loss.csv)\n",
                options.out.c_str());
  }

  const Snapshot s = measure(model, evaluation);
  std::printf("\n== Is it the context? Next-token accuracy on 128 held-out sequences\n");
  std::printf("  repeated tokens (the context tells):  %.3f\n", s.repeated);
  std::printf("  first occurrences (nothing to copy):  %.3f\n", s.first);
  std::printf("  no-repeat control (random tokens):    %.3f   (chance 1/%lld = %.3f)\n", s.control,
              (long long)task.vocab_size, 1.0 / double(task.vocab_size));
  std::printf("  ICL score (late minus early loss):    %+.2f nats\n", s.icl);

  std::printf("\n== Which heads do what (attention scores on the held-out sequences)\n");
  const double baseline = s.repeated;
  for (const auto& head : head_scores(model, evaluation.batch)) {
    auto& attention = model.block(head.layer).attention();
    attention.set_head_enabled(head.head, false);
    const double ablated = evaluation.repeated_accuracy(model);
    attention.set_head_enabled(head.head, true);
    std::printf("  layer %lld head %lld: previous-token %.2f, prefix-matching %.2f; ablated, accuracy %.3f (%+.3f)\n",
                (long long)head.layer, (long long)head.head, head.previous_token, head.prefix_matching, ablated,
                ablated - baseline);
  }
  std::printf("  induction head: layer %lld head %lld (prefix-matching %.2f)\n",
              (long long)s.best_prefix_matching.layer, (long long)s.best_prefix_matching.head,
              s.best_prefix_matching.prefix_matching);
  // Heads can be redundant: switch off every head that prefix-matches, all at once.
  std::string induction_heads;
  for (const auto& head : head_scores(model, evaluation.batch))
    if (head.prefix_matching >= 0.5) {
      model.block(head.layer).attention().set_head_enabled(head.head, false);
      induction_heads += " " + std::to_string(head.layer) + "." + std::to_string(head.head);
    }
  const double without_induction = evaluation.repeated_accuracy(model);
  std::printf("  ablating all induction heads (layer.head:%s) together: accuracy %.3f (%+.3f)\n",
              induction_heads.c_str(), without_induction, without_induction - baseline);
  for (Index layer = 0; layer < model.config().num_layers; ++layer)
    for (Index h = 0; h < model.config().num_heads; ++h) model.block(layer).attention().set_head_enabled(h, true);
  write_attention_maps(model, evaluation, options.out + "/attention_maps.csv");

  few_shot(model, options);
  std::printf("\nNext: plot the CSVs (notebooks/), or run with --layers 1 to see a single layer fail.\n");
} catch (const std::exception& error) {  // a bad flag, file or size: say what, don't crash
  std::fprintf(stderr, "error: %s\n", error.what());
  return 1;
}
