"""Conan 2 recipe for babyapi-cpp (untested: Conan is not in Debian 12).

From the checkout:   conan create packaging/conan --build=missing
With the CLI:        conan create packaging/conan -o "babyapi/*:cli=True" --build=missing
Consumers:           requires = "babyapi/0.1.0"; find_package(babyapi) and babyapi::babyapi as usual.
"""
import os

from conan import ConanFile
from conan.tools.cmake import CMake, CMakeDeps, CMakeToolchain, cmake_layout
from conan.tools.files import copy


class BabyapiRecipe(ConanFile):
    name = "babyapi"
    version = "0.1.0"
    license = "MIT"
    description = "C++17 client SDK for BabyAPI"
    topics = ("http", "openai", "llm", "sdk")
    package_type = "library"
    settings = "os", "arch", "compiler", "build_type"
    options = {"shared": [True, False], "fPIC": [True, False], "cli": [True, False]}
    default_options = {"shared": False, "fPIC": True, "cli": False}

    def export_sources(self):
        # The recipe lives two levels below the sources it packages.
        root = os.path.join(self.recipe_folder, "..", "..")
        for pattern in ("CMakeLists.txt", "LICENSE", "cmake/*", "include/*", "src/*", "tools/cli/*"):
            copy(self, pattern, root, self.export_sources_folder)

    def config_options(self):
        if self.settings.os == "Windows":
            del self.options.fPIC

    def configure(self):
        if self.options.shared:
            self.options.rm_safe("fPIC")

    def layout(self):
        cmake_layout(self)

    def requirements(self):
        self.requires("libcurl/[>=7.78 <9]")
        # Public: the SDK's headers expose nlohmann::json.
        self.requires("nlohmann_json/[>=3.11 <4]", transitive_headers=True)
        if self.options.cli:
            self.requires("cli11/[>=2.3 <3]")
            self.requires("zlib/[>=1.2.11 <2]")

    def generate(self):
        toolchain = CMakeToolchain(self)
        toolchain.cache_variables["BABYAPI_BUILD_TESTS"] = False
        toolchain.cache_variables["BABYAPI_BUILD_EXAMPLES"] = False
        toolchain.cache_variables["BABYAPI_BUILD_EMULATOR"] = False
        toolchain.cache_variables["BABYAPI_BUILD_CLI"] = bool(self.options.cli)
        toolchain.cache_variables["BABYAPI_INSTALL"] = True
        toolchain.generate()
        CMakeDeps(self).generate()

    def build(self):
        cmake = CMake(self)
        cmake.configure()
        cmake.build()

    def package(self):
        copy(self, "LICENSE", self.source_folder, os.path.join(self.package_folder, "licenses"))
        CMake(self).install()

    def package_info(self):
        self.cpp_info.set_property("cmake_file_name", "babyapi")
        self.cpp_info.set_property("cmake_target_name", "babyapi::babyapi")
        self.cpp_info.set_property("pkg_config_name", "babyapi")
        self.cpp_info.libs = ["babyapi"]
        if self.settings.os in ("Linux", "FreeBSD"):
            self.cpp_info.system_libs = ["pthread"]
