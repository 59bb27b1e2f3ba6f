// Every client option, with the environment variable each one falls back to.
#include <babyapi/babyapi.hpp>

#include <cstdlib>
#include <iostream>

int main() {
  babyapi::ClientOptions opts;
  const char* key = std::getenv("BABYAPI_API_KEY");
  opts.api_key = key ? key : "";  // required (or BABY_API_KEY)
  const char* url = std::getenv("BABYAPI_BASE_URL");
  opts.base_url = url ? url : "";                          // default https://api.babyapi.org
  opts.timeout = std::chrono::seconds(60);                 // JSON requests only
  opts.max_retries = 2;                                    // retry transient failures
  opts.retry_base_delay = std::chrono::milliseconds(250);  // exponential backoff base
  opts.default_model = "mistral";                          // used by client.baby.infer
  opts.default_headers = {{"x-app", "my-sideproject"}};    // extra headers for every request
  babyapi::Client client(opts);

  std::cout << "base_url=" << client.options().base_url
            << " default_model=" << client.options().default_model << "\n";
  std::cout << client.baby.infer("Configured.")["output"].get<std::string>() << "\n";
}
