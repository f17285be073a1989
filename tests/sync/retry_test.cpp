#include "sync/retry.hpp"

#include <gtest/gtest.h>

namespace chanmirror::sync {
namespace {

TEST(RetryDelay, ExponentialWithJitterWithinBounds) {
    RetryPolicy policy{5, 1.0, 60.0};
    std::mt19937_64 rng(42);
    for (int retry = 1; retry <= 8; ++retry) {
        double base = std::min(60.0, std::pow(2.0, retry - 1));
        for (int i = 0; i < 50; ++i) {
            auto ms = retry_delay(retry, std::nullopt, policy, rng).count();
            EXPECT_GE(ms, static_cast<long long>(base * 500) - 1);
            EXPECT_LE(ms, static_cast<long long>(base * 1000));
        }
    }
}

TEST(RetryDelay, JitterSpreadsRetries) {
    RetryPolicy policy{5, 1.0, 60.0};
    std::mt19937_64 rng(7);
    std::set<long long> seen;
    for (int i = 0; i < 20; ++i)
        seen.insert(retry_delay(3, std::nullopt, policy, rng).count());
    EXPECT_GT(seen.size(), 10u);
}

TEST(RetryDelay, RetryAfterIsHonouredAndCapped) {
    RetryPolicy policy{5, 1.0, 30.0};
    std::mt19937_64 rng(1);
    EXPECT_EQ(retry_delay(1, 7L, policy, rng).count(), 7000);
    EXPECT_EQ(retry_delay(1, 3600L, policy, rng).count(), 30000);
}

TEST(ParseRetryAfter, SecondsAndHttpDate) {
    EXPECT_EQ(parse_retry_after("120"), 120);
    EXPECT_EQ(parse_retry_after(" 0 "), 0);
    EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), 0);  // in the past
    EXPECT_FALSE(parse_retry_after("soon"));
}

TEST(IsTransient, StatusesAndTransportErrors) {
    HttpResponse r;
    for (long s : {408L, 429L, 500L, 502L, 503L, 504L}) {
        r.status = s;
        EXPECT_TRUE(is_transient(r)) << s;
    }
    for (long s : {200L, 304L, 403L, 404L, 410L}) {
        r.status = s;
        EXPECT_FALSE(is_transient(r)) << s;
    }
    r.transport_error = "Connection reset by peer";
    EXPECT_TRUE(is_transient(r));
    r.permanent = true;
    EXPECT_FALSE(is_transient(r));
}

}  // namespace
}  // namespace chanmirror::sync
