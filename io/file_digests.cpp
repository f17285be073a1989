#include "io/file_digests.hpp"

#include <fcntl.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <limits>

#include "core/parallel.hpp"
#include "io/file_handle.hpp"

namespace chanmirror::io {
namespace {

namespace fs = std::filesystem;

// Per lane: small enough that a thread's lanes stay in L2 between reading a chunk (and
// hashing its sha256) and running its md5.
constexpr std::size_t chunk_bytes = std::size_t{64} << 10;
constexpr std::size_t no_file = std::numeric_limits<std::size_t>::max();

// Hands out the files in the order given (callers put the largest first, so the lanes end on
// small ones).
class FileQueue {
  public:
    explicit FileQueue(std::size_t count) : count_(count) {}

    std::size_t next() {
        std::size_t i = next_.fetch_add(1);
        return i < count_ ? i : no_file;
    }

  private:
    std::size_t count_;
    std::atomic<std::size_t> next_{0};
};

// One thread's lanes: each holds a file being read in chunks; md5 steps all lanes together
// through as many blocks as every busy lane has buffered.
class LaneHasher {
  public:
    LaneHasher(Md5Kernel kernel, std::span<const fs::path> files, FileQueue& queue,
               std::vector<core::Result<Digests>>& results)
        : md5_(kernel), files_(files), queue_(queue), results_(results), lanes_(md5_.width()) {}

    void run() {
        std::vector<unsigned char> idle(chunk_bytes + 2 * Md5Lanes::block_bytes, 0);
        std::vector<const unsigned char*> data(Md5Lanes::max_width, idle.data());
        for (;;) {
            std::size_t blocks = std::numeric_limits<std::size_t>::max();
            for (unsigned l = 0; l < lanes_.size(); ++l) {
                fill(l);
                if (lanes_[l].file != no_file)
                    blocks = std::min(blocks, lanes_[l].buffered() / Md5Lanes::block_bytes);
            }
            if (blocks == std::numeric_limits<std::size_t>::max())
                return;  // every lane idle: no file left
            for (unsigned l = 0; l < lanes_.size(); ++l) {
                auto& lane = lanes_[l];
                data[l] = lane.file == no_file ? idle.data() : lane.buffer.data() + lane.begin;
            }
            md5_.compress(data, blocks);
            for (unsigned l = 0; l < lanes_.size(); ++l) {
                auto& lane = lanes_[l];
                if (lane.file == no_file)
                    continue;
                lane.begin += blocks * Md5Lanes::block_bytes;
                if (lane.padded && lane.buffered() == 0)
                    finish(l);
            }
        }
    }

  private:
    struct Lane {
        std::size_t file = no_file;
        FileHandle handle;
        Hasher sha256{DigestSet::sha256_only};
        // A partial block left over, a chunk, and room for MD5's padding.
        std::vector<unsigned char> buffer =
            std::vector<unsigned char>(chunk_bytes + 3 * Md5Lanes::block_bytes);
        std::size_t begin = 0;
        std::size_t end = 0;
        std::uint64_t size = 0;
        bool padded = false;

        [[nodiscard]] std::size_t buffered() const { return end - begin; }
    };

    // Gives the lane a whole block to hash (or its padded end), taking the next file when
    // it has none; leaves it idle once the queue is empty.
    void fill(unsigned l) {
        auto& lane = lanes_[l];
        for (;;) {
            if (lane.file == no_file && !start(l))
                return;
            if (lane.padded || lane.buffered() >= Md5Lanes::block_bytes)
                return;
            std::memmove(lane.buffer.data(), lane.buffer.data() + lane.begin, lane.buffered());
            lane.end -= lane.begin;
            lane.begin = 0;
            auto n = lane.handle.read(lane.buffer.data() + lane.end, chunk_bytes);
            if (!n) {
                results_[lane.file] = tl::unexpected(n.error());
                lane.file = no_file;
                continue;
            }
            if (*n == 0) {
                lane.end += Md5Lanes::pad(lane.buffer.data() + lane.end, lane.size);
                lane.padded = true;
                return;
            }
            lane.sha256.update(lane.buffer.data() + lane.end, *n);
            lane.size += *n;
            lane.end += *n;
        }
    }

    bool start(unsigned l) {
        auto& lane = lanes_[l];
        for (;;) {
            std::size_t file = queue_.next();
            if (file == no_file)
                return false;
            auto handle = FileHandle::open_read(files_[file]);
            if (!handle) {
                results_[file] = tl::unexpected(handle.error());
                continue;
            }
            // Many files are read at once, a chunk at a time: ask for deep read-ahead so a
            // disk that is not in the page cache is still read in long runs.
            ::posix_fadvise(handle->fd(), 0, 0, POSIX_FADV_SEQUENTIAL);
            lane.file = file;
            lane.handle = std::move(*handle);
            lane.sha256 = Hasher(DigestSet::sha256_only);
            lane.begin = lane.end = 0;
            lane.size = 0;
            lane.padded = false;
            md5_.reset(l);
            return true;
        }
    }

    void finish(unsigned l) {
        auto& lane = lanes_[l];
        Digests digests = lane.sha256.finish();
        digests.md5 = md5_.digest(l);
        digests.has_md5 = true;
        results_[lane.file] = digests;
        lane.file = no_file;
        lane.handle = FileHandle();
    }

    Md5Lanes md5_;
    std::span<const fs::path> files_;
    FileQueue& queue_;
    std::vector<core::Result<Digests>>& results_;
    std::vector<Lane> lanes_;
};

// How many threads may run lanes: each lane holds a file open, and 16 lanes on each of a big
// server's cores would pass the usual limit of 1,024 descriptors. A quarter of the limit is
// left to lanes, so the rest of the process (and a server sharing it) keeps room; a dozen
// threads of lanes already hash faster than any disk reads.
unsigned lane_threads(unsigned threads, unsigned width) {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY)
        return threads;
    auto budget = static_cast<std::uint64_t>(limit.rlim_cur) / 4;
    return static_cast<unsigned>(std::clamp<std::uint64_t>(budget / width, 1, threads));
}

}  // namespace

std::vector<core::Result<Digests>> hash_files(std::span<const fs::path> files, unsigned threads,
                                              std::optional<Md5Kernel> kernel) {
    std::vector<core::Result<Digests>> results(files.size());
    threads = core::thread_count(threads);
    if (!kernel) {
        core::parallel_for(files.size(), threads,
                           [&](std::size_t i) { results[i] = hash_file(files[i]); });
        return results;
    }
    FileQueue queue(files.size());
    threads = lane_threads(threads, Md5Lanes::width_of(*kernel));
    core::parallel_for(std::min<std::size_t>(threads, files.size()), threads,
                       [&](std::size_t) { LaneHasher(*kernel, files, queue, results).run(); });
    return results;
}

}  // namespace chanmirror::io
