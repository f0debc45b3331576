// Delta log actions (src/delta/action.cpp) and checkpoint reading (src/delta/checkpoint_reader.cpp)
// on any bytes: a commit file's JSON lines, the same text as a v2 JSON checkpoint (through
// read_checkpoint, sidecar references included), and for a commit that parses, serialisation and
// re-parsing. A corrupt log fails with a dls::Error (CorruptTableError, ...), never otherwise.
// (Parquet checkpoints are read by DuckDB; their decoding is DuckDB's, not fuzzed here.)
#include <map>
#include <memory>

#include "delta/checkpoint_reader.h"
#include "dls/delta/action.h"
#include "dls/delta/engine.h"
#include "fuzz_input.h"

namespace {

// Files in memory: the fuzz input is the only file, so every sidecar it names is missing.
class MemoryStorage : public dls::delta::Storage {
 public:
  std::map<std::string, std::string> files;

  bool exists(const std::string& path) const override { return files.count(path) > 0; }
  std::vector<dls::delta::FileInfo> list(const std::string&) const override { return {}; }
  std::string read(const std::string& path) const override {
    auto it = files.find(path);
    if (it == files.end()) throw dls::NotFoundError("no file " + path);
    return it->second;
  }
  dls::delta::FileInfo stat(const std::string& path) const override {
    throw dls::NotFoundError("no stat for " + path);
  }
  void write_atomic(const std::string& path, const std::string& content) override {
    files[path] = content;
  }
  bool put_if_absent(const std::string& path, const std::string& content) override {
    return files.emplace(path, content).second;
  }
  // Nothing to make durable and nobody to exclude: the map is this process's alone.
  void sync_file(const std::string&) override {}
  void sync_directory(const std::string&) override {}
  std::unique_ptr<dls::delta::StorageLock> lock(const std::string&) override {
    return std::make_unique<dls::delta::StorageLock>();
  }
  void remove(const std::string& path) override { files.erase(path); }
  void create_directories(const std::string&) override {}
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace delta = dls::delta;
  const std::string text(dls::fuzz::as_text(data, size));
  dls::fuzz::expect_only_dls_errors([&] {
    const std::vector<delta::Action> actions = delta::parse_commit(text, "fuzz.json");
    (void)delta::parse_commit(delta::serialize_commit(actions), "serialized.json");
  });
  dls::fuzz::expect_only_dls_errors([&] {
    MemoryStorage storage;
    const std::string path = "/t/_delta_log/00000000000000000001.checkpoint.fuzz.json";
    storage.files[path] = text;
    delta::CheckpointFiles cp;
    cp.version = 1;
    cp.kind = delta::CheckpointFiles::Kind::kV2Json;
    cp.files.push_back(delta::LogFile{1, path, static_cast<int64_t>(size), 0});
    // A v2 JSON checkpoint is parsed by the delta layer itself: the engine reads only Parquet.
    (void)delta::read_checkpoint(*delta::duckdb_engine(), storage, "/t", cp);
  });
  return 0;
}
