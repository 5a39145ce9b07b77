// Stage 4: instruction tuning, and what it extracts of what pretraining stored.
#pragma once

#include <algorithm>
#include <array>
#include <cctype>
#include <eigenformer/analysis/proportion.hpp>
#include <eigenformer/analysis/text_similarity.hpp>
#include <eigenformer/core/os.hpp>
#include <eigenformer/model/complete.hpp>
#include <eigenformer/model/gpt.hpp>
#include <eigenformer/model/sampler.hpp>
#include <eigenformer/tasks/bible_questions.hpp>
#include <eigenformer/text/bpe_tokenizer.hpp>
#include <eigenformer/text/chat_format.hpp>
#include <eigenformer/train/fine_tune.hpp>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "setup.hpp"

namespace examples::one_model {

/// Who is asked about what: questions of tuning, and the three splits of its evaluation.
struct QuestionPool {
  std::vector<const Verse*> tuned_verses;                   // quotable verses only, as all below
  std::array<std::vector<const Verse*>, 3> untuned_verses;  // by Exposure: never asked in tuning
  std::vector<Fatherhood> tuned_fathers, untuned_fathers;   // sons in the training books
  std::set<std::string> books;                              // the 66 names, to check a reference's form
};

/// Tuning asks about half the often-read verses, `tuned_verses` of the seldom-read ones and
/// half the fathers; the others were read in pretraining only.
/// Verses are those a reference question can quote, short enough that the reply, the verse
/// behind its reference, takes at most half the context.
inline QuestionPool question_pool(const std::vector<Verse>& verses, const BPETokenizer& tokenizer, Index block_size,
                                  Index tuned_verses, std::uint64_t seed) {
  Rng rng(seed * 104729 + 3);
  QuestionPool pool;
  for (const Verse& verse : verses) pool.books.insert(verse.book);
  for (const Verse* verse : verses_quotable(verses))
    if (Index(tokenizer.encode_ordinary(verse_line(*verse)).size()) < block_size / 2)
      pool.untuned_verses[std::size_t(exposure_of(*verse))].push_back(verse);
  const auto move_to_tuned = [&](std::vector<const Verse*>& from, std::size_t count) {
    shuffle(from, rng);
    count = std::min(count, from.size());
    pool.tuned_verses.insert(pool.tuned_verses.end(), from.begin(), from.begin() + std::ptrdiff_t(count));
    from.erase(from.begin(), from.begin() + std::ptrdiff_t(count));
  };
  auto& often = pool.untuned_verses[std::size_t(Exposure::kOften)];
  move_to_tuned(often, often.size() / 2);
  move_to_tuned(pool.untuned_verses[std::size_t(Exposure::kSeldom)], std::size_t(tuned_verses));
  for (const Fatherhood& fatherhood : fathers_named(verses))
    if (!fatherhood.only_in_held_out_books) pool.untuned_fathers.push_back(fatherhood);
  shuffle(pool.untuned_fathers, rng);
  const std::size_t half = pool.untuned_fathers.size() / 2;
  pool.tuned_fathers.assign(pool.untuned_fathers.begin(), pool.untuned_fathers.begin() + std::ptrdiff_t(half));
  pool.untuned_fathers.erase(pool.untuned_fathers.begin(), pool.untuned_fathers.begin() + std::ptrdiff_t(half));
  return pool;
}

/// A question of `kind` about an item drawn from the verses or fathers given, in a wording
/// drawn from [first_wording, first_wording + wordings).
inline BibleQuestion draw_question(BibleQuestionKind kind, const std::vector<const Verse*>& verses,
                                   const std::vector<Fatherhood>& fathers, Index first_wording, Index wordings,
                                   Rng& rng) {
  const Index wording = first_wording + rng.uniform_int(wordings);
  if (kind == BibleQuestionKind::kFather)
    return question_about(fathers[std::size_t(rng.uniform_int(Index(fathers.size())))], wording);
  return question_about(*verses[std::size_t(rng.uniform_int(Index(verses.size())))], kind, wording);
}

/// A verse-text answer counts when it gives the reference and the verse's first five words;
/// the others must be exactly right.
inline bool answered_right(const BibleQuestion& question, const std::string& reply) {
  if (question.kind != BibleQuestionKind::kVerseText) return reply == question.answer;
  const std::string reference = question.answer.substr(0, question.answer.find(':'));  // "Song of Solomon 2"
  const Index reference_words = Index(std::count(reference.begin(), reference.end(), ' ')) + 1;
  return leading_words_matched(reply, question.answer) >= reference_words + 5;
}

/// Whether a reply has the shape of an answer of its kind, right or wrong: the verse asked
/// for behind its reference, a reference of a real book ("Song of Solomon 2:1"), a name.
/// What tuning can teach without knowing anything.
inline bool answered_in_form(const BibleQuestion& question, const std::string& reply,
                             const std::set<std::string>& books) {
  switch (question.kind) {
    case BibleQuestionKind::kVerseText: {
      const std::string reference = question.answer.substr(0, question.answer.find(' ', question.answer.find(':')));
      return reply.rfind(reference + " ", 0) == 0 && reply.size() > reference.size() + 1;
    }
    case BibleQuestionKind::kReference: {
      const std::size_t space = reply.rfind(' '), colon = reply.find(':');
      return space != std::string::npos && colon != std::string::npos && colon > space + 1 &&
             colon + 1 < reply.size() && books.count(reply.substr(0, space)) &&
             reply.find_first_not_of("0123456789:", space + 1) == std::string::npos;
    }
    case BibleQuestionKind::kFather:
      return reply.size() >= 2 && std::isupper(static_cast<unsigned char>(reply[0])) &&
             std::all_of(reply.begin(), reply.end(),
                         [](char c) { return std::isalpha(static_cast<unsigned char>(c)); });
  }
  return false;
}

/// How a model did on a set of questions: answers right, and answers in the right form.
struct Score {
  Proportion right, in_form;
};

/// A model's greedy replies to `questions` in the chat format, scored. A reply that does not
/// end its turn within half the context counts as neither.
inline Score score(const GPT<float>& model, const BPETokenizer& tokenizer, const std::vector<BibleQuestion>& questions,
                   const std::set<std::string>& books) {
  std::vector<Tokens> prompts;
  prompts.reserve(questions.size());
  for (const BibleQuestion& question : questions)
    prompts.push_back(render_prompt(tokenizer, {{Role::kUser, question.question}}, model.config().block_size));
  Sampler greedy = Sampler::greedy();
  CompletionOptions options;
  options.end_token = ChatTokens::of(tokenizer).assistant_end;
  options.max_new_tokens = model.config().block_size / 2;
  const std::vector<Completion> completions = complete(model, prompts, greedy, options);
  Score result;
  for (std::size_t i = 0; i < questions.size(); ++i) {
    Tokens reply = completions[i].tokens;
    if (completions[i].finished) reply.pop_back();  // <|assistant_end|>
    const std::string text = tokenizer.decode(reply);
    result.right.add(completions[i].finished && answered_right(questions[i], text));
    result.in_form.add(completions[i].finished && answered_in_form(questions[i], text, books));
  }
  return result;
}

/// One cell of the tuning table: a split of the questions, asked of one kind.
struct TuningCell {
  std::string split;
  BibleQuestionKind kind;
  std::vector<BibleQuestion> questions;
};

inline std::vector<TuningCell> tuning_cells(const QuestionPool& pool, Index count, std::uint64_t seed) {
  Rng rng(seed * 15485863 + 11);
  std::vector<TuningCell> cells;
  const auto add = [&](const std::string& split, BibleQuestionKind kind, const std::vector<const Verse*>& verses,
                       const std::vector<Fatherhood>& fathers, Index first_wording, Index wordings) {
    TuningCell cell{split, kind, {}};
    for (Index i = 0; i < count; ++i)
      cell.questions.push_back(draw_question(kind, verses, fathers, first_wording, wordings, rng));
    cells.push_back(cell);
  };
  const auto& untuned = pool.untuned_verses;
  for (const BibleQuestionKind kind : kBibleQuestionKinds) {
    add("(i) asked in tuning", kind, pool.tuned_verses, pool.tuned_fathers, 0, kTrainedWordings);
    if (kind == BibleQuestionKind::kFather) {  // fathers are named in seldom-read books (the held-out books name 3)
      add("(ii) read seldom only in pretraining", kind, {}, pool.untuned_fathers, 0, kTrainedWordings);
      add("(ii) the same in held-out wordings", kind, {}, pool.untuned_fathers, kTrainedWordings, 5 - kTrainedWordings);
      continue;
    }
    const auto& often = untuned[std::size_t(Exposure::kOften)];
    add("(ii) read often only in pretraining", kind, often, {}, 0, kTrainedWordings);
    add("(ii) the same in held-out wordings", kind, often, {}, kTrainedWordings, 5 - kTrainedWordings);
    add("(ii) read seldom only in pretraining", kind, untuned[std::size_t(Exposure::kSeldom)], {}, 0, kTrainedWordings);
    add("(iii) never read (held-out books)", kind, untuned[std::size_t(Exposure::kNever)], {}, 0, kTrainedWordings);
  }
  return cells;
}

/// Fine-tunes `model` on questions about the tuned verses and fathers (resuming a checkpoint
/// in `folder`), at peak rate `learning_rate`: a pretrained model takes small steps (5e-4) so
/// as to keep what it knows; a model from scratch the pretraining rate (2e-3), so that at
/// least it learns the format.
inline void tune(GPT<float>& model, const BPETokenizer& tokenizer, const QuestionPool& pool, Index steps,
                 double learning_rate, const std::string& folder, std::uint64_t seed) {
  std::filesystem::create_directories(folder);
  FineTuneOptions options;
  options.rows = 8;
  options.time = model.config().block_size - 1;
  options.learning_rate = learning_rate;
  options.warmup = std::min<Index>(30, steps / 10);
  options.seed = seed;
  options.training.steps = steps;
  options.training.csv_path = folder + "/training.csv";
  options.training.checkpoint_path = folder + "/model.ckpt";
  options.training.checkpoint_every = std::max<Index>(25, steps / 10);
  options.training.resume = true;
  options.training.tokenizer_fingerprint = tokenizer.fingerprint();
  options.training.show_progress = os::is_terminal(stdout);
  fine_tune(
      model, tokenizer,
      [&](Rng& rng) {
        const BibleQuestionKind kind = kBibleQuestionKinds[std::size_t(rng.uniform_int(3))];
        return conversation_of(draw_question(kind, pool.tuned_verses, pool.tuned_fathers, 0, kTrainedWordings, rng));
      },
      options);
}

}  // namespace examples::one_model
