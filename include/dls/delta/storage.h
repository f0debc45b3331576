// The narrow storage interface the Delta layer uses for every file operation (STYLE.md: the
// protocol logic never calls POSIX directly), with a local-filesystem implementation.
//
// Paths are absolute local paths (std::string). Implementations are safe to use from several
// threads and several processes: put_if_absent is atomic across processes.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace dls::delta {

struct FileInfo {
  std::string name;                  // file name only (no directory)
  int64_t size = 0;                  // bytes
  int64_t modification_time_ms = 0;  // milliseconds since the epoch
  bool is_directory = false;
};

class Storage {
 public:
  virtual ~Storage() = default;
  virtual bool exists(const std::string& path) const = 0;
  /// Immediate entries of a directory, sorted by name. Empty when the directory does not exist.
  virtual std::vector<FileInfo> list(const std::string& dir) const = 0;
  /// Whole file content. Throws dls::NotFoundError if missing, dls::Error on I/O failure.
  virtual std::string read(const std::string& path) const = 0;
  virtual FileInfo stat(const std::string& path) const = 0;
  /// Writes the file atomically (temp file + rename), replacing any existing file; creates
  /// parent directories.
  virtual void write_atomic(const std::string& path, const std::string& content) = 0;
  /// Creates `path` with `content` only if it does not exist, atomically and durably (temp file,
  /// fsync, link(2)). Returns false — and leaves the existing file untouched — when it exists.
  virtual bool put_if_absent(const std::string& path, const std::string& content) = 0;
  /// Removes a file; no error if it is already gone.
  virtual void remove(const std::string& path) = 0;
  virtual void create_directories(const std::string& dir) = 0;
};

/// The local filesystem.
class LocalStorage : public Storage {
 public:
  bool exists(const std::string& path) const override;
  std::vector<FileInfo> list(const std::string& dir) const override;
  std::string read(const std::string& path) const override;
  FileInfo stat(const std::string& path) const override;
  void write_atomic(const std::string& path, const std::string& content) override;
  bool put_if_absent(const std::string& path, const std::string& content) override;
  void remove(const std::string& path) override;
  void create_directories(const std::string& dir) override;
};

/// A process-wide LocalStorage.
std::shared_ptr<Storage> local_storage();

}  // namespace dls::delta
