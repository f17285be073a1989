#include "io/tar_tail_scan.hpp"

#include <algorithm>
#include <cstring>
#include <string_view>

namespace chanmirror::io {
namespace {

constexpr std::size_t header_size = 512;

std::uint64_t padded(std::uint64_t size) {
    return (size + 511) / 512 * 512;
}

// An octal number field as tar writers fill it: leading spaces, digits, then NULs or spaces.
// Base-256 (for sizes beyond 8 GB) is not expected this near a recipe and is refused.
std::optional<std::uint64_t> octal(const std::uint8_t* field, std::size_t width) {
    std::size_t i = 0;
    while (i < width && field[i] == ' ')
        ++i;
    std::uint64_t value = 0;
    for (; i < width && field[i] >= '0' && field[i] <= '7'; ++i) {
        if (value >> 60)
            return std::nullopt;
        value = value * 8 + (field[i] - '0');
    }
    for (; i < width; ++i) {
        if (field[i] != ' ' && field[i] != 0)
            return std::nullopt;
    }
    return value;
}

// The checksum counts the checksum field as spaces; old writers summed signed bytes.
bool checksum_ok(const std::uint8_t* header) {
    auto stored = octal(header + 148, 8);
    if (!stored)
        return false;
    std::uint64_t unsigned_sum = 0;
    std::int64_t signed_sum = 0;
    for (std::size_t i = 0; i < header_size; ++i) {
        std::uint8_t c = i >= 148 && i < 156 ? ' ' : header[i];
        unsigned_sum += c;
        signed_sum += static_cast<std::int8_t>(c);
    }
    return *stored == unsigned_sum || static_cast<std::int64_t>(*stored) == signed_sum;
}

std::string text_field(const std::uint8_t* header, std::size_t offset, std::size_t width) {
    const char* text = reinterpret_cast<const char*>(header + offset);
    return {text, strnlen(text, width)};
}

std::string member_name(const std::uint8_t* header) {
    std::string name = text_field(header, 0, 100);
    if (std::memcmp(header + 257, "ustar", 5) == 0) {
        if (auto prefix = text_field(header, 345, 155); !prefix.empty())
            name = prefix + "/" + name;
    }
    if (name.starts_with("./"))
        name.erase(0, 2);
    return name;
}

// Python's tarfile (conda-package-handling's writer) skips data only after these types;
// links, devices, directories and FIFOs have none whatever their size field says.
bool has_data(std::uint8_t type) {
    return type < '1' || type > '6';
}

bool is_regular_file(std::uint8_t type) {
    return type == '0' || type == 0 || type == '7';
}

}  // namespace

TarTailScan::TarTailScan(std::vector<std::string> names, std::size_t max_member_size)
    : names_(std::move(names)), max_member_size_(max_member_size) {}

// Headers start at a name: "info/", perhaps after "./". Keeps what a header that starts in
// the bytes seen so far still needs.
void TarTailScan::search() {
    static constexpr std::string_view marker = "info/";
    std::size_t from = 0;
    for (;;) {
        const void* hit =
            memmem(pending_.data() + from, pending_.size() - from, marker.data(), marker.size());
        if (!hit) {
            std::size_t keep = std::min(pending_.size(), marker.size() + 1);
            pending_.erase(pending_.begin(), pending_.end() - static_cast<std::ptrdiff_t>(keep));
            return;
        }
        std::size_t at = static_cast<const std::uint8_t*>(hit) - pending_.data();
        std::size_t start =
            at >= 2 && pending_[at - 2] == '.' && pending_[at - 1] == '/' ? at - 2 : at;
        if (pending_.size() - start < header_size) {
            pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(start));
            return;
        }
        const std::uint8_t* header = pending_.data() + start;
        auto size = octal(header + 124, 12);
        std::string name = member_name(header);
        if (size && *size <= max_member_size_ && is_regular_file(header[156]) &&
            std::find(names_.begin(), names_.end(), name) != names_.end() && checksum_ok(header)) {
            found_ = Member{std::move(name), {}};
            capture_left_ = *size;
            skip_left_ = padded(*size) - *size;
            state_ = capture_left_ ? State::capturing
                     : skip_left_  ? State::skipping
                                   : State::header;
            pending_.erase(pending_.begin(),
                           pending_.begin() + static_cast<std::ptrdiff_t>(start + header_size));
            return;
        }
        from = at + 1;
    }
}

void TarTailScan::on_header(const std::uint8_t* header) {
    if (std::all_of(header, header + header_size, [](std::uint8_t b) { return b == 0; })) {
        state_ = State::zeros;
        return;
    }
    auto size = octal(header + 124, 12);
    if (!size || !checksum_ok(header)) {
        state_ = State::failed;
        return;
    }
    skip_left_ = has_data(header[156]) ? padded(*size) : 0;
    state_ = skip_left_ ? State::skipping : State::header;
}

void TarTailScan::feed(std::span<const std::uint8_t> bytes) {
    while (!bytes.empty()) {
        std::size_t used = bytes.size();
        switch (state_) {
            case State::searching: {
                pending_.insert(pending_.end(), bytes.begin(), bytes.end());
                search();
                if (state_ != State::searching) {
                    std::vector<std::uint8_t> rest;
                    rest.swap(pending_);
                    feed(rest);  // never searching again, so this recursion is one deep
                }
                break;
            }
            case State::capturing:
                used = static_cast<std::size_t>(std::min<std::uint64_t>(capture_left_, used));
                found_->bytes.append(reinterpret_cast<const char*>(bytes.data()), used);
                capture_left_ -= used;
                if (!capture_left_)
                    state_ = skip_left_ ? State::skipping : State::header;
                break;
            case State::skipping:
                used = static_cast<std::size_t>(std::min<std::uint64_t>(skip_left_, used));
                skip_left_ -= used;
                if (!skip_left_)
                    state_ = State::header;
                break;
            case State::header:
                used = std::min(header_size - pending_.size(), used);
                pending_.insert(pending_.end(), bytes.begin(),
                                bytes.begin() + static_cast<std::ptrdiff_t>(used));
                if (pending_.size() == header_size) {
                    on_header(pending_.data());
                    pending_.clear();
                }
                break;
            case State::zeros:
                if (!std::all_of(bytes.begin(), bytes.end(), [](std::uint8_t b) { return b == 0; }))
                    state_ = State::failed;
                break;
            case State::failed:
                break;
        }
        bytes = bytes.subspan(used);
    }
}

std::optional<TarTailScan::Member> TarTailScan::finish() {
    bool chain_ended = state_ == State::zeros || (state_ == State::header && pending_.empty());
    if (!found_ || !chain_ended)
        return std::nullopt;
    return std::move(found_);
}

}  // namespace chanmirror::io
