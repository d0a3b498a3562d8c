#include "server/connection.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace propscan::server {
namespace {

using Clock = std::chrono::steady_clock;

// Waits are cut into slices this long so that a stop is seen quickly.
constexpr std::chrono::milliseconds kStopSlice{50};

thread_local GuardedStream* t_stream = nullptr;
thread_local bool t_refusing = false;

void address_of(const sockaddr_storage& addr, std::string& ip, int& port) {
  char buf[INET6_ADDRSTRLEN] = "";
  if (addr.ss_family == AF_INET) {
    const auto& a = reinterpret_cast<const sockaddr_in&>(addr);
    inet_ntop(AF_INET, &a.sin_addr, buf, sizeof buf);
    port = ntohs(a.sin_port);
  } else if (addr.ss_family == AF_INET6) {
    const auto& a = reinterpret_cast<const sockaddr_in6&>(addr);
    inet_ntop(AF_INET6, &a.sin6_addr, buf, sizeof buf);
    port = ntohs(a.sin6_port);
  }
  ip = buf;
}

// Closes a connection whose request may not have been read to its end: the
// answer is sent first (shutting the write side), then what the client still
// sends is read and dropped briefly, so that the kernel does not reset the
// connection and lose the answer before the client reads it.
void close_gracefully(socket_t sock, std::chrono::milliseconds drain) {
  ::shutdown(sock, SHUT_WR);
  if (drain.count() > 0) {
    const auto until = Clock::now() + drain;
    char sink[16384];
    std::size_t dropped = 0;
    while (dropped < (4u << 20) && Clock::now() < until) {
      pollfd p{sock, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      const ssize_t n = ::recv(sock, sink, sizeof sink, 0);
      if (n <= 0) break;
      dropped += static_cast<std::size_t>(n);
    }
  }
  ::close(sock);
}

}  // namespace

GuardedStream* current_stream() { return t_stream; }

std::string peer_address(socket_t sock) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  std::string ip;
  int port = 0;
  if (::getpeername(sock, reinterpret_cast<sockaddr*>(&addr), &len) == 0) address_of(addr, ip, port);
  return ip;
}

GuardedStream::GuardedStream(socket_t sock, const ConnectionLimits& limits, const std::atomic<bool>& stopping)
    : sock_(sock), limits_(limits), stopping_(stopping) {}

void GuardedStream::begin_request() {
  read_deadline_ = Clock::now() + limits_.read_timeout;
  in_head_ = true;
  head_tail_ = 0;
  head_bytes_ = head_lines_ = body_bytes_ = 0;
}

bool GuardedStream::wait(short events, Clock::time_point deadline, bool watch_stop) {
  for (;;) {
    if (watch_stop && stopping_) {
      if (failure_ == ReadFailure::kNone) failure_ = ReadFailure::kStopping;
      return false;
    }
    const auto now = Clock::now();
    if (now >= deadline) return false;
    const auto slice = std::min<Clock::duration>(deadline - now, kStopSlice);
    pollfd p{sock_, events, 0};
    const int ms = static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(slice).count());
    const int n = ::poll(&p, 1, ms);
    if (n > 0) return true;  // ready, or an error that the next call reports
    if (n < 0 && errno != EINTR) return false;
  }
}

bool GuardedStream::wait_for_request(std::chrono::milliseconds timeout) {
  if (buffer_pos_ < buffered_) return true;
  return wait(POLLIN, Clock::now() + timeout, true);
}

bool GuardedStream::is_readable() const {
  if (buffer_pos_ < buffered_) return true;
  pollfd p{sock_, POLLIN, 0};
  return ::poll(&p, 1, 0) > 0;
}

bool GuardedStream::is_writable() const {
  pollfd p{sock_, POLLOUT, 0};
  const int ms = static_cast<int>(limits_.write_timeout.count());
  return ::poll(&p, 1, ms) > 0 && (p.revents & (POLLERR | POLLHUP)) == 0;
}

ssize_t GuardedStream::read(char* ptr, std::size_t size) {
  if (failure_ != ReadFailure::kNone) return -1;
  if (buffer_pos_ == buffered_) {
    if (!wait(POLLIN, read_deadline_, true)) {
      if (failure_ == ReadFailure::kNone) failure_ = ReadFailure::kTimeout;
      return -1;
    }
    ssize_t n;
    do {
      n = ::recv(sock_, buffer_, sizeof buffer_, 0);
    } while (n < 0 && errno == EINTR);
    if (n <= 0) {
      failure_ = ReadFailure::kClosed;
      return -1;
    }
    buffered_ = static_cast<std::size_t>(n);
    buffer_pos_ = 0;
  }
  std::size_t n = std::min(size, buffered_ - buffer_pos_);
  const char* data = buffer_ + buffer_pos_;
  std::size_t i = 0;
  // The head (request line and headers) ends at the first empty line.
  for (; in_head_ && i < n; ++i) {
    const char c = data[i];
    head_tail_ = (head_tail_ << 8) | static_cast<unsigned char>(c);
    ++head_bytes_;
    if (c == '\n') ++head_lines_;
    if ((head_tail_ & 0xFFFFFFFFu) == 0x0D0A0D0Au) in_head_ = false;
    // The request line is one of the lines, the empty line another.
    if (head_bytes_ > limits_.max_header_bytes || head_lines_ > limits_.max_header_lines + 2) {
      failure_ = ReadFailure::kHeaderTooLarge;
      return -1;
    }
  }
  body_bytes_ += n - i;
  if (body_bytes_ > limits_.max_body_wire_bytes) {
    failure_ = ReadFailure::kBodyTooLarge;
    return -1;
  }
  std::memcpy(ptr, data, n);
  buffer_pos_ += n;
  return static_cast<ssize_t>(n);
}

ssize_t GuardedStream::write(const char* ptr, std::size_t size) {
  const auto deadline = Clock::now() + limits_.write_timeout;
  std::size_t done = 0;
  while (done < size) {
    if (!wait(POLLOUT, deadline, false)) return -1;
    const ssize_t n = ::send(sock_, ptr + done, size - done, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) continue;
      return -1;
    }
    done += static_cast<std::size_t>(n);
  }
  return static_cast<ssize_t>(size);
}

void GuardedStream::get_remote_ip_and_port(std::string& ip, int& port) const {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (::getpeername(sock_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) address_of(addr, ip, port);
}

void GuardedStream::get_local_ip_and_port(std::string& ip, int& port) const {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (::getsockname(sock_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) address_of(addr, ip, port);
}

bool GuardedHttpServer::process_and_close_socket(socket_t sock) {
  if (ConnectionPool::refusing()) {
    if (refuse) refuse(sock);
    // Short: one thread refuses every connection in excess.
    close_gracefully(sock, std::chrono::milliseconds(50));
    return true;
  }
  GuardedStream stream(sock, limits, stopping_);
  t_stream = &stream;
  bool ok = true;
  for (std::size_t n = 0; n < limits.keep_alive_max_requests; ++n) {
    // A new connection has the read timeout to start its request; a kept-alive
    // one the (shorter) keep-alive timeout.
    if (!stream.wait_for_request(n == 0 ? limits.read_timeout : limits.keep_alive_timeout)) break;
    stream.begin_request();
    bool closed = false;
    const bool last = n + 1 == limits.keep_alive_max_requests;
    ok = process_request(stream, last, closed, nullptr);
    if (!ok || closed || stream.must_close()) break;
  }
  t_stream = nullptr;
  // On a stop, speed matters more than the answer to a half-sent request.
  const bool unread = stream.must_close() && stream.failure() != ReadFailure::kClosed &&
                      stream.failure() != ReadFailure::kStopping;
  close_gracefully(sock, std::chrono::milliseconds(unread ? 200 : 0));
  return ok;
}

ConnectionPool::ConnectionPool(unsigned threads) : idle_(threads) {
  for (unsigned i = 0; i < threads; ++i) workers_.emplace_back([this] { work(); });
  refuser_ = std::thread([this] { refuse_overflow(); });
}

ConnectionPool::~ConnectionPool() { shutdown(); }

bool ConnectionPool::refusing() { return t_refusing; }

void ConnectionPool::enqueue(std::function<void()> fn) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (idle_ > 0) {
      --idle_;
      jobs_.push_back(std::move(fn));
    } else {
      overflow_.push_back(std::move(fn));
    }
  }
  ready_.notify_one();
  overflow_ready_.notify_one();
}

void ConnectionPool::work() {
  drain(jobs_, ready_, /*count_idle=*/true);
}

void ConnectionPool::refuse_overflow() {
  t_refusing = true;
  drain(overflow_, overflow_ready_, /*count_idle=*/false);
}

void ConnectionPool::drain(std::deque<std::function<void()>>& queue, std::condition_variable& ready,
                           bool count_idle) {
  for (;;) {
    std::function<void()> fn;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      ready.wait(lock, [&] { return shutting_down_ || !queue.empty(); });
      if (queue.empty()) return;
      fn = std::move(queue.front());
      queue.pop_front();
    }
    fn();
    if (count_idle) {
      std::lock_guard<std::mutex> lock(mutex_);
      ++idle_;
    }
  }
}

void ConnectionPool::shutdown() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (shutting_down_) return;
    shutting_down_ = true;
  }
  ready_.notify_all();
  overflow_ready_.notify_all();
  for (auto& t : workers_) t.join();
  refuser_.join();
}

}  // namespace propscan::server
