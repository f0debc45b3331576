// Resolving an ApplyChanges spec against the batch and target columns (cdc_plan.h).
#include "pipeline/cdc/cdc_plan.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "dls/core/error.h"
#include "dls/sql/quote.h"
#include "dls/sql/spark/dialect.h"

namespace dls::pipeline::cdc {
namespace {

bool iequals(const std::string& a, const std::string& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

const Column* find_column(const std::vector<Column>& columns, const std::string& name) {
  for (const auto& c : columns)
    if (iequals(c.name, name)) return &c;
  return nullptr;
}

std::string names_of(const std::vector<Column>& columns) {
  std::string out;
  for (const auto& c : columns) out += (out.empty() ? "" : ", ") + c.name;
  return out;
}

[[noreturn]] void fail(const std::string& entity, const std::string& message) {
  throw InvalidMetadataError(entity_prefix(entity) + "apply_changes: " + message);
}

/// `name` resolved among `columns` (Spark names are case-insensitive), else an error naming the
/// field.
std::string resolve(const std::vector<Column>& columns, const std::string& name,
                    const std::string& field, const std::string& entity) {
  const Column* c = find_column(columns, name);
  if (!c)
    fail(entity, field + " names column '" + name + "', which is not among the columns (" +
                     names_of(columns) + ")");
  return c->name;
}

std::string translate(const std::string& spark, const std::string& field,
                      const std::string& entity) {
  try {
    return sql::spark::translate_expression(spark);
  } catch (const Error& e) {
    fail(entity, field + " '" + spark + "': " + e.what());
  }
}

bool is_reserved(const std::string& name) {
  return iequals(name, "__START_AT") || iequals(name, "__END_AT") ||
         (name.size() >= 6 && iequals(name.substr(0, 6), "__dls_"));
}

}  // namespace

std::string entity_prefix(const std::string& entity) {
  return entity.empty() ? std::string() : "entity '" + entity + "': ";
}

bool CdcPlan::is_ignore_null(const std::string& column) const {
  return std::find(ignore_null.begin(), ignore_null.end(), column) != ignore_null.end();
}

std::vector<std::string> CdcPlan::column_names() const {
  std::vector<std::string> out;
  for (const auto& c : columns) out.push_back(c.name);
  return out;
}

std::vector<std::string> CdcPlan::non_key_columns() const {
  std::vector<std::string> out;
  for (const auto& c : columns)
    if (std::find(keys.begin(), keys.end(), c.name) == keys.end()) out.push_back(c.name);
  return out;
}

std::vector<Column> describe(sql::Connection& con, const std::string& select_sql) {
  auto result = con.query("DESCRIBE " + select_sql);
  std::vector<Column> out;
  for (auto& row : result.rows()) out.push_back({row.at(0).as_string(), row.at(1).as_string()});
  return out;
}

delta::Schema schema_of(sql::Connection& con, const std::string& select_sql) {
  delta::Schema schema;
  for (const auto& c : describe(con, select_sql))
    schema.fields.push_back(delta::StructField{c.name, delta::DataType::from_duckdb(c.type), true});
  return schema;
}

std::string column_list(const std::vector<std::string>& columns, const std::string& prefix) {
  std::string out;
  for (const auto& c : columns) {
    if (!out.empty()) out += ", ";
    if (!prefix.empty()) out += prefix + ".";
    out += sql::quote_identifier(c);
  }
  return out;
}

std::string keys_match(const std::vector<std::string>& keys, const std::string& a,
                       const std::string& b) {
  std::string out;
  for (const auto& k : keys) {
    if (!out.empty()) out += " AND ";
    out += a + "." + sql::quote_identifier(k) + " IS NOT DISTINCT FROM " + b + "." +
           sql::quote_identifier(k);
  }
  return out;
}

void validate_apply_changes_spec(const std::vector<std::string>& keys, const ApplyChanges& spec,
                                 const std::string& entity) {
  if (keys.empty()) fail(entity, "primary_keys must name at least one key column");
  if (spec.sequence_by.empty()) fail(entity, "sequence_by is required");
  if (spec.stored_as_scd_type != 1 && spec.stored_as_scd_type != 2)
    fail(entity,
         "stored_as_scd_type must be 1 or 2, not " + std::to_string(spec.stored_as_scd_type));
  if (spec.stored_as_scd_type == 2 && spec.apply_as_truncates)
    fail(entity,
         "apply_as_truncates is supported only for SCD type 1 (Databricks: SCD type 2 does not "
         "support truncate); remove it or use stored_as_scd_type: 1");
  if (!spec.column_list.empty() && !spec.except_column_list.empty())
    fail(entity, "column_list and except_column_list are mutually exclusive");
  if (!spec.track_history_column_list.empty() && !spec.track_history_except_column_list.empty())
    fail(entity,
         "track_history_column_list and track_history_except_column_list are mutually exclusive");
  if (spec.stored_as_scd_type == 1 &&
      (!spec.track_history_column_list.empty() || !spec.track_history_except_column_list.empty()))
    fail(entity,
         "track_history_column_list / track_history_except_column_list apply only to "
         "stored_as_scd_type: 2");
  int ignore_forms = (spec.ignore_null_updates ? 1 : 0) +
                     (spec.ignore_null_updates_column_list.empty() ? 0 : 1) +
                     (spec.ignore_null_updates_except_column_list.empty() ? 0 : 1);
  if (ignore_forms > 1)
    fail(entity,
         "ignore_null_updates, ignore_null_updates_column_list and "
         "ignore_null_updates_except_column_list are mutually exclusive");
}

CdcPlan make_plan(const ApplyChangesRequest& request, const std::vector<Column>& batch,
                  const std::optional<std::vector<Column>>& target) {
  const auto& spec = request.spec;
  const auto& entity = request.entity;
  validate_apply_changes_spec(request.keys, spec, entity);

  CdcPlan plan;
  plan.entity = entity;
  plan.scd_type = spec.stored_as_scd_type;

  // The batch's output columns: column_list (in its order) or the batch minus except_column_list.
  std::vector<Column> out;
  if (!spec.column_list.empty()) {
    for (const auto& name : spec.column_list)
      out.push_back(*find_column(batch, resolve(batch, name, "column_list", entity)));
  } else {
    std::set<std::string> excluded;
    for (const auto& name : spec.except_column_list)
      excluded.insert(resolve(batch, name, "except_column_list", entity));
    for (const auto& c : batch)
      if (!excluded.count(c.name)) out.push_back(c);
  }
  for (const auto& c : out)
    if (is_reserved(c.name))
      fail(entity, "the change feed has a column named '" + c.name +
                       "', a name reserved by apply_changes (__START_AT, __END_AT, __dls_*); "
                       "leave it out with except_column_list");
  for (const auto& k : request.keys) {
    resolve(batch, k, "primary_keys", entity);
    if (!find_column(out, k))
      fail(entity, "key column '" + k +
                       "' is left out of the target by column_list/except_column_list; keys "
                       "must be kept");
  }

  if (target) {
    // The target's schema rules; a batch column it lacks would need schema evolution.
    for (const auto& c : out)
      if (!find_column(*target, c.name))
        fail(entity, "the change feed's column '" + c.name +
                         "' is not in the existing target table (columns: " + names_of(*target) +
                         "); schema evolution of an apply_changes target is not supported — "
                         "run a full refresh or leave the column out with except_column_list");
    plan.columns = *target;
    for (const auto& c : *target)
      if (!find_column(out, c.name)) plan.missing_in_batch.push_back(c.name);
  } else {
    plan.columns = out;
  }
  std::set<std::string> key_names;
  for (const auto& k : request.keys)
    key_names.insert(resolve(plan.columns, k, "primary_keys", entity));
  for (const auto& c : plan.columns)  // in column order: the state table's layout
    if (key_names.count(c.name)) plan.keys.push_back(c.name);
  auto non_keys = plan.non_key_columns();

  auto resolve_list = [&](const std::vector<std::string>& names, const std::string& field) {
    std::vector<std::string> resolved;
    for (const auto& name : names) {
      auto r = resolve(plan.columns, name, field, entity);
      if (std::find(plan.keys.begin(), plan.keys.end(), r) == plan.keys.end())
        resolved.push_back(r);
    }
    return resolved;
  };
  auto all_but = [&](const std::vector<std::string>& names, const std::string& field) {
    auto excluded = resolve_list(names, field);
    std::vector<std::string> kept;
    for (const auto& c : non_keys)
      if (std::find(excluded.begin(), excluded.end(), c) == excluded.end()) kept.push_back(c);
    return kept;
  };

  if (spec.ignore_null_updates)
    plan.ignore_null = non_keys;
  else if (!spec.ignore_null_updates_column_list.empty())
    plan.ignore_null =
        resolve_list(spec.ignore_null_updates_column_list, "ignore_null_updates_column_list");
  else if (!spec.ignore_null_updates_except_column_list.empty())
    plan.ignore_null = all_but(spec.ignore_null_updates_except_column_list,
                               "ignore_null_updates_except_column_list");

  if (plan.scd_type == 2) {
    if (!spec.track_history_column_list.empty())
      plan.tracked = resolve_list(spec.track_history_column_list, "track_history_column_list");
    else if (!spec.track_history_except_column_list.empty())
      plan.tracked =
          all_but(spec.track_history_except_column_list, "track_history_except_column_list");
    else
      plan.tracked = non_keys;
  }

  plan.sequence_sql = translate(spec.sequence_by, "sequence_by", entity);
  if (spec.where) plan.where_sql = translate(*spec.where, "where", entity);
  if (spec.apply_as_deletes)
    plan.delete_sql = translate(*spec.apply_as_deletes, "apply_as_deletes", entity);
  if (spec.apply_as_truncates)
    plan.truncate_sql = translate(*spec.apply_as_truncates, "apply_as_truncates", entity);
  return plan;
}

}  // namespace dls::pipeline::cdc

namespace dls::pipeline {

void validate_apply_changes(const std::vector<std::string>& keys, const ApplyChanges& spec,
                            const std::string& entity) {
  cdc::validate_apply_changes_spec(keys, spec, entity);
  cdc::translate(spec.sequence_by, "sequence_by", entity);
  if (spec.where) cdc::translate(*spec.where, "where", entity);
  if (spec.apply_as_deletes) cdc::translate(*spec.apply_as_deletes, "apply_as_deletes", entity);
  if (spec.apply_as_truncates)
    cdc::translate(*spec.apply_as_truncates, "apply_as_truncates", entity);
}

}  // namespace dls::pipeline
