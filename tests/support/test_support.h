// Helpers shared by the test suites: temporary directories and running the dls binary.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace dls::testing {

/// A fresh directory under the system temp dir, removed (recursively) on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string str() const { return path_.string(); }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

/// What a command printed and how it ended.
struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

/// Runs `dls` (the binary built with this test) with `args` (a shell-quoted argument string) in
/// `cwd`; captures stdout, stderr and the exit code. `runner`, when given, is a shell command
/// prefix the binary runs under (e.g. setpriv to drop root).
CommandResult run_dls(const std::string& args, const std::filesystem::path& cwd = {},
                      const std::string& runner = "");

/// Starts `dls --warehouse <warehouse> run --quiet` (output discarded), sends it SIGKILL after
/// `delay` and reaps it. Returns whether the signal was delivered (false: it had ended already).
bool run_dls_killed_after(const std::string& warehouse, std::chrono::milliseconds delay);

/// Starts `dls --warehouse W run` (arguments `run_args` after "run"), sends `signal` `delay` after
/// its stderr (written to `stderr_file`, a path; "" for /dev/null) first holds `wait_for` (or
/// after its start when `wait_for` is empty; at most 60 s of waiting), and returns how it ended:
/// its exit code, or 128 + the signal that killed it.
int run_dls_signalled_after(const std::string& warehouse, const std::vector<std::string>& run_args,
                            int signal, std::chrono::milliseconds delay,
                            const std::string& stderr_file = "", const std::string& wait_for = "");

/// Single-quotes a string for /bin/sh.
std::string shell_quote(const std::string& s);

/// ../shared/testdata, as seen from the source tree.
std::filesystem::path testdata_dir();

/// Reads a whole file.
std::string read_file(const std::filesystem::path& path);
/// Writes a whole file (creating parent directories).
void write_file(const std::filesystem::path& path, const std::string& content);

}  // namespace dls::testing
