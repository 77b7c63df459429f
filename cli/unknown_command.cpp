#include "cli/unknown_command.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <numeric>

namespace ballast::cli {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  // Three rows of the dynamic programme: the one before last is what a transposition needs.
  std::vector<std::size_t> before(b.size() + 1), last(b.size() + 1), row(b.size() + 1);
  std::iota(last.begin(), last.end(), std::size_t{0});
  for (std::size_t i = 1; i <= a.size(); ++i) {
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      row[j] = std::min({last[j] + 1, row[j - 1] + 1, last[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) row[j] = std::min(row[j], before[j - 2] + 1);
    }
    std::swap(before, last);
    std::swap(last, row);
  }
  return last[b.size()];
}

std::vector<std::string> nearest_names(std::string_view typo, const std::vector<std::string>& names) {
  std::vector<std::pair<std::size_t, std::size_t>> scored;  // (distance, index)
  for (std::size_t i = 0; i < names.size(); ++i) {
    const std::string& name = names[i];
    const std::size_t allowed = name.size() <= 3 ? 1 : 2;
    std::size_t d = edit_distance(typo, name);
    if (d > allowed && typo.size() >= 2 && name.rfind(typo, 0) == 0) d = allowed;  // a prefix: "reb" for "rebalance"
    if (d <= allowed) scored.emplace_back(d, i);
  }
  std::vector<std::string> out;
  if (scored.empty()) return out;
  const std::size_t best = std::min_element(scored.begin(), scored.end())->first;
  for (const auto& [d, i] : scored) {
    if (d == best) out.push_back(names[i]);
  }
  return out;
}

namespace {

std::vector<std::string> command_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    if (!sub->get_name().empty()) names.push_back(sub->get_name());
  }
  return names;
}

const CLI::App* find_command(const CLI::App& app, const std::string& word) {
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    if (!sub->get_name().empty() && sub->check_name(word)) return sub;
  }
  return nullptr;
}

bool takes_arguments(const CLI::App& app) {
  return !app.get_options([](const CLI::Option* o) { return o->get_positional(); }).empty();
}

}  // namespace

std::optional<UnknownCommand> find_unknown_command(const CLI::App& app, const std::string& program,
                                                   const std::vector<std::string>& args) {
  const CLI::App* at = &app;
  std::string parent = program;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& word = args[i];
    if (word == "--") return std::nullopt;  // what follows is arguments
    if (word.size() > 1 && word[0] == '-') {
      // An option: skip its value when it takes one and it is not joined by '='.
      if (word.find('=') != std::string::npos) continue;
      const CLI::Option* opt = nullptr;
      for (const CLI::App* a = at; a && !opt; a = a->get_parent()) opt = a->get_option_no_throw(word);
      if (opt && opt->get_items_expected_max() > 0) ++i;
      continue;
    }
    // A word where a command may stand: only where commands, and no arguments, are expected.
    const auto names = command_names(*at);
    if (names.empty() || takes_arguments(*at)) return std::nullopt;
    if (const CLI::App* sub = find_command(*at, word)) {
      at = sub;
      parent += " " + sub->get_name();
      continue;
    }
    return UnknownCommand{parent, word, nearest_names(word, names), names};
  }
  return std::nullopt;
}

std::string describe(const UnknownCommand& u) {
  std::string text = u.parent + ": unknown command \"" + u.typo + "\"";
  if (!u.nearest.empty()) {
    text += "; did you mean ";
    const std::size_t shown = std::min<std::size_t>(u.nearest.size(), 3);
    for (std::size_t i = 0; i < shown; ++i) {
      text += (i == 0 ? "" : i + 1 == shown ? " or " : ", ") + ("\"" + u.nearest[i] + "\"");
    }
    return text + "?";
  }
  text += "; the commands are:";
  for (std::size_t i = 0; i < u.commands.size(); ++i) text += (i == 0 ? " " : ", ") + u.commands[i];
  return text;
}

}  // namespace ballast::cli
