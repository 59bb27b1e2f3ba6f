// Errors: every failure is a babyapi::BabyAPIError with message, status, code, type, request id.
#include <babyapi/babyapi.hpp>

#include <iostream>

int main() {
  babyapi::Client client;

  try {
    client.chat.completions.create({{"model", "mistral"}, {"messages", babyapi::Json::array()}});
  } catch (const babyapi::BabyAPIError& err) {
    std::cout << babyapi::Json{{"message", err.message()},
                               {"status", err.status()},
                               {"code", err.code()},
                               {"type", err.type()},
                               {"request_id", err.request_id()}}
                     .dump()
              << "\n";
    return 0;
  }
  std::cerr << "expected an error\n";
  return 1;
}
