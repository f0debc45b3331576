#include "delta/checkpoint_reader.h"

#include <string_view>

#include "delta/engine.h"
#include "dls/core/error.h"
#include "dls/delta/delta_error.h"
#include "dls/delta/snapshot.h"
#include "dls/sql/quote.h"

namespace dls::delta {

using nlohmann::json;

namespace {

struct Collected {
  bool with_tombstones = false;
  std::vector<Action> actions;
  std::vector<std::string> sidecars;  // paths as written (relative to _delta_log/_sidecars)
};

/// Keeps the action if it belongs to the snapshot state; remembers sidecar references.
void collect(Action&& action, Collected& out) {
  if (auto* other = std::get_if<OtherAction>(&action)) {
    if (other->kind == "sidecar") {
      auto p = other->body.find("path");
      if (p == other->body.end() || !p->is_string())
        throw CorruptTableError("sidecar action without a path");
      out.sidecars.push_back(p->get<std::string>());
    }
    return;  // checkpointMetadata and unknown actions do not change the state
  }
  if (std::holds_alternative<CommitInfo>(action)) return;
  if (std::holds_alternative<RemoveFile>(action) && !out.with_tombstones) return;
  out.actions.push_back(std::move(action));
}

void read_parquet_actions(const std::vector<std::string>& files, Collected& out) {
  std::string list = "[";
  for (size_t i = 0; i < files.size(); ++i) {
    if (i) list += ", ";
    list += sql::quote_literal(files[i]);
  }
  list += "]";
  // Only the columns that carry state; COLUMNS() with a regex skips the absent ones.
  const std::string columns = out.with_tombstones
                                  ? "protocol|metaData|add|remove|txn|domainMetadata|sidecar"
                                  : "protocol|metaData|add|txn|domainMetadata|sidecar";
  const std::string query = "SELECT to_json(COLUMNS('^(" + columns +
                            ")$'))::VARCHAR FROM read_parquet(" + list + ", union_by_name = true)";
  const std::string where = files.size() == 1 ? files[0] : files[0] + " (and other parts)";
  try {
    sql::Connection con = engine::connect();
    sql::Result result = con.query(query);
    const auto& names = result.column_names();
    while (auto chunk = result.next_chunk()) {
      for (size_t row = 0; row < chunk->size(); ++row) {
        for (size_t col = 0; col < names.size(); ++col) {
          if (chunk->is_null(col, row)) continue;
          json body = json::parse(chunk->get_string(col, row));
          if (body.is_null()) continue;
          // A writer may store a struct of nulls instead of a null struct for the other rows.
          if (names[col] == "remove" && (!body.contains("path") || body["path"].is_null()))
            continue;
          if (names[col] == "add") {
            // delta-rs/Spark may write only the struct form of the stats.
            auto stats = body.find("stats");
            auto parsed = body.find("stats_parsed");
            if ((stats == body.end() || stats->is_null()) && parsed != body.end() &&
                !parsed->is_null()) {
              body["stats"] = parsed->dump();
            }
            body.erase("stats_parsed");
            body.erase("partitionValues_parsed");
          }
          json line = json::object();
          line[names[col]] = std::move(body);
          collect(action_from_json(line), out);
        }
      }
    }
  } catch (const CorruptTableError&) {
    throw;
  } catch (const json::exception& e) {
    throw CorruptTableError("checkpoint " + where + " is unreadable: " + e.what());
  } catch (const Error& e) {
    throw CorruptTableError("checkpoint " + where + " is unreadable: " + e.what());
  }
}

}  // namespace

std::vector<Action> read_checkpoint(const Storage& storage, const std::string& table_root,
                                    const CheckpointFiles& cp, bool with_tombstones) {
  Collected out;
  out.with_tombstones = with_tombstones;
  for (const LogFile& f : cp.files) {
    if (!storage.exists(f.path))
      throw CorruptTableError("checkpoint file " + f.path + " is missing");
  }
  if (cp.kind == CheckpointFiles::Kind::kV2Json) {
    const LogFile& f = cp.files.front();
    for (Action& a : parse_commit(storage.read(f.path), f.path)) collect(std::move(a), out);
  } else {
    std::vector<std::string> paths;
    for (const LogFile& f : cp.files) paths.push_back(f.path);
    read_parquet_actions(paths, out);
  }
  // Any checkpoint may reference sidecars (a v2 checkpoint can also use the classic name).
  if (!out.sidecars.empty()) {
    const std::string sidecar_dir = log_dir(table_root) + "/_sidecars";
    std::vector<std::string> paths;
    for (const std::string& s : out.sidecars) {
      std::string p = decode_path(s);
      if (p.empty() || p.front() != '/') p = sidecar_dir + "/" + p;
      if (!storage.exists(p)) {
        throw CorruptTableError("sidecar file " + p + " of checkpoint " + cp.files.front().path +
                                " is missing");
      }
      paths.push_back(std::move(p));
    }
    Collected side;
    side.with_tombstones = with_tombstones;
    read_parquet_actions(paths, side);
    for (Action& a : side.actions) out.actions.push_back(std::move(a));
  }
  return std::move(out.actions);
}

}  // namespace dls::delta
