#pragma once
// Download progress: a one-line bar on a terminal (files, bytes, rate, ETA), plain log lines
// every few seconds otherwise.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <ostream>

namespace chanmirror::sync {

class Progress {
  public:
    // `tty`: redraw one line in place; else print a line every `log_every`.
    Progress(std::ostream& out, bool tty,
             std::chrono::seconds log_every = std::chrono::seconds(10));

    void set_total(std::size_t files, std::uint64_t bytes);
    // Both are safe from any thread (every download lane counts).
    void add_bytes(std::uint64_t bytes) { bytes_.fetch_add(bytes, std::memory_order_relaxed); }
    void file_done() { files_.fetch_add(1, std::memory_order_relaxed); }
    // Prints if due; cheap to call often, from any thread.
    void tick();
    // Final line (and newline on a terminal).
    void finish();

  private:
    void print(bool final);

    std::ostream& out_;
    bool tty_;
    std::chrono::steady_clock::duration every_;
    std::chrono::steady_clock::time_point start_;
    std::chrono::steady_clock::time_point last_;
    std::atomic<std::size_t> files_ = 0;
    std::size_t total_files_ = 0;
    std::atomic<std::uint64_t> bytes_ = 0;
    std::uint64_t total_bytes_ = 0;
    bool printed_ = false;
    std::mutex print_mutex_;  // guards last_, printed_ and the output
};

// "1.5 MiB"
std::string human_bytes(std::uint64_t bytes);

}  // namespace chanmirror::sync
