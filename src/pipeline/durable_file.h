// Crash-safe small files for pipeline state: a file is written to a temporary name, fsynced,
// renamed over the target and the directory fsynced, so after a crash it holds either the old or
// the new content, never a torn one.
#pragma once

#include <filesystem>
#include <string>

namespace dls::pipeline {

/// Writes `content` to `path` durably (see above), creating parent directories. Throws dls::Error
/// naming the path on failure.
void write_file_durably(const std::filesystem::path& path, const std::string& content);

/// fsyncs a directory (its entries). Throws dls::Error naming the path on failure.
void sync_directory(const std::filesystem::path& dir);

/// Removes a file or directory tree durably (the parent directory is fsynced). No error when it
/// does not exist.
void remove_durably(const std::filesystem::path& path);

}  // namespace dls::pipeline
