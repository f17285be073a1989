#pragma once
// When to retry an HTTP transfer and how long to wait: exponential backoff with jitter,
// Retry-After honoured (capped).

#include <chrono>
#include <optional>
#include <random>
#include <string>

#include "sync/http_client.hpp"

namespace chanmirror::sync {

struct RetryPolicy {
    int retries = 5;  // attempts after the first
    double initial_s = 1.0;
    double max_s = 60.0;
};

// Transient: transport errors (timeouts, resets, short bodies), 408, 429 and 5xx.
bool is_transient(const HttpResponse& response);

// Delay before retry number `retry` (1-based): Retry-After when given, else
// initial * 2^(retry-1) with "equal jitter" (half fixed, half random); both capped at max_s.
std::chrono::milliseconds retry_delay(int retry, std::optional<long> retry_after_s,
                                      const RetryPolicy& policy, std::mt19937_64& rng);

// "HTTP 503", "connection reset: ...": what went wrong, for messages.
std::string describe_failure(const HttpResponse& response);

}  // namespace chanmirror::sync
