#include "sync/progress.hpp"

#include <cstdio>
#include <string>

namespace chanmirror::sync {

std::string human_bytes(std::uint64_t bytes) {
    static const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = static_cast<double>(bytes);
    int u = 0;
    while (v >= 1024 && u < 4) {
        v /= 1024;
        ++u;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
    return buf;
}

Progress::Progress(std::ostream& out, bool tty, std::chrono::seconds log_every)
    : out_(out),
      tty_(tty),
      every_(tty ? std::chrono::steady_clock::duration(std::chrono::milliseconds(200)) : log_every),
      start_(std::chrono::steady_clock::now()),
      last_(start_) {}

void Progress::set_total(std::size_t files, std::uint64_t bytes) {
    total_files_ = files;
    total_bytes_ = bytes;
}

void Progress::tick() {
    // Every download lane ticks; one prints, the others go on.
    std::unique_lock lock(print_mutex_, std::try_to_lock);
    if (!lock.owns_lock())
        return;
    auto now = std::chrono::steady_clock::now();
    if (now - last_ < every_)
        return;
    last_ = now;
    print(false);
}

void Progress::finish() {
    if (total_files_ == 0)
        return;
    std::lock_guard lock(print_mutex_);
    print(true);
}

void Progress::print(bool final) {
    double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    std::uint64_t bytes = bytes_.load(std::memory_order_relaxed);
    std::size_t files = files_.load(std::memory_order_relaxed);
    double rate = elapsed > 0 ? static_cast<double>(bytes) / elapsed : 0;
    std::string eta = "--:--";
    if (rate > 0 && total_bytes_ > bytes) {
        auto left = static_cast<long>(static_cast<double>(total_bytes_ - bytes) / rate);
        char buf[32];
        std::snprintf(buf, sizeof buf, "%02ld:%02ld:%02ld", left / 3600, left / 60 % 60, left % 60);
        eta = buf;
    }
    std::string line = "files " + std::to_string(files) + "/" + std::to_string(total_files_) +
                       "  " + human_bytes(bytes) + "/" + human_bytes(total_bytes_) + "  " +
                       human_bytes(static_cast<std::uint64_t>(rate)) + "/s  ETA " + eta;
    if (tty_) {
        out_ << "\r\033[K" << line << (final ? "\n" : "") << std::flush;
    } else {
        out_ << "progress: " << line << "\n" << std::flush;
    }
    printed_ = true;
}

}  // namespace chanmirror::sync
