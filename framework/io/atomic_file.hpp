#pragma once
// Output files that are never seen half-written. Everything is written to a temporary file
// beside the destination, `NAME.tmp-XXXXXX` (six random characters), which is flushed to disk
// and then renamed over NAME: a reader, or a later run, finds either the file as it was
// before or the whole new one. A program killed outright (SIGKILL, a power cut) before the
// rename leaves its temporary file behind, never a partial NAME; the temporary name does not
// end with NAME's extension, so `*.yaml` or `*.png` never picks one up, and it can be deleted.
// A NAME that is a symbolic link keeps it: the file it points to is replaced. A NAME that is
// a device or a pipe (/dev/null, /dev/stdout, a FIFO) is written in place, since there is
// nothing to keep and a rename would replace the device itself.
#include <string>
#include <string_view>

namespace helmholtz {

// A file written a piece at a time and put in place whole by commit(). Destroyed without
// commit() (an exception, an interrupted run), it removes its temporary file and leaves the
// destination as it was. Every failure is an Error "cannot write 'FILE': reason".
class AtomicFile {
 public:
  // Creates the temporary file: fails at once if the destination's folder is missing or
  // read-only, or the destination is a directory or empty.
  explicit AtomicFile(std::string file);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  void write(std::string_view text);
  // Flushes the temporary file to disk and renames it over the destination; then, if
  // `sync_folder`, flushes the folder too, so that the rename also survives a power cut. That
  // takes about as long again as the file's flush: a file rewritten often, such as a learning
  // curve after every epoch, can do without, and a power cut then leaves an earlier version,
  // whole.
  void commit(bool sync_folder = true);

 private:
  void flush_buffer();
  void fail(int error);

  std::string file_;       // as named, for messages
  std::string target_;     // what the rename replaces: file_, or the file a link of that name points to
  std::string temporary_;  // empty for a device or a pipe, written in place
  std::string buffer_;
  int fd_ = -1;
};

// Writes `contents` to `file` through an AtomicFile.
void write_file_atomically(const std::string& file, const std::string& contents, bool sync_folder = true);

// Throws the error AtomicFile would give if `file` cannot be written (its folder missing or
// read-only, a path through a regular file, or `file` a directory), so that a long run can
// refuse before it starts instead of after.
void check_writable(const std::string& file);

}  // namespace helmholtz
