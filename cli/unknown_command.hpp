#pragma once
// A mistyped command on the `ballast` command line, named with the nearest
// real ones: `ballast stauts` → unknown command "stauts"; did you mean "status"?
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace CLI {
class App;
}

namespace ballast::cli {

struct UnknownCommand {
  std::string parent;                ///< the command it was given to: "ballast", "ballast feed"
  std::string typo;                  ///< the word that names no command there
  std::vector<std::string> nearest;  ///< the closest commands there; empty when none is close
  std::vector<std::string> commands;  ///< every command there
};

/// Optimal string alignment distance: insertions, deletions, substitutions and
/// transpositions of two neighbours each cost one ("stauts" is 1 from "status").
std::size_t edit_distance(std::string_view a, std::string_view b);

/// The names of `names` nearest to `typo` among those close enough to suggest
/// (at most two edits, one for names of three letters or fewer, or `typo` a
/// prefix of the name), in the order given; empty when none is close.
std::vector<std::string> nearest_names(std::string_view typo, const std::vector<std::string>& names);

/// Walks `args` (argv without the program name) down `app`'s commands the way
/// CLI11 does and returns the first word that stands where a command is
/// expected but names none. nullopt when every command word is known, so that
/// CLI11's own message is the right one. `program` names the root ("ballast").
std::optional<UnknownCommand> find_unknown_command(const CLI::App& app, const std::string& program,
                                                   const std::vector<std::string>& args);

/// One line: `ballast feed: unknown command "simm"; did you mean "sim"?`,
/// or the list of commands when none is near.
std::string describe(const UnknownCommand& u);

}  // namespace ballast::cli
