// GeneratedProject: the files and warnings a generator produces (Databricks bundle, Spark project).
//
// A generator never writes to disk itself: it returns a GeneratedProject, a list of files with
// paths relative to the output directory and the warnings it found — one CodegenWarning per
// entity feature the target cannot express (DESIGN §8: every entity field is translated or
// reported, never silently dropped). Metadata that cannot be generated at all throws
// CodegenError (codegen_error.h) instead. write_to() writes the files; it refuses paths that are
// absolute or contain "..", and creates directories as needed. Plain values; not synchronised.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace dls::codegen {

/// One feature of one entity that the target cannot express (or expresses only approximately).
struct CodegenWarning {
  std::string entity_id;  ///< "" for warnings about the whole project
  std::string field;      ///< the entity field, e.g. "apply_changes.where", "read_options.x"
  std::string message;    ///< what is lost and what to do about it

  /// "entity 'E': FIELD: MESSAGE" (or "FIELD: MESSAGE" without an entity).
  std::string to_string() const;
  friend bool operator==(const CodegenWarning&, const CodegenWarning&) = default;
};

struct GeneratedFile {
  std::string path;  ///< relative, '/'-separated, e.g. "resources/etl.pipeline.yml"
  std::string content;
};

class GeneratedProject {
 public:
  /// Adds a file; throws CodegenError when `path` is already present or unsafe.
  void add_file(std::string path, std::string content);
  void warn(std::string entity_id, std::string field, std::string message);
  void add_warnings(const std::vector<CodegenWarning>& warnings);

  const std::vector<GeneratedFile>& files() const { return files_; }
  const std::vector<CodegenWarning>& warnings() const { return warnings_; }
  /// The file at `path`, or nullptr.
  const GeneratedFile* find(std::string_view path) const;

  /// Writes every file under `dir` (created when missing); existing files are overwritten, other
  /// files in `dir` are left alone. Throws dls::Error naming the file on an I/O error.
  void write_to(const std::filesystem::path& dir) const;

 private:
  std::vector<GeneratedFile> files_;
  std::vector<CodegenWarning> warnings_;
};

}  // namespace dls::codegen
