#include "support/test_support.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace dls::testing {

namespace fs = std::filesystem;

TempDir::TempDir() {
  static std::atomic<int> counter{0};
  std::random_device rd;
  for (int attempt = 0; attempt < 100; ++attempt) {
    auto candidate = fs::temp_directory_path() /
                     ("dls-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) +
                      "-" + std::to_string(rd() % 1000000));
    if (fs::create_directory(candidate)) {
      path_ = candidate;
      return;
    }
  }
  throw std::runtime_error("cannot create a temporary directory");
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_file(const fs::path& path, const std::string& content) {
  if (path.has_parent_path()) fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out << content;
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

CommandResult run_dls(const std::string& args, const fs::path& cwd, const std::string& runner) {
  TempDir capture;
  std::string out_path = (capture.path() / "out").string();
  std::string err_path = (capture.path() / "err").string();
  std::string cmd;
  if (!cwd.empty()) cmd += "cd " + shell_quote(cwd.string()) + " && ";
  if (!runner.empty()) cmd += runner + " ";
  cmd += shell_quote(DLS_BINARY) + " " + args + " </dev/null >" + shell_quote(out_path) + " 2>" +
         shell_quote(err_path);
  int status = std::system(cmd.c_str());
  CommandResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = read_file(out_path);
  result.err = read_file(err_path);
  return result;
}

bool run_dls_killed_after(const std::string& warehouse, std::chrono::milliseconds delay) {
  return run_dls_signalled_after(warehouse, {"--quiet"}, SIGKILL, delay) == 128 + SIGKILL;
}

int run_dls_signalled_after(const std::string& warehouse, const std::vector<std::string>& run_args,
                            int signal, std::chrono::milliseconds delay,
                            const std::string& stderr_file, const std::string& wait_for) {
  std::vector<std::string> args{DLS_BINARY, "--warehouse", warehouse, "run"};
  args.insert(args.end(), run_args.begin(), run_args.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    int null = open("/dev/null", O_RDWR);
    int err =
        stderr_file.empty() ? null : open(stderr_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(null, 0);
    dup2(null, 1);
    dup2(err < 0 ? null : err, 2);
    execv(DLS_BINARY, argv.data());
    _exit(127);
  }
  if (!wait_for.empty()) {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    auto text = [&stderr_file] {  // "" until the child has created the file
      std::ifstream in(stderr_file, std::ios::binary);
      std::ostringstream ss;
      ss << in.rdbuf();
      return ss.str();
    };
    while (std::chrono::steady_clock::now() < give_up &&
           text().find(wait_for) == std::string::npos) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  std::this_thread::sleep_for(delay);
  kill(pid, signal);
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

fs::path testdata_dir() {
  return fs::path(DLS_TESTDATA_DIR);
}

}  // namespace dls::testing
