#include "server/metrics.hpp"

namespace chanmirror::server {

void Metrics::record(unsigned status, std::uint64_t bytes_sent) {
    unsigned cls = status / 100;
    if (cls >= 1 && cls <= 5)
        by_class_[cls - 1].fetch_add(1, std::memory_order_relaxed);
    if (status == 304)
        not_modified_.fetch_add(1, std::memory_order_relaxed);
    bytes_sent_.fetch_add(bytes_sent, std::memory_order_relaxed);
}

std::string Metrics::render() const {
    std::string out;
    out += "# HELP chanmirror_http_requests_total HTTP responses sent, by status class.\n";
    out += "# TYPE chanmirror_http_requests_total counter\n";
    for (unsigned i = 0; i < by_class_.size(); ++i) {
        out += "chanmirror_http_requests_total{code=\"" + std::to_string(i + 1) + "xx\"} " +
               std::to_string(by_class_[i].load(std::memory_order_relaxed)) + "\n";
    }
    out += "# HELP chanmirror_http_not_modified_total 304 Not Modified responses.\n";
    out += "# TYPE chanmirror_http_not_modified_total counter\n";
    out += "chanmirror_http_not_modified_total " +
           std::to_string(not_modified_.load(std::memory_order_relaxed)) + "\n";
    out += "# HELP chanmirror_http_response_bytes_total Response body bytes sent.\n";
    out += "# TYPE chanmirror_http_response_bytes_total counter\n";
    out += "chanmirror_http_response_bytes_total " +
           std::to_string(bytes_sent_.load(std::memory_order_relaxed)) + "\n";
    out += "# HELP chanmirror_open_connections Client connections open now.\n";
    out += "# TYPE chanmirror_open_connections gauge\n";
    out += "chanmirror_open_connections " +
           std::to_string(open_connections_.load(std::memory_order_relaxed)) + "\n";
    out += "# HELP chanmirror_refused_connections_total Connections refused at the cap.\n";
    out += "# TYPE chanmirror_refused_connections_total counter\n";
    out += "chanmirror_refused_connections_total " +
           std::to_string(refused_connections_.load(std::memory_order_relaxed)) + "\n";
    return out;
}

}  // namespace chanmirror::server
