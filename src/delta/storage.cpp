// LocalStorage: the local filesystem behind the Storage interface.
//
// Atomicity comes from the filesystem: write_atomic writes a temp file in the target directory and
// rename(2)s it over the target; put_if_absent writes and fsyncs a temp file and link(2)s it to the
// target, which fails with EEXIST when another writer got there first (link never replaces).
// Both fsync the temp file before it gets its name and the directory after, through the virtual
// sync_file/sync_directory; a failed fsync throws.
#include "dls/delta/storage.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <random>

#include "dls/core/error.h"

namespace dls::delta {

namespace fs = std::filesystem;

namespace {

std::string errno_text(int err) {
  return std::strerror(err);
}

/// A temp file name next to `path`, unique across threads and processes.
std::string temp_name_for(const std::string& path) {
  static std::atomic<uint64_t> counter{0};
  thread_local std::mt19937_64 rng{std::random_device{}()};
  fs::path p(path);
  return (p.parent_path() /
          ("." + p.filename().string() + "." + std::to_string(::getpid()) + "." +
           std::to_string(counter++) + "." + std::to_string(rng() % 1000000000) + ".tmp"))
      .string();
}

/// Writes `content` to a new file `path` (O_EXCL); the caller makes it durable with sync_file.
/// Throws dls::Error (the partial file is removed).
void write_new_file(const std::string& path, const std::string& content) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) throw Error("cannot create " + path + ": " + errno_text(errno));
  const char* data = content.data();
  size_t left = content.size();
  while (left > 0) {
    ssize_t n = ::write(fd, data, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      ::unlink(path.c_str());
      throw Error("cannot write " + path + ": " + errno_text(err));
    }
    data += n;
    left -= static_cast<size_t>(n);
  }
  if (::close(fd) != 0) {
    int err = errno;
    ::unlink(path.c_str());
    throw Error("cannot close " + path + ": " + errno_text(err));
  }
}

/// fsync of `path` opened with `flags`. An fsync through a new descriptor flushes every dirty page
/// of the file and reports a writeback error no one has seen yet (Linux >= 4.16).
void fsync_path(const std::string& path, int flags, const char* what) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) throw NotFoundError(std::string(what) + " not found: " + path);
    throw Error("cannot open " + path + " to fsync it: " + errno_text(errno));
  }
  int rc;
  do {
    rc = ::fsync(fd);
  } while (rc != 0 && errno == EINTR);
  int err = errno;
  ::close(fd);
  // EINVAL: the filesystem cannot sync this kind of file (some do not sync directories); there is
  // nothing more we can do for it. Every other error means the data may not be on disk.
  if (rc != 0 && err != EINVAL) {
    throw Error("cannot fsync " + path + ": " + errno_text(err) +
                " (the data may not survive a power loss)");
  }
}

class LocalLock : public StorageLock {
 public:
  explicit LocalLock(int fd) : fd_(fd) {}
  ~LocalLock() override { ::close(fd_); }  // closing the descriptor releases the flock
  LocalLock(const LocalLock&) = delete;
  LocalLock& operator=(const LocalLock&) = delete;

 private:
  int fd_;
};

FileInfo info_from_stat(const std::string& name, const struct stat& st) {
  FileInfo info;
  info.name = name;
  info.size = static_cast<int64_t>(st.st_size);
  info.modification_time_ms =
      static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000;
  info.is_directory = S_ISDIR(st.st_mode);
  return info;
}

}  // namespace

bool LocalStorage::exists(const std::string& path) const {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

std::vector<FileInfo> Storage::list_from(const std::string& dir,
                                         const std::string& start_name) const {
  std::vector<FileInfo> out = list(dir);
  out.erase(std::remove_if(out.begin(), out.end(),
                           [&](const FileInfo& f) { return f.name < start_name; }),
            out.end());
  return out;
}

std::vector<FileInfo> LocalStorage::list(const std::string& dir) const {
  return LocalStorage::list_from(dir, std::string());
}

std::vector<FileInfo> LocalStorage::list_from(const std::string& dir,
                                              const std::string& start_name) const {
  std::vector<FileInfo> out;
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) {
    if (ec == std::errc::no_such_file_or_directory || ec == std::errc::not_a_directory) return out;
    throw Error("cannot list " + dir + ": " + ec.message());
  }
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec) throw Error("cannot list " + dir + ": " + ec.message());
    if (!start_name.empty() && it->path().filename().string() < start_name) continue;
    struct stat st;
    const std::string full = it->path().string();
    // A file removed between readdir and stat (e.g. a temp file renamed away) is simply skipped.
    if (::stat(full.c_str(), &st) != 0) continue;
    out.push_back(info_from_stat(it->path().filename().string(), st));
  }
  if (ec) throw Error("cannot list " + dir + ": " + ec.message());
  std::sort(out.begin(), out.end(),
            [](const FileInfo& a, const FileInfo& b) { return a.name < b.name; });
  return out;
}

std::string LocalStorage::read(const std::string& path) const {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) throw NotFoundError("file not found: " + path);
    throw Error("cannot open " + path + ": " + errno_text(errno));
  }
  std::string content;
  struct stat st;
  if (::fstat(fd, &st) == 0 && st.st_size > 0) content.reserve(static_cast<size_t>(st.st_size));
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      throw Error("cannot read " + path + ": " + errno_text(err));
    }
    if (n == 0) break;
    content.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return content;
}

FileInfo LocalStorage::stat(const std::string& path) const {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) throw NotFoundError("file not found: " + path);
    throw Error("cannot stat " + path + ": " + errno_text(errno));
  }
  return info_from_stat(fs::path(path).filename().string(), st);
}

namespace {

/// Writes and fsyncs (through `storage`) the new temp file `tmp`, removing it when that fails.
void write_durable_temp(LocalStorage& storage, const std::string& tmp, const std::string& content) {
  write_new_file(tmp, content);
  try {
    storage.sync_file(tmp);
  } catch (...) {
    ::unlink(tmp.c_str());
    throw;
  }
}

}  // namespace

void LocalStorage::write_atomic(const std::string& path, const std::string& content) {
  const std::string parent = fs::path(path).parent_path().string();
  if (!parent.empty()) create_directories(parent);
  const std::string tmp = temp_name_for(path);
  write_durable_temp(*this, tmp, content);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    throw Error("cannot rename " + tmp + " to " + path + ": " + errno_text(err));
  }
  sync_directory(parent.empty() ? "." : parent);
}

bool LocalStorage::put_if_absent(const std::string& path, const std::string& content) {
  const std::string parent = fs::path(path).parent_path().string();
  if (!parent.empty()) create_directories(parent);
  if (exists(path)) return false;
  const std::string tmp = temp_name_for(path);
  write_durable_temp(*this, tmp, content);
  // link(2) creates the name only if it does not exist: the atomic put-if-absent. The target is
  // complete from its first instant because the temp file was fully written and fsynced.
  int rc = ::link(tmp.c_str(), path.c_str());
  int err = errno;
  ::unlink(tmp.c_str());
  if (rc != 0) {
    if (err == EEXIST) return false;
    throw Error("cannot create " + path + ": " + errno_text(err));
  }
  try {
    sync_directory(parent.empty() ? "." : parent);
  } catch (const Error& e) {
    throw Error(path + " was created but may not survive a power loss: " + e.what());
  }
  return true;
}

void LocalStorage::remove(const std::string& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    throw Error("cannot remove " + path + ": " + errno_text(errno));
  }
}

void LocalStorage::create_directories(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw Error("cannot create directory " + dir + ": " + ec.message());
}

void LocalStorage::sync_file(const std::string& path) {
  fsync_path(path, O_RDONLY, "file");
}

void LocalStorage::sync_directory(const std::string& dir) {
  fsync_path(dir, O_RDONLY | O_DIRECTORY, "directory");
}

std::unique_ptr<StorageLock> LocalStorage::lock(const std::string& path) {
  // flock(2) on a descriptor of its own: it excludes other processes and other descriptors of
  // this one (every call opens a new descriptor), so threads exclude each other too.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error("cannot open " + path + " to lock it: " + errno_text(errno));
  while (::flock(fd, LOCK_EX) != 0) {
    if (errno == EINTR) continue;
    int err = errno;
    ::close(fd);
    throw Error("cannot lock " + path + ": " + errno_text(err));
  }
  return std::make_unique<LocalLock>(fd);
}

std::shared_ptr<Storage> local_storage() {
  static std::shared_ptr<Storage> instance = std::make_shared<LocalStorage>();
  return instance;
}

}  // namespace dls::delta
