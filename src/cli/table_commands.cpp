// `dls table describe|history|vacuum|optimize|restore|set-owner NAME_OR_PATH`: inspect and
// maintain one Delta table.
#include <ctime>
#include <memory>

#include "command_registry.h"
#include "dls/core/error.h"
#include "dls/core/timestamp.h"
#include "dls/delta/delta_error.h"
#include "dls/delta/delta_table.h"
#include "dls/pipeline/table_ownership.h"
#include "dls/sql/database.h"

namespace dls::cli {
namespace {

using ojson = nlohmann::ordered_json;

struct TableArgs {
  std::string table;
  std::optional<int64_t> limit;
  std::optional<int64_t> retain_hours;
  bool dry_run = false;
  bool force = false;
  std::string pipeline;                  // set-owner
  std::optional<std::string> where;      // optimize
  std::optional<int64_t> target_size;    // optimize
  std::optional<int64_t> version;        // restore
  std::optional<std::string> timestamp;  // restore
};

std::string human_bytes(int64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024 && u < 4) v /= 1024, ++u;
  char buf[32];
  if (u == 0) {
    std::snprintf(buf, sizeof buf, "%lld B", static_cast<long long>(bytes));
  } else {
    std::snprintf(buf, sizeof buf, "%.1f %s", v, units[u]);
  }
  return buf;
}

// Opens the table NAME_OR_PATH names, with an error naming both the input and the path.
delta::DeltaTable open_table(Context& ctx, const std::string& name_or_path,
                             catalog::TableLocation& location) {
  location = ctx.warehouse().resolve(name_or_path);
  ctx.debug("table " + location.display() + " at " + location.root.string());
  if (!delta::DeltaTable::exists(location.root.string())) {
    std::string msg = "no Delta table at " + location.root.string();
    if (location.name) {
      msg = "table " + location.name->to_string() + " not found: " + msg + " (warehouse " +
            ctx.warehouse().root().string() + "; choose it with --warehouse DIR or DLS_WAREHOUSE)";
    } else {
      msg += " (no _delta_log directory with a commit)";
    }
    throw delta::TableNotFoundError(msg);
  }
  return delta::DeltaTable::open(location.root.string());
}

ojson describe_json(const catalog::TableLocation& location, const delta::TableDescription& d) {
  ojson doc = ojson::object();
  doc["name"] = location.name ? ojson(location.name->to_string()) : ojson(nullptr);
  doc["location"] = d.location;
  doc["version"] = d.version;
  doc["id"] = d.id;
  doc["partition_columns"] = d.partition_columns;
  ojson props = ojson::object();
  for (const auto& [k, v] : d.properties) props[k] = v;
  doc["properties"] = props;
  doc["description"] = d.description ? ojson(*d.description) : ojson(nullptr);
  doc["num_files"] = d.num_files;
  doc["size_bytes"] = d.size_bytes;
  doc["num_records"] = d.num_records ? ojson(*d.num_records) : ojson(nullptr);
  doc["created_time"] =
      d.created_time_ms ? ojson(format_timestamp_millis(d.created_time_ms)) : ojson(nullptr);
  doc["last_modified"] =
      d.last_modified_ms ? ojson(format_timestamp_millis(d.last_modified_ms)) : ojson(nullptr);
  ojson schema = ojson::array();
  for (const auto& f : d.schema.fields) {
    schema.push_back(
        {{"name", f.name}, {"type", delta::spark_type_name(f.type)}, {"nullable", f.nullable}});
  }
  doc["schema"] = schema;
  ojson protocol = ojson::object();
  protocol["min_reader_version"] = d.protocol.min_reader_version;
  protocol["min_writer_version"] = d.protocol.min_writer_version;
  protocol["reader_features"] =
      d.protocol.reader_features ? ojson(*d.protocol.reader_features) : ojson(nullptr);
  protocol["writer_features"] =
      d.protocol.writer_features ? ojson(*d.protocol.writer_features) : ojson(nullptr);
  doc["protocol"] = protocol;
  return doc;
}

std::string join(const std::vector<std::string>& items, const std::string& sep) {
  std::string s;
  for (const auto& i : items) s += (s.empty() ? "" : sep) + i;
  return s;
}

void describe(Context& ctx, const TableArgs& args) {
  OutputFormat format = ctx.output_format(
      {OutputFormat::kTable, OutputFormat::kJson, OutputFormat::kYaml}, "dls table describe");
  catalog::TableLocation location;
  auto table = open_table(ctx, args.table, location);
  delta::TableDescription d = table.describe();
  if (format != OutputFormat::kTable) {
    render_document(describe_json(location, d), format, ctx.out());
    return;
  }
  std::string protocol = "reader " + std::to_string(d.protocol.min_reader_version) + ", writer " +
                         std::to_string(d.protocol.min_writer_version);
  if (d.protocol.reader_features && !d.protocol.reader_features->empty()) {
    protocol += "; reader features: " + join(*d.protocol.reader_features, ", ");
  }
  if (d.protocol.writer_features && !d.protocol.writer_features->empty()) {
    protocol += "; writer features: " + join(*d.protocol.writer_features, ", ");
  }
  std::vector<std::string> props;
  for (const auto& [k, v] : d.properties) props.push_back(k + "=" + v);
  std::vector<std::pair<std::string, std::string>> lines = {
      {"Name", location.name ? location.name->to_string() : "(path)"},
      {"Location", d.location},
      {"Version", std::to_string(d.version)},
      {"Id", d.id},
      {"Description", d.description.value_or("")},
      {"Partition columns",
       d.partition_columns.empty() ? "(none)" : join(d.partition_columns, ", ")},
      {"Files", std::to_string(d.num_files)},
      {"Size", human_bytes(d.size_bytes) + " (" + std::to_string(d.size_bytes) + " bytes)"},
      {"Records", d.num_records ? std::to_string(*d.num_records) : "unknown (files without stats)"},
      {"Created", d.created_time_ms ? format_timestamp_millis(d.created_time_ms) : "unknown"},
      {"Last modified",
       d.last_modified_ms ? format_timestamp_millis(d.last_modified_ms) : "unknown"},
      {"Protocol", protocol},
      {"Properties", props.empty() ? "(none)" : join(props, ", ")},
  };
  for (const auto& [key, value] : lines) {
    ctx.out() << key << std::string(19 - key.size(), ' ') << value << "\n";
  }
  ctx.out() << "\nSchema:\n";
  DataTable schema{{"column", "type", "nullable"}, {}};
  for (const auto& f : d.schema.fields) {
    bool partition = std::find(d.partition_columns.begin(), d.partition_columns.end(), f.name) !=
                     d.partition_columns.end();
    schema.rows.push_back({f.name + (partition ? " (partition)" : ""),
                           delta::spark_type_name(f.type), f.nullable ? "yes" : "no"});
  }
  RenderOptions options;
  options.row_count = false;
  options.max_cell_width = 120;
  render_table(schema, OutputFormat::kTable, ctx.out(), options);
}

void history(Context& ctx, const TableArgs& args) {
  OutputFormat format = ctx.output_format(
      {OutputFormat::kTable, OutputFormat::kJson, OutputFormat::kYaml, OutputFormat::kCsv},
      "dls table history");
  if (args.limit && *args.limit < 1) throw UsageError("--limit must be at least 1");
  catalog::TableLocation location;
  auto table = open_table(ctx, args.table, location);
  DataTable t{{"version", "timestamp", "operation", "operation_parameters", "operation_metrics"},
              {}};
  for (const auto& h : table.history(args.limit)) {
    auto object_or_empty = [](const nlohmann::json& j) {
      return j.is_null() ? ojson::object() : ojson::parse(j.dump());
    };
    t.rows.push_back({h.version, format_timestamp_millis(h.timestamp_ms),
                      h.operation ? Cell(*h.operation) : Cell(nullptr),
                      object_or_empty(h.operation_parameters),
                      object_or_empty(h.operation_metrics)});
  }
  if (format == OutputFormat::kJson || format == OutputFormat::kYaml) {
    ojson doc = ojson::array();
    for (const auto& row : t.rows) {
      ojson entry = ojson::object();
      for (size_t c = 0; c < t.columns.size(); ++c) entry[t.columns[c]] = row[c];
      doc.push_back(entry);
    }
    render_document(doc, format, ctx.out());
    return;
  }
  render_table(t, format, ctx.out());
}

void vacuum(Context& ctx, const TableArgs& args) {
  OutputFormat format = ctx.output_format(
      {OutputFormat::kTable, OutputFormat::kJson, OutputFormat::kYaml, OutputFormat::kCsv},
      "dls table vacuum");
  if (args.retain_hours && *args.retain_hours < 0) throw UsageError("--retain must be >= 0 hours");
  catalog::TableLocation location;
  auto table = open_table(ctx, args.table, location);
  // The library refuses a retention shorter than the table's delta.deletedFileRetentionDuration
  // unless forced; a dry run deletes nothing, so it may preview any retention.
  delta::VacuumResult r;
  try {
    r = table.vacuum(args.retain_hours, args.dry_run, args.force || args.dry_run);
  } catch (const UsageError& e) {
    throw UsageError(std::string(e.what()) +
                     ". Check what would go with --dry-run, then pass --force if you are sure.");
  }
  std::string summary = std::string(r.dry_run ? "would delete " : "deleted ") +
                        std::to_string(r.files.size()) + " file" +
                        (r.files.size() == 1 ? "" : "s") + " (" + human_bytes(r.bytes) + ") from " +
                        location.display();
  if (format == OutputFormat::kJson || format == OutputFormat::kYaml) {
    ojson doc = ojson::object();
    doc["table"] = location.display();
    doc["dry_run"] = r.dry_run;
    doc["num_files"] = r.files.size();
    doc["size_bytes"] = r.bytes;
    doc["files"] = r.files;
    render_document(doc, format, ctx.out());
  } else {
    DataTable t{{"file"}, {}};
    for (const auto& f : r.files) t.rows.push_back({f});
    RenderOptions options;
    options.row_count = false;
    options.max_cell_width = 4096;
    if (!r.files.empty() || format == OutputFormat::kCsv)
      render_table(t, format, ctx.out(), options);
  }
  ctx.info(summary);
}

// The commit of a maintenance command as JSON fields, with the checkpoint warning (also printed
// on stderr by the delta layer) when the checkpoint after it failed.
void commit_fields(ojson& doc, const delta::CommitResult& commit) {
  doc["committed"] = !commit.skipped;
  doc["version"] = commit.version;
  doc["checkpoint_error"] =
      commit.checkpoint_error ? ojson(*commit.checkpoint_error) : ojson(nullptr);
}

void optimize(Context& ctx, const TableArgs& args) {
  OutputFormat format = ctx.output_format(
      {OutputFormat::kTable, OutputFormat::kJson, OutputFormat::kYaml}, "dls table optimize");
  if (args.target_size && *args.target_size <= 0)
    throw UsageError("--target-size must be a positive number of bytes");
  catalog::TableLocation location;
  auto table = open_table(ctx, args.table, location);
  sql::Database db("", {{"threads", "2"}});
  sql::Connection con = db.connect();
  delta::OptimizeOptions options;
  options.where = args.where;
  options.target_size_bytes = args.target_size.value_or(0);
  delta::OptimizeResult r = table.optimize(con, options);
  if (format == OutputFormat::kJson || format == OutputFormat::kYaml) {
    ojson doc = ojson::object();
    doc["table"] = location.display();
    commit_fields(doc, r.commit);
    doc["files_removed"] = r.files_removed;
    doc["files_added"] = r.files_added;
    doc["bytes_removed"] = r.bytes_removed;
    doc["bytes_added"] = r.bytes_added;
    doc["partitions_optimized"] = r.partitions_optimized;
    doc["deletion_vectors_purged"] = r.deletion_vectors_purged;
    doc["target_size_bytes"] = r.target_size_bytes;
    render_document(doc, format, ctx.out());
  }
  if (r.commit.skipped) {
    ctx.info(location.display() + " is already optimized (no partition has two files smaller " +
             "than " + human_bytes(r.target_size_bytes) +
             " or a deletion vector); nothing was committed");
  } else {
    ctx.info("optimized " + location.display() + " at version " + std::to_string(r.commit.version) +
             ": " + std::to_string(r.files_removed) + " files (" + human_bytes(r.bytes_removed) +
             ") rewritten into " + std::to_string(r.files_added) + " (" +
             human_bytes(r.bytes_added) + ")" +
             (r.deletion_vectors_purged
                  ? ", " + std::to_string(r.deletion_vectors_purged) + " deletion vectors purged"
                  : std::string()));
  }
}

void restore(Context& ctx, const TableArgs& args) {
  OutputFormat format = ctx.output_format(
      {OutputFormat::kTable, OutputFormat::kJson, OutputFormat::kYaml}, "dls table restore");
  if (args.version.has_value() == args.timestamp.has_value())
    throw UsageError("dls table restore needs exactly one of --version N and --timestamp T");
  delta::VersionSpec spec;
  if (args.version) {
    if (*args.version < 0) throw UsageError("--version must be >= 0");
    spec.version = args.version;
  } else {
    auto ts = parse_timestamp(*args.timestamp);
    if (!ts) {
      throw UsageError("--timestamp '" + *args.timestamp +
                       "' is not a timestamp (e.g. 2024-01-02T03:04:05Z or 2024-01-02)");
    }
    // Time travel selects the latest commit at or before T, to the millisecond.
    spec.timestamp_ms = *ts >= 0 ? *ts / 1000 : (*ts - 999) / 1000;
  }
  catalog::TableLocation location;
  auto table = open_table(ctx, args.table, location);
  delta::RestoreResult r = table.restore(spec);
  if (format == OutputFormat::kJson || format == OutputFormat::kYaml) {
    ojson doc = ojson::object();
    doc["table"] = location.display();
    commit_fields(doc, r.commit);
    doc["restored_version"] = r.restored_version;
    doc["files_added"] = r.files_added;
    doc["files_removed"] = r.files_removed;
    doc["bytes_added"] = r.bytes_added;
    doc["bytes_removed"] = r.bytes_removed;
    render_document(doc, format, ctx.out());
  }
  if (r.commit.skipped) {
    ctx.info(location.display() + " already has the content of version " +
             std::to_string(r.restored_version) + "; nothing was committed");
  } else {
    ctx.info("restored " + location.display() + " to version " +
             std::to_string(r.restored_version) + " as version " +
             std::to_string(r.commit.version) + ": " + std::to_string(r.files_added) +
             " files re-added, " + std::to_string(r.files_removed) + " removed");
  }
}

// `dls table set-owner NAME PIPELINE`: moves a table (and its quarantine table NAME_invalid, when
// it has the same owner) to another pipeline; one metadata-only commit each (table_ownership.h).
void set_owner(Context& ctx, const TableArgs& args) {
  catalog::TableLocation location;
  auto table = open_table(ctx, args.table, location);
  pipeline::OwnerChange change = pipeline::set_table_owner(table.root(), args.pipeline);
  const std::string before = change.previous ? "pipeline '" + *change.previous + "'" : "no owner";
  if (!change.changed) {
    ctx.info(location.display() + " is owned by pipeline '" + args.pipeline +
             "' already; nothing changed");
  } else {
    ctx.info(location.display() + ": owner " + before + " -> pipeline '" + args.pipeline +
             "' (version " + std::to_string(change.version) + ")");
  }
  if (location.name) {
    catalog::TableName invalid = *location.name;
    invalid.table += "_invalid";
    const std::string root = ctx.warehouse().resolve(invalid).root.string();
    if (delta::DeltaTable::exists(root) &&
        pipeline::recorded_owner(delta::DeltaTable::open(root).snapshot()) == change.previous) {
      auto q = pipeline::set_table_owner(root, args.pipeline);
      if (q.changed) {
        ctx.info(invalid.to_string() + " (its quarantine table): owner " + before +
                 " -> pipeline '" + args.pipeline + "' (version " + std::to_string(q.version) +
                 ")");
      }
    }
  }
}

void add_table_argument(CLI::App* cmd, TableArgs& args) {
  cmd->add_option("NAME_OR_PATH", args.table,
                  "catalog.schema.table or schema.table in the warehouse, or a path (contains '/')")
      ->required();
}

}  // namespace

void register_table_commands(CommandRegistry& r) {
  CLI::App* table = r.add_group(r.root(), "table", "Inspect and maintain Delta tables");
  {
    auto args = std::make_shared<TableArgs>();
    CLI::App* cmd = r.add_command(
        *table, "describe",
        "Show a table's location, version, schema, partitioning, properties, files, size and "
        "protocol. Formats: table, json, yaml.",
        {"dls table describe main.demo.trips", "dls table describe ./data/events --format json"},
        [args](Context& ctx) { describe(ctx, *args); });
    add_table_argument(cmd, *args);
  }
  {
    auto args = std::make_shared<TableArgs>();
    CLI::App* cmd = r.add_command(
        *table, "history",
        "List a table's commits, newest first: version, timestamp (UTC), operation, parameters "
        "and metrics. Formats: table, json, yaml, csv.",
        {"dls table history main.demo.trips --limit 5"},
        [args](Context& ctx) { history(ctx, *args); });
    add_table_argument(cmd, *args);
    cmd->add_option("--limit", args->limit, "Show only the newest N commits")->type_name("N");
  }
  {
    auto args = std::make_shared<TableArgs>();
    CLI::App* cmd = r.add_command(
        *table, "vacuum",
        "Delete data files no longer referenced by the table's versions within the retention "
        "period (default: delta.deletedFileRetentionDuration, else 7 days). Prints the files.",
        {"dls table vacuum main.demo.trips --dry-run",
         "dls table vacuum main.demo.trips --retain 24 --force"},
        [args](Context& ctx) { vacuum(ctx, *args); });
    add_table_argument(cmd, *args);
    cmd->add_option("--retain", args->retain_hours, "Retention period in hours")
        ->type_name("HOURS");
    cmd->add_flag("--dry-run", args->dry_run,
                  "List the files that would be deleted; delete nothing");
    cmd->add_flag("--force", args->force,
                  "Allow a retention shorter than the table's delta.deletedFileRetentionDuration "
                  "(default 7 days)");
  }
  {
    auto args = std::make_shared<TableArgs>();
    CLI::App* cmd = r.add_command(
        *table, "optimize",
        "Compact small files and purge deletion vectors: per partition, files smaller than the "
        "target size are bin-packed into larger ones and files with deletion vectors are "
        "rewritten without their deleted rows. One commit with operation OPTIMIZE (dataChange "
        "false: the rows do not change, streaming readers skip it). Formats: table, json, yaml.",
        {"dls table optimize main.demo.trips",
         "dls table optimize main.demo.trips --where \"day >= '2024-01-01'\" --target-size "
         "268435456"},
        [args](Context& ctx) { optimize(ctx, *args); });
    add_table_argument(cmd, *args);
    cmd->add_option("--where", args->where,
                    "Only the partitions matching this SQL predicate over the partition columns")
        ->type_name("PRED");
    cmd->add_option("--target-size", args->target_size,
                    "Target file size in bytes (default: delta.targetFileSize, else 128 MiB)")
        ->type_name("BYTES");
  }
  {
    auto args = std::make_shared<TableArgs>();
    CLI::App* cmd = r.add_command(
        *table, "restore",
        "Restore a table to an earlier version: one commit with operation RESTORE that removes "
        "the files the version did not have and re-adds its files (fails, changing nothing, when "
        "VACUUM removed one). History is kept: the restore itself can be undone. Formats: "
        "table, json, yaml.",
        {"dls table restore main.demo.trips --version 3",
         "dls table restore main.demo.trips --timestamp 2024-01-02T03:04:05Z"},
        [args](Context& ctx) { restore(ctx, *args); });
    add_table_argument(cmd, *args);
    cmd->add_option("--version", args->version, "The version to restore")->type_name("N");
    cmd->add_option("--timestamp", args->timestamp,
                    "Restore the latest version committed at or before this time (UTC unless "
                    "an offset is given)")
        ->type_name("T");
  }
  {
    auto args = std::make_shared<TableArgs>();
    CLI::App* cmd = r.add_command(
        *table, "set-owner",
        "Move a table to another pipeline: set its owner, the table property "
        "pipelines.pipelineId, in one metadata-only commit (no data changes). A pipeline writes "
        "only the tables it owns; this is the one way to hand a table over. NAME_invalid, its "
        "quarantine table, moves with it when it had the same owner.",
        {"dls table set-owner main.sales.orders_bronze sales_v2"},
        [args](Context& ctx) { set_owner(ctx, *args); });
    add_table_argument(cmd, *args);
    cmd->add_option("PIPELINE", args->pipeline, "The pipeline that owns the table from now on")
        ->required();
    cmd->footer(cmd->get_footer() +
                "\nThe new owner's update reads the source from its own checkpoints: a pipeline "
                "that never ran the dataset reads all input again (use --full-refresh DATASET to "
                "start the table afresh). A dls control table is never owned (exit 3).\n");
  }
}

}  // namespace dls::cli
