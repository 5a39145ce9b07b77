// A synthetic world for the lesson "knowledge is static": people, and the city each
// lives in. A model trained on it closed-book holds the facts in its weights, frozen
// at training time; then people move and new people appear, and only a model that
// reads the facts at answer time (a lookup tool over the current file) keeps up.
//
// Names are made of syllables ("Kora Velin"), never English words, so nothing the
// model could know helps; every name is unique. The world is written to and read
// from the lookup tool's file format (tools/lookup.hpp): "name<TAB>city" per line.
#pragma once

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "eigenformer/core/error.hpp"
#include "eigenformer/core/rng.hpp"
#include "eigenformer/text/chat_format.hpp"

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

/// "where does Kora Velin live?"
inline std::string question_about(const std::string& name) { return "where does " + name + " live?"; }

/// The fact asked and answered from memory: the city, nothing else.
inline Conversation answered_from_memory(const Resident& resident) {
  return {{Role::kUser, question_about(resident.name)}, {Role::kAssistant, resident.city}};
}

/// The fact asked and looked up: a call "lookup Kora Velin", the tool's output, the city.
inline Conversation answered_by_lookup(const Resident& resident) {
  return {{Role::kUser, question_about(resident.name)},
          {Role::kToolCall, "lookup " + resident.name},
          {Role::kToolOutput, resident.city},
          {Role::kAssistant, resident.city}};
}

}  // namespace eigenformer
