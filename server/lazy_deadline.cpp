#include "server/lazy_deadline.hpp"

namespace chanmirror::server {

void LazyDeadline::arm(clock::time_point when) {
    armed_ = true;
    armed_for_ = when;
    timer_.expires_at(when);
    // A cancelled or superseded wait must not touch `this`: the connection may be gone.
    timer_.async_wait([this, owner = owner_](boost::system::error_code ec) {
        if (ec)
            return;
        auto alive = owner.lock();
        if (!alive)
            return;
        on_timer();
    });
}

void LazyDeadline::on_timer() {
    armed_ = false;
    if (deadline_ == clock::time_point::max())
        return;
    if (clock::now() < deadline_)
        return arm(deadline_);
    deadline_ = clock::time_point::max();
    on_expired_();
}

}  // namespace chanmirror::server
