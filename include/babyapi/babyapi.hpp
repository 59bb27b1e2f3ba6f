// The whole public API of the BabyAPI C++ SDK.
#pragma once

#include "babyapi/baby.hpp"
#include "babyapi/chat.hpp"
#include "babyapi/client.hpp"
#include "babyapi/completions.hpp"
#include "babyapi/embeddings.hpp"
#include "babyapi/errors.hpp"
#include "babyapi/json.hpp"
#include "babyapi/models.hpp"
#include "babyapi/options.hpp"
#include "babyapi/rerank.hpp"
#include "babyapi/response.hpp"
#include "babyapi/sse.hpp"
#include "babyapi/stream.hpp"
#include "babyapi/version.hpp"
#include "babyapi/vision.hpp"
