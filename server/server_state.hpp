#pragma once
// What every connection of one server shares: the served root, the access log, the TLS
// context, and the set of live sessions (so SIGTERM can drain them).

#include <atomic>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include <boost/asio/ssl/context.hpp>

#include "server/access_log.hpp"
#include "server/handle_request.hpp"

namespace chanmirror::server {

class SessionBase {
  public:
    virtual ~SessionBase() = default;
    // Finish the response in flight (if any), then close. Callable from any thread.
    virtual void shutdown() = 0;
};

struct ServerState {
    explicit ServerState(ServeRoot& r) : root(r) {}

    ServeRoot& root;
    AccessLog* access_log = nullptr;           // null: no access log
    boost::asio::ssl::context* tls = nullptr;  // null: plain HTTP
    std::atomic<bool> draining{false};

    void add(const std::shared_ptr<SessionBase>& session) {
        std::lock_guard lock(mutex_);
        sessions_.emplace(session.get(), session);
    }
    void remove(SessionBase* session) {
        std::lock_guard lock(mutex_);
        sessions_.erase(session);
    }
    void shutdown_all() {
        std::vector<std::shared_ptr<SessionBase>> live;
        {
            std::lock_guard lock(mutex_);
            for (auto& [ptr, weak] : sessions_) {
                if (auto s = weak.lock())
                    live.push_back(std::move(s));
            }
        }
        for (auto& s : live)
            s->shutdown();
    }

  private:
    std::mutex mutex_;
    std::unordered_map<SessionBase*, std::weak_ptr<SessionBase>> sessions_;
};

}  // namespace chanmirror::server
