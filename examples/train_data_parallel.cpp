// Lesson: more than one machine. N processes (MPI ranks) train one GPT together: each
// computes the gradient on its own rows of every batch, one allreduce averages them, and
// every rank takes the same step (include/eigenformer/dist/data_parallel.hpp). With --zero,
// AdamW's state is split between the ranks instead of copied (dist/zero1.hpp).
//
//   mpirun -n 2 build/examples/train_data_parallel            2 ranks on this machine
//   mpirun -n 8 --hostfile hosts build/examples/train_data_parallel --zero
//                                                             8 ranks on the machines in `hosts`
// (as root, OpenMPI also wants --allow-run-as-root). Each rank runs OMP_NUM_THREADS threads;
// give ranks x threads = the cores of each machine. The global batch is the same whatever
// the rank count, so 1, 2 or 8 ranks train the same model, up to rounding.
//
// Usage: train_data_parallel [--file PATH] [--steps N] [--batch ROWS] [--zero] [--resume]
//                            [--seed N] [--out DIR]
// Rank 0 writes DIR/training.csv and DIR/model.ckpt, prints the progress and, at the end,
// tokens/s, the time spent communicating per step, and the optimizer's memory per rank.
#include "command_line/train_data_parallel.hpp"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <eigenformer/data/token_dataset.hpp>
#include <eigenformer/dist/data_parallel.hpp>
#include <eigenformer/dist/zero1.hpp>
#include <eigenformer/model/gpt.hpp>
#include <eigenformer/optim/adam.hpp>
#include <eigenformer/optim/schedule.hpp>
#include <eigenformer/text/char_tokenizer.hpp>
#include <eigenformer/train/trainer.hpp>
#include <filesystem>
#include <string>
#include <type_traits>
#include <vector>

#include "command_line/checks.hpp"

using namespace eigenformer;
using examples::train_data_parallel::Options;

constexpr Index kTime = 64;

struct TrainingRun {
  std::vector<StepRecord> history;
  double communication_seconds = 0;
  Index optimizer_bytes = 0;  // on this rank
};

/// Trains on this rank's slice of every global batch; `processes` slices the batches and
/// shares the gradients (DataParallel), or is the optimizer itself (Zero1AdamW).
template <class Optimizer, class Processes>
TrainingRun train_on_ranks(GPT<float>& model, Optimizer& optimizer, Processes& processes, const TokenDataset& data,
                           const Options& options) {
  TrainingOptions training;
  training.steps = options.steps;
  training.csv_path = options.out + "/training.csv";
  training.checkpoint_path = options.out + "/model.ckpt";
  training.checkpoint_every = 100;
  training.resume = options.resume;
  const WarmupCosineSchedule schedule{3e-3, 30, options.steps, 3e-4};
  const auto next_batch = [&](Index step,
                              Index) {  // the global batch, the same on every rank; each trains on its slice
    Rng rng(options.seed * 7777 + std::uint64_t(step));
    return processes.slice(data.batch(options.batch, kTime, rng));
  };
  std::vector<StepRecord> history;
  if constexpr (std::is_same_v<Optimizer, Processes>)  // ZeRO-1: passed once, as the optimizer
    history = train(model, optimizer, schedule, next_batch, training);
  else
    history = train(model, optimizer, schedule, next_batch, training, {}, processes);
  return {history, processes.communication_seconds(), 0};
}

int main(int argc, char** argv) try {
  tune_process_for_speed();  // this program asks for the process-wide speed settings (core/threads.hpp)
  dist::MpiSession mpi(argc, argv);
  try {
    Options options;
    CLI::App app{"Data-parallel training of a GPT on MPI ranks, with or without ZeRO-1."};
    examples::train_data_parallel::add_options(app, options);
    try {
      app.parse(argc, argv);
    } catch (const CLI::ParseError& error) {
      return app.exit(error);  // every rank parsed the same flags, so every rank returns
    }
    const dist::Communicator communicator;
    if (communicator.is_root()) std::filesystem::create_directories(options.out);
    EF_CHECK(options.batch % communicator.size() == 0,
             "--batch " << options.batch << " does not split evenly between " << communicator.size() << " ranks");

    const std::string text = read_text_file(options.file);
    const CharTokenizer tokenizer = CharTokenizer::from_text(text);
    const TokenDataset data(tokenizer.encode(text), 0.0);
    const GPTConfig config{
        .vocab_size = tokenizer.vocab_size(), .block_size = kTime, .num_layers = 4, .num_heads = 4, .channels = 128};
    GPT<float> model(config, options.seed);
    if (communicator.is_root())
      std::printf("== %d ranks x %d threads: a GPT of %lld parameters, %lld steps of %lld x %lld tokens%s\n",
                  communicator.size(), num_threads(), static_cast<long long>(model.num_parameters()),
                  static_cast<long long>(options.steps), static_cast<long long>(options.batch),
                  static_cast<long long>(kTime), options.zero ? ", ZeRO-1" : "");

    TrainingRun result;
    const Index whole_state = 2 * model.num_parameters() * Index(sizeof(float));  // AdamW's m and v
    if (options.zero) {
      dist::Zero1AdamW<float> zero(communicator, model.parameter_list(), {.lr = 3e-3, .weight_decay = 0.1});
      result = train_on_ranks(model, zero, zero, data, options);
      result.optimizer_bytes = zero.state_bytes();
    } else {
      AdamW<float> optimizer(model.parameter_list(), {.lr = 3e-3, .weight_decay = 0.1});
      dist::DataParallel<float> replicas(communicator, model.parameter_list());
      result = train_on_ranks(model, optimizer, replicas, data, options);
      result.optimizer_bytes = whole_state;
    }
    const double communication = communicator.max(result.communication_seconds);
    const double largest_state = communicator.max(double(result.optimizer_bytes));
    if (communicator.is_root() && !result.history.empty()) {
      double tokens_per_second = 0;  // the mean over the steps after the first (which warms up)
      for (std::size_t i = 1; i < result.history.size(); ++i) tokens_per_second += result.history[i].tokens_per_second;
      tokens_per_second /= double(std::max<std::size_t>(1, result.history.size() - 1));
      std::printf("\n== Final loss %.3f; %.0f tokens/s over all ranks\n", result.history.back().loss,
                  tokens_per_second);
      std::printf("   communication: %.2f ms per step (the slowest rank)\n",
                  1e3 * communication / double(result.history.size()));
      std::printf("   optimizer state per rank: %.2f MB (a whole AdamW state: %.2f MB)\n", largest_state / 1e6,
                  double(whole_state) / 1e6);
    }
    examples::check_standard_output();
    return 0;
  } catch (const std::exception& error) {
    dist::abort_every_rank(error.what());  // the other ranks may wait in a collective call
  }
} catch (const std::exception& error) {  // MPI itself did not start
  std::fprintf(stderr, "error: %s\n", error.what());
  return 1;
}
