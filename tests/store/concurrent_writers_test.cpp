// Two processes writing one control table at once never lose a version (DESIGN §3, §5): every
// upsert re-reads and retries after a commit conflict.
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <exception>
#include <iostream>

#include "dls/store/delta_live_store.h"
#include "store/store_test_support.h"
#include "support/test_support.h"

namespace dls {
namespace {

using store_testing::entity;

/// Runs `body` in a child process; returns its pid. The child exits 0 on success, 1 on an
/// exception (printed).
template <typename F>
pid_t spawn(F body) {
  pid_t pid = fork();
  if (pid == 0) {
    int code = 0;
    try {
      body();
    } catch (const std::exception& e) {
      std::cerr << "child " << getpid() << ": " << e.what() << std::endl;
      code = 1;
    }
    std::_Exit(code);
  }
  return pid;
}

int wait_for(pid_t pid) {
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

TEST(ConcurrentWriters, TwoProcessesUpsertingHundredEntitiesEachKeepAllTwoHundred) {
  testing::TempDir dir;
  const std::string root = (dir / "control_table").string();
  DeltaLiveStore(root).initialize();
  auto writer = [&](const std::string& prefix) {
    return [root, prefix] {
      DeltaLiveStore store(root, prefix);
      for (int i = 0; i < 100; ++i) {
        std::string id = prefix + std::to_string(i);
        store.upsert(entity(id, "path/" + id, "t_" + id));
      }
    };
  };
  pid_t a = spawn(writer("a"));
  pid_t b = spawn(writer("b"));
  ASSERT_EQ(wait_for(a), 0);
  ASSERT_EQ(wait_for(b), 0);

  DeltaLiveStore store(root);
  EXPECT_EQ(store.find_history(by_all()).size(), 200u);
  EXPECT_EQ(store.find_entities(by_all()).size(), 200u);
  EXPECT_EQ(store.find_entities(by_created_by("a")).size(), 100u);
  EXPECT_EQ(store.find_entities(by_created_by("b")).size(), 100u);
  EXPECT_EQ(store.version(), 200);  // one commit per upsert, none lost, none merged
}

TEST(ConcurrentWriters, TwoProcessesChangingTheSameEntityKeepEveryVersion) {
  testing::TempDir dir;
  const std::string root = (dir / "control_table").string();
  DeltaLiveStore(root).initialize();
  DeltaLiveStore(root).upsert(entity("shared", "path/shared", "t_shared"));
  auto writer = [&](const std::string& who) {
    return [root, who] {
      DeltaLiveStore store(root, who);
      for (int i = 0; i < 25; ++i) {
        DeltaLiveEntity e = entity("shared", "path/shared", "t_shared");
        e.tags = {{"writer", who}, {"step", std::to_string(i)}};
        store.upsert(e);
      }
    };
  };
  pid_t a = spawn(writer("a"));
  pid_t b = spawn(writer("b"));
  ASSERT_EQ(wait_for(a), 0);
  ASSERT_EQ(wait_for(b), 0);

  DeltaLiveStore store(root);
  EntityList history = store.find_history(by_entity_id("shared"));
  EXPECT_EQ(history.size(), 51u);
  EXPECT_EQ(history.filter(by_is_latest()).size(), 1u);
  // The versions form one unbroken chain: each one's created_ts is the next older one's
  // expired_ts.
  for (size_t i = 0; i + 1 < history.size(); ++i) {
    EXPECT_EQ(history[i].created_ts, history[i + 1].expired_ts) << i;
  }
}

}  // namespace
}  // namespace dls
