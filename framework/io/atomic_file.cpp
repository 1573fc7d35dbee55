#include "framework/io/atomic_file.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "framework/error.hpp"

namespace helmholtz {

void write_file_atomically(const std::string& file, const std::string& contents) {
  std::string temporary = file + ".tmp-XXXXXX";
  const int fd = ::mkstemp(temporary.data());
  if (fd < 0) throw Error("cannot write '" + file + "': " + std::strerror(errno));
  const char* data = contents.data();
  std::size_t left = contents.size();
  bool ok = true;
  while (left > 0) {
    const ssize_t written = ::write(fd, data, left);
    if (written < 0) {
      if (errno == EINTR) continue;
      ok = false;
      break;
    }
    data += written;
    left -= static_cast<std::size_t>(written);
  }
  if (ok && ::fsync(fd) != 0) ok = false;
  int failure = ok ? 0 : errno;
  ::fchmod(fd, 0644);
  if (::close(fd) != 0 && ok) {
    ok = false;
    failure = errno;
  }
  if (ok && std::rename(temporary.c_str(), file.c_str()) != 0) {
    ok = false;
    failure = errno;
  }
  if (!ok) {
    const int e = failure;
    std::remove(temporary.c_str());
    throw Error("cannot write '" + file + "': " + std::strerror(e));
  }
}

void check_writable(const std::string& file) {
  // The rename at the end cannot replace a directory, though a file beside it can be made.
  struct stat status {};
  if (::stat(file.c_str(), &status) == 0 && S_ISDIR(status.st_mode))
    throw Error("cannot write '" + file + "': " + std::strerror(EISDIR));
  std::string temporary = file + ".tmp-XXXXXX";
  const int fd = ::mkstemp(temporary.data());
  if (fd < 0) throw Error("cannot write '" + file + "': " + std::strerror(errno));
  ::close(fd);
  std::remove(temporary.c_str());
}

}  // namespace helmholtz
