// Lesson: one model, the whole story. A GPT pretrained on the King James Bible, the only
// thing it ever reads, and what that gives it, each figure beside its control.
//
// 1. Pretraining: next-token prediction on 60 books, every verse behind its reference
//    ("John 3:16 For God so loved the world, ..."), so the reference is the key the model's
//    knowledge of a verse can hang on. Six books are held out of everything, the tokenizer
//    included (data/bible.hpp): the loss on them is English the model never read.
// 2. In-context learning emerges from text (Olsson et al. 2022, arXiv:2209.11895): at
//    checkpoints through pretraining, on one time axis, the held-out loss; the ICL score
//    (the loss late in the context minus the loss early in it: negative when more context
//    helps); and the induction-head probe (prefix matching on repeated random tokens) of
//    the best head. Control: the same tokens through a model of one layer, which cannot
//    build the two-layer induction circuit.
// 3. Knowledge lives in the weights, as much as they hold: asked a reference alone
//    ("John 3:16"), does the model write the verse? Closed-book recall on verses of the
//    training books against the held-out books (which no model can know: the control), for
//    three model sizes trained on the same tokens: what scale buys.
// A report card (report.md) puts each figure beside its control, with its budget and time.
//
//   one_model --corpus kjv.txt              the default budget: 60 minutes on 2 cores
//   one_model --corpus kjv.txt --quick      small models, every stage, ~4 minutes
// where kjv.txt is what `bible "Gen1:1-Rev22:21" > kjv.txt` writes. Every stage is saved
// in --out as it ends (a model mid-training every few percent), so a run stopped by Ctrl-C
// continues where it stopped when started again with the same flags.
#include "command_line/one_model.hpp"

#include <CLI/CLI.hpp>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <eigenformer/core/binary_file.hpp>
#include <eigenformer/core/threads.hpp>
#include <eigenformer/io/checkpoint.hpp>
#include <eigenformer/model/gpt.hpp>
#include <eigenformer/text/bpe_tokenizer.hpp>
#include <filesystem>
#include <string>
#include <vector>

#include "command_line/checks.hpp"
#include "one_model/corpus.hpp"
#include "one_model/emergence.hpp"
#include "one_model/pretraining.hpp"
#include "one_model/ranks.hpp"
#include "one_model/recall.hpp"
#include "one_model/report_card.hpp"
#include "one_model/setup.hpp"
#include "one_model/tuning.hpp"

using namespace examples::one_model;

namespace {

/// Every stage in order: the ranks share pretraining, rank 0 does the rest.
void run(const Options& options, const Ranks& ranks) {
  const auto start = std::chrono::steady_clock::now();
  const auto minutes_so_far = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() / 60;
  };
  const Setup setup = setup_for(options);
  EF_CHECK(setup.batch % ranks.count() == 0,
           "a batch of " << setup.batch << " rows does not split evenly between " << ranks.count() << " ranks");
  if (ranks.is_root()) std::filesystem::create_directories(options.out);
  const Corpus corpus = prepare_corpus(options, setup, ranks);
  const BPETokenizer tokenizer = BPETokenizer::load(corpus.tokenizer);
  const MappedTokenShard training(options.out + "/training.bin");
  const Probes probes = make_probes(corpus, setup, options.seed);
  const Index steps = plan_steps(options, setup, training, ranks);

  std::vector<Pretrained> models;
  for (const Shape& shape : setup.sizes)
    models.push_back(pretrain(shape, steps, setup, options, training, corpus, probes, tokenizer.fingerprint(), ranks));
  if (!ranks.is_root()) return;
  const Pretrained& main_model = models.front();

  std::printf("\n== 1. Pretraining: %lld steps of %lld x %lld tokens (%.1fM tokens) for each model\n",
              static_cast<long long>(steps), static_cast<long long>(setup.batch), static_cast<long long>(setup.time),
              double(steps * setup.batch * setup.time) / 1e6);
  std::printf("   %-10s %-12s %-14s %-22s %s\n", "model", "parameters", "non-embedding", "held-out loss (nats)",
              "minutes of steps");
  for (const Pretrained& m : models)
    std::printf("   %-10s %-12lld %-14lld %-22.3f %.1f\n", m.name.c_str(), static_cast<long long>(m.parameters),
                static_cast<long long>(m.non_embedding), m.held_out_loss, m.training_seconds / 60);
  std::printf("   (the uniform guess over %lld tokens: %.3f nats)\n", static_cast<long long>(tokenizer.vocab_size()),
              std::log(double(tokenizer.vocab_size())));
  std::printf("   The main model, asked to go on from a training book's reference and a held-out book's:\n");
  for (const char* reference : {"John 11:35", "Jonah 1:1"})
    std::printf("   > %s\n", sample_text(main_model.model, tokenizer, reference).c_str());

  std::printf(
      "\n== 2. In-context learning: the ICL score (loss at the last 10 positions minus at positions %lld-%lld;\n"
      "   negative: the context helps) and the best head's prefix matching on repeated random tokens\n",
      static_cast<long long>(setup.time / 10 - 5), static_cast<long long>(setup.time / 10 + 4));
  std::printf("   %-10s %-20s %-22s %-22s %s\n", "model", "ICL score at step 0", "at the end", "best prefix matching",
              "largest ICL drop / prefix rise at step");
  std::vector<EmergenceSummary> emergence;
  for (const Pretrained& m : models) {
    emergence.push_back(summarize_emergence(options.out + "/" + m.name));
    const EmergenceSummary& e = emergence.back();
    std::printf("   %-10s %-+20.3f %-+22.3f %-22.2f %lld / %lld\n", m.name.c_str(), e.first_icl, e.last_icl,
                e.last_prefix, static_cast<long long>(e.icl_jump_step), static_cast<long long>(e.prefix_jump_step));
  }

  std::printf(
      "\n== 3. Closed-book recall: each model given a reference alone (\"John 3:16\"), greedy; %lld verses\n"
      "   of each exposure. The first five words right (95%% interval), and the character similarity of the reply\n",
      static_cast<long long>(setup.recall_verses));
  std::array<std::vector<const Verse*>, 3> asked;
  for (const Exposure exposure : kExposures)
    asked[std::size_t(exposure)] =
        sample_verses(corpus.verses, exposure, setup.recall_verses, options.seed + 101 * std::uint64_t(exposure));
  std::printf("   %-10s %-30s %-30s %s\n", "model", exposure_name(Exposure::kOften), exposure_name(Exposure::kSeldom),
              exposure_name(Exposure::kNever));
  std::vector<std::array<Recall, 3>> recalls;
  const double recall_start = minutes_so_far();
  std::string recall_csv = "model,parameters,exposure,five_words,low_95,high_95,similarity,similarity_half_width\n";
  for (const Pretrained& m : models) {
    recalls.emplace_back();
    std::printf("   %-10s", m.name.c_str());
    for (const Exposure exposure : kExposures) {
      const Recall& r = recalls.back()[std::size_t(exposure)] =
          recall(m.model, tokenizer, asked[std::size_t(exposure)]);
      std::printf(" %-30s", (r.five_words.text() + " " + std::to_string(r.similarity.value).substr(0, 5)).c_str());
      recall_csv += csv_field(m.name) + "," + std::to_string(m.parameters) + "," + csv_field(exposure_name(exposure)) +
                    "," + std::to_string(r.five_words.value()) + "," +
                    std::to_string(r.five_words.interval_95().first) + "," +
                    std::to_string(r.five_words.interval_95().second) + "," + std::to_string(r.similarity.value) + "," +
                    std::to_string(r.similarity.half_width) + "\n";
    }
    std::printf("\n");
  }
  write_text_file(options.out + "/recall.csv", recall_csv);
  const double recall_minutes = minutes_so_far() - recall_start;

  const double tuning_start = minutes_so_far();
  const QuestionPool pool = question_pool(corpus.verses, tokenizer, setup.time, setup.tuned_verses, options.seed);
  std::printf(
      "\n== 4. Instruction tuning: %lld steps on questions about %zu verses and %zu fathers of the training "
      "books,\n   three kinds, three wordings each; the main model, and the same tuning of a model never "
      "pretrained\n",
      static_cast<long long>(setup.tune_steps), pool.tuned_verses.size(), pool.tuned_fathers.size());
  GPT<float> tuned(main_model.model.config(), options.seed),
      never_pretrained(main_model.model.config(), options.seed + 1);
  load_checkpoint(options.out + "/" + main_model.name + "/model.ckpt", tuned);
  tune(tuned, tokenizer, pool, setup.tune_steps, 5e-4, options.out + "/tuned", options.seed);
  tune(never_pretrained, tokenizer, pool, setup.tune_steps, 2e-3, options.out + "/tuned_never_pretrained",
       options.seed);
  const std::vector<TuningCell> cells = tuning_cells(pool, setup.questions, options.seed);
  std::vector<std::array<Score, 3>> scores;
  std::string tuning_csv = "split,kind,model,measure,count,asked,value,low_95,high_95\n";
  std::printf("   %-34s %-11s %-27s %-27s %s\n", "questions", "kind", "tuned: right / in form", "base (not tuned)",
              "tuned, never pretrained");
  for (std::size_t i = 0; i < cells.size(); ++i) {
    scores.push_back({score(tuned, tokenizer, cells[i].questions, pool.books),
                      score(main_model.model, tokenizer, cells[i].questions, pool.books),
                      score(never_pretrained, tokenizer, cells[i].questions, pool.books)});
    std::array<std::string, 3> texts;
    for (std::size_t m = 0; m < 3; ++m) {
      const Score& score = scores.back()[m];
      char text[48];
      std::snprintf(text, sizeof(text), "%.3f / %.3f", score.right.value(), score.in_form.value());
      texts[m] = text;
      for (const auto& [measure, p] : {std::pair{"right", score.right}, std::pair{"in_form", score.in_form}})
        tuning_csv += csv_field(cells[i].split) + "," + csv_field(kind_name(cells[i].kind)) + "," +
                      std::array{"tuned", "base", "tuned_never_pretrained"}[m] + "," + measure + "," +
                      std::to_string(p.successes) + "," + std::to_string(p.trials) + "," + std::to_string(p.value()) +
                      "," + std::to_string(p.interval_95().first) + "," + std::to_string(p.interval_95().second) + "\n";
    }
    std::printf("   %-34s %-11s %-27s %-27s %s\n", cells[i].split.c_str(), kind_name(cells[i].kind), texts[0].c_str(),
                texts[1].c_str(), texts[2].c_str());
  }
  std::printf(
      "   (right: a verse text with its reference and first five words, the others exactly; in form: the\n"
      "   shape of an answer, right or wrong; %lld questions a cell, intervals in tuning.csv and the report card)\n",
      static_cast<long long>(setup.questions));
  write_text_file(options.out + "/tuning.csv", tuning_csv);

  Findings findings{setup,  steps,          std::log(double(tokenizer.vocab_size())), {}, emergence, recalls, cells,
                    scores, recall_minutes, minutes_so_far() - tuning_start,          0};
  for (const Pretrained& m : models) findings.models.push_back(&m);
  findings.total_minutes = minutes_so_far();
  const std::string card = report_card(findings);
  write_text_file(options.out + "/report.md", card);
  std::printf("\n%s\nThe report card is %s/report.md; models, logs and CSV files are in %s/.\n", card.c_str(),
              options.out.c_str(), options.out.c_str());
  examples::check_standard_output();
}

}  // namespace

int main(int argc, char** argv) try {
  tune_process_for_speed();  // this program asks for the process-wide speed settings (core/threads.hpp)
#if EIGENFORMER_EXAMPLE_WITH_MPI
  dist::MpiSession mpi(argc, argv);  // one rank when started alone, N under mpirun -n N
#endif
  Options options;
  CLI::App app{
      "One model, the whole story: a GPT pretrained on the King James Bible, what it learns, against controls."};
  examples::one_model::add_options(app, options);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error);  // every rank parsed the same flags, so every rank returns
  }
  const Ranks ranks;
  try {
    run(options, ranks);
  } catch (const std::exception& error) {
    ranks.stop_the_others(error.what());
    throw;
  }
  return 0;
} catch (const std::exception& error) {
  std::fprintf(stderr, "error: %s\n", error.what());
  return 1;
}
