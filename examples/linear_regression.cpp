// Lesson: in-context linear regression (Garg et al., 2022, arXiv:2208.01066).
//
// Every prompt hides a new weight vector w. It shows pairs (x_i, y_i = w . x_i) and
// the model must predict each y_i from the pairs before it: regression done in the
// forward pass, with no weight update. We compare its error, by number of examples,
// with least squares on the same pairs (optimal here), with always answering 0, and
// with the model on prompts whose y's were shuffled (the context then tells nothing).
//
// The model is the same transformer blocks as the GPT, with a linear read-in of
// vectors and a scalar read-out, trained with mean squared error.
// Usage: linear_regression [--steps N] [--lr LR] [--clip NORM] [--seed N] [--out DIR]
// (writes DIR/regression_error.csv). About 5 minutes on 2 cores. The error stays near
// that of answering 0 for the first ~1500 steps, then falls: give it the full 8000.
#include "command_line/linear_regression.hpp"

#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <eigenformer/model/vector_transformer.hpp>
#include <eigenformer/nn/mean_squared_error.hpp>
#include <eigenformer/optim/adam.hpp>
#include <eigenformer/optim/clip_grad_norm.hpp>
#include <eigenformer/optim/schedule.hpp>
#include <eigenformer/tasks/linear_regression_task.hpp>
#include <eigenformer/train/csv_log.hpp>
#include <eigenformer/train/progress_line.hpp>
#include <filesystem>
#include <limits>
#include <string>

#include "command_line/checks.hpp"

using namespace eigenformer;

int main(int argc, char** argv) try {
  tune_process_for_speed();  // this program asks for the process-wide speed settings (core/threads.hpp)
  examples::linear_regression::Options options;
  CLI::App app{"In-context linear regression: a transformer learns least squares from the pairs in its prompt."};
  examples::linear_regression::add_options(app, options);
  CLI11_PARSE(app, argc, argv);
  std::filesystem::create_directories(options.out);

  // 1. Task and model: d = 4, 16 pairs per prompt (32 positions).
  const LinearRegressionTask task{4, 16};
  const GPTConfig config{.block_size = task.time(), .num_layers = 4, .num_heads = 4, .channels = 64};
  VectorTransformer<float> model(config, task.input_size(), 1, options.seed);
  std::printf("Transformer with %lld parameters; prompts of %lld (x, y) pairs in %lld dimensions\n",
              (long long)model.num_parameters(), (long long)task.examples, (long long)task.dimensions);

  // 2. Train with MSE at the x positions: the training loop written out.
  AdamWOptions adam;
  adam.lr = options.learning_rate;
  adam.weight_decay = 0.0;
  AdamW<float> optimizer(model.parameter_list(), adam);
  const WarmupCosineSchedule schedule{adam.lr, 200, options.steps, adam.lr / 10};
  MeanSquaredError<float> mse;
  VectorTransformer<float>::Activations activations;  // what backward reads, reused every step
  MeanSquaredError<float>::Saved loss_saved;
  ProgressLine progress(options.steps);
  const auto parameters = model.parameter_list();
  for (Index step = 0; step < options.steps; ++step) {
    const auto start = std::chrono::steady_clock::now();
    Rng rng(options.seed * 1000003 + std::uint64_t(step));
    LinearRegressionTask stage = task;  // the curriculum: 1, 2, .. d varying dimensions, 500 steps each
    stage.active_dimensions = std::min(task.dimensions, 1 + step / 500);
    const RegressionBatch batch = stage.batch(64, rng);
    optimizer.set_learning_rate(schedule(step));
    optimizer.zero_grad();
    const float loss = mse.forward(model.forward(batch.inputs, batch.batch, batch.time, activations), batch.targets,
                                   batch.selected, loss_saved);
    EF_CHECK(std::isfinite(loss), "step " << step + 1 << ": the loss is " << loss << " (learning rate "
                                          << schedule(step) << "): training diverged; try a smaller --lr");
    model.backward(activations, mse.backward(loss_saved, 1.0f));
    const double grad_norm =
        clip_grad_norm(parameters, options.clip > 0 ? options.clip : std::numeric_limits<double>::infinity());
    optimizer.step();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    progress.update({step + 1, loss / double(stage.active_dimensions), schedule(step), grad_norm,
                     double(batch.batch * batch.time) / seconds});
  }

  // 3. Error by number of examples in context, on 1000 fresh prompts, normalized by d.
  Rng eval_rng(777);
  const RegressionBatch test = task.batch(1000, eval_rng);
  const RegressionBatch shuffled = task.batch(1000, eval_rng, /*shuffle_context=*/true);
  const Matrix<float> predictions = model.forward(test.inputs, test.batch, test.time);
  const Matrix<float> shuffled_predictions = model.forward(shuffled.inputs, shuffled.batch, shuffled.time);
  CsvLog csv(options.out + "/regression_error.csv", {"examples", "model", "least_squares", "zero", "shuffled_context"});
  std::printf("\nNormalized squared error (1 = answering 0) against examples seen in the prompt:\n");
  std::printf("  examples   transformer   least squares   zero   shuffled context\n");
  const double d = double(task.dimensions);
  for (Index i = 0; i < task.examples; ++i) {
    double model_error = 0, least_squares = 0, zero = 0, shuffled_error = 0;
    for (Index b = 0; b < test.batch; ++b) {
      const Index row = b * test.time + 2 * i;
      const double y = test.ys[std::size_t(b)](i), shuffled_y = shuffled.ys[std::size_t(b)](i);
      model_error += std::pow(double(predictions(row, 0)) - y, 2);
      least_squares += std::pow(
          LinearRegressionTask::least_squares_prediction(test.xs[std::size_t(b)], test.ys[std::size_t(b)], i) - y, 2);
      zero += y * y;
      shuffled_error += std::pow(double(shuffled_predictions(row, 0)) - shuffled_y, 2);
    }
    const double n = double(test.batch) * d;
    std::printf("  %8lld   %11.3f   %13.3f   %4.2f   %16.3f\n", (long long)i, model_error / n, least_squares / n,
                zero / n, shuffled_error / n);
    csv.write({double(i), model_error / n, least_squares / n, zero / n, shuffled_error / n});
  }
  std::printf(
      "\nThe last row asks for y_16 after 15 examples. Least squares is exact from %lld examples\n"
      "on; the shuffled-context column shows what the transformer does when the context carries\n"
      "no information. Compare the transformer's column with both. Curves: %s/regression_error.csv\n",
      (long long)task.dimensions, options.out.c_str());
  examples::check_standard_output();     // a full disk under `> file` is an error, not exit 0
} catch (const std::exception& error) {  // a bad flag, file or size: say what, don't crash
  std::fprintf(stderr, "error: %s\n", error.what());
  return 1;
}
