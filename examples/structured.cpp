// Structured outputs: ask for an answer that follows a JSON Schema and get it as your own type.
#include <babyapi/babyapi.hpp>

#include <iostream>
#include <string>

struct Invoice {
  std::string customer;
  double total = 0;
  bool paid = false;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Invoice, customer, total, paid)

int main() {
  babyapi::Client client;
  const babyapi::Json schema = {
      {"title", "invoice"},
      {"type", "object"},
      {"properties",
       {{"customer", {{"type", "string"}}},
        {"total", {{"type", "number"}}},
        {"paid", {{"type", "boolean"}}}}},
      {"required", {"customer", "total", "paid"}},
      {"additionalProperties", false},
  };
  const babyapi::Json params = {
      {"model", "mistral"},
      {"messages",
       {{{"role", "user"}, {"content", "Invoice 117: ACME owes 42.50 EUR, not paid yet."}}}},
  };

  babyapi::Parsed<Invoice> invoice = client.chat.completions.parse<Invoice>(params, schema);
  std::cout << "customer: " << invoice.value.customer << "\n"
            << "total: " << invoice.value.total << "\n"
            << "paid: " << std::boolalpha << invoice.value.paid << "\n"
            << "tokens: " << invoice.response.usage()["total_tokens"].get<int>() << "\n";

  // An answer cut by max_tokens is never half-parsed: it throws.
  babyapi::Json short_params = params;
  short_params["max_tokens"] = 2;
  try {
    client.chat.completions.parse<Invoice>(short_params, schema);
    return 1;
  } catch (const babyapi::LengthFinishReasonError& error) {
    std::cout << "cut short: " << error.message() << "\n";
  }
}
