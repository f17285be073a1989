#include "io/hashing.hpp"

#include <openssl/evp.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "io/file_handle.hpp"

namespace chanmirror::io {
namespace {

struct EvpFree {
    void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using EvpContext = std::unique_ptr<EVP_MD_CTX, EvpFree>;

EvpContext make_context(const EVP_MD* md) {
    EvpContext ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestInit_ex(ctx.get(), md, nullptr) != 1) {
        throw std::runtime_error("OpenSSL digest initialisation failed");
    }
    return ctx;
}

}  // namespace

std::string Digests::md5_hex() const {
    return to_hex(md5);
}
std::string Digests::sha256_hex() const {
    return to_hex(sha256);
}

struct Hasher::State {
    EvpContext md5 = make_context(EVP_md5());
    EvpContext sha256 = make_context(EVP_sha256());
    std::uint64_t size = 0;
};

Hasher::Hasher() : state_(std::make_unique<State>()) {}
Hasher::~Hasher() = default;
Hasher::Hasher(Hasher&&) noexcept = default;
Hasher& Hasher::operator=(Hasher&&) noexcept = default;

void Hasher::update(std::span<const unsigned char> bytes) {
    EVP_DigestUpdate(state_->md5.get(), bytes.data(), bytes.size());
    EVP_DigestUpdate(state_->sha256.get(), bytes.data(), bytes.size());
    state_->size += bytes.size();
}

Digests Hasher::finish() {
    Digests d;
    unsigned int len = 0;
    EVP_DigestFinal_ex(state_->md5.get(), d.md5.data(), &len);
    EVP_DigestFinal_ex(state_->sha256.get(), d.sha256.data(), &len);
    d.size = state_->size;
    return d;
}

core::Result<Digests> hash_file(const std::filesystem::path& path) {
    auto file = FileHandle::open_read(path);
    if (!file)
        return tl::unexpected(file.error());
    Hasher hasher;
    std::vector<unsigned char> buffer(1 << 20);
    for (;;) {
        auto n = file->read(buffer.data(), buffer.size());
        if (!n)
            return tl::unexpected(n.error());
        if (*n == 0)
            break;
        hasher.update({buffer.data(), *n});
    }
    return hasher.finish();
}

std::array<unsigned char, 32> sha256_of(std::span<const unsigned char> bytes) {
    std::array<unsigned char, 32> out{};
    unsigned int len = 0;
    EVP_Digest(bytes.data(), bytes.size(), out.data(), &len, EVP_sha256(), nullptr);
    return out;
}

}  // namespace chanmirror::io
