// Raw TCP clients of an HTTP server on 127.0.0.1, for tests of what a
// well-behaved client library never does: trickle a request byte by byte,
// hold connections open, connect from another loopback address
// (127.0.0.0/8 is all local on Linux).
#ifndef CENTINELA_TESTS_TESTING_RAW_HTTP_H_
#define CENTINELA_TESTS_TESTING_RAW_HTTP_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>

namespace centinela::testing {

// A TCP connection; closed on destruction.
class RawConnection {
 public:
  // Connects from `source_ip` (port chosen by the kernel) to 127.0.0.1:port.
  RawConnection(int port, const std::string& source_ip = "127.0.0.1") {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) return;
    sockaddr_in src{};
    src.sin_family = AF_INET;
    ::inet_pton(AF_INET, source_ip.c_str(), &src.sin_addr);
    sockaddr_in dst{};
    dst.sin_family = AF_INET;
    dst.sin_port = htons(uint16_t(port));
    ::inet_pton(AF_INET, "127.0.0.1", &dst.sin_addr);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&src), sizeof(src)) != 0 ||
        ::connect(fd_, reinterpret_cast<sockaddr*>(&dst), sizeof(dst)) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~RawConnection() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawConnection(const RawConnection&) = delete;

  bool ok() const { return fd_ >= 0; }
  // False once the server closed the connection (or it broke).
  bool Send(const std::string& bytes) {
    return fd_ >= 0 && ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) == ssize_t(bytes.size());
  }
  // Whatever arrives within `timeout`, up to the server's close; sets
  // *closed when the server closed the connection.
  std::string Receive(std::chrono::milliseconds timeout, bool* closed = nullptr) {
    std::string out;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    if (closed) *closed = false;
    while (fd_ >= 0) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
      if (left <= 0) break;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, int(left)) <= 0) break;
      char buf[4096];
      const ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
      if (n <= 0) {
        if (closed) *closed = true;
        break;
      }
      out.append(buf, size_t(n));
    }
    return out;
  }
  // The status code of the response to `request` within `timeout`; -1 when
  // none came.
  int StatusOf(const std::string& request, std::chrono::milliseconds timeout) {
    if (!Send(request)) return -1;
    const std::string r = Receive(timeout);
    if (r.size() < 12 || r.compare(0, 5, "HTTP/") != 0) return -1;
    return std::atoi(r.substr(9, 3).c_str());
  }

 private:
  int fd_ = -1;
};

}  // namespace centinela::testing

#endif  // CENTINELA_TESTS_TESTING_RAW_HTTP_H_
