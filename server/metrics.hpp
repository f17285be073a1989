#pragma once
// Counters for /metrics, in the Prometheus text exposition format.

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

namespace chanmirror::server {

class Metrics {
  public:
    void record(unsigned status, std::uint64_t bytes_sent);
    void connection_opened() { open_connections_.fetch_add(1, std::memory_order_relaxed); }
    void connection_closed() { open_connections_.fetch_sub(1, std::memory_order_relaxed); }
    void connection_refused() { refused_connections_.fetch_add(1, std::memory_order_relaxed); }

    [[nodiscard]] std::int64_t open_connections() const {
        return open_connections_.load(std::memory_order_relaxed);
    }
    [[nodiscard]] std::string render() const;

  private:
    std::array<std::atomic<std::uint64_t>, 5> by_class_{};  // 1xx .. 5xx
    std::atomic<std::uint64_t> bytes_sent_{0};
    std::atomic<std::uint64_t> not_modified_{0};
    std::atomic<std::int64_t> open_connections_{0};
    std::atomic<std::uint64_t> refused_connections_{0};
};

}  // namespace chanmirror::server
