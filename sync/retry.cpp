#include "sync/retry.hpp"

#include <algorithm>
#include <cmath>

namespace chanmirror::sync {

bool is_transient(const HttpResponse& r) {
    if (r.aborted)
        return false;
    if (!r.completed())
        return !r.permanent;
    return r.status == 408 || r.status == 429 || r.status >= 500;
}

std::chrono::milliseconds retry_delay(int retry, std::optional<long> retry_after_s,
                                      const RetryPolicy& policy, std::mt19937_64& rng) {
    double seconds = 0;
    if (retry_after_s) {
        seconds = std::min(static_cast<double>(*retry_after_s), policy.max_s);
    } else {
        double base =
            std::min(policy.initial_s * std::pow(2.0, std::max(0, retry - 1)), policy.max_s);
        std::uniform_real_distribution<double> jitter(0.0, base / 2);
        seconds = base / 2 + jitter(rng);
    }
    return std::chrono::milliseconds(static_cast<long long>(seconds * 1000));
}

std::string describe_failure(const HttpResponse& r) {
    if (!r.completed())
        return r.transport_error;
    return "HTTP " + std::to_string(r.status);
}

}  // namespace chanmirror::sync
