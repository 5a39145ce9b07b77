// Data parallelism and ZeRO-1 on MPI, run by CTest as `mpirun -n 2` (tests/dist/CMakeLists.txt).
// Every rank runs every test case; each also trains a reference in its own process, so a
// test compares the two ranks' run with one process's without any file or second launch.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>
#include <eigenformer/dist/data_parallel.hpp>
#include <eigenformer/dist/zero1.hpp>
#include <eigenformer/eigenformer.hpp>
#include <filesystem>
#include <string>
#include <vector>

#include "test_helpers.hpp"

using namespace eigenformer;
using dist::Communicator;

namespace {

constexpr Index kRows = 4, kTime = 8, kSteps = 10;

/// An odd width and vocabulary make the parameter count odd: ZeRO-1 must pad it to split
/// between 2 ranks. No biases: the key bias's gradient is zero in exact arithmetic (it adds
/// the same q.b to every score of a row, which softmax ignores), so in float it is rounding
/// noise, which Adam scales to full-size steps: two right runs then differ there by ~4e-5.
GPTConfig small_config() {
  return {.vocab_size = 13, .block_size = kTime, .num_layers = 2, .num_heads = 3, .channels = 9, .bias = false};
}

/// The global batch of a step: the same on every rank (each then takes its slice).
Batch global_batch(Index step) {
  Rng rng(1000 + std::uint64_t(step));
  Batch batch{{}, {}, kRows, kTime};
  for (Index n = 0; n < kRows * kTime; ++n) batch.tokens.push_back(int(rng.uniform_int(13)));
  for (Index n = 0; n < kRows * kTime; ++n) batch.targets.push_back(int(rng.uniform_int(13)));
  return batch;
}

TrainingOptions quiet(Index steps) {
  TrainingOptions options;
  options.steps = steps;
  options.show_progress = false;
  options.stop_on_signal = false;
  return options;
}

const WarmupCosineSchedule kSchedule{3e-3, 3, kSteps, 3e-4};
const AdamWOptions kAdam{.lr = 3e-3, .weight_decay = 0.1};

/// One process, the whole batch: the reference.
template <class S>
GPT<S> trained_alone(Index steps = kSteps) {
  GPT<S> model(small_config(), 7);
  AdamW<S> optimizer(model.parameter_list(), kAdam);
  train(
      model, optimizer, kSchedule, [](Index step, Index) { return global_batch(step); }, quiet(steps));
  return model;
}

template <class S>
GPT<S> trained_data_parallel(const Communicator& communicator) {
  GPT<S> model(small_config(), communicator.rank() == 0 ? 7 : 99);  // rank 0's weights are broadcast
  AdamW<S> optimizer(model.parameter_list(), kAdam);
  dist::DataParallel<S> replicas(communicator, model.parameter_list());
  train(
      model, optimizer, kSchedule, [&](Index step, Index) { return replicas.slice(global_batch(step)); }, quiet(kSteps),
      {}, replicas);
  return model;
}

template <class S>
GPT<S> trained_zero1(const Communicator& communicator) {
  GPT<S> model(small_config(), communicator.rank() == 0 ? 7 : 99);
  dist::Zero1AdamW<S> zero(communicator, model.parameter_list(), kAdam);
  train(
      model, zero, kSchedule, [&](Index step, Index) { return zero.slice(global_batch(step)); }, quiet(kSteps));
  return model;
}

/// Every tensor of b within `tolerance` of a's, relatively: |a - b| / |a| (Frobenius norms).
template <class S>
void check_same_weights(GPT<S>& a, GPT<S>& b, double tolerance) {
  const auto pa = a.parameter_list(), pb = b.parameter_list();
  for (std::size_t i = 0; i < pa.size(); ++i) {
    const double difference = double((pa[i]->value - pb[i]->value).norm()) / double(pa[i]->value.norm());
    CHECK_MESSAGE(difference <= tolerance, pa[i]->name, " differs by ", difference);
  }
}

/// The same number on every rank?
bool same_on_every_rank(const Communicator& communicator, double value) {
  return communicator.max(value) == -communicator.max(-value);
}

}  // namespace

TEST_CASE("dist: the test runs on 2 ranks") { REQUIRE(Communicator().size() == 2); }

TEST_CASE("dist: each rank trains on its own rows of the batch, and together on all of them") {
  const Communicator communicator;
  const Batch global = global_batch(0);
  const Batch mine = dist::slice_of_batch(global, communicator.rank(), 2);
  CHECK(mine.batch == kRows / 2);
  CHECK(mine.tokens.size() == std::size_t(kRows / 2 * kTime));
  const auto offset = std::ptrdiff_t(communicator.rank() * (kRows / 2) * kTime);
  CHECK(std::equal(mine.tokens.begin(), mine.tokens.end(), global.tokens.begin() + offset));
  CHECK(std::equal(mine.targets.begin(), mine.targets.end(), global.targets.begin() + offset));
  double first_token = mine.tokens[0] + 100.0 * mine.tokens[1] + 10000.0 * mine.tokens[2];
  CHECK_FALSE(same_on_every_rank(communicator, first_token));  // different data on every rank
  testing::require_error_mentions([&] { dist::slice_of_batch(global_batch(0), 0, 3); },
                                  {"4 rows does not split evenly between 3 ranks"});
}

TEST_CASE("dist: 2 ranks x half the batch equal 1 process x the whole batch over 10 steps, double") {
  GPT<double> alone = trained_alone<double>();
  GPT<double> together = trained_data_parallel<double>(Communicator());
  check_same_weights(alone, together, 1e-12);
}

TEST_CASE("dist: 2 ranks x half the batch equal 1 process x the whole batch over 10 steps, float") {
  GPT<float> alone = trained_alone<float>();
  GPT<float> together = trained_data_parallel<float>(Communicator());
  check_same_weights(alone, together, 1e-6);
}

TEST_CASE("dist: the ranks' weights stay identical") {
  const Communicator communicator;
  GPT<float> together = trained_data_parallel<float>(communicator);
  for (const Parameter<float>* p : together.parameter_list())
    CHECK_MESSAGE(same_on_every_rank(communicator, double(p->value.sum())), p->name);
}

TEST_CASE("dist: ZeRO-1 equals plain data parallelism, with the parameters padded to split evenly") {
  const Communicator communicator;
  GPT<double> model(small_config(), 7);
  REQUIRE(model.num_parameters() % 2 == 1);  // so the padding is exercised
  GPT<double> plain = trained_data_parallel<double>(communicator);
  GPT<double> sharded = trained_zero1<double>(communicator);
  check_same_weights(plain, sharded, 1e-12);
  GPT<float> plain_float = trained_data_parallel<float>(communicator);
  GPT<float> sharded_float = trained_zero1<float>(communicator);
  check_same_weights(plain_float, sharded_float, 1e-6);
}

TEST_CASE("dist: ZeRO-1 keeps half the optimizer state on each of 2 ranks") {
  const Communicator communicator;
  GPT<float> model(small_config(), 7);
  dist::Zero1AdamW<float> zero(communicator, model.parameter_list());
  const Index whole = 2 * model.num_parameters() * Index(sizeof(float));
  CHECK(zero.state_bytes() == 2 * ((model.num_parameters() + 1) / 2) * Index(sizeof(float)));
  CHECK(zero.state_bytes() < whole / 2 + 16);
}

TEST_CASE("dist: a checkpoint from 2 ranks resumes in 1 process and in ZeRO-1, as if never stopped") {
  const Communicator communicator;
  const std::string shared = (std::filesystem::temp_directory_path() / "eigenformer_dist_resume.ckpt").string();
  if (communicator.is_root()) std::filesystem::remove(shared);
  communicator.barrier();
  {  // 2 ranks, 5 of the 10 steps: rank 0 writes the checkpoint
    GPT<double> model(small_config(), 7);
    AdamW<double> optimizer(model.parameter_list(), kAdam);
    dist::DataParallel<double> replicas(communicator, model.parameter_list());
    TrainingOptions options = quiet(5);
    options.checkpoint_path = shared;
    train(
        model, optimizer, kSchedule, [&](Index step, Index) { return replicas.slice(global_batch(step)); }, options, {},
        replicas);
  }
  communicator.barrier();
  const std::string mine = shared + ".rank" + std::to_string(communicator.rank());
  std::filesystem::copy_file(shared, mine, std::filesystem::copy_options::overwrite_existing);
  GPT<double> uninterrupted = trained_alone<double>();

  GPT<double> alone(small_config(), 1);  // other weights: the checkpoint must replace them
  AdamW<double> optimizer(alone.parameter_list(), kAdam);
  TrainingOptions resumed = quiet(kSteps);
  resumed.checkpoint_path = mine;
  resumed.resume = true;
  const auto rest = train(
      alone, optimizer, kSchedule, [](Index step, Index) { return global_batch(step); }, resumed);
  CHECK(rest.size() == 5);
  check_same_weights(uninterrupted, alone, 1e-12);

  communicator.barrier();  // every rank copied the file before ZeRO-1 overwrites it
  GPT<double> sharded(small_config(), 2);
  dist::Zero1AdamW<double> zero(communicator, sharded.parameter_list(), kAdam);
  TrainingOptions zero_resumed = quiet(kSteps);
  zero_resumed.checkpoint_path = shared;
  zero_resumed.resume = true;
  const auto zero_rest = train(
      sharded, zero, kSchedule, [&](Index step, Index) { return zero.slice(global_batch(step)); }, zero_resumed);
  CHECK(zero_rest.size() == 5);
  check_same_weights(uninterrupted, sharded, 1e-12);

  // ZeRO-1's own checkpoint (saved at step 10) holds the whole optimizer state: AdamW reads it.
  communicator.barrier();
  GPT<double> reloaded(small_config(), 3);
  AdamW<double> reloaded_optimizer(reloaded.parameter_list(), kAdam);
  CHECK(load_checkpoint(shared, reloaded, &reloaded_optimizer) == kSteps);
  check_same_weights(uninterrupted, reloaded, 1e-12);
  CHECK(reloaded_optimizer.step_count() == kSteps);
  communicator.barrier();
  std::filesystem::remove(mine);
  if (communicator.is_root()) std::filesystem::remove(shared);
}

TEST_CASE("dist: the loss, tokens and gradient norm the ranks report are the whole batch's") {
  const Communicator communicator;
  GPT<double> model(small_config(), 7);
  AdamW<double> optimizer(model.parameter_list(), kAdam);
  dist::DataParallel<double> replicas(communicator, model.parameter_list());
  const auto together = train(
      model, optimizer, kSchedule, [&](Index step, Index) { return replicas.slice(global_batch(step)); }, quiet(2), {},
      replicas);
  GPT<double> reference(small_config(), 7);
  AdamW<double> reference_optimizer(reference.parameter_list(), kAdam);
  const auto alone = train(
      reference, reference_optimizer, kSchedule, [](Index step, Index) { return global_batch(step); }, quiet(2));
  for (std::size_t i = 0; i < 2; ++i) {
    CHECK(together[i].loss == doctest::Approx(alone[i].loss).epsilon(1e-12));
    CHECK(together[i].grad_norm == doctest::Approx(alone[i].grad_norm).epsilon(1e-12));
    CHECK(same_on_every_rank(communicator, together[i].loss));
  }
  CHECK(replicas.communication_seconds() > 0);
}

TEST_CASE("dist: misuse is a named error") {
  const Communicator communicator;
  GPT<double> model(small_config(), 7), other(small_config(), 8);
  dist::DataParallel<double> replicas(communicator, model.parameter_list());
  testing::require_error_mentions([&] { replicas.clip_gradients(other.parameter_list(), 1.0); },
                                  {"other parameters than the DataParallel was built with"});
  dist::Zero1AdamW<double> zero(communicator, model.parameter_list());
  testing::require_error_mentions([&] { zero.clip_gradients(other.parameter_list(), 1.0); },
                                  {"other parameters than the Zero1AdamW was built with"});
  testing::require_error_mentions([&] { zero.state([](const std::string&, Matrix<double>&) {}); },
                                  {"whole state exists only on rank 0 while saving or resuming"});
  // train(model, zero, ...) finds ZeRO-1's own train(); forced into the one-process one, its
  // gradient is never reduced: a named error, not a silent single-rank step.
  testing::require_error_mentions(
      [&] {
        eigenformer::train(
            model, zero, kSchedule, [](Index step, Index) { return global_batch(step); }, quiet(1));
      },
      {"step() without a clip_gradients() before it"});
  testing::require_error_mentions([&] { dist::Zero1AdamW<double>(communicator, model.parameter_list(), {.lr = -1}); },
                                  {"Zero1AdamW"});
}

int main(int argc, char** argv) {
  dist::MpiSession mpi(argc, argv);
  doctest::Context context(argc, argv);
  return context.run();
}
