// Docling: health, readiness and version of BabyAPI's document-conversion proxy.
#include <babyapi/babyapi.hpp>

#include <iostream>

int main() {
  babyapi::Client client;

  std::cout << client.docling.health().json().dump() << "\n";  // {"status":"ok"}
  std::cout << client.docling.ready().json().dump() << "\n";
  std::cout << client.docling.version().json().dump() << "\n";
}
