#include "app/atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace epermit::app {
namespace {

Error WriteError(const std::string& path, int err) {
  const std::string why = std::strerror(err);
  return MakeError(ErrorKind::kInternal, "file.write", "Cannot write " + path + ": " + why,
                   "无法写入 " + path + "：" + why);
}

}  // namespace

Status WriteFileAtomic(const std::string& path, std::string_view text, mode_t mode) {
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return WriteError(tmp, errno);
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return WriteError(tmp, err);
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    const int err = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    return WriteError(tmp, err);
  }
  if (::close(fd) != 0 || ::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return WriteError(path, err);
  }
  return Status::Ok();
}

}  // namespace epermit::app
