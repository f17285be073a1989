#include "io/zstd.hpp"

#include <zstd.h>

#include <algorithm>
#include <memory>

#include "core/parallel.hpp"

namespace chanmirror::io {
namespace {

struct CctxFree {
    void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};
struct DctxFree {
    void operator()(ZSTD_DCtx* d) const { ZSTD_freeDCtx(d); }
};

core::Error zstd_error(std::string_view what, size_t code) {
    return core::Error{core::ErrorKind::invalid_input,
                       std::string(what) + ": zstd: " + ZSTD_getErrorName(code)};
}

}  // namespace

core::Result<std::string> zstd_compress(std::string_view bytes, ZstdOptions options) {
    // One context per thread: creating a context at a high level costs more than compressing
    // a typical shard.
    thread_local std::unique_ptr<ZSTD_CCtx, CctxFree> cctx(ZSTD_createCCtx());
    ZSTD_CCtx_reset(cctx.get(), ZSTD_reset_session_and_parameters);
    ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_compressionLevel, options.level);
    ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_contentSizeFlag, 1);
    ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_checksumFlag, 1);
    if (options.threads > 0) {
        ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_nbWorkers, options.threads);
    }
    // ZSTD_compress2 writes the pledged (known) content size into the frame header.
    std::string out(ZSTD_compressBound(bytes.size()), '\0');
    size_t n = ZSTD_compress2(cctx.get(), out.data(), out.size(), bytes.data(), bytes.size());
    if (ZSTD_isError(n))
        return tl::unexpected(zstd_error("compress", n));
    out.resize(n);
    return out;
}

std::vector<core::Result<std::string>> zstd_compress_all(
    const std::vector<std::string_view>& inputs, ZstdOptions options) {
    std::vector<std::size_t> first_equal(inputs.size());  // index of the first equal input
    std::vector<std::size_t> distinct;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        first_equal[i] = i;
        for (std::size_t d : distinct) {
            if (inputs[d] == inputs[i]) {
                first_equal[i] = d;
                break;
            }
        }
        if (first_equal[i] == i)
            distinct.push_back(i);
    }
    std::vector<core::Result<std::string>> out(inputs.size());
    core::parallel_for(
        distinct.size(), static_cast<unsigned>(std::max(1, options.threads)),
        [&](std::size_t j) { out[distinct[j]] = zstd_compress(inputs[distinct[j]], options); });
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        if (first_equal[i] != i)
            out[i] = out[first_equal[i]];
    }
    return out;
}

core::Result<std::string> zstd_decompress(std::string_view bytes, std::string_view what,
                                          std::size_t max_size) {
    std::unique_ptr<ZSTD_DCtx, DctxFree> dctx(ZSTD_createDCtx());
    std::string out;
    unsigned long long declared = ZSTD_getFrameContentSize(bytes.data(), bytes.size());
    if (declared == ZSTD_CONTENTSIZE_ERROR) {
        return core::fail(core::ErrorKind::invalid_input, std::string(what) + ": not zstd data");
    }
    if (declared != ZSTD_CONTENTSIZE_UNKNOWN && declared <= max_size)
        out.reserve(declared);
    ZSTD_inBuffer in{bytes.data(), bytes.size(), 0};
    std::string chunk(ZSTD_DStreamOutSize(), '\0');
    size_t last = 0;
    while (in.pos < in.size) {
        ZSTD_outBuffer o{chunk.data(), chunk.size(), 0};
        last = ZSTD_decompressStream(dctx.get(), &o, &in);
        if (ZSTD_isError(last))
            return tl::unexpected(zstd_error(what, last));
        out.append(chunk.data(), o.pos);
        if (out.size() > max_size) {
            return core::fail(core::ErrorKind::invalid_input,
                              std::string(what) + ": decompressed size exceeds limit");
        }
        if (o.pos == 0 && in.pos == in.size)
            break;
    }
    // Drain any output still buffered inside the decoder.
    while (last != 0) {
        ZSTD_outBuffer o{chunk.data(), chunk.size(), 0};
        last = ZSTD_decompressStream(dctx.get(), &o, &in);
        if (ZSTD_isError(last))
            return tl::unexpected(zstd_error(what, last));
        if (o.pos == 0)
            break;
        out.append(chunk.data(), o.pos);
    }
    if (last != 0) {
        return core::fail(core::ErrorKind::invalid_input,
                          std::string(what) + ": truncated zstd frame");
    }
    return out;
}

}  // namespace chanmirror::io
