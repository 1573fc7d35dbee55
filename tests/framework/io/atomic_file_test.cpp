// Output files written atomically (framework/io/atomic_file.hpp). Facts checked: until
// commit() the destination holds its old contents and the new ones are in one temporary
// file `NAME.tmp-XXXXXX` beside it; after commit() the destination holds exactly the pieces
// written, in order, and no temporary file is left; an AtomicFile dropped without commit()
// leaves the destination as it was and nothing beside it; a symbolic link stays a link and
// the file it points to is written, made if missing; a FIFO is written in place; each
// destination that cannot be written (empty, a directory, a missing folder, a path through
// a regular file) fails at construction with "cannot write 'NAME': reason", as does
// check_writable, which leaves nothing behind.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include "framework/error.hpp"
#include "framework/io/atomic_file.hpp"
#include "tests/support/cli_run.hpp"
#include "tests/support/scratch_folder.hpp"

namespace fs = std::filesystem;

namespace helmholtz {
namespace {

using Folder = ScratchFolder;

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

bool is_temporary_of(const std::string& name, const std::string& destination) {
  const std::string prefix = destination + ".tmp-";
  return name.size() == prefix.size() + 6 && name.compare(0, prefix.size(), prefix) == 0;
}

}  // namespace

TEST_CASE("an AtomicFile holds its pieces in one temporary file beside the destination until commit") {
  Folder folder;
  folder.write("out.txt", "old\n");
  AtomicFile out(folder.file("out.txt"));
  out.write("first ");
  out.write(std::string(200000, 'x'));  // more than the buffer: written through
  out.write("\nlast\n");
  CHECK(slurp(folder.file("out.txt")) == "old\n");
  const std::vector<std::string> during = folder.names();
  REQUIRE(during.size() == 2);
  CHECK(during[0] == "out.txt");
  CHECK(is_temporary_of(during[1], "out.txt"));
  out.commit();
  CHECK(slurp(folder.file("out.txt")) == "first " + std::string(200000, 'x') + "\nlast\n");
  CHECK(folder.names() == std::vector<std::string>{"out.txt"});
  struct stat status {};
  REQUIRE(::stat(folder.file("out.txt").c_str(), &status) == 0);
  CHECK((status.st_mode & 0777) == 0644);
}

TEST_CASE("an AtomicFile dropped without commit leaves the destination as it was and nothing beside it") {
  Folder folder;
  folder.write("out.txt", "old\n");
  {
    AtomicFile out(folder.file("out.txt"));
    out.write("new\n");
  }
  CHECK(slurp(folder.file("out.txt")) == "old\n");
  CHECK(folder.names() == std::vector<std::string>{"out.txt"});
  {
    AtomicFile fresh(folder.file("fresh.txt"));
    fresh.write("never\n");
  }
  CHECK(folder.names() == std::vector<std::string>{"out.txt"});
}

TEST_CASE("write_file_atomically through a symbolic link writes the file it points to and keeps the link") {
  Folder folder;
  fs::create_directories(folder.path / "runs");
  folder.write("runs/model.yaml", "old\n");
  fs::create_symlink("runs/model.yaml", folder.path / "latest.yaml");
  write_file_atomically(folder.file("latest.yaml"), "new\n");
  CHECK(fs::is_symlink(folder.path / "latest.yaml"));
  CHECK(slurp(folder.file("runs/model.yaml")) == "new\n");
  // A link to a file not made yet: the file is made, the link kept.
  fs::create_symlink("runs/next.yaml", folder.path / "next.yaml");
  write_file_atomically(folder.file("next.yaml"), "next\n");
  CHECK(fs::is_symlink(folder.path / "next.yaml"));
  CHECK(slurp(folder.file("runs/next.yaml")) == "next\n");
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(folder.path / "runs")) ++files;
  CHECK(files == 2);  // no temporary file left
}

TEST_CASE("write_file_atomically writes a FIFO in place instead of replacing it") {
  Folder folder;
  const std::string fifo = folder.file("pipe");
  REQUIRE(::mkfifo(fifo.c_str(), 0644) == 0);
  std::string received;
  std::thread reader([&] { received = slurp(fifo); });
  write_file_atomically(fifo, "through the pipe\n");
  reader.join();
  CHECK(received == "through the pipe\n");
  struct stat status {};
  REQUIRE(::lstat(fifo.c_str(), &status) == 0);
  CHECK(S_ISFIFO(status.st_mode));
}

TEST_CASE("a destination that cannot be written fails at once, naming it and the reason, and leaves nothing") {
  Folder folder;
  folder.write("regular", "a file, not a folder\n");
  fs::create_symlink("missing/x.txt", folder.path / "dangling");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "cannot write '': No such file or directory"},
      {folder.path.string(), "cannot write '" + folder.path.string() + "': Is a directory"},
      {folder.file("missing/out.txt"), "cannot write '" + folder.file("missing/out.txt") + "': No such file or directory"},
      {folder.file("regular/out.txt"), "cannot write '" + folder.file("regular/out.txt") + "': Not a directory"},
      {folder.file("dangling"), "cannot write '" + folder.file("dangling") + "' (a link to '" + folder.file("missing/x.txt") +
                                    "'): No such file or directory"}};
  for (const auto& [file, message] : cases) {
    CAPTURE(file);
    CHECK(message_of([&] { AtomicFile out(file); }) == message);
    CHECK(message_of([&] { check_writable(file); }) == message);
    CHECK(message_of([&] { write_file_atomically(file, "x"); }) == message);
  }
  CHECK(folder.names() == std::vector<std::string>{"dangling", "regular"});
  CHECK(slurp(folder.file("regular")) == "a file, not a folder\n");
}

TEST_CASE("check_writable accepts a new file and an existing one, and leaves nothing behind") {
  Folder folder;
  folder.write("old.txt", "old\n");
  check_writable(folder.file("new.txt"));
  check_writable(folder.file("old.txt"));
  CHECK(folder.names() == std::vector<std::string>{"old.txt"});
  CHECK(slurp(folder.file("old.txt")) == "old\n");
}

}  // namespace helmholtz
