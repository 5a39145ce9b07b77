// Google Benchmark, on MPI: what averaging the gradients costs per step at the race configs.
//   mpirun -n 2 --allow-run-as-root build-bench/bench/dist_bench
// DataParallel: one allreduce of every gradient (laid end to end, then copied back);
// ZeRO-1: a reduce-scatter of the gradients and an allgather of the weights. Each moves
// 2 (N-1)/N of the model per rank ("moved" counter: bytes per second per rank). Every rank
// must run the same number of iterations (a collective waits for all), hence Iterations().
#include <benchmark/benchmark.h>

#include <eigenformer/dist/data_parallel.hpp>
#include <eigenformer/dist/zero1.hpp>

#include "race_configs.hpp"

using namespace eigenformer;

namespace {

const char* kConfigs[] = {"small", "gpt2-mini"};

void report(benchmark::State& state, GPT<float>& model, const dist::Communicator& communicator,
            const std::string& name) {
  const double ranks = communicator.size();
  const double moved = 2 * (ranks - 1) / ranks * double(model.num_parameters()) * sizeof(float);
  state.counters["moved"] =
      benchmark::Counter(moved, benchmark::Counter::kIsIterationInvariantRate, benchmark::Counter::kIs1024);
  state.counters["parameters"] = double(model.num_parameters());
  state.SetLabel(name + ", " + std::to_string(communicator.size()) + " ranks");
}

void BM_DataParallelAllreduce(benchmark::State& state) {
  const dist::Communicator communicator;
  const bench::RaceConfig config = bench::race_config(kConfigs[state.range(0)]);
  GPT<float> model(config.model);
  const auto parameters = model.parameter_list();
  dist::DataParallel<float> replicas(communicator, parameters);
  for (auto _ : state) benchmark::DoNotOptimize(replicas.clip_gradients(parameters, 1.0));
  report(state, model, communicator, config.name);
}

void BM_Zero1ReduceScatterAllgather(benchmark::State& state) {
  const dist::Communicator communicator;
  const bench::RaceConfig config = bench::race_config(kConfigs[state.range(0)]);
  GPT<float> model(config.model);
  const auto parameters = model.parameter_list();
  dist::Zero1AdamW<float> zero(communicator, parameters);
  for (auto _ : state) {
    benchmark::DoNotOptimize(zero.clip_gradients(parameters, 1.0));
    zero.step();  // AdamW on this rank's slice, then the allgather
  }
  report(state, model, communicator, config.name);
}

BENCHMARK(BM_DataParallelAllreduce)->DenseRange(0, 1)->Iterations(50)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Zero1ReduceScatterAllgather)
    ->DenseRange(0, 1)
    ->Iterations(50)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

/// Reports from rank 0 only: the other ranks run the same collectives silently.
class Silent : public benchmark::BenchmarkReporter {
 public:
  bool ReportContext(const Context&) override { return true; }
  void ReportRuns(const std::vector<Run>&) override {}
};

}  // namespace

int main(int argc, char** argv) {
  dist::MpiSession mpi(argc, argv);
  benchmark::Initialize(&argc, argv);
  const dist::Communicator communicator;
  if (communicator.is_root()) {
    benchmark::RunSpecifiedBenchmarks();
  } else {
    Silent silent;
    benchmark::RunSpecifiedBenchmarks(&silent);
  }
  benchmark::Shutdown();
}
