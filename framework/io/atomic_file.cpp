#include "framework/io/atomic_file.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "framework/error.hpp"

namespace helmholtz {
namespace {

constexpr std::size_t buffer_bytes = 1 << 16;

// `target`: the file a link named `file` points to, when that is where writing failed.
[[noreturn]] void cannot_write(const std::string& file, int error, const std::string& target = "") {
  const std::string link = target.empty() || target == file ? "" : " (a link to '" + target + "')";
  throw Error("cannot write '" + file + "'" + link + ": " + std::strerror(error));
}

// The folder of a path ("." for a bare name).
std::string folder_of(const std::string& file) {
  const std::size_t slash = file.rfind('/');
  return slash == std::string::npos ? "." : slash == 0 ? "/" : file.substr(0, slash);
}

// Where the temporary file goes and what it replaces: the destination itself, or, when that is
// a symbolic link, the file it points to (made if missing), so that the link stays a link. An
// empty name, or a directory (which the rename cannot replace, though a file beside it can be
// made), is refused.
std::string destination(const std::string& file) {
  if (file.empty()) cannot_write(file, ENOENT);
  struct stat status {};
  if (::stat(file.c_str(), &status) == 0 && S_ISDIR(status.st_mode)) cannot_write(file, EISDIR);
  std::string target = file;
  for (int links = 0; links < 40; ++links) {  // as many as the system follows (SYMLOOP_MAX)
    struct stat link {};
    if (::lstat(target.c_str(), &link) != 0 || !S_ISLNK(link.st_mode)) return target;
    std::string next(static_cast<std::size_t>(link.st_size > 0 ? link.st_size : 4096), '\0');
    const ssize_t length = ::readlink(target.c_str(), next.data(), next.size());
    if (length <= 0) return target;
    next.resize(static_cast<std::size_t>(length));
    target = next.front() == '/' ? next : folder_of(target) + "/" + next;
  }
  cannot_write(file, ELOOP);
}

// A device, a pipe or a socket (/dev/null, /dev/stdout, a FIFO) is written in place: there is
// no old contents to keep, and renaming over it would replace, say, /dev/null with a file.
bool special(const std::string& file) {
  struct stat status {};
  return ::stat(file.c_str(), &status) == 0 && !S_ISREG(status.st_mode) && !S_ISDIR(status.st_mode);
}

// The temporary file beside `target`; a failure names `file`, the name the user gave, and
// the link's target if it is another.
int create_temporary(const std::string& target, const std::string& file, std::string& temporary) {
  temporary = target + ".tmp-XXXXXX";
  const int fd = ::mkostemp(temporary.data(), O_CLOEXEC);
  if (fd < 0) cannot_write(file, errno, target);
  return fd;
}

bool write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t written = ::write(fd, data, size);
    if (written < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data += written;
    size -= static_cast<std::size_t>(written);
  }
  return true;
}

// After a rename, the new directory entry is on disk only once the folder is flushed too.
// Best effort: some file systems refuse fsync on a directory, and the data are safe anyway.
void flush_folder(const std::string& file) {
  const int fd = ::open(folder_of(file).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

AtomicFile::AtomicFile(std::string file) : file_(std::move(file)) {
  if (special(file_)) {
    fd_ = ::open(file_.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd_ < 0) cannot_write(file_, errno);
  } else {
    target_ = destination(file_);
    fd_ = create_temporary(target_, file_, temporary_);
  }
  buffer_.reserve(buffer_bytes);
}

AtomicFile::~AtomicFile() {
  if (fd_ < 0) return;
  ::close(fd_);
  if (!temporary_.empty()) std::remove(temporary_.c_str());
}

void AtomicFile::fail(int error) {
  ::close(fd_);
  fd_ = -1;
  if (!temporary_.empty()) std::remove(temporary_.c_str());
  cannot_write(file_, error);
}

void AtomicFile::flush_buffer() {
  if (!write_all(fd_, buffer_.data(), buffer_.size())) fail(errno);
  buffer_.clear();
}

void AtomicFile::write(std::string_view text) {
  if (fd_ < 0) throw Error("cannot write '" + file_ + "': already committed");
  if (buffer_.size() + text.size() <= buffer_bytes) {
    buffer_.append(text);
    return;
  }
  flush_buffer();
  if (text.size() < buffer_bytes) buffer_.append(text);
  else if (!write_all(fd_, text.data(), text.size())) fail(errno);
}

void AtomicFile::commit(bool sync_folder) {
  if (fd_ < 0) throw Error("cannot write '" + file_ + "': already committed");
  flush_buffer();
  const int fd = fd_;
  if (temporary_.empty()) {  // a device or a pipe, written in place
    fd_ = -1;
    if (::close(fd) != 0) cannot_write(file_, errno);
    return;
  }
  if (::fsync(fd) != 0) fail(errno);
  ::fchmod(fd, 0644);  // mkstemp makes it 0600
  fd_ = -1;
  if (::close(fd) != 0 || std::rename(temporary_.c_str(), target_.c_str()) != 0) {
    const int error = errno;
    std::remove(temporary_.c_str());
    cannot_write(file_, error);
  }
  if (sync_folder) flush_folder(target_);
}

void write_file_atomically(const std::string& file, const std::string& contents, bool sync_folder) {
  AtomicFile out(file);
  out.write(contents);
  out.commit(sync_folder);
}

void check_writable(const std::string& file) {
  if (special(file)) {
    if (::access(file.c_str(), W_OK) != 0) cannot_write(file, errno);
    return;
  }
  std::string temporary;
  ::close(create_temporary(destination(file), file, temporary));
  std::remove(temporary.c_str());
}

}  // namespace helmholtz
