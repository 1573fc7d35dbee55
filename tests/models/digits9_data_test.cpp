// The handwritten 9s shipped under models/data/ are the UCI 8x8 optical digits binarised at
// >= 8 (scripts/digits.py): the sizes of the split, a checksum of each file's patterns, and
// patterns decoded by hand from rows of the source CSV (Debian's python3-sklearn,
// sklearn/datasets/data/digits.csv.gz): the 1st, 3rd and 180th 9 of the file.
#include <doctest/doctest.h>

#include <string>

#include "framework/io/data_file.hpp"
#include "framework/io/model_file.hpp"
#include "plugins/builtin.hpp"

using namespace helmholtz;

namespace {

const std::string models = std::string(HELMHOLTZ_SOURCE_DIR) + "/models/";

std::string row(const ByteMatrix& patterns, std::size_t n) {
  std::string s;
  for (std::size_t j = 0; j < patterns.shape(1); ++j) s += patterns(n, j) ? '1' : '0';
  return s;
}

}  // namespace

TEST_CASE("the shipped 9s: 120 training and 60 test images of 64 pixels, the source's rows binarised at >= 8") {
  const ByteMatrix train = read_patterns(models + "data/digits9-train.data", 64);
  const ByteMatrix test = read_patterns(models + "data/digits9-test.data", 64);
  REQUIRE(train.shape(0) == 120);
  REQUIRE(test.shape(0) == 60);
  // The 1st 9 of the CSV: 0,0,11,12,0,0,0,0, 0,2,16,16,16,13,0,0, ... (first training image).
  CHECK(row(train, 0) == "0011000000111100001111000010110000111100000001100000110000111000");
  // The 3rd 9 is the first test image, the 180th the last.
  CHECK(row(test, 0) == "0011000000111000001110000001110000000100000001100000111000011110");
  CHECK(row(test, 59) == "0001000000111100001001000011010000011100000001000000010000011100");
  CHECK(data_checksum(train) == "fnv1a64:961dc543784ee78d");
  CHECK(data_checksum(test) == "fnv1a64:cc753eca9b7f8787");
}

TEST_CASE("models/digits9.yaml: 4-16-64, its observed node fits the shipped data") {
  const Network network = read_model(models + "digits9.yaml");
  CHECK(network.visible_units() == 64);
  CHECK(network.hidden_units() == 20);
}
