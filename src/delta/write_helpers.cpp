// Small pieces shared by DeltaTable's writes (write_helpers.h).
#include "delta/write_helpers.h"

#include "dls/delta/delta_error.h"

namespace dls::delta {

RemoveFile remove_of(const AddFile& add, int64_t timestamp) {
  RemoveFile r;
  r.path = add.path;
  r.deletion_timestamp = timestamp;
  r.data_change = true;
  r.extended_file_metadata = true;
  r.partition_values = add.partition_values;
  r.size = add.size;
  r.stats = add.stats;
  r.tags = add.tags;
  r.deletion_vector = add.deletion_vector;
  r.base_row_id = add.base_row_id;
  r.default_row_commit_version = add.default_row_commit_version;
  return r;
}

CommitResult commit_or_discard(Transaction& tx, const DataWriter& writer,
                               const WrittenFiles& files) {
  CommitResult result;
  try {
    result = tx.commit();
  } catch (const CommitConflictError&) {
    writer.discard(files);
    throw;
  } catch (const UnsupportedFeatureError&) {
    writer.discard(files);
    throw;
  }
  if (result.skipped) writer.discard(files);
  return result;
}

std::string absolute_path(const std::string& root, const std::string& log_path) {
  std::string p = decode_path(log_path);
  return !p.empty() && p.front() == '/' ? p : root + "/" + p;
}

}  // namespace dls::delta
