#include "pipeline/durable_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

#include "dls/core/error.h"

namespace dls::pipeline {

namespace {

[[noreturn]] void fail(const std::string& what, const std::filesystem::path& path) {
  throw Error("cannot " + what + " " + path.string() + ": " + std::strerror(errno));
}

}  // namespace

void sync_directory(const std::filesystem::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) fail("open the directory", dir);
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) fail("fsync the directory", dir);
}

void write_file_durably(const std::filesystem::path& path, const std::string& content) {
  std::filesystem::create_directories(path.parent_path());
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::filesystem::path tmp =
      path.parent_path() / ("." + path.filename().string() + "." + std::to_string(rng()) + ".tmp");
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) fail("create", tmp);
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      ::unlink(tmp.c_str());
      fail("write", tmp);
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    ::close(fd);
    ::unlink(tmp.c_str());
    fail("fsync", tmp);
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    fail("rename a temporary file to", path);
  }
  sync_directory(path.parent_path());
}

void remove_durably(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return;
  std::filesystem::remove_all(path, ec);
  if (ec) throw Error("cannot remove " + path.string() + ": " + ec.message());
  if (std::filesystem::exists(path.parent_path())) sync_directory(path.parent_path());
}

}  // namespace dls::pipeline
