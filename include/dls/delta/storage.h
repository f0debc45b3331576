// The storage interface the Delta layer's protocol logic uses for the log and for file
// bookkeeping — listing, reading and writing _delta_log, existence checks, fsyncs, locks and
// deletions (vacuum, log clean-up) — with a local-filesystem implementation.
//
// Not every byte goes through it: Parquet files are opened by DuckDB by local path — the log's
// checkpoints and sidecars by the Engine (engine.h; a written checkpoint's bytes are published
// here with write_atomic), data files by DataWriter's COPY and TableScan's SELECT. A non-local
// Storage therefore needs an Engine and a data plane that read and write through it too.
//
// Paths are absolute local paths (std::string). LocalStorage is safe to use from several threads
// and several processes: write_atomic and put_if_absent are atomic across processes, and lock
// excludes other processes and threads of this machine (flock(2), not shared over NFS).
//
// Durability: a file is durable once its content and its directory entry are (fsync of the file,
// then of its directory). write_atomic and put_if_absent make what they create durable; files
// written by others (DuckDB's data files) are made durable with sync_file + sync_directory before
// a commit references them. A failed fsync always throws: the data may be lost on power failure,
// and a commit must never point at a missing or short file.
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

/// An exclusive lock taken with Storage::lock, released when destroyed.
class StorageLock {
 public:
  virtual ~StorageLock() = default;
};

class Storage {
 public:
  virtual ~Storage() = default;
  virtual bool exists(const std::string& path) const = 0;
  /// Immediate entries of a directory, sorted by name. Empty when the directory does not exist.
  virtual std::vector<FileInfo> list(const std::string& dir) const = 0;
  /// The entries of `dir` whose name is >= `start_name` (byte order), sorted by name: the
  /// "list from" of object stores, which lets a reader list _delta_log from a checkpoint on. The
  /// default filters list(); LocalStorage reads every name of the directory but stats only the
  /// entries it returns. Empty when the directory does not exist.
  virtual std::vector<FileInfo> list_from(const std::string& dir,
                                          const std::string& start_name) const;
  /// Whole file content. Throws dls::NotFoundError if missing, dls::Error on I/O failure.
  virtual std::string read(const std::string& path) const = 0;
  virtual FileInfo stat(const std::string& path) const = 0;
  /// Writes the file atomically and durably (temp file, fsync, rename, fsync of the directory),
  /// replacing any existing file; creates parent directories.
  virtual void write_atomic(const std::string& path, const std::string& content) = 0;
  /// Creates `path` with `content` only if it does not exist, atomically and durably (temp file,
  /// fsync, link(2), fsync of the directory). Returns false — and leaves the existing file
  /// untouched — when it exists. Throws dls::Error when a step fails; when only the final fsync of
  /// the directory fails, the file exists but may not survive a power loss, and the error says so.
  virtual bool put_if_absent(const std::string& path, const std::string& content) = 0;
  /// Makes the content of an existing file durable (fsync). Throws dls::NotFoundError when it is
  /// missing, dls::Error when the system reports a failure (never ignored).
  virtual void sync_file(const std::string& path) = 0;
  /// Makes the entries of a directory durable (fsync of the directory): files created, renamed or
  /// linked in it survive a power loss. Throws dls::Error on failure.
  virtual void sync_directory(const std::string& dir) = 0;
  /// Blocks until this caller holds the exclusive lock on the existing file or directory `path`,
  /// shared by every thread and process of this machine that locks the same path; the lock is
  /// released when the returned object is destroyed. It protects read-then-write sequences such as
  /// updating _last_checkpoint (other engines do not take it: it orders dls writers only).
  virtual std::unique_ptr<StorageLock> lock(const std::string& path) = 0;
  /// Removes a file; no error if it is already gone.
  virtual void remove(const std::string& path) = 0;
  virtual void create_directories(const std::string& dir) = 0;
};

/// The local filesystem. write_atomic and put_if_absent do every fsync through the virtual
/// sync_file and sync_directory, so a subclass can observe or fail them (tests of the order of
/// durable operations and of fsync failures).
class LocalStorage : public Storage {
 public:
  bool exists(const std::string& path) const override;
  std::vector<FileInfo> list(const std::string& dir) const override;
  std::vector<FileInfo> list_from(const std::string& dir,
                                  const std::string& start_name) const override;
  std::string read(const std::string& path) const override;
  FileInfo stat(const std::string& path) const override;
  void write_atomic(const std::string& path, const std::string& content) override;
  bool put_if_absent(const std::string& path, const std::string& content) override;
  void remove(const std::string& path) override;
  void create_directories(const std::string& dir) override;
  void sync_file(const std::string& path) override;
  void sync_directory(const std::string& dir) override;
  std::unique_ptr<StorageLock> lock(const std::string& path) override;
};

/// A process-wide LocalStorage.
std::shared_ptr<Storage> local_storage();

}  // namespace dls::delta
