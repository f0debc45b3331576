#include "dls/codegen/generated_project.h"

#include <algorithm>
#include <fstream>
#include <system_error>

#include "dls/codegen/codegen_error.h"
#include "dls/core/error.h"

namespace dls::codegen {

std::string CodegenWarning::to_string() const {
  std::string out = entity_id.empty() ? "" : "entity '" + entity_id + "': ";
  if (!field.empty()) out += field + ": ";
  return out + message;
}

void GeneratedProject::add_file(std::string path, std::string content) {
  const std::filesystem::path p(path);
  const bool unsafe =
      path.empty() || p.is_absolute() ||
      std::any_of(p.begin(), p.end(), [](const auto& part) { return part == ".." || part == "."; });
  if (unsafe) throw CodegenError("generated file path '" + path + "' is not a safe relative path");
  if (find(path)) throw CodegenError("generated file '" + path + "' would be written twice");
  files_.push_back({std::move(path), std::move(content)});
}

void GeneratedProject::warn(std::string entity_id, std::string field, std::string message) {
  warnings_.push_back({std::move(entity_id), std::move(field), std::move(message)});
}

void GeneratedProject::add_warnings(const std::vector<CodegenWarning>& warnings) {
  warnings_.insert(warnings_.end(), warnings.begin(), warnings.end());
}

const GeneratedFile* GeneratedProject::find(std::string_view path) const {
  for (const auto& f : files_) {
    if (f.path == path) return &f;
  }
  return nullptr;
}

void GeneratedProject::write_to(const std::filesystem::path& dir) const {
  for (const auto& f : files_) {
    const std::filesystem::path target = dir / f.path;
    std::error_code ec;
    std::filesystem::create_directories(target.parent_path(), ec);
    if (ec) {
      throw Error("cannot create directory " + target.parent_path().string() + ": " + ec.message());
    }
    std::ofstream out(target, std::ios::binary | std::ios::trunc);
    out << f.content;
    out.close();
    if (!out) throw Error("cannot write " + target.string());
    // Generated scripts are meant to be run.
    if (target.extension() == ".sh") {
      std::filesystem::permissions(target,
                                   std::filesystem::perms::owner_exec |
                                       std::filesystem::perms::group_exec |
                                       std::filesystem::perms::others_exec,
                                   std::filesystem::perm_options::add, ec);
      if (ec) throw Error("cannot make " + target.string() + " executable: " + ec.message());
    }
  }
}

}  // namespace dls::codegen
