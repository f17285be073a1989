#pragma once
// One deadline per connection that costs nothing to move. Re-arming an Asio timer for every
// read and write (as beast::tcp_stream does) costs a timer-queue update, a cancelled handler
// run through the scheduler and often a timerfd_settime. Here moving the deadline is a store;
// the one timer re-arms itself only when it fires before the current deadline, or when the
// deadline moves earlier than the time it is armed for.

#include <chrono>
#include <functional>
#include <memory>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

namespace chanmirror::server {

class LazyDeadline {
  public:
    using clock = std::chrono::steady_clock;

    explicit LazyDeadline(const boost::asio::any_io_executor& executor) : timer_(executor) {}

    // `on_expired` runs on the timer's executor once the deadline passes, unless `owner` is
    // gone by then. Call once, before the first expires_after.
    void watch(std::weak_ptr<void> owner, std::function<void()> on_expired) {
        owner_ = std::move(owner);
        on_expired_ = std::move(on_expired);
    }

    void expires_after(clock::duration timeout) {
        deadline_ = clock::now() + timeout;
        if (!armed_ || deadline_ < armed_for_)
            arm(deadline_);
    }

    // No deadline until the next expires_after (the armed timer finds nothing to do).
    void expires_never() { deadline_ = clock::time_point::max(); }

    void cancel() {
        deadline_ = clock::time_point::max();
        armed_ = false;
        timer_.cancel();
    }

  private:
    void arm(clock::time_point when);
    void on_timer();

    boost::asio::steady_timer timer_;
    std::weak_ptr<void> owner_;
    std::function<void()> on_expired_;
    clock::time_point deadline_ = clock::time_point::max();
    clock::time_point armed_for_{};
    bool armed_ = false;
};

}  // namespace chanmirror::server
