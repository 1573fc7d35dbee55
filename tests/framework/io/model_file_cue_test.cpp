// Cues in model files (graph/cue.hpp): `cue: {of, image, cells, threshold}` on a hidden node
// is read into Node::cue, written back by model_to_yaml, and every mistake in it is an
// InputError naming the file, the line and column of the offending value, the node and
// what was allowed.
// Facts checked:
//   a cue reads as written (of, image and cell shapes, threshold 0.5 unless given) and
//   round-trips through model_to_yaml, threshold included when it is not the default;
//   a cue may name an observed node declared after the cued node;
//   each mistake below is refused with the line and column counted by hand from the
//   test's text and the message shown.
#include <doctest/doctest.h>

#include <string>

#include "framework/error.hpp"
#include "framework/io/model_file.hpp"
#include "plugins/builtin.hpp"

namespace helmholtz {
namespace {

// A 16-pixel image (4x4) below a 4-unit node and a 1-unit node; `coarse_cue` and `top_cue`
// are the text after "cue: " on lines 3 and 2 (empty: no cue).
std::string model_with(const std::string& coarse_cue, const std::string& top_cue = "") {
  auto entry = [](const std::string& head, const std::string& cue) {
    return "  - {" + head + (cue.empty() ? "" : ", cue: " + cue) + "}\n";
  };
  return "nodes:\n" + entry("name: top, type: binary, size: 1", top_cue) +
         entry("name: coarse, type: binary, size: 4", coarse_cue) +
         "  - {name: pixels, type: binary, size: 16, observed: true}\n"
         "generative:\n"
         "  top: {distribution: sigmoid}\n"
         "  coarse: {distribution: sigmoid, parents: [top]}\n"
         "  pixels: {distribution: sigmoid, parents: [coarse]}\n";
}

// The whole message of the InputError that parsing `text` as bad.yaml throws.
std::string error_of(const std::string& text) {
  try {
    parse_model(text, "bad.yaml");
  } catch (const InputError& e) {
    return e.what();
  } catch (const std::exception& e) {
    FAIL("expected an InputError, got: " << e.what());
  }
  FAIL("the model was accepted, but it has a mistake");
  return "";
}

}  // namespace

TEST_CASE("Cues: a node whose cue is declared with the wrong size is a clear model-file error") {
  // 2x2 cells give 4 units; `top` has 1. Line 2, the column of the value 2x2.
  const std::string text = model_with("", "{of: pixels, image: 4x4, cells: 2x2}");
  CHECK(error_of(text) == "bad.yaml, line 2, column 77: nodes.top.cue: cells 2x2 give 4 units, but 'top' has 1 (its size)");
  // And a cue that fits its image but not its node, the other way round.
  CHECK(error_of(model_with("{of: pixels, image: 4x4, cells: 4x4}")) ==
        "bad.yaml, line 3, column 80: nodes.coarse.cue: cells 4x4 give 16 units, but 'coarse' has 4 (its size)");
}

TEST_CASE("Cues: a cue reads as written and round-trips through model_to_yaml") {
  const Network network =
      parse_model(model_with("{of: pixels, image: 4x4, cells: 2x2}", "{of: pixels, image: 4x4, cells: 1x1, threshold: 0.3}"),
                  "cued.yaml");
  REQUIRE(network.nodes[1].cue);
  const Cue& coarse = *network.nodes[1].cue;
  CHECK(coarse.of == 2);
  CHECK(coarse.image_rows == 4);
  CHECK(coarse.image_columns == 4);
  CHECK(coarse.cell_rows == 2);
  CHECK(coarse.cell_columns == 2);
  CHECK(coarse.threshold == 0.5);
  REQUIRE(network.nodes[0].cue);
  CHECK(network.nodes[0].cue->threshold == 0.3);
  CHECK(!network.nodes[2].cue);

  const std::string text = model_to_yaml(network);
  INFO(text);
  CHECK(text.find("cue: {of: pixels, image: 4x4, cells: 2x2}") != std::string::npos);
  CHECK(text.find("cue: {of: pixels, image: 4x4, cells: 1x1, threshold: 0.3}") != std::string::npos);
  const Network back = parse_model(text, "back.yaml");
  for (std::size_t i = 0; i < network.nodes.size(); ++i) {
    CAPTURE(i);
    REQUIRE(back.nodes[i].cue.has_value() == network.nodes[i].cue.has_value());
    if (!network.nodes[i].cue) continue;
    const Cue &a = *network.nodes[i].cue, &b = *back.nodes[i].cue;
    CHECK(b.of == a.of);
    CHECK(b.image_rows == a.image_rows);
    CHECK(b.image_columns == a.image_columns);
    CHECK(b.cell_rows == a.cell_rows);
    CHECK(b.cell_columns == a.cell_columns);
    CHECK(b.threshold == a.threshold);
  }
  CHECK(model_to_yaml(back) == text);
}

TEST_CASE("Cues: a rectangular image and cells, and the observed node declared after the cue") {
  const Network network = parse_model(R"(nodes:
  - {name: strip, type: binary, size: 2, cue: {of: pixels, image: 2x6, cells: 1x2}}
  - {name: pixels, type: binary, size: 12, observed: true}
generative:
  strip: {distribution: sigmoid}
  pixels: {distribution: sigmoid, parents: [strip]}
)",
                                      "strip.yaml");
  REQUIRE(network.nodes[0].cue);
  CHECK(network.nodes[0].cue->block_rows() == 2);
  CHECK(network.nodes[0].cue->block_columns() == 3);
}

TEST_CASE("Cues: every mistake in a cue names the line, column, node and what is allowed") {
  struct Case {
    std::string cue;
    std::string message;
  };
  // The cue of `coarse` is on line 3; its text starts at column 48.
  for (const Case& c : {
           Case{"{of: pixels, image: 4x4, cells: 2x2, size: 4}",
                "line 3, column 85: nodes.coarse.cue: unknown key 'size' (allowed: of, image, cells, threshold)"},
           Case{"pixels", "line 3, column 48: nodes.coarse.cue: the cue is 'pixels', but must be a map like "
                          "{of: pixels, image: 8x8, cells: 4x4}"},
           Case{"{image: 4x4, cells: 2x2}",
                "line 3, column 48: nodes.coarse.cue: missing key 'of' (the observed node it is a coarse copy of)"},
           Case{"{of: pixels, cells: 2x2}",
                "line 3, column 48: nodes.coarse.cue: missing key 'image' (that node's units as rows x columns, like 8x8)"},
           Case{"{of: pixels, image: 4x4}", "line 3, column 48: nodes.coarse.cue: missing key 'cells' (the blocks the "
                                            "image is cut into, rows x columns, like 4x4)"},
           Case{"{of: pixel, image: 4x4, cells: 2x2}",
                "line 3, column 53: nodes.coarse.cue: unknown node 'pixel' (nodes: top, coarse, pixels)"},
           Case{"{of: top, image: 4x4, cells: 2x2}",
                "line 3, column 53: nodes.coarse.cue: of is 'top', a hidden node, but must be an observed node (a cue "
                "is a coarse copy of the data)"},
           Case{"{of: pixels, image: 4by4, cells: 2x2}",
                "line 3, column 68: nodes.coarse.cue: image is '4by4', but must be rows x columns, two whole numbers "
                ">= 1 like 8x8"},
           Case{"{of: pixels, image: 4x4, cells: 0x2}",
                "line 3, column 80: nodes.coarse.cue: cells is '0x2', but must be rows x columns, two whole numbers "
                ">= 1 like 8x8"},
           Case{"{of: pixels, image: [4, 4], cells: 2x2}",
                "line 3, column 68: nodes.coarse.cue: image is a list, but must be rows x columns, two whole numbers "
                ">= 1 like 8x8"},
           Case{"{of: pixels, image: 2x4, cells: 2x2}",
                "line 3, column 68: nodes.coarse.cue: image 2x4 has 8 pixels, but 'pixels' has 16 units"},
           Case{"{of: pixels, image: 2x8, cells: 4x1}",
                "line 3, column 80: nodes.coarse.cue: cells 4x1 do not cut image 2x8 into equal blocks (each must "
                "divide the image's rows and columns)"},
           Case{"{of: pixels, image: 4x4, cells: 2x2, threshold: 0}",
                "line 3, column 96: nodes.coarse.cue: threshold is 0, but must be in (0, 1] (the fraction of on "
                "pixels that turns a cell on)"},
           Case{"{of: pixels, image: 4x4, cells: 2x2, threshold: 1.5}",
                "line 3, column 96: nodes.coarse.cue: threshold is 1.5, but must be in (0, 1] (the fraction of on "
                "pixels that turns a cell on)"},
           Case{"{of: pixels, image: 4x4, cells: 2x2, threshold: half}",
                "line 3, column 96: nodes.coarse.cue: threshold is 'half', but must be a number"},
       }) {
    CAPTURE(c.cue);
    CHECK(error_of(model_with(c.cue)) == "bad.yaml, " + c.message);
  }
}

TEST_CASE("Cues: a cue on an observed node is refused, naming the node") {
  const std::string text = R"(nodes:
  - {name: h, type: binary, size: 4}
  - {name: pixels, type: binary, size: 16, observed: true, cue: {of: pixels, image: 4x4, cells: 2x2}}
generative:
  h: {distribution: sigmoid}
  pixels: {distribution: sigmoid, parents: [h]}
)";
  CHECK(error_of(text) == "bad.yaml, line 3, column 65: nodes.pixels.cue: 'pixels' is observed, so it takes no cue (the "
                          "data gives its states); a cue belongs on a hidden node");
}

}  // namespace helmholtz
