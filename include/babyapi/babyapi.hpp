// The whole public API of the BabyAPI C++ SDK.
#pragma once

#include "babyapi/agents.hpp"
#include "babyapi/baby.hpp"
#include "babyapi/cancel.hpp"
#include "babyapi/chat.hpp"
#include "babyapi/client.hpp"
#include "babyapi/completions.hpp"
#include "babyapi/docling.hpp"
#include "babyapi/embeddings.hpp"
#include "babyapi/errors.hpp"
#include "babyapi/files.hpp"
#include "babyapi/future.hpp"
#include "babyapi/json.hpp"
#include "babyapi/models.hpp"
#include "babyapi/options.hpp"
#include "babyapi/rerank.hpp"
#include "babyapi/response.hpp"
#include "babyapi/sse.hpp"
#include "babyapi/stream.hpp"
#include "babyapi/stream_accumulator.hpp"
#include "babyapi/transport.hpp"
#include "babyapi/version.hpp"
#include "babyapi/vision.hpp"

#ifdef BABYAPI_DOXYGEN
/// \namespace babyapi
/// The BabyAPI client SDK: Client and its resources, the errors they throw, streams, futures and
/// the helpers for agents, files and embeddings. Everything here is public API; what lives in
/// babyapi::detail is not. The declarations sit in an inline namespace named after the ABI
/// (babyapi::v0_1), which users never need to spell.
///
/// \namespace babyapi::testing
/// The test kit (`<babyapi/testing.hpp>`, target babyapi::testing): FakeTransport and its
/// scripted answers, for unit tests of code that calls the SDK without a server.
#endif
