#pragma once
// Work on several cores: how many to use, and a parallel loop over indices.

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <numeric>
#include <thread>
#include <vector>

namespace chanmirror::core {

// The cores an option asks for: `requested`, or every core when it is 0.
inline unsigned thread_count(unsigned requested) {
    return requested != 0 ? requested : std::max(1u, std::thread::hardware_concurrency());
}

// Runs fn(i) for i in [0, count) on `threads` workers; items are claimed one at a time so a
// large package does not hold back the others.
template <typename Fn>
void parallel_for(std::size_t count, unsigned threads, Fn fn) {
    threads = std::max(1u, std::min<unsigned>(threads, static_cast<unsigned>(count)));
    std::atomic<std::size_t> next{0};
    auto worker = [&] {
        for (std::size_t i; (i = next.fetch_add(1)) < count;)
            fn(i);
    };
    std::vector<std::jthread> pool;
    for (unsigned t = 1; t < threads; ++t)
        pool.emplace_back(worker);
    worker();
}

// The order to process `count` jobs in: largest first, so that the last jobs the cores take
// are small ones and neither core waits long for the other at the end.
template <typename Size>
std::vector<std::size_t> largest_first(std::size_t count, Size size_of) {
    std::vector<std::size_t> order(count);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return size_of(a) > size_of(b); });
    return order;
}

}  // namespace chanmirror::core
