// Confirmation of destructive commands (`dls store destroy`, `dls run --full-refresh` of every
// dataset): asked on a terminal, `--yes` otherwise, so a script never destroys data by accident.
#pragma once

#include <unistd.h>

#include <cctype>
#include <iostream>
#include <string>

#include "context.h"
#include "dls/core/error.h"

namespace dls::cli {

/// Returns when the user agreed to `action` (a sentence saying what will be lost):
/// - with `yes` (the command's --yes): at once, without asking;
/// - when stdin is a terminal: after asking "<action>. Continue? [y/N]" on stderr and reading
///   "y" or "yes" (any case) from stdin; any other answer (or end of input) throws dls::Error
///   (exit code 1) saying nothing was changed;
/// - otherwise (a script, a pipe): throws UsageError (exit code 2) telling to pass --yes.
inline void confirm_destructive(Context& ctx, bool yes, const std::string& command,
                                const std::string& action) {
  if (yes) return;
  if (::isatty(STDIN_FILENO) != 1) {
    throw UsageError(command + ": " + action +
                     "; stdin is not a terminal to confirm on: pass --yes to confirm");
  }
  ctx.err() << action << ". Continue? [y/N] " << std::flush;
  std::string answer;
  if (!std::getline(std::cin, answer)) answer.clear();
  for (auto& c : answer) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  while (!answer.empty() && std::isspace(static_cast<unsigned char>(answer.back()))) {
    answer.pop_back();
  }
  if (answer != "y" && answer != "yes") {
    throw Error(command + ": cancelled; nothing was changed");
  }
}

}  // namespace dls::cli
