// LoadSummary: what one loader run did to the control table, for people (`dls load ...` prints it)
// and for programs (--format json).
//
// Every entity the loader handled appears in exactly one list: inserted (first version), updated
// (new version with different content), unchanged (latest version already matched), disabled (an
// enabled entity the load turned off: missing from its group in a YAML file, or downstream of
// one). `moved` names the entities the load moved to another group (`--allow-move`; they are also
// in inserted/updated/unchanged as their content says). `version` is the control-table version
// after the load (the commit written, or the current one when nothing changed). Warnings are the
// input's validation warnings (storable, but the pipeline will ignore or reject part of it), with
// locations when the input had them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dls/core/diagnostic.h"
#include "dls/loaders/load_plan.h"

namespace dls {

struct LoadSummary {
  std::string source;  ///< what was loaded: file name, directory, "<stdin>"
  int64_t version = -1;
  std::vector<std::string> inserted;
  std::vector<std::string> updated;
  std::vector<std::string> unchanged;
  std::vector<std::string> disabled;
  std::vector<MovedEntity> moved;
  Diagnostics warnings;

  bool changed() const { return !inserted.empty() || !updated.empty() || !disabled.empty(); }

  /// One line: "loaded FILE: 2 inserted, 1 updated, 3 unchanged, 1 disabled (version 4)", and
  /// when entities moved: "; moved 7 from group 'a' to 'b'" per moved entity.
  std::string to_text() const;
  /// {"source", "version", "inserted": [...], "updated": [...], "unchanged": [...],
  ///  "disabled": [...], "moved": [{"entity_id", "from_group", "to_group"}, ...],
  ///  "counts": {"inserted": n, ...}, "warnings": ["...", ...]}.
  nlohmann::json to_json() const;
};

}  // namespace dls
