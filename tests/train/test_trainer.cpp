#include "test_helpers.hpp"

using namespace eigenformer;

namespace {

GPTConfig trainer_config() {
  return {.vocab_size = 9, .block_size = 6, .num_layers = 1, .num_heads = 2, .channels = 8};
}

Batch random_batch(Index batch_size, std::uint64_t seed) {
  Rng rng(seed);
  Batch batch{{}, {}, batch_size, 6};
  for (Index n = 0; n < batch_size * 6; ++n) batch.tokens.push_back(int(rng.uniform_int(9)));
  for (Index n = 0; n < batch_size * 6; ++n) batch.targets.push_back(int(rng.uniform_int(9)));
  return batch;
}

TrainingOptions quiet(Index steps) {
  TrainingOptions options;
  options.steps = steps;
  options.show_progress = false;
  return options;
}

}  // namespace

TEST_CASE("Trainer: gradient accumulation over two halves equals one step on the whole batch") {
  const Batch whole = random_batch(4, 1);
  const auto half = [&](Index micro) {
    Batch part{{}, {}, 2, 6};
    part.tokens.assign(whole.tokens.begin() + micro * 12, whole.tokens.begin() + micro * 12 + 12);
    part.targets.assign(whole.targets.begin() + micro * 12, whole.targets.begin() + micro * 12 + 12);
    return part;
  };
  GPT<double> a(trainer_config(), 1), b(trainer_config(), 1);
  SGD<double> sgd_a(a.parameter_list(), {0.1}), sgd_b(b.parameter_list(), {0.1});
  train(
      a, sgd_a, ConstantSchedule{0.1}, [&](Index, Index) { return whole; }, quiet(1));
  TrainingOptions accumulate = quiet(1);
  accumulate.gradient_accumulation = 2;
  train(
      b, sgd_b, ConstantSchedule{0.1}, [&](Index, Index micro) { return half(micro); }, accumulate);
  const auto pa = a.parameter_list(), pb = b.parameter_list();
  for (std::size_t i = 0; i < pa.size(); ++i) CHECK(pa[i]->value.isApprox(pb[i]->value, 1e-12));
}

TEST_CASE("Trainer: records, CSV log, schedule, evaluation and clipping") {
  const std::string csv = testing::scratch_path("log.csv");
  GPT<float> model(trainer_config(), 1);
  AdamW<float> optimizer(model.parameter_list());
  TrainingOptions options = quiet(4);
  options.csv_path = csv;
  options.eval_every = 2;
  options.clip_grad_norm = 1e-3;
  int evaluations = 0;
  const auto history = train(
      model, optimizer, WarmupCosineSchedule{1e-2, 2, 4, 0.0},
      [](Index step, Index) { return random_batch(2, 9 + std::uint64_t(step)); }, options,
      [&] { return double(++evaluations); });
  REQUIRE(history.size() == 4);
  CHECK(history[0].learning_rate == doctest::Approx(5e-3));
  CHECK(history[1].learning_rate == doctest::Approx(1e-2));
  CHECK(std::isnan(history[0].eval_loss));
  CHECK(history[1].eval_loss == 1.0);
  CHECK(history[3].eval_loss == 2.0);
  CHECK(history[2].tokens_per_second > 0);
  CHECK(history[0].grad_norm > 1e-3);  // the norm before clipping is what is reported
  std::ifstream in(csv);
  std::string header, line;
  std::getline(in, header);
  CHECK(header == "step,loss,learning_rate,grad_norm,tokens_per_second,eval_loss");
  int rows = 0;
  while (std::getline(in, line)) ++rows;
  CHECK(rows == 4);
}

TEST_CASE("Trainer: a non-finite loss or gradient stops training with the step, tensor and learning rate") {
  GPT<float> model(trainer_config(), 1);
  AdamW<float> optimizer(model.parameter_list());
  const auto batches = [](Index step, Index) { return random_batch(2, std::uint64_t(step)); };
  model.parameter_list()[2]->value(0, 0) = std::numeric_limits<float>::quiet_NaN();  // blocks.0.norm_1.weight
  testing::require_error_mentions([&] { train(model, optimizer, ConstantSchedule{0.5}, batches, quiet(3)); },
                                  {"step 1", "loss is nan", "learning rate 0.5"});

  GPT<float> exploding(trainer_config(), 1);
  SGD<float> sgd(exploding.parameter_list(), {1e30});
  testing::require_error_mentions([&] { train(exploding, sgd, ConstantSchedule{1e30}, batches, quiet(50)); },
                                  {"step ", "learning rate 1e+30"});

  // A schedule that gives NaN is named as such (not "try a smaller learning rate"), before any step.
  GPT<float> fresh(trainer_config(), 1);
  AdamW<float> adam(fresh.parameter_list());
  const Matrix<float> before = fresh.parameter_list()[0]->value;
  testing::require_error_mentions([&] { train(fresh, adam, ConstantSchedule{std::nan("")}, batches, quiet(3)); },
                                  {"step 1", "the schedule gave the learning rate nan"});
  CHECK(fresh.parameter_list()[0]->value == before);
}

TEST_CASE(
    "Trainer: a diverging run stops with the step, the ratio and the learning rate, and its last save stays good") {
  const auto batches = [](Index step, Index) { return random_batch(2, std::uint64_t(step)); };
  const std::string path = (std::filesystem::temp_directory_path() / "eigenformer_test_diverging.ckpt").string();
  std::filesystem::remove(path);
  GPT<float> model(trainer_config(), 1);
  SGD<float> sgd(model.parameter_list(), {300});  // loss climbs, finite, well past 10x
  TrainingOptions options = quiet(200);
  options.checkpoint_path = path;
  options.checkpoint_every = 1;
  testing::require_error_mentions([&] { train(model, sgd, ConstantSchedule{300}, batches, options); },
                                  {"is more than 10x the first step's", "learning rate 300", "training diverged"});
  GPT<float> saved(trainer_config(), 1);
  load_checkpoint(path, saved);  // every step saved was one before the loss crossed the bound
  for (const auto* p : saved.parameter_list()) CHECK(p->value.allFinite());
  const Batch probe = random_batch(2, 7);
  CHECK(saved.forward(probe.tokens, 2, 6).allFinite());
  std::filesystem::remove(path);

  GPT<float> allowed(trainer_config(), 1);  // max_loss_ratio 0: no divergence check, the finite checks remain
  SGD<float> sgd_allowed(allowed.parameter_list(), {300});
  TrainingOptions unchecked = quiet(20);
  unchecked.max_loss_ratio = 0;
  CHECK_NOTHROW(train(allowed, sgd_allowed, ConstantSchedule{300}, batches, unchecked));
  unchecked.max_loss_ratio = -1;
  testing::require_error_mentions([&] { train(allowed, sgd_allowed, ConstantSchedule{0.1}, batches, unchecked); },
                                  {"max_loss_ratio must be finite and >= 0", "got -1"});
}

TEST_CASE("Trainer: the same seed and thread count give bit-identical losses over 30 steps") {
  // Big enough that attention and the matrix products take their multi-threaded paths.
  const GPTConfig config{
      .vocab_size = 32, .block_size = 32, .num_layers = 2, .num_heads = 4, .channels = 64, .dropout = 0.1};
  const auto run = [&](int threads) {
    set_num_threads(threads);
    GPT<float> model(config, 11);
    AdamW<float> optimizer(model.parameter_list());
    const auto next_batch = [](Index step, Index) {
      Rng rng(100 + std::uint64_t(step));
      Batch batch{{}, {}, 8, 32};
      for (Index n = 0; n < 2 * 8 * 32; ++n)
        (n < 8 * 32 ? batch.tokens : batch.targets).push_back(int(rng.uniform_int(32)));
      return batch;
    };
    std::vector<double> losses;
    for (const StepRecord& record : train(model, optimizer, WarmupCosineSchedule{1e-3, 5, 30}, next_batch, quiet(30)))
      losses.push_back(record.loss);
    return losses;
  };
  for (int threads : {1, 2}) {
    CAPTURE(threads);
    const std::vector<double> first = run(threads), second = run(threads);
    REQUIRE(first.size() == 30);
    CHECK(first == second);  // exact: every reduction runs in the same order in both runs
  }
  set_num_threads(1);
}

TEST_CASE("Trainer: Ctrl-C ends the step, saves and stops, and resume continues the CSV without repeating a row") {
  const std::string checkpoint = testing::scratch_path("interrupted.ckpt"),
                    csv = testing::scratch_path("interrupted.csv");
  const auto batches = [](Index step, Index) { return random_batch(2, 40 + std::uint64_t(step)); };
  const WarmupCosineSchedule schedule{1e-2, 2, 8, 1e-3};

  GPT<float> straight(trainer_config(), 1);
  AdamW<float> straight_optimizer(straight.parameter_list());
  const auto uninterrupted = train(straight, straight_optimizer, schedule, batches, quiet(8));

  TrainingOptions options = quiet(8);
  options.checkpoint_path = checkpoint;
  options.checkpoint_every = 2;
  options.csv_path = csv;
  GPT<float> model(trainer_config(), 1);
  AdamW<float> optimizer(model.parameter_list());
  const auto interrupt_in_step_5 = [&](Index step, Index micro) {
    if (step == 4) std::raise(SIGINT);  // as if the user pressed Ctrl-C while step 5 computes
    return batches(step, micro);
  };
  testing::require_error_mentions([&] { train(model, optimizer, schedule, interrupt_in_step_5, options); },
                                  {"Ctrl-C stopped training after step 5", "saved '", "resume to continue"});
  CHECK(read_checkpoint_info(checkpoint).step == 5);  // saved at the end of the step, not only at step 4

  // A process killed after step 7 left rows 6 and 7 in the CSV past a checkpoint of step 5.
  {
    std::ofstream extra(csv, std::ios::app);
    extra << "6,9,9,9,9,9\n7,9,9,9,9,9\n";
  }
  options.resume = true;
  GPT<float> resumed(trainer_config(), 99);
  AdamW<float> resumed_optimizer(resumed.parameter_list());
  const auto rest = train(resumed, resumed_optimizer, schedule, batches, options);
  REQUIRE(rest.size() == 3);
  for (std::size_t i = 0; i < rest.size(); ++i) CHECK(rest[i].loss == uninterrupted[5 + i].loss);  // bit for bit

  std::ifstream in(csv);
  std::string line;
  std::getline(in, line);
  std::vector<double> steps, losses;
  while (std::getline(in, line)) {
    steps.push_back(std::strtod(line.c_str(), nullptr));
    losses.push_back(std::strtod(line.c_str() + line.find(',') + 1, nullptr));
  }
  CHECK(steps == std::vector<double>{1, 2, 3, 4, 5, 6, 7, 8});  // each step once, in order
  for (std::size_t i = 0; i < losses.size(); ++i) CHECK(losses[i] == doctest::Approx(uninterrupted[i].loss));
  std::filesystem::remove(checkpoint);
  std::filesystem::remove(csv);
}

TEST_CASE("Trainer: an update that leaves a weight finite but absurdly large stops before it is saved") {
  GPT<float> model(trainer_config(), 1);
  SGD<float> sgd(model.parameter_list(), {1e9});
  TrainingOptions options = quiet(3);
  options.max_loss_ratio = 0;  // only the weight bound can stop it
  options.clip_grad_norm = 0;
  testing::require_error_mentions(
      [&] {
        train(
            model, sgd, ConstantSchedule{1e9}, [](Index s, Index) { return random_batch(2, 60 + std::uint64_t(s)); },
            options);
      },
      {"step 1: the update made", "larger than the bound of a healthy model", "learning rate 1e+09"});
}
