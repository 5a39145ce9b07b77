// A synthetic world for the lesson "knowledge is static": people, and the city each
// lives in. A model trained on it closed-book holds the facts in its weights, frozen
// at training time; then people move and new people appear, and only a model that
// reads the facts at answer time (a lookup tool over the current file) keeps up.
//
// Questions come in several forms (kWhereQuestions), some held out of training.
// Names are made of syllables ("Kora Velin"), never English words, so nothing the
// model could know helps; every name is unique. The world is written to and read
// from the lookup tool's file format (tools/lookup.hpp): "name<TAB>city" per line.
#pragma once

#include <algorithm>
#include <array>
#include <set>
#include <string>
#include <vector>

#include "eigenformer/core/error.hpp"
#include "eigenformer/core/rng.hpp"
#include "eigenformer/text/chat_format.hpp"
#include "eigenformer/tools/lookup.hpp"

namespace eigenformer {

struct Resident {
  std::string name, city;
};

class PeopleAndCities {
 public:
  static constexpr const char* kCities[] = {"Arlow",   "Brenna", "Calder", "Dunmore", "Elston", "Fennick", "Garrow",
                                            "Halvard", "Istren", "Jorvik", "Kelmar",  "Lunden", "Mirren",  "Norwick",
                                            "Orlan",   "Pellam", "Quarry", "Rossel",  "Sutter", "Tamsin"};
  static constexpr int kCityCount = int(sizeof(kCities) / sizeof(kCities[0]));

  /// `count` people with distinct names, each in a random city.
  static PeopleAndCities make(Index count, Rng& rng) {
    PeopleAndCities world;
    world.add_people(count, rng);
    return world;
  }

  const std::vector<Resident>& residents() const { return residents_; }

  /// The same world after `count` of its people (chosen at random) moved to another city.
  /// Returns the indices of those who moved.
  std::vector<std::size_t> move_people(Index count, Rng& rng) {
    EF_CHECK(count >= 0 && count <= Index(residents_.size()),
             "cannot move " << count << " of " << residents_.size() << " people");
    std::vector<std::size_t> order(residents_.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    for (std::size_t i = order.size(); i > 1; --i)
      std::swap(order[i - 1], order[std::size_t(rng.uniform_int(Index(i)))]);
    order.resize(std::size_t(count));
    for (std::size_t i : order) {
      std::string city;
      do {
        city = kCities[rng.uniform_int(kCityCount)];
      } while (city == residents_[i].city);
      residents_[i].city = city;
    }
    return order;
  }

  /// Adds `count` people, their names new to the world. Returns the index of the first.
  std::size_t add_people(Index count, Rng& rng) {
    const std::size_t first = residents_.size();
    while (Index(residents_.size() - first) < count) {
      const std::string name = random_word(rng) + " " + random_word(rng);
      if (!names_.insert(name).second) continue;
      residents_.push_back({name, kCities[rng.uniform_int(kCityCount)]});
    }
    return first;
  }

  /// The lookup tool's file: "name<TAB>city" per line.
  std::string as_lookup_file() const {
    std::string text = "# who lives where: name<TAB>city\n";
    for (const Resident& resident : residents_) text += resident.name + "\t" + resident.city + "\n";
    return text;
  }

 private:
  /// A capitalised word of two or three consonant-vowel syllables, sometimes closed by a consonant.
  static std::string random_word(Rng& rng) {
    static constexpr const char* consonants = "bdfgklmnprstvz";
    static constexpr const char* vowels = "aeiou";
    std::string word;
    const Index syllables = 2 + rng.uniform_int(2);
    for (Index s = 0; s < syllables; ++s) {
      word += consonants[rng.uniform_int(14)];
      word += vowels[rng.uniform_int(5)];
    }
    if (rng.uniform_int(2) == 0) word += consonants[rng.uniform_int(14)];
    word[0] = char(word[0] - 'a' + 'A');
    return word;
  }

  std::vector<Resident> residents_;
  std::set<std::string> names_;
};

/// The ways a user asks where someone lives, NAME standing for the name. The first
/// kTrainedWhereQuestions are trained; the other six are asked only in evaluation: new
/// frames around the name. A model that finds the name wherever it stands answers them;
/// one that learned where the name sits in the trained frames does not.
/// How many trained frames it takes, measured on the first three held-out frames
/// (fresh_knowledge, seed 1, facts as trained): trained on four frames, the tool model
/// miscopied the name and answered 17%; on ten, 88%; on these fourteen, 93%. Frames
/// that put the name at many offsets and before many words teach the model to find the
/// name, not its place. Because those three guided that choice, the last three were
/// added afterwards, unseen by any design decision: the clean check.
inline constexpr std::array<const char*, 20> kWhereQuestions = {"where does NAME live?",
                                                                "which city does NAME live in?",
                                                                "tell me where NAME lives",
                                                                "NAME lives in which city?",
                                                                "in what city does NAME live?",
                                                                "what is the city of NAME?",
                                                                "NAME lives where?",
                                                                "where can NAME be found?",
                                                                "I am looking for NAME. where do they live?",
                                                                "which town is home to NAME?",
                                                                "for NAME which city is home?",
                                                                "which city does NAME call home?",
                                                                "NAME stays in which town?",
                                                                "what town has NAME made a home in?",
                                                                "where is NAME living?",
                                                                "do you know which city NAME is in?",
                                                                "NAME: what is their city?",
                                                                "any idea where NAME lives now?",
                                                                "can you tell me the city NAME lives in?",
                                                                "NAME is in which city these days?"};
inline constexpr std::size_t kTrainedWhereQuestions = 14;
inline constexpr std::size_t kFirstUntouchedWhereQuestion = 17;  // the last three: the clean check

/// The question of form `form` (an index into kWhereQuestions) about `name`.
inline std::string question_about(const std::string& name, std::size_t form = 0) {
  EF_CHECK(form < kWhereQuestions.size(), "question form " << form << " is not one of the " << kWhereQuestions.size());
  std::string question = kWhereQuestions[form];
  return question.replace(question.find("NAME"), 4, name);
}

/// A trained question about `name`, in a random trained form.
inline std::string random_trained_question(const std::string& name, Rng& rng) {
  return question_about(name, std::size_t(rng.uniform_int(Index(kTrainedWhereQuestions))));
}

/// What an assistant says when the lookup has no entry: "I have no entry for Kora Velin".
inline std::string no_entry_reply(const std::string& name) { return "I have no entry for " + name; }

/// The fact asked and answered from memory: the city, nothing else.
inline Conversation answered_from_memory(const std::string& question, const Resident& resident) {
  return {{Role::kUser, question}, {Role::kAssistant, resident.city}};
}

/// The question about `name` answered by looking it up in `facts`: a call "lookup Kora
/// Velin", the tool's output as the engine gives it (the city, or "error: no entry for
/// 'Kora Velin'"), then the city, or no_entry_reply: a trained answer to the error, so
/// the model says it does not know instead of going on past it.
inline Conversation answered_by_lookup(const std::string& question, const std::string& name, const Lookup& facts) {
  const ToolAnswer answer = answer_of(facts, name);
  return {{Role::kUser, question},
          {Role::kToolCall, "lookup " + name},
          {Role::kToolOutput, answer.text},
          {Role::kAssistant, answer.ok ? answer.text : no_entry_reply(name)}};
}

/// A training conversation for a lookup model: a random person in a file of one, asked
/// about in a trained form; one time in five the question names someone else, who is in
/// no file. Random names and cities teach the skill of reading the tool, not a world.
inline Conversation lookup_training_conversation(Rng& rng) {
  const PeopleAndCities world = PeopleAndCities::make(2, rng);
  const Lookup facts = Lookup::parse(world.residents()[0].name + "\t" + world.residents()[0].city, "one fact");
  const std::string& name = world.residents()[rng.uniform_int(5) == 0 ? 1 : 0].name;
  return answered_by_lookup(random_trained_question(name, rng), name, facts);
}

}  // namespace eigenformer
