#include "pipeline/view_registry.h"

#include "dls/catalog/table_name.h"
#include "dls/core/content_hash.h"
#include "dls/core/error.h"
#include "dls/pipeline/dataset_transform.h"
#include "dls/pipeline/expectations.h"
#include "dls/sql/connection.h"
#include "pipeline/dataset_flow.h"

namespace dls::pipeline {

ViewRegistry::ViewRegistry(sql::Database& db, const PipelineGraph& graph, catalog::Namespace target,
                           SourceFactory factory, ContextFor context_for)
    : db_(db),
      graph_(graph),
      target_(std::move(target)),
      factory_(std::move(factory)),
      context_for_(std::move(context_for)) {
  size_t i = 0;
  for (const auto& n : graph_.datasets()) {
    if (n.kind != DatasetKind::kView) continue;
    auto e = std::make_unique<Entry>();
    e->node = &n;
    e->index = i++;
    views_[n.qualified_name] = std::move(e);
  }
}

SourceContext ViewRegistry::context_of(const DatasetNode& node) {
  SourceContext c = context_for_(node);
  c.view_sql = [this](const std::string& name) { return view_sql(name); };
  return c;
}

std::optional<std::string> ViewRegistry::view_sql(const std::string& name) {
  std::string qualified;
  try {
    qualified = catalog::parse_table_name(name, target_).to_string();
  } catch (const Error&) {
    return std::nullopt;
  }
  auto it = views_.find(qualified);
  if (it == views_.end()) return std::nullopt;
  Entry& e = *it->second;
  const std::string table = "memory.main.\"__dls_view_" + std::to_string(e.index) + "\"";
  std::lock_guard lock(e.mutex);
  if (e.error) throw Error(*e.error);
  if (!e.done) {
    try {
      const DeltaLiveEntity& entity = e.node->entity;
      DatasetTransform transform = DatasetTransform::compile(entity);
      ExpectationSet expectations = ExpectationSet::compile(entity);
      sql::Connection con(db_);
      con.execute("SET TimeZone = 'UTC'");
      auto source = factory_(entity, context_of(*e.node));
      std::string source_sql = source->full_sql(con);
      ProcessedRows rows = process_rows(con, transform, expectations, source_sql, "__dls_view_rows",
                                        qualified, source->hidden_columns());
      con.execute("CREATE OR REPLACE TABLE " + table + " AS " +
                  expectations.valid_rows_sql(rows.table));
      con.execute("DROP TABLE IF EXISTS \"" + rows.table + "\"");
      std::lock_guard counts(counts_mutex_);
      e.evaluation = rows.evaluation;
    } catch (const std::exception& ex) {
      e.error = "the view " + qualified + " could not be computed: " + ex.what();
      throw Error(*e.error);
    }
    e.done = true;
  }
  return "SELECT * FROM " + table;
}

std::string ViewRegistry::fingerprint(const DatasetNode& node) {
  // Without comment, tags and table_properties: a change of those alone is a metadata commit
  // (TargetTable::sync_metadata), not a reason to recompute.
  DeltaLiveEntity definition = node.entity;
  definition.comment.reset();
  definition.tags.clear();
  definition.table_properties.clear();
  std::string text = content_hash(definition);
  bool reads_view = false;
  for (const auto& up : node.upstream) {
    const DatasetNode* u = graph_.find(up);
    if (u && u->kind == DatasetKind::kView) {
      reads_view = true;
      text += "\n" + fingerprint(*u);
    }
  }
  // A source over a view cannot fingerprint it (and creating it would compute the view): the
  // view's own fingerprint above stands for it. A query's source fingerprints only its tables.
  if (!reads_view || node.entity.query) {
    try {
      auto source = factory_(node.entity, context_of(node));
      text += "\n" + source->fingerprint();
    } catch (const std::exception& ex) {
      text += "\nerror:" + std::string(ex.what()) + ":" + random_id();  // never "unchanged"
    }
  }
  return sha256_hex(text);
}

std::optional<EvaluatedBatch> ViewRegistry::evaluation(const std::string& qualified) const {
  auto it = views_.find(qualified);
  if (it == views_.end()) return std::nullopt;
  std::lock_guard counts(counts_mutex_);
  return it->second->evaluation;
}

}  // namespace dls::pipeline
