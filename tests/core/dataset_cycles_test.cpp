// find_cycles / upstream_by_name: the cycle search shared by `dls load` and the pipeline graph.
#include "dls/core/dataset_cycles.h"

#include <gtest/gtest.h>

namespace dls {
namespace {

using Cycles = std::vector<std::vector<std::size_t>>;

TEST(DatasetCycles, AcyclicGraphHasNone) {
  EXPECT_TRUE(find_cycles({{}, {0}, {0, 1}}).empty());
  EXPECT_TRUE(find_cycles({}).empty());
}

TEST(DatasetCycles, OneCyclePerCircleUpstreamFirstFromTheSmallestNode) {
  // 0 reads 2, 1 reads 0, 2 reads 1: the data flows 0 -> 1 -> 2 -> 0.
  // 3 reads itself. 4 reads 0 (downstream of the circle, not in it). 5 and 6 read each other.
  const UpstreamLists upstream = {{2}, {0}, {1}, {3}, {0}, {6}, {5}};
  EXPECT_EQ(find_cycles(upstream), (Cycles{{0, 1, 2}, {3}, {5, 6}}));
}

TEST(DatasetCycles, LongChainsDoNotExhaustTheStack) {
  const std::size_t n = 200000;
  UpstreamLists upstream(n);
  for (std::size_t i = 1; i < n; ++i) upstream[i] = {i - 1};
  EXPECT_TRUE(find_cycles(upstream).empty());
  upstream[0] = {n - 1};
  const auto cycles = find_cycles(upstream);
  ASSERT_EQ(cycles.size(), 1u);
  EXPECT_EQ(cycles[0].size(), n);
  EXPECT_EQ(cycles[0].front(), 0u);
}

DeltaLiveEntity entity(std::string id, std::string source, std::string destination) {
  DeltaLiveEntity e;
  e.entity_id = std::move(id);
  e.source = std::move(source);
  e.destination = std::move(destination);
  return e;
}

TEST(DatasetCycles, UpstreamByNameIncludesQuarantineTables) {
  std::vector<DeltaLiveEntity> entities = {entity("a", "/files", "a"), entity("b", "a", "b"),
                                           entity("c", "a_invalid", "c")};
  EXPECT_EQ(upstream_by_name(entities), (UpstreamLists{{}, {0}, {}}));
  entities[0].is_quarantined = true;
  EXPECT_EQ(upstream_by_name(entities), (UpstreamLists{{}, {0}, {0}}));
}

}  // namespace
}  // namespace dls
