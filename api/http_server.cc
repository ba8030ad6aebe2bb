#include "api/http_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace centinela::api {
namespace {

using Clock = std::chrono::steady_clock;

thread_local bool t_handoff = false;  // hand connections to the restricted responder (the mover thread)
thread_local bool t_reject = false;   // answer 503 without reading (the queue is full)

// Waits until `sock` has `events` or `deadline` passes. Interrupted waits resume.
bool WaitFor(int sock, short events, Clock::time_point deadline) {
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    pollfd p{sock, events, 0};
    const int n = ::poll(&p, 1, int(std::min<int64_t>(left, 1000)));
    if (n > 0) return true;
    if (n < 0 && errno != EINTR) return false;
  }
}

std::string Address(const sockaddr_storage& a, int* port) {
  char host[NI_MAXHOST] = {}, serv[NI_MAXSERV] = {};
  if (::getnameinfo(reinterpret_cast<const sockaddr*>(&a), sizeof(a), host, sizeof(host), serv, sizeof(serv),
                    NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
    *port = 0;
    return "";
  }
  *port = std::atoi(serv);
  return host;
}

// A socket stream whose reads stop at an absolute deadline (set per
// request), buffered so that cpp-httplib's byte-by-byte line reader does
// not cost a system call per byte.
class DeadlineStream : public httplib::Stream {
 public:
  DeadlineStream(int sock, std::chrono::milliseconds write_timeout) : sock_(sock), write_timeout_(write_timeout) {}

  void SetReadDeadline(Clock::time_point t) {
    deadline_ = t;
    response_status_ = 0;
  }
  // The status of the response written since the last SetReadDeadline, or 0.
  int response_status() const { return response_status_; }
  bool Buffered() const { return off_ < len_; }

  bool is_readable() const override { return Buffered() || WaitFor(sock_, POLLIN, deadline_); }
  bool is_writable() const override { return WaitFor(sock_, POLLOUT, Clock::now() + write_timeout_); }

  ssize_t read(char* ptr, size_t size) override {
    if (!Buffered()) {
      if (!WaitFor(sock_, POLLIN, deadline_)) return -1;
      ssize_t n;
      do {
        n = ::recv(sock_, buf_, sizeof(buf_), 0);
      } while (n < 0 && errno == EINTR);
      if (n <= 0) return n;
      off_ = 0;
      len_ = size_t(n);
    }
    const size_t n = std::min(size, len_ - off_);
    std::memcpy(ptr, buf_ + off_, n);
    off_ += n;
    return ssize_t(n);
  }

  ssize_t write(const char* ptr, size_t size) override {
    if (response_status_ == 0 && size >= 12 && std::memcmp(ptr, "HTTP/1.", 7) == 0) {
      response_status_ = std::atoi(std::string(ptr + 9, 3).c_str());
    }
    if (!is_writable()) return -1;
    ssize_t n;
    do {
      n = ::send(sock_, ptr, size, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    return n;
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage a{};
    socklen_t len = sizeof(a);
    ip = ::getpeername(sock_, reinterpret_cast<sockaddr*>(&a), &len) == 0 ? Address(a, &port) : "";
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage a{};
    socklen_t len = sizeof(a);
    ip = ::getsockname(sock_, reinterpret_cast<sockaddr*>(&a), &len) == 0 ? Address(a, &port) : "";
  }
  socket_t socket() const override { return sock_; }

 private:
  int sock_;
  std::chrono::milliseconds write_timeout_;
  Clock::time_point deadline_ = Clock::now();
  char buf_[4096];
  size_t off_ = 0, len_ = 0;
  int response_status_ = 0;
};

// Connections are served FIFO by `workers` threads. One that waited `grace`
// for a worker is handed to the restricted responder by the mover thread
// (so health probes answer while the pool is busy); beyond `max_pending`
// waiting, one is answered 503 on the accepting thread without being read.
class ApiTaskQueue : public httplib::TaskQueue {
 public:
  ApiTaskQueue(int workers, std::chrono::milliseconds grace, size_t max_pending)
      : grace_(grace), max_pending_(max_pending) {
    for (int i = 0; i < workers; ++i) threads_.emplace_back([this] { Work(false); });
    threads_.emplace_back([this] { Work(true); });
  }
  ~ApiTaskQueue() override { shutdown(); }

  void enqueue(std::function<void()> fn) override {
    {
      std::lock_guard<std::mutex> l(mu_);
      if (jobs_.size() < max_pending_) {
        jobs_.push_back({Clock::now(), std::move(fn)});
        cv_.notify_all();
        return;
      }
    }
    t_reject = true;
    fn();
    t_reject = false;
  }

  void shutdown() override {
    {
      std::lock_guard<std::mutex> l(mu_);
      if (shutdown_) return;
      shutdown_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_) t.join();
  }

 private:
  struct Job {
    Clock::time_point enqueued;
    std::function<void()> fn;
  };

  // A worker serves jobs in full; the mover hands stale ones over.
  void Work(bool mover) {
    t_handoff = mover;
    std::unique_lock<std::mutex> l(mu_);
    while (true) {
      if (jobs_.empty()) {
        if (shutdown_) return;
        cv_.wait(l);
        continue;
      }
      if (mover && !shutdown_) {
        const auto ready = jobs_.front().enqueued + grace_;
        if (Clock::now() < ready) {
          cv_.wait_until(l, ready);
          continue;
        }
      }
      Job job = std::move(jobs_.front());
      jobs_.pop_front();
      l.unlock();
      job.fn();
      l.lock();
    }
  }

  const std::chrono::milliseconds grace_;
  const size_t max_pending_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> jobs_;
  bool shutdown_ = false;
  std::vector<std::thread> threads_;
};

void WriteBusy(int sock) {
  static constexpr char kBody[] =
      R"({"code":503,"error":"unavailable","message":"the API is saturated; retry shortly"})";
  const std::string response =
      absl::StrCat("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 1\r\n",
                   "Connection: close\r\nContent-Length: ", sizeof(kBody) - 1, "\r\n\r\n", kBody);
  // Never blocking: a client that cannot take 200 bytes now gets nothing,
  // and the connection is closed either way.
  if (::send(sock, response.data(), response.size(), MSG_NOSIGNAL | MSG_DONTWAIT) < 0) return;
}

std::string StatusText(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 429:
      return "Too Many Requests";
    case 503:
      return "Service Unavailable";
    default:
      return "Error";
  }
}

// Parses the request line and the Authorization header of a head.
void ParseHead(absl::string_view head, RestrictedRequest* r) {
  const size_t eol = head.find("\r\n");
  const absl::string_view line = head.substr(0, eol);
  const size_t sp1 = line.find(' ');
  const size_t sp2 = sp1 == absl::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == absl::string_view::npos) return;
  r->method = std::string(line.substr(0, sp1));
  r->target = std::string(line.substr(sp1 + 1, sp2 - sp1 - 1));
  for (absl::string_view rest = eol == absl::string_view::npos ? "" : head.substr(eol + 2); !rest.empty();) {
    const size_t end = rest.find("\r\n");
    const absl::string_view h = rest.substr(0, end);
    if (absl::StartsWithIgnoreCase(h, "authorization:")) {
      r->authorization = std::string(absl::StripAsciiWhitespace(h.substr(14)));
    }
    if (end == absl::string_view::npos) break;
    rest = rest.substr(end + 2);
  }
}

}  // namespace

// Reads the heads of connections not served in full, many at once on one
// thread (epoll), and answers each through the restricted handler. A
// connection gets `restricted_timeout` and 8 KiB for its head.
class GuardedServer::Responder {
 public:
  Responder(const HttpLimits& limits, RestrictedHandler handler)
      : limits_(limits),
        handler_(std::move(handler)),
        epoll_(::epoll_create1(EPOLL_CLOEXEC)),
        wake_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
    if (epoll_ >= 0 && wake_ >= 0) {
      epoll_event e{};
      e.events = EPOLLIN;
      e.data.fd = wake_;
      if (::epoll_ctl(epoll_, EPOLL_CTL_ADD, wake_, &e) == 0) thread_ = std::thread([this] { Loop(); });
    }
    if (!thread_.joinable())
      fprintf(stderr, "api: the restricted responder could not start: %s\n", std::strerror(errno));
  }
  ~Responder() {
    {
      std::lock_guard<std::mutex> l(mu_);
      stop_ = true;
    }
    Wake();
    if (thread_.joinable()) thread_.join();
    for (auto& [fd, c] : conns_) ::close(fd);
    for (const Adopted& a : incoming_) ::close(a.fd);
    if (epoll_ >= 0) ::close(epoll_);
    if (wake_ >= 0) ::close(wake_);
  }

  // Takes `fd` over (it closes it).
  void Adopt(int fd, std::string ip, bool too_many) {
    {
      std::lock_guard<std::mutex> l(mu_);
      if (!stop_ && thread_.joinable() && incoming_.size() + conns_size_ < limits_.max_restricted) {
        incoming_.push_back({fd, std::move(ip), too_many});
        Wake();
        return;
      }
    }
    WriteBusy(fd);
    ::shutdown(fd, SHUT_RDWR);
    ::close(fd);
  }

 private:
  struct Adopted {
    int fd;
    std::string ip;
    bool too_many;
  };
  struct Conn {
    RestrictedRequest request;
    std::string head;
    Clock::time_point deadline;
  };

  void Wake() {
    const uint64_t one = 1;
    if (::write(wake_, &one, sizeof(one)) < 0 && errno != EAGAIN) {
      fprintf(stderr, "api: waking the restricted responder: %s\n", std::strerror(errno));
    }
  }

  void Finish(int fd) {
    auto it = conns_.find(fd);
    if (it == conns_.end()) return;
    Conn& c = it->second;
    const size_t end = c.head.find("\r\n\r\n");
    if (end != std::string::npos) ParseHead(absl::string_view(c.head).substr(0, end + 2), &c.request);
    const RestrictedResponse r = handler_(c.request);
    const std::string response = absl::StrCat(
        "HTTP/1.1 ", r.status, " ", StatusText(r.status),
        "\r\nContent-Type: application/json\r\nRetry-After: 1\r\nConnection: close\r\nContent-Length: ", r.body.size(),
        "\r\n\r\n", r.body);
    // Non-blocking: a client that does not read its answer loses it.
    if (::send(fd, response.data(), response.size(), MSG_NOSIGNAL | MSG_DONTWAIT) < 0 && errno != EAGAIN) {
      // The client is gone; nothing to tell it.
    }
    if (::epoll_ctl(epoll_, EPOLL_CTL_DEL, fd, nullptr) != 0) {
      fprintf(stderr, "api: epoll_ctl: %s\n", std::strerror(errno));
    }
    ::shutdown(fd, SHUT_RDWR);
    ::close(fd);
    conns_.erase(it);
  }

  void Loop() {
    std::vector<epoll_event> events(64);
    while (true) {
      std::vector<Adopted> incoming;
      {
        std::lock_guard<std::mutex> l(mu_);
        if (stop_) return;
        incoming.swap(incoming_);
      }
      for (Adopted& a : incoming) {
        epoll_event e{};
        e.events = EPOLLIN | EPOLLRDHUP;
        e.data.fd = a.fd;
        if (::fcntl(a.fd, F_SETFL, ::fcntl(a.fd, F_GETFL) | O_NONBLOCK) != 0 ||
            ::epoll_ctl(epoll_, EPOLL_CTL_ADD, a.fd, &e) != 0) {
          ::close(a.fd);
          continue;
        }
        Conn& c = conns_[a.fd];
        c.request.client_ip = std::move(a.ip);
        c.request.too_many_connections = a.too_many;
        c.deadline = Clock::now() + limits_.restricted_timeout;
      }
      {
        std::lock_guard<std::mutex> l(mu_);
        conns_size_ = conns_.size();
      }
      // Wake at the earliest deadline (or soon, to see new adoptions).
      auto next = Clock::now() + std::chrono::milliseconds(500);
      for (const auto& [fd, c] : conns_) next = std::min(next, c.deadline);
      const int wait_ms = int(
          std::max<int64_t>(0, std::chrono::duration_cast<std::chrono::milliseconds>(next - Clock::now()).count() + 1));
      const int n = ::epoll_wait(epoll_, events.data(), int(events.size()), wait_ms);
      for (int i = 0; i < n; ++i) {
        const int fd = events[i].data.fd;
        if (fd == wake_) {
          uint64_t v;
          while (::read(wake_, &v, sizeof(v)) > 0) {
          }
          continue;
        }
        auto it = conns_.find(fd);
        if (it == conns_.end()) continue;
        char buf[4096];
        while (true) {
          const ssize_t got = ::recv(fd, buf, sizeof(buf), 0);
          if (got > 0) {
            it->second.head.append(buf, size_t(std::min<ssize_t>(got, ssize_t(kMaxHead + 4 - it->second.head.size()))));
            if (it->second.head.find("\r\n\r\n") != std::string::npos || it->second.head.size() >= kMaxHead) {
              Finish(fd);
              break;
            }
            continue;
          }
          if (got == 0 || (errno != EAGAIN && errno != EINTR)) {
            Finish(fd);  // the client closed: answered (into the void) and closed
          }
          break;
        }
      }
      const auto now = Clock::now();
      std::vector<int> late;
      for (const auto& [fd, c] : conns_) {
        if (c.deadline <= now) late.push_back(fd);
      }
      for (int fd : late) Finish(fd);
    }
  }

  static constexpr size_t kMaxHead = 8192;
  const HttpLimits limits_;
  RestrictedHandler handler_;
  const int epoll_;
  const int wake_;
  std::thread thread_;
  std::mutex mu_;
  std::vector<Adopted> incoming_;  // guarded by mu_
  size_t conns_size_ = 0;          // guarded by mu_
  bool stop_ = false;              // guarded by mu_
  std::map<int, Conn> conns_;      // the responder thread's
};

GuardedServer::GuardedServer(HttpLimits limits, RestrictedHandler restricted)
    : limits_(limits),
      per_client_(limits.max_connections_per_client > 0 ? limits.max_connections_per_client
                                                        : std::max(1, limits.threads - 2)),
      responder_(std::make_unique<Responder>(limits_, std::move(restricted))) {
  new_task_queue = [l = limits_] { return new ApiTaskQueue(l.threads, l.overflow_grace, l.max_pending); };
  // SO_REUSEADDR (a restart binds at once) but not SO_REUSEPORT, which
  // cpp-httplib sets by default and which let two engines share one port.
  set_socket_options([](socket_t sock) {
    int yes = 1;
    if (::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes)) != 0) {
      fprintf(stderr, "api: SO_REUSEADDR: %s (a restart may wait for the old port)\n", std::strerror(errno));
    }
  });
  set_keep_alive_max_count(size_t(limits_.keep_alive_max_requests));
}

GuardedServer::~GuardedServer() = default;

absl::StatusOr<int> GuardedServer::Bind(const std::string& host, int port) {
  const int bound = port == 0 ? bind_to_any_port(host) : (bind_to_port(host, port) ? port : -1);
  if (bound > 0) return bound;
  // cpp-httplib does not say why: bind a probe socket the same way to find out.
  std::string why = "cannot bind";
  int bind_errno = 0;
  addrinfo hints{}, *res = nullptr;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  if (::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res) != 0 || res == nullptr) {
    why = "unknown host";
  } else {
    const int s = ::socket(res->ai_family, res->ai_socktype, res->ai_protocol);
    int yes = 1;
    if (s < 0 || ::setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes)) != 0 ||
        ::bind(s, res->ai_addr, res->ai_addrlen) != 0) {
      bind_errno = errno;
      why = std::strerror(bind_errno);
    }
    if (s >= 0) ::close(s);
    ::freeaddrinfo(res);
  }
  return absl::UnavailableError(
      absl::StrCat("api: cannot listen on ", host, ":", port, ": ", why,
                   bind_errno == EADDRINUSE ? " (is another engine running? set api.listen to another address)" : ""));
}

void GuardedServer::Stop() {
  stop();
  MutexLock l(&mu_);
  for (int sock : active_) ::shutdown(sock, SHUT_RDWR);  // their workers see the end and close them
}

bool GuardedServer::Enter(const std::string& ip, int sock) {
  MutexLock l(&mu_);
  if (++connections_[ip] > per_client_) return false;
  active_.insert(sock);
  return true;
}

void GuardedServer::Leave(const std::string& ip, int sock) {
  MutexLock l(&mu_);
  active_.erase(sock);
  auto it = connections_.find(ip);
  if (it != connections_.end() && --it->second <= 0) connections_.erase(it);
}

bool GuardedServer::process_and_close_socket(socket_t sock) {
  if (t_reject) {
    WriteBusy(sock);
    ::shutdown(sock, SHUT_RDWR);
    ::close(sock);
    return false;
  }
  DeadlineStream strm(sock, limits_.write_timeout);
  std::string ip;
  int port = 0;
  strm.get_remote_ip_and_port(ip, port);
  if (t_handoff) {  // it waited too long for a worker
    responder_->Adopt(sock, std::move(ip), /*too_many=*/false);
    return false;
  }
  if (!Enter(ip, sock)) {
    Leave(ip, sock);
    responder_->Adopt(sock, std::move(ip), /*too_many=*/true);
    return false;
  }
  // The first request's head must start and end within the request
  // timeout; later ones may follow after an idle keep-alive wait.
  bool ret = false;
  auto start_by = Clock::now() + limits_.request_timeout;
  for (int left = limits_.keep_alive_max_requests; left > 0 && is_running(); --left) {
    if (!strm.Buffered() && !WaitFor(sock, POLLIN, start_by)) break;
    strm.SetReadDeadline(Clock::now() + limits_.request_timeout);
    bool closed = false;
    ret = process_request(strm, left == 1, closed, nullptr);
    // After a request that did not parse, the stream's framing is lost.
    if (!ret || closed || strm.response_status() == 400) break;
    start_by = Clock::now() + limits_.keep_alive_timeout;
  }
  Leave(ip, sock);
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
  return ret;
}

}  // namespace centinela::api
