#include "framework/io/yaml_document.hpp"

#include <cstddef>
#include <optional>
#include <sstream>

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>

namespace helmholtz::yaml {
namespace {

// Where each document starts, and where the first document after the first that is not
// empty has its root, from the parser's events alone (no nodes are built).
struct DocumentMarks : YAML::EventHandler {
  std::size_t documents = 0;
  std::optional<YAML::Mark> previous_start, start;
  bool at_root = false;
  std::optional<YAML::Mark> second_root, second_start;  // its first node, and its `---`

  void OnDocumentStart(const YAML::Mark& mark) override {
    previous_start = start;
    start = mark;
    ++documents;
    at_root = true;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override { at_root = false; }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { root(mark); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t, const std::string&) override {
    root(mark);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    root(mark);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    root(mark);
  }
  void OnMapEnd() override {}

  void root(const YAML::Mark& mark) {
    if (at_root && documents > 1 && !second_root) {
      second_root = mark;
      second_start = start;
    }
    at_root = false;
  }
};

Where at_mark(const YAML::Mark& mark, const Where& file) { return Where{file.file, mark.line + 1, mark.column + 1, ""}; }

}  // namespace

YAML::Node read_document(const std::string& text, const Where& file, const std::string& second_document) {
  try {
    std::istringstream in(text);
    YAML::Parser parser(in);
    DocumentMarks marks;
    while (parser.HandleNextDocument(marks)) {
      // A document that starts where the one before started: the parser is stuck on a token
      // that cannot begin a document, and would report empty documents there for ever.
      if (marks.previous_start && marks.previous_start->pos == marks.start->pos) {
        // The stuck token is a ',' (yaml-cpp's FLOW_ENTRY); the offset only counts from a
        // byte order mark's end, so it is checked before the comma is named.
        const auto pos = static_cast<std::size_t>(marks.start->pos);
        fail(at_mark(*marks.start, file), pos < text.size() && text[pos] == ','
                                              ? "not valid YAML: unexpected ',' (commas separate the entries of "
                                                "[...] and {...})"
                                              : "not valid YAML: no document can begin here");
      }
    }
    // After the whole text is parsed, so that a syntax error anywhere is reported first; at
    // the `---` line the user removes (the parser marks a document where its marker is).
    if (marks.second_root) fail(at_mark(*marks.second_start, file), second_document);
    return YAML::Load(text);
  } catch (const YAML::DeepRecursion& e) {
    // yaml-cpp (0.7 and later) stops at this depth rather than recursing until the stack
    // overflows; its own message is only "bad file".
    fail(at_mark(e.mark, file),
         "not valid YAML here: lists and maps nested 500 deep (the YAML reader's limit; a model file needs at most 7)");
  } catch (const YAML::ParserException& e) {
    fail(at_mark(e.mark, file), "not valid YAML: " + e.msg);
  }
}

}  // namespace helmholtz::yaml
