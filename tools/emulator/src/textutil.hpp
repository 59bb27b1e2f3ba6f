// Small pure helpers of the emulator's toy models: word tokens, hashing,
// base64, HTTP dates and the `key=value;key=value` header grammar.
#pragma once

#include <cstddef>
#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace emu {

// Splits text into "tokens": each token is one whitespace-separated word together
// with the whitespace in front of it; trailing whitespace sticks to the last token.
// Concatenating all tokens gives the text back. Text without words → no tokens.
std::vector<std::string> tokenize(std::string_view text);

// Number of whitespace-separated words (the emulator's notion of a token).
std::size_t count_words(std::string_view text);

// Concatenation of the first n tokens.
std::string join_tokens(const std::vector<std::string>& tokens, std::size_t n);

// Lowercased words for lexical matching: runs of ASCII letters/digits and of
// non-ASCII bytes (so UTF-8 words stay whole); everything else separates.
std::vector<std::string> lexical_words(std::string_view text);

std::uint64_t fnv1a64(std::string_view text);

// Deterministic unit-length vector derived from a hash of the text.
std::vector<float> hash_embedding(std::string_view text, int dimensions);

std::string base64_encode(const unsigned char* data, std::size_t size);

// Decodes base64 (standard or URL-safe alphabet; whitespace ignored; '=' padding optional).
// Appends at most keep decoded bytes to out and sets total to the decoded size. False when
// the text holds anything else (or data after the padding).
bool base64_decode(std::string_view text, std::size_t keep, std::string& out, std::uint64_t& total);

// IMF-fixdate, e.g. "Sun, 06 Nov 1994 08:49:37 GMT".
std::string http_date(std::time_t t);

// At most max_chars UTF-8 code points of s (never cuts a multi-byte sequence).
std::string truncate_utf8(std::string_view s, std::size_t max_chars);
// Bytes in the UTF-8 sequence that starts with lead (1 for ASCII and stray continuation bytes).
std::size_t utf8_sequence_length(unsigned char lead);
// &, <, > and " as entities, for HTML and XML text.
std::string html_escape(std::string_view s);

// Parses "k=v;k2=v2" (spaces around items are ignored; a value may contain '=').
// An item without '=' gets the value "1". Returns false and sets err on an empty key.
bool parse_kv_list(std::string_view text, std::vector<std::pair<std::string, std::string>>& out,
                   std::string& err);

// Whole-string decimal integer parse (optional leading '-'); false on anything else.
bool parse_long(std::string_view text, long long& out);

std::string to_lower(std::string_view s);

// Decodes %XX escapes and (when plus_is_space) '+' as a space.
std::string percent_decode(std::string_view s, bool plus_is_space);

// The query string of a request target ("/p?a=1&b" → {a:1, b:""}), in order, decoded.
std::vector<std::pair<std::string, std::string>> parse_query(std::string_view target);

}  // namespace emu
