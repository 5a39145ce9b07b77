// Every stage's figure beside its control, as one markdown table.
#pragma once

#include <array>
#include <eigenformer/analysis/proportion.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "emergence.hpp"
#include "pretraining.hpp"
#include "recall.hpp"
#include "setup.hpp"
#include "tuning.hpp"

namespace examples::one_model {

struct Findings {
  const Setup& setup;
  Index steps = 0;
  double uniform_loss = 0;
  std::vector<const Pretrained*> models;  // main, one_layer, narrow
  std::vector<EmergenceSummary> emergence;
  std::vector<std::array<Recall, 3>> recalls;  // per model, by Exposure
  std::vector<TuningCell> cells;
  std::vector<std::array<Score, 3>> scores;  // per cell: tuned, base, tuned but never pretrained
  double recall_minutes = 0, tuning_minutes = 0, total_minutes = 0;
};

/// A stage's minutes, in its first row only (the rows after it share them).
inline std::string minutes_of_stage(std::size_t row, double minutes) {
  return row == 0 ? std::to_string(minutes).substr(0, std::to_string(minutes).find('.') + 4) : "";
}

/// Every stage's figure beside its control, as a markdown table (report.md, and printed).
inline std::string report_card(const Findings& f) {
  const Pretrained& main_model = *f.models[0];
  std::ostringstream out;
  out.precision(3);
  out << std::fixed;
  out << "# One model: report card\n\n"
      << "The main model: " << f.setup.sizes[0].layers << " layers x " << f.setup.sizes[0].channels << " channels, "
      << main_model.parameters << " parameters, " << f.steps << " steps of " << f.setup.batch << " x " << f.setup.time
      << " tokens (" << double(f.steps * f.setup.batch * f.setup.time) / 1e6
      << "M tokens seen); every model saw the same tokens. Wall time of the run: " << f.total_minutes
      << " minutes (budget " << f.setup.minutes << ").\n\n"
      << "| stage | measure | the model | control | minutes |\n|---|---|---|---|---|\n";
  for (std::size_t i = 0; i < f.models.size(); ++i)
    out << "| 1. pretraining: " << f.models[i]->name << " | held-out loss, nats/token | " << f.models[i]->held_out_loss
        << " | uniform guess " << f.uniform_loss << " | " << f.models[i]->training_seconds / 60 << " |\n";
  out << "| 2. in-context learning | ICL score at the end (nats; negative: context helps) | main "
      << f.emergence[0].last_icl << " | one layer " << f.emergence[1].last_icl << "; main at step 0 "
      << f.emergence[0].first_icl << " | (in 1.) |\n"
      << "| 2. induction probe | best head's prefix matching, repeated random tokens | main "
      << f.emergence[0].last_prefix << " | one layer " << f.emergence[1].last_prefix << " | (in 1.) |\n"
      << "| 2. timing | step of the largest ICL drop / prefix-matching rise | main " << f.emergence[0].icl_jump_step
      << " / " << f.emergence[0].prefix_jump_step << " | one layer " << f.emergence[1].icl_jump_step << " / "
      << f.emergence[1].prefix_jump_step << " | |\n";
  for (std::size_t i = 0; i < f.models.size(); ++i) {
    const auto& r = f.recalls[i];
    out << "| 3. recall: " << f.models[i]->name << " (" << f.models[i]->parameters
        << " parameters) | first 5 words of a verse from its reference (similarity) | read often "
        << r[0].five_words.text() << " (" << r[0].similarity.value << "); read seldom " << r[1].five_words.text()
        << " (" << r[1].similarity.value << ") | never read " << r[2].five_words.text() << " (" << r[2].similarity.value
        << ") | " << minutes_of_stage(i, f.recall_minutes) << " |\n";
  }
  for (std::size_t i = 0; i < f.cells.size(); ++i)
    out << "| 4. tuning: " << kind_name(f.cells[i].kind) << ", " << f.cells[i].split
        << " | answer right (in form) | tuned " << f.scores[i][0].right.text() << " (" << f.scores[i][0].in_form.value()
        << ") | base " << f.scores[i][1].right.text() << " (" << f.scores[i][1].in_form.value()
        << "); tuned, never pretrained " << f.scores[i][2].right.text() << " (" << f.scores[i][2].in_form.value()
        << ") | " << minutes_of_stage(i, f.tuning_minutes) << " |\n";
  return out.str();
}

}  // namespace examples::one_model
