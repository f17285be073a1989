#pragma once
// Errors that come from input (bad archives, bad JSON, HTTP failures) travel as values.
// Exceptions are reserved for bugs and for app/main.cpp.

#include <string>
#include <utility>

#include <tl/expected.hpp>

namespace chanmirror::core {

enum class ErrorKind {
    invalid_input,  // malformed archive, JSON, spec, config
    io,             // read/write/rename failed
    no_space,       // a write found the disk (or the quota) full
    not_found,      // missing file or HTTP 404
    mismatch,       // hash or size mismatch, name disagreement
    network,        // HTTP/transport failure
    unsupported,    // valid but unsupported (e.g. unknown patch version)
};

struct Error {
    ErrorKind kind = ErrorKind::invalid_input;
    std::string message;

    // Prefixes context such as "while reading foo.conda: ".
    [[nodiscard]] Error with_context(const std::string& context) const& {
        return Error{kind, context + ": " + message};
    }
};

template <typename T>
using Result = tl::expected<T, Error>;

inline tl::unexpected<Error> fail(ErrorKind kind, std::string message) {
    return tl::unexpected<Error>(Error{kind, std::move(message)});
}

}  // namespace chanmirror::core
